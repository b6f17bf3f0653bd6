package nango

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/nango-go/sdk/gen"
	"github.com/nango-go/sdk/nango/internal/contract"
	"github.com/nango-go/sdk/nango/internal/routes"
)

// answerTypes maps each operation to the generated type of its 2xx body.
// TestCapturedFieldsHaveGenFields fails naming an operation that is missing.
var answerTypes = map[string]func() any{
	"GET /connections/{connectionId}":    func() any { return new(gen.Connection) },
	"GET /connection/{connectionId}":     func() any { return new(gen.Connection) },
	"POST /connections":                  func() any { return new(gen.Connection) },
	"GET /connections":                   func() any { return new(gen.ConnectionList) },
	"GET /connection":                    func() any { return new(gen.ConnectionList) },
	"DELETE /connections/{connectionId}": func() any { return new(gen.Success) },
	"DELETE /connection/{connectionId}":  func() any { return new(gen.Success) },
	"PATCH /connections/{connectionId}":  func() any { return new(gen.Success) },
	"POST /connections/metadata":         func() any { return new(gen.MetadataResponse) },
	"PATCH /connections/metadata":        func() any { return new(gen.MetadataResponse) },
	"POST /connection/metadata":          func() any { return new(gen.MetadataResponse) },
	"PATCH /connection/metadata":         func() any { return new(gen.MetadataResponse) },
	"POST /connect/sessions":             func() any { return new(gen.ConnectSessionResponse) },
	"POST /connect/sessions/reconnect":   func() any { return new(gen.ConnectSessionResponse) },
	"GET /connect/session":               func() any { return new(gen.ConnectSessionDetailsResponse) },
	"GET /integrations":                  func() any { return new(gen.IntegrationListResponse) },
	"GET /integrations/{uniqueKey}":      func() any { return new(gen.IntegrationResponse) },
	"GET /providers/{provider}":          func() any { return new(gen.ProviderResponse) },
	// An operation whose answers differ by status has one entry per status.
	"POST /action/trigger 200": func() any { return new(gen.ActionOutput) },
	"POST /action/trigger 202": func() any { return new(gen.AsyncActionResponse) },
	"GET /action/{id}":         func() any { return new(gen.ActionOutput) },
	"GET /records":             func() any { return new(gen.RecordsPage) },
	"PATCH /records/prune":     func() any { return new(gen.PruneRecordsResult) },
	// management (issue 17)
	"GET /environment-variables":                          func() any { return new(gen.EnvironmentVariableList) },
	"GET /scripts/config":                                 func() any { return new(gen.IntegrationScriptsList) },
	"POST /integrations":                                  func() any { return new(gen.IntegrationResponse) },
	"POST /integrations/quickstart":                       func() any { return new(gen.IntegrationResponse) },
	"PATCH /integrations/{uniqueKey}":                     func() any { return new(gen.IntegrationResponse) },
	"DELETE /integrations/{uniqueKey}":                    func() any { return new(gen.Success) },
	"GET /integrations/{uniqueKey}/functions":             func() any { return new(gen.FunctionList) },
	"GET /integrations/{uniqueKey}/functions/{name}":      func() any { return new(gen.FunctionResponse) },
	"DELETE /integrations/{uniqueKey}/functions/{name}":   func() any { return new(gen.FunctionDeletedResponse) },
	"GET /integrations/{uniqueKey}/functions/{name}/code": func() any { return new(gen.FunctionCode) },
	"GET /providers/{provider}/templates":                 func() any { return new(gen.FunctionTemplateList) },
}

// TestCapturedFieldsHaveGenFields: every property a real server sent has a
// field of the generated type, with a type that holds it. A property renamed
// or retyped in openapi.yaml fails here by name ("unknown field "provider""),
// not only as a capture that stopped validating.
func TestCapturedFieldsHaveGenFields(t *testing.T) {
	caps, err := contract.LoadCaptures("testdata/real-nango")
	if err != nil {
		t.Fatal(err)
	}
	table := routes.New("")
	checked := 0
	for _, c := range caps {
		if c.Status/100 != 2 || len(bytes.TrimSpace(c.Resp)) == 0 {
			continue
		}
		req, err := c.Request("http://127.0.0.1:3003", testKey, testKey)
		if err != nil {
			t.Fatal(err)
		}
		op, ok := table.Match(req)
		if !ok {
			continue // out of the spec (the proxy): see the contract tests
		}
		t.Run(c.Name, func(t *testing.T) {
			newAnswer, ok := answerTypes[fmt.Sprintf("%s %d", op, c.Status)]
			if !ok {
				newAnswer, ok = answerTypes[op]
			}
			if !ok {
				t.Fatalf("no generated answer type for %s: add it to answerTypes", op)
			}
			strictDecode(t, c.Resp, newAnswer())
			checked++
			if op == "GET /connections/{connectionId}" || op == "POST /connections" {
				var w struct{ Credentials json.RawMessage }
				_ = json.Unmarshal(c.Resp, &w)
				var u gen.Credentials
				_ = u.UnmarshalJSON(w.Credentials)
				kind, err := u.ValueByDiscriminator()
				if kind == nil || err != nil {
					return // {} or an error the decode tests report
				}
				strictDecode(t, w.Credentials, reflect.New(reflect.TypeOf(kind)).Interface())
			}
		})
	}
	if checked < 80 {
		t.Errorf("only %d answers checked", checked)
	}
}

func strictDecode(t *testing.T, body []byte, into any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(into); err != nil {
		t.Errorf("%T: %v", into, err)
	}
}

// TestGetOptionsCoverGenParams: every query parameter of the connection
// read is reachable through a GetOption, and the SDK's hand-built URL (its
// fast path) equals the one gen builds. A parameter added to the spec fails
// here, by name, until it has an option.
func TestGetOptionsCoverGenParams(t *testing.T) {
	options := map[string]GetOption{
		"ForceRefresh":             ForceRefresh(),
		"RefreshToken":             IncludeRefreshToken(),
		"RefreshGitHubAppJWTToken": RefreshGitHubAppJWT(),
	}
	c, err := New(testKey, WithHost("http://127.0.0.1:3003/prefix"))
	if err != nil {
		t.Fatal(err)
	}
	typ := reflect.TypeFor[gen.GetConnectionParams]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		if f.Name == "ProviderConfigKey" {
			continue // an argument of every read
		}
		opt, ok := options[f.Name]
		if !ok {
			t.Errorf("query parameter %s (gen.GetConnectionParams.%s) has no GetOption", f.Tag.Get("form"), f.Name)
			continue
		}
		var p getParams
		opt.applyGet(&p)
		want := gen.GetConnectionParams{ProviderConfigKey: "github"}
		yes := true
		reflect.ValueOf(&want).Elem().Field(i).Set(reflect.ValueOf(&yes))
		req, err := gen.NewGetConnectionRequest(c.server, "a/b c", &want)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.connectionURL("connections/", "github", "a/b c", &p); got != req.URL.String() {
			t.Errorf("%s: SDK builds %s, gen %s", f.Name, got, req.URL)
		}
	}
}

// TestListOptionsCoverGenParams: every query parameter of the list is set by
// a ListOption (listCall fills gen.ListConnectionsParams itself).
func TestListOptionsCoverGenParams(t *testing.T) {
	all := []ListOption{FilterConnectionID("c"), FilterSearch("s"), FilterEndUser("e"), FilterEndUserOrganization("o"),
		FilterIntegrations("github"), FilterTag("team", "core"), PageSize(5), Page(1)}
	var p listParams
	for _, o := range all {
		o.applyList(&p)
	}
	c, err := New(testKey, WithHost("http://127.0.0.1:3003"))
	if err != nil {
		t.Fatal(err)
	}
	cl, err := c.listCall(&p)
	if err != nil {
		t.Fatal(err)
	}
	req, err := cl.build(c.server)
	if err != nil {
		t.Fatal(err)
	}
	q := req.URL.Query()
	typ := reflect.TypeFor[gen.ListConnectionsParams]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("form"), ",")
		if name == "" { // deepObject parameters carry no form tag
			name, _, _ = strings.Cut(f.Tag.Get("json"), ",")
		}
		found := q.Has(name)
		for k := range q {
			found = found || strings.HasPrefix(k, name+"[")
		}
		if !found {
			t.Errorf("query parameter %s (gen.ListConnectionsParams.%s) is not set by any ListOption: %s", name, f.Name, req.URL.RawQuery)
		}
	}
	_ = http.MethodGet
}
