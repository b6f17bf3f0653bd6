package nango

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nango-go/sdk/nango/internal/contract"
)

// managementCall sends, through the SDK, the request a capture of the
// management routes made, and checks what it decoded against the answer.
// It returns the call's error.
func managementCall(t *testing.T, c *Client, cp contract.Capture) error {
	t.Helper()
	ctx := context.Background()
	u, _ := url.Parse(cp.URL)
	segs := strings.Split(strings.TrimPrefix(u.Path, "/"), "/")
	switch {
	case u.Path == "/environment-variables":
		vars, err := c.GetEnvironmentVariables(ctx)
		if err == nil {
			var want []map[string]string
			_ = json.Unmarshal(cp.Resp, &want)
			if len(vars) != len(want) || vars == nil {
				t.Errorf("%d variables, capture %d", len(vars), len(want))
			}
			for i, v := range vars {
				if v.Name != want[i]["name"] || v.Value != want[i]["value"] {
					t.Errorf("variable %d decoded as %s", i, v.Name)
				}
			}
		}
		return err
	case u.Path == "/scripts/config":
		cfg, err := c.GetScriptsConfig(ctx)
		if err == nil {
			var want []struct {
				ProviderConfigKey string
				Syncs, Actions    []struct{ Name, Version string }
			}
			_ = json.Unmarshal(cp.Resp, &want)
			if len(cfg.Integrations) != len(want) || cfg.Integrations == nil || cfg.OpenAIFunctions != nil || cfg.Format != ScriptsFormatNango {
				t.Fatalf("decoded %+v, capture %s", cfg, cp.Resp)
			}
			for i, in := range cfg.Integrations {
				if in.ProviderConfigKey != want[i].ProviderConfigKey || len(in.Syncs) != len(want[i].Syncs) || len(in.Actions) != len(want[i].Actions) {
					t.Errorf("integration %d decoded as %+v", i, in)
				}
				for j, a := range in.Actions {
					if a.Name != want[i].Actions[j].Name || a.Version != want[i].Actions[j].Version || a.LastDeployed.IsZero() || len(a.JSONSchema) == 0 {
						t.Errorf("action %d decoded as %+v", j, a)
					}
				}
				for _, s := range in.Syncs {
					if s.Runs == "" || s.Type != "sync" || len(s.Endpoints) == 0 {
						t.Errorf("sync decoded as %+v", s)
					}
				}
			}
		}
		return err
	case cp.Method == http.MethodPost && u.Path == "/integrations":
		var req CreateIntegrationRequest
		if err := json.Unmarshal(cp.Body, &req); err != nil {
			t.Fatal(err)
		}
		in, err := c.CreateIntegration(ctx, req)
		if err == nil {
			checkIntegration(t, cp.Resp, in)
		}
		return err
	case cp.Method == http.MethodPatch:
		var req UpdateIntegrationRequest
		if err := json.Unmarshal(cp.Body, &req); err != nil {
			t.Fatal(err)
		}
		in, err := c.UpdateIntegration(ctx, segs[1], req)
		if err == nil {
			checkIntegration(t, cp.Resp, in)
		}
		return err
	case cp.Method == http.MethodDelete:
		return c.DeleteIntegration(ctx, segs[1])
	case len(segs) == 3 && segs[2] == "functions":
		list, err := c.ListFunctions(ctx, segs[1])
		if err == nil {
			var want struct {
				Data       []struct{ Name, Type string }
				Pagination struct{ Total, Page, Limit int }
			}
			_ = json.Unmarshal(cp.Resp, &want)
			if len(list.Data) != len(want.Data) || list.Pagination.Total != want.Pagination.Total || list.Pagination.Limit != want.Pagination.Limit {
				t.Errorf("decoded %+v", list)
			}
			for i, fn := range list.Data {
				if fn.Name != want.Data[i].Name || string(fn.Type) != want.Data[i].Type || fn.ID == 0 || fn.LastDeployed.IsZero() || fn.Source != "repo" {
					t.Errorf("function %d decoded as %+v", i, fn)
				}
			}
		}
		return err
	case len(segs) == 4 && segs[2] == "functions":
		fn, err := c.GetFunction(ctx, segs[1], segs[3])
		if err == nil && (fn.Name != segs[3] || fn.Type != FunctionTypeAction || fn.Input == "" || len(fn.Returns) != 1) {
			t.Errorf("decoded %+v", fn)
		}
		return err
	case segs[0] == "providers":
		tpl, err := c.GetProviderTemplates(ctx, segs[1])
		if err == nil && (tpl == nil || len(tpl) != 0) {
			t.Errorf("decoded %#v", tpl)
		}
		return err
	}
	t.Fatalf("no SDK call for %s %s", cp.Method, cp.URL)
	return nil
}

// TestManagementCaptures replays every answer of the management routes a
// real server gave to the request the SDK makes for it, through the
// validating transport: the SDK sends the capture's route and body (decoded
// into the generated request types), and decodes the answer, a 2xx into
// typed values and an error into the right *APIError.
func TestManagementCaptures(t *testing.T) {
	caps := loadCaptures(t, func(c contract.Capture, path string) bool {
		return path == "/environment-variables" || path == "/scripts/config" || strings.HasPrefix(path, "/providers/") && strings.HasSuffix(path, "/templates") ||
			strings.HasPrefix(path, "/integrations") && (c.Method != http.MethodGet || strings.Contains(path, "/functions"))
	})
	if len(caps) < 14 {
		t.Fatalf("only %d captures", len(caps))
	}
	for _, cp := range caps {
		t.Run(cp.Name, func(t *testing.T) {
			h := setup(t, replay(cp), WithMaxRetries(0))
			u, _ := url.Parse(cp.URL)
			if cp.Name == "714-err-post-integrations-create-missing-provider" {
				// What the server refuses, the SDK refuses before sending.
				if err := managementCall(t, h.client, cp); !errors.Is(err, ErrInvalidArgument) || len(h.requests()) != 0 {
					t.Errorf("%v, %d requests", err, len(h.requests()))
				}
				return
			}
			err := managementCall(t, h.client, cp)
			if cp.Status/100 == 2 {
				if err != nil {
					t.Fatal(err)
				}
			} else {
				checkAPIError(t, cp, err)
			}
			sent := h.requests()
			wantQuery := u.RawQuery
			if u.Path == "/scripts/config" {
				wantQuery = "format=nango" // as the Node SDK, the format is always sent
			}
			if len(sent) != 1 || sent[0].Method != cp.Method || sent[0].EscapedPath != u.EscapedPath() || sent[0].RawQuery != wantQuery {
				t.Errorf("sent %+v, capture %s %s", sent, cp.Method, cp.URL)
			}
		})
	}
}

// TestScriptsConfigFormats: each answer of GET /scripts/config lands where
// the format asked for says, [] included; one of the wrong shape is
// ErrUnexpectedResponse, and an unknown format is refused before sending.
func TestScriptsConfigFormats(t *testing.T) {
	const openai = `{"data":[{"name":"echo","description":"Echo","parameters":{"type":"object","properties":{"x":{"type":"string"}},"required":["x"]}}]}`
	const nango = `[{"providerConfigKey":"gh","provider":"github","syncs":[],"actions":[{"name":"echo","returns":[],"endpoints":[]}],"on-events":[]}]`
	cases := []struct {
		name, body string
		format     ScriptsFormat
		fns, ins   int // -1: nil
		bad        bool
	}{
		{"nango", nango, ScriptsFormatNango, -1, 1, false},
		{"nango, nothing deployed", `[]`, ScriptsFormatNango, -1, 0, false},
		{"openai", openai, ScriptsFormatOpenAI, 1, -1, false},
		{"openai, nothing deployed", `[]`, ScriptsFormatOpenAI, 0, -1, false},
		{"openai answered as nango", nango, ScriptsFormatOpenAI, 0, 0, true},
		{"nango answered as openai", openai, ScriptsFormatNango, 0, 0, true},
		{"openai without data", `{}`, ScriptsFormatOpenAI, 0, 0, true},
		{"null", `null`, ScriptsFormatNango, 0, 0, true},
		{"integration without a key", `[{"syncs":[],"actions":[],"on-events":[]}]`, ScriptsFormatNango, 0, 0, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := setupWith(t, !tc.bad, jsonBody(200, tc.body), WithMaxRetries(0))
			cfg, err := h.client.GetScriptsConfig(context.Background(), ScriptsConfigFormat(tc.format))
			if got := h.requests(); len(got) != 1 || got[0].RawQuery != "format="+string(tc.format) {
				t.Errorf("sent %+v", got)
			}
			if tc.bad {
				if !errors.Is(err, ErrUnexpectedResponse) {
					t.Errorf("%+v %v", cfg, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			count := func(n int, isNil bool) int {
				if isNil {
					return -1
				}
				return n
			}
			if f, i := count(len(cfg.OpenAIFunctions), cfg.OpenAIFunctions == nil), count(len(cfg.Integrations), cfg.Integrations == nil); f != tc.fns || i != tc.ins || cfg.Format != tc.format {
				t.Errorf("%d functions, %d integrations, format %s: %+v", f, i, cfg.Format, cfg)
			}
		})
	}
	h := setup(t, jsonBody(200, `[]`))
	if _, err := h.client.GetScriptsConfig(context.Background(), ScriptsConfigFormat("xml")); !errors.Is(err, ErrInvalidArgument) || len(h.requests()) != 0 {
		t.Errorf("xml: %v", err)
	}
}

// TestEnvironmentVariablePrintsRedacted: a variable's value shows under no
// fmt verb and in no slog handler; its fields and encoding/json have it.
func TestEnvironmentVariablePrintsRedacted(t *testing.T) {
	const secret = "sk_live_value_0123456789"
	h := setup(t, jsonBody(200, `[{"name":"STRIPE_KEY","value":"`+secret+`"}]`))
	vars, err := h.client.GetEnvironmentVariables(context.Background())
	if err != nil || len(vars) != 1 || vars[0].Name != "STRIPE_KEY" || vars[0].Value != secret {
		t.Fatalf("%d %v", len(vars), err)
	}
	v := vars[0]
	var out bytes.Buffer
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		fmt.Fprintf(&out, verb+"\n", v)
		fmt.Fprintf(&out, verb+"\n", vars)
		fmt.Fprintf(&out, verb+"\n", &v)
	}
	slog.New(slog.NewJSONHandler(&out, nil)).Info("var", "v", v, "p", &v)
	slog.New(slog.NewTextHandler(&out, nil)).Info("var", "v", v)
	if strings.Contains(out.String(), secret) || !strings.Contains(out.String(), "redacted") {
		t.Errorf("printed:\n%s", out.String())
	}
	if b, _ := json.Marshal(v); !strings.Contains(string(b), secret) {
		t.Errorf("encoding/json: %s", b)
	}
}

// TestGetEnvironmentVariablesDecode: [] and null are no variables; a
// variable without a name, or not a list, is ErrUnexpectedResponse, and the
// error quotes no value.
func TestGetEnvironmentVariablesDecode(t *testing.T) {
	for _, tc := range []struct {
		body string
		n    int
		bad  bool
	}{{`[]`, 0, false}, {`null`, 0, false}, {`[{"name":"","value":"sekrit-value-1"}]`, 0, true}, {`{"name":"A"}`, 0, true}, {`[{"name":"A","value":5}]`, 0, true}} {
		h := setupRaw(t, jsonBody(200, tc.body))
		vars, err := h.client.GetEnvironmentVariables(context.Background())
		if tc.bad {
			if !errors.Is(err, ErrUnexpectedResponse) || strings.Contains(fmt.Sprint(err), "sekrit") {
				t.Errorf("%s: %v", tc.body, err)
			}
			continue
		}
		if err != nil || vars == nil || len(vars) != tc.n {
			t.Errorf("%s: %v %v", tc.body, vars, err)
		}
	}
}

// echoBodyServer answers every request with an error that repeats the
// request's body in its message, issues, payload, request id and a header,
// as a careless proxy or server could.
func echoBodyServer(t *testing.T) *harness {
	return setupRaw(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		q, _ := json.Marshal(string(b))
		w.Header().Set("X-Echo", strings.ReplaceAll(string(b), "\n", " "))
		w.Header().Set("X-Request-Id", strings.ReplaceAll(string(b), "\n", " "))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(400)
		fmt.Fprintf(w, `{"error":{"code":"invalid_body","message":%s,"payload":{"got":%s},"errors":[{"code":"c","message":%s,"path":[%s]}]}}`, q, q, q, q)
	}, WithMaxRetries(0))
}

// TestIntegrationSecretsWithEscapesRedacted: a secret with characters JSON
// escapes (a quote, a backslash, <, > and &) stays hidden when a server
// repeats the body quoted once or twice, escaped as encoding/json or as
// JSON.stringify (which leaves <, > and &) does.
func TestIntegrationSecretsWithEscapesRedacted(t *testing.T) {
	ctx := context.Background()
	for _, secret := range []string{`client"secret-0123456789`, `client\secret-0123456789`, `client<secret>&-0123456789`, `client<"secret>&-0123456789`} {
		oauth := IntegrationCredentialsInput{}
		if err := oauth.FromIntegrationOAuthClientInput(IntegrationOAuthClientInput{Type: "OAUTH2", ClientID: "cid", ClientSecret: secret}); err != nil {
			t.Fatal(err)
		}
		for _, server := range []struct {
			name string
			h    *harness
		}{{"encoding/json", echoBodyServer(t)}, {"JSON.stringify", echoBodyServerNode(t)}} {
			_, err := server.h.client.CreateIntegration(ctx, CreateIntegrationRequest{UniqueKey: "gh", Provider: "github", Credentials: oauth})
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != 400 {
				t.Fatalf("want the echoed 400, got %v", err)
			}
			// The secret, and its tail (which no escape changes), shows
			// nowhere.
			assertNoSecrets(t, server.name+" "+secret, []string{secret, "secret-0123456789", "secret>&-0123456789"}, err, nil)
		}
	}
}

// echoBodyServerNode is echoBodyServer with a JSON.stringify's escaping,
// which leaves <, > and & as they are.
func echoBodyServerNode(t *testing.T) *harness {
	quote := func(s string) string {
		var b strings.Builder
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(s)
		return strings.TrimSpace(b.String())
	}
	return setupRaw(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		// The body as a Node server parsed and wrote it again.
		var v any
		_ = json.Unmarshal(b, &v)
		var body strings.Builder
		enc := json.NewEncoder(&body)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(v)
		q := quote(strings.TrimSpace(body.String()))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(400)
		fmt.Fprintf(w, `{"error":{"code":"invalid_body","message":%s,"payload":{"got":%s,"body":%s},"errors":[{"code":"c","message":%s,"path":[%s]}]}}`, q, q, strings.TrimSpace(body.String()), q, q)
	}, WithMaxRetries(0))
}

// TestIntegrationSecretsRedacted: the client secret, webhook secret and
// private key of an integration write stay out of errors (every verb,
// every field a server wrote), ResponseMeta, the debug log and the
// request's own printing, whatever the server repeats of them.
func TestIntegrationSecretsRedacted(t *testing.T) {
	const clientSecret, webhookSecret = "client-secret-0123456789", "webhook-secret-0123456789"
	privateKey := "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEAsecretkeymaterial\n-----END RSA PRIVATE KEY-----"
	secrets := []string{clientSecret, webhookSecret, "secretkeymaterial"}
	oauth := IntegrationCredentialsInput{}
	if err := oauth.FromIntegrationOAuthClientInput(IntegrationOAuthClientInput{Type: "OAUTH2", ClientID: "cid", ClientSecret: clientSecret, WebhookSecret: webhookSecret}); err != nil {
		t.Fatal(err)
	}
	custom := IntegrationCredentialsInput{}
	if err := custom.FromIntegrationCustomAppInput(IntegrationCustomAppInput{Type: "CUSTOM", ClientID: "cid", ClientSecret: clientSecret, AppID: "1", AppLink: "l", PrivateKey: privateKey}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	calls := map[string]func(c *Client, meta *ResponseMeta) error{
		"create": func(c *Client, meta *ResponseMeta) error {
			_, err := c.CreateIntegration(ctx, CreateIntegrationRequest{UniqueKey: "gh", Provider: "github", Credentials: oauth}, CaptureResponse(meta))
			return err
		},
		"create custom": func(c *Client, meta *ResponseMeta) error {
			_, err := c.CreateIntegration(ctx, CreateIntegrationRequest{UniqueKey: "gh", Provider: "github-app-oauth", Credentials: custom}, CaptureResponse(meta))
			return err
		},
		"update": func(c *Client, meta *ResponseMeta) error {
			_, err := c.UpdateIntegration(ctx, "gh", UpdateIntegrationRequest{Credentials: custom}, CaptureResponse(meta))
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			h := echoBodyServer(t)
			var logs bytes.Buffer
			var mu sync.Mutex
			h.client.logger = newTestLogger(&logs, &mu)
			var meta ResponseMeta
			err := call(h.client, &meta)
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != 400 || !strings.Contains(apiErr.Message, "[redacted]") {
				t.Fatalf("want the echoed 400, got %v", err)
			}
			assertNoSecrets(t, name, secrets, err, meta)
			mu.Lock()
			defer mu.Unlock()
			for _, s := range secrets {
				if strings.Contains(logs.String(), s) {
					t.Errorf("log holds %q: %s", s, logs.String())
				}
			}
		})
	}
	for _, v := range []any{CreateIntegrationRequest{Credentials: oauth}, UpdateIntegrationRequest{Credentials: custom}, oauth, custom,
		IntegrationOAuthClientInput{ClientSecret: clientSecret}, IntegrationCustomAppInput{PrivateKey: privateKey}, IntegrationAppInput{PrivateKey: privateKey}} {
		assertNoSecrets(t, fmt.Sprintf("%T", v), secrets, nil, v)
		var out bytes.Buffer
		slog.New(slog.NewJSONHandler(&out, nil)).Info("req", "v", v)
		assertNoSecrets(t, fmt.Sprintf("slog %T", v), secrets, nil, out.String())
	}
}

// TestManagementWritesNotRetried: a write that reached the server is never
// sent again, whatever the answer; the reads are retried.
func TestManagementWritesNotRetried(t *testing.T) {
	ctx := context.Background()
	writes := map[string]func(c *Client) error{
		"CreateIntegration": func(c *Client) error {
			_, err := c.CreateIntegration(ctx, CreateIntegrationRequest{UniqueKey: "k", Provider: "sendgrid"})
			return err
		},
		"CreateQuickstartIntegration": func(c *Client) error {
			_, err := c.CreateQuickstartIntegration(ctx, QuickstartIntegrationRequest{UniqueKey: "k", Provider: "github"})
			return err
		},
		"UpdateIntegration": func(c *Client) error {
			_, err := c.UpdateIntegration(ctx, "k", UpdateIntegrationRequest{DisplayName: "K"})
			return err
		},
		"DeleteIntegration": func(c *Client) error { return c.DeleteIntegration(ctx, "k") },
		"DeleteFunction":    func(c *Client) error { return c.DeleteFunction(ctx, "k", "f", FunctionTypeSync) },
	}
	reads := map[string]func(c *Client) error{
		"GetEnvironmentVariables": func(c *Client) error { _, err := c.GetEnvironmentVariables(ctx); return err },
		"GetScriptsConfig":        func(c *Client) error { _, err := c.GetScriptsConfig(ctx); return err },
		"ListFunctions":           func(c *Client) error { _, err := c.ListFunctions(ctx, "k"); return err },
		"GetFunction":             func(c *Client) error { _, err := c.GetFunction(ctx, "k", "f"); return err },
		"GetFunctionCode":         func(c *Client) error { _, err := c.GetFunctionCode(ctx, "k", "f"); return err },
		"GetProviderTemplates":    func(c *Client) error { _, err := c.GetProviderTemplates(ctx, "github"); return err },
	}
	for _, set := range []struct {
		calls map[string]func(c *Client) error
		want  int
	}{{writes, 1}, {reads, 4}} {
		for name, call := range set.calls {
			for _, status := range []int{500, 502, 503, 429} {
				h := setup(t, jsonBody(status, `{"error":{"code":"server_error","message":"boom"}}`), WithMaxRetries(3), WithBackoff(0, 0))
				if err := call(h.client); err == nil {
					t.Fatalf("%s: no error", name)
				}
				if n := len(h.requests()); n != set.want {
					t.Errorf("%s after %d: %d requests, want %d", name, status, n, set.want)
				}
			}
		}
	}
}

// TestManagementRefusedLocally: what Nango's schemas refuse, or what would
// name another route, is ErrInvalidArgument before anything is sent.
func TestManagementRefusedLocally(t *testing.T) {
	ctx := context.Background()
	oauth := func(in IntegrationOAuthClientInput) IntegrationCredentialsInput {
		var c IntegrationCredentialsInput
		_ = c.FromIntegrationOAuthClientInput(in)
		return c
	}
	app := func(in IntegrationAppInput) IntegrationCredentialsInput {
		var c IntegrationCredentialsInput
		_ = c.FromIntegrationAppInput(in)
		return c
	}
	good := IntegrationOAuthClientInput{Type: "OAUTH2", ClientID: "c", ClientSecret: "s"}
	withGood := func(f func(*IntegrationOAuthClientInput)) IntegrationCredentialsInput {
		in := good
		f(&in)
		return oauth(in)
	}
	var junk IntegrationCredentialsInput
	_ = junk.UnmarshalJSON([]byte(`{"type":"API_KEY"}`))
	create := func(req CreateIntegrationRequest) func(c *Client) error {
		return func(c *Client) error { _, err := c.CreateIntegration(ctx, req); return err }
	}
	update := func(key string, req UpdateIntegrationRequest) func(c *Client) error {
		return func(c *Client) error { _, err := c.UpdateIntegration(ctx, key, req); return err }
	}
	listFns := func(opts ...FunctionOption) func(c *Client) error {
		return func(c *Client) error { _, err := c.ListFunctions(ctx, "gh", opts...); return err }
	}
	cases := map[string]func(c *Client) error{
		"create: no provider":        create(CreateIntegrationRequest{UniqueKey: "k"}),
		"create: no key":             create(CreateIntegrationRequest{Provider: "github"}),
		"create: provider pattern":   create(CreateIntegrationRequest{UniqueKey: "k", Provider: "git hub"}),
		"create: key pattern":        create(CreateIntegrationRequest{UniqueKey: "a/b", Provider: "github"}),
		"create: dot key":            create(CreateIntegrationRequest{UniqueKey: "..", Provider: "github"}),
		"create: long key":           create(CreateIntegrationRequest{UniqueKey: strings.Repeat("k", 256), Provider: "github"}),
		"create: long display name":  create(CreateIntegrationRequest{UniqueKey: "k", Provider: "github", DisplayName: strings.Repeat("n", 256)}),
		"create: long config value":  create(CreateIntegrationRequest{UniqueKey: "k", Provider: "github", IntegrationConfig: map[string]string{"a": strings.Repeat("v", 8193)}}),
		"create: credentials type":   create(CreateIntegrationRequest{UniqueKey: "k", Provider: "github", Credentials: junk}),
		"create: no client id":       create(CreateIntegrationRequest{UniqueKey: "k", Provider: "github", Credentials: withGood(func(i *IntegrationOAuthClientInput) { i.ClientID = "" })}),
		"create: no client secret":   create(CreateIntegrationRequest{UniqueKey: "k", Provider: "github", Credentials: withGood(func(i *IntegrationOAuthClientInput) { i.ClientSecret = "" })}),
		"create: scopes with blanks": create(CreateIntegrationRequest{UniqueKey: "k", Provider: "github", Credentials: withGood(func(i *IntegrationOAuthClientInput) { i.Scopes = "repo, user" })}),
		"create: no type":            create(CreateIntegrationRequest{UniqueKey: "k", Provider: "github", Credentials: withGood(func(i *IntegrationOAuthClientInput) { i.Type = "" })}),
		"create: not a PEM key":      create(CreateIntegrationRequest{UniqueKey: "k", Provider: "github-app", Credentials: app(IntegrationAppInput{Type: "APP", AppID: "1", AppLink: "l", PrivateKey: "k"})}),
		"create: app without link":   create(CreateIntegrationRequest{UniqueKey: "k", Provider: "github-app", Credentials: app(IntegrationAppInput{Type: "APP", AppID: "1", PrivateKey: rsaKeyBegin + "-x" + rsaKeyEnd})}),
		"quickstart: no provider": func(c *Client) error {
			_, err := c.CreateQuickstartIntegration(ctx, QuickstartIntegrationRequest{UniqueKey: "k"})
			return err
		},
		"update: no key":           update("", UpdateIntegrationRequest{DisplayName: "x"}),
		"update: nothing":          update("k", UpdateIntegrationRequest{}),
		"update: new key pattern":  update("k", UpdateIntegrationRequest{UniqueKey: "a/b"}),
		"update: bad credentials":  update("k", UpdateIntegrationRequest{Credentials: withGood(func(i *IntegrationOAuthClientInput) { i.ClientID = "" })}),
		"delete: no key":           func(c *Client) error { return c.DeleteIntegration(ctx, "") },
		"delete: dot key":          func(c *Client) error { return c.DeleteIntegration(ctx, ".") },
		"templates: no provider":   func(c *Client) error { _, err := c.GetProviderTemplates(ctx, ""); return err },
		"templates: bad provider":  func(c *Client) error { _, err := c.GetProviderTemplates(ctx, "a.b"); return err },
		"functions: no key":        func(c *Client) error { _, err := c.ListFunctions(ctx, ""); return err },
		"functions: bad type":      listFns(FunctionOfType("job")),
		"functions: blank search":  listFns(FunctionSearch("  ")),
		"functions: long search":   listFns(FunctionSearch(strings.Repeat("s", 256))),
		"functions: page -1":       listFns(Page(-1)),
		"functions: page size 0":   listFns(PageSize(0)),
		"functions: page size 101": listFns(PageSize(101)),
		"function: no name":        func(c *Client) error { _, err := c.GetFunction(ctx, "gh", ""); return err },
		"function: bad name":       func(c *Client) error { _, err := c.GetFunction(ctx, "gh", "a.b"); return err },
		"function: search option":  func(c *Client) error { _, err := c.GetFunction(ctx, "gh", "f", FunctionSearch("x")); return err },
		"code: no key":             func(c *Client) error { _, err := c.GetFunctionCode(ctx, "", "f"); return err },
		"code: page option":        func(c *Client) error { _, err := c.GetFunctionCode(ctx, "gh", "f", Page(1)); return err },
		"delete function: no name": func(c *Client) error { return c.DeleteFunction(ctx, "gh", "", FunctionTypeSync) },
		"delete function: on-event": func(c *Client) error {
			return c.DeleteFunction(ctx, "gh", "f", FunctionTypeOnEvent)
		},
		"delete function: no kind": func(c *Client) error { return c.DeleteFunction(ctx, "gh", "f", "") },
		"wait: no key": func(c *Client) error {
			_, err := c.WaitForConnection(ctx, "", "u")
			return err
		},
		"wait: no id": func(c *Client) error {
			_, err := c.WaitForConnection(ctx, "gh", "")
			return err
		},
		"wait: bad interval": func(c *Client) error {
			_, err := c.WaitForConnection(ctx, "gh", "u", PollInterval(time.Second, time.Millisecond))
			return err
		},
		"wait: zero interval": func(c *Client) error {
			_, err := c.WaitForConnection(ctx, "gh", "u", PollInterval(0, time.Second))
			return err
		},
		"wait: bad request option": func(c *Client) error {
			_, err := c.WaitForConnection(ctx, "gh", "u", RequestTimeout(-1))
			return err
		},
	}
	for name, call := range cases {
		h := setup(t, jsonBody(200, `{}`))
		err := call(h.client)
		if !errors.Is(err, ErrInvalidArgument) || len(h.requests()) != 0 {
			t.Errorf("%s: %v, %d requests", name, err, len(h.requests()))
		}
	}
}

// TestFunctionQueries: the options reach the query as Nango reads it.
func TestFunctionQueries(t *testing.T) {
	h := setup(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/code"):
			jsonBody(200, `{"type":"sync","code":"x"}`)(w, r)
		case strings.HasSuffix(r.URL.Path, "/functions"):
			jsonBody(200, `{"data":[],"pagination":{"total":0,"page":0,"limit":20}}`)(w, r)
		case r.Method == http.MethodDelete:
			jsonBody(200, `{"data":{"success":true}}`)(w, r)
		default:
			jsonBody(200, `{"data":{"name":"f","type":"sync","id":1,"enabled":true,"last_deployed":"2026-12-03T07:24:48.029Z","source":"repo"}}`)(w, r)
		}
	})
	ctx := context.Background()
	c := h.client
	if _, err := c.ListFunctions(ctx, "my key", FunctionOfType(FunctionTypeOnEvent), FunctionSearch(" iss "), Page(2), PageSize(50)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetFunction(ctx, "gh", "f", FunctionOfType(FunctionTypeSync)); err != nil {
		t.Fatal(err)
	}
	if code, err := c.GetFunctionCode(ctx, "gh", "f", FunctionOfType(FunctionTypeSync)); err != nil || code.Code != "x" || code.Type != FunctionTypeSync {
		t.Fatal(code, err)
	}
	if err := c.DeleteFunction(ctx, "gh", "f", FunctionTypeAction); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range h.requests() {
		got = append(got, r.Method+" "+r.EscapedPath+"?"+r.RawQuery)
	}
	want := []string{"GET /integrations/my%20key/functions?type=on-event&search=iss&page=2&limit=50",
		"GET /integrations/gh/functions/f?type=sync", "GET /integrations/gh/functions/f/code?type=sync",
		"DELETE /integrations/gh/functions/f?type=action"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("sent\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestAllPages: AllFunctions asks page after page until a short
// page or the total, and stops at the first error.
func TestAllPages(t *testing.T) {
	const total = 5
	var asked []string
	var mu sync.Mutex
	failAt := -1
	h := setup(t, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		var page, limit int
		fmt.Sscan(q.Get("page"), &page)
		fmt.Sscan(q.Get("limit"), &limit)
		mu.Lock()
		asked = append(asked, r.URL.RawQuery)
		fail := page == failAt
		mu.Unlock()
		if fail {
			jsonBody(404, `{"error":{"code":"not_found","message":"Integration does not exist"}}`)(w, r)
			return
		}
		var items []string
		for i := page * limit; i < min((page+1)*limit, total); i++ {
			items = append(items, fmt.Sprintf(`{"name":"f%d","type":"action","id":%d,"enabled":true,"last_deployed":"2026-12-03T07:24:48.029Z","source":"repo"}`, i, i+1))
		}
		jsonBody(200, fmt.Sprintf(`{"data":[%s],"pagination":{"total":%d,"page":%d,"limit":%d}}`, strings.Join(items, ","), total, page, limit))(w, r)
	})
	for _, tc := range []struct {
		size, pages int
	}{{2, 3}, {5, 1}, {1, 5}, {100, 1}} {
		mu.Lock()
		asked = nil
		mu.Unlock()
		var names []string
		opts := []FunctionOption{PageSize(tc.size)}
		if tc.size == 100 {
			opts = nil // the default
		}
		for fn, err := range h.client.AllFunctions(context.Background(), "gh", opts...) {
			if err != nil {
				t.Fatal(err)
			}
			names = append(names, fn.Name)
		}
		if strings.Join(names, ",") != "f0,f1,f2,f3,f4" || len(asked) != tc.pages {
			t.Errorf("page size %d: %v in %d requests %v, want %d", tc.size, names, len(asked), asked, tc.pages)
		}
	}
	failAt = 1
	var n int
	var last error
	for _, err := range h.client.AllFunctions(context.Background(), "gh", PageSize(2)) {
		n++
		last = err
	}
	if n != 3 || !errors.Is(last, ErrNotFound) {
		t.Errorf("%d items, last error %v", n, last)
	}
}

// TestWaitForConnection: the wait reads until the connection exists,
// sleeping between reads through the client's sleep (never busy), each
// wait in the upper half of a ceiling that grows by half up to the
// maximum; any other failure, and the end of the context, end it.
func TestWaitForConnection(t *testing.T) {
	const conn = `{"id":1,"connection_id":"u1","provider_config_key":"github","provider":"github","created_at":"2026-11-28T14:44:40.550+00:00","credentials":{"type":"OAUTH2","access_token":"tok"}}`
	var reads atomic.Int64
	missing := int64(6)
	h := setup(t, func(w http.ResponseWriter, r *http.Request) {
		if reads.Add(1) <= missing {
			jsonBody(404, `{"error":{"code":"not_found","message":"Failed to find connection"}}`)(w, r)
			return
		}
		jsonBody(200, conn)(w, r)
	})
	var waits []time.Duration
	h.client.sleep = func(ctx context.Context, d time.Duration) error {
		waits = append(waits, d)
		return ctx.Err()
	}
	got, err := h.client.WaitForConnection(context.Background(), "github", "u1", PollInterval(100*time.Millisecond, 400*time.Millisecond), RequestHeader("X-Trace", "1"))
	if err != nil || got.ConnectionID != "u1" {
		t.Fatalf("%v %v", got, err)
	}
	if reads.Load() != missing+1 || len(waits) != int(missing) {
		t.Fatalf("%d reads, waits %v", reads.Load(), waits)
	}
	ceilings := []time.Duration{100, 200, 400, 400, 400, 400} // ms, doubling up to the maximum
	for i, w := range waits {
		c := ceilings[i] * time.Millisecond
		if w < c/2 || w > c {
			t.Errorf("wait %d: %s, want between %s and %s", i, w, c/2, c)
		}
	}
	for _, r := range h.requests() {
		if r.Header.Get("X-Trace") != "1" || r.Path != "/connections/u1" {
			t.Errorf("read %+v without the request option", r)
		}
	}

	// Another failure ends the wait at once.
	reads.Store(0)
	waits = nil
	h2 := setup(t, jsonBody(400, `{"error":{"code":"unknown_provider_config","message":"There is no Provider Configuration matching this key."}}`))
	h2.client.sleep = func(context.Context, time.Duration) error {
		waits = append(waits, 0)
		return context.Canceled // a wait here is the bug: end it rather than hang
	}
	if _, err := h2.client.WaitForConnection(context.Background(), "nope", "u1"); !errors.Is(err, ErrUnknownProviderConfig) || len(waits) != 0 || len(h2.requests()) != 1 {
		t.Errorf("%v after %d waits, %d reads", err, len(waits), len(h2.requests()))
	}

	// The end of the context ends it, between reads.
	reads.Store(0)
	missing = 1 << 30
	ctx, cancel := context.WithCancel(context.Background())
	sleeps := 0
	h.client.sleep = func(ctx context.Context, d time.Duration) error {
		if d <= 0 {
			t.Errorf("wait of %s: a busy loop", d)
		}
		if sleeps++; sleeps == 3 {
			cancel()
		}
		return ctx.Err()
	}
	_, err = h.client.WaitForConnection(ctx, "github", "u1")
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "did not appear") || reads.Load() != 3 {
		t.Errorf("%v after %d reads", err, reads.Load())
	}
}

// TestPollWaitBounds: with the defaults, every wait is positive, in the
// upper half of its ceiling, and never above the maximum, however long the
// wait goes on.
func TestPollWaitBounds(t *testing.T) {
	p := waitParams{first: defaultPollFirst, max: defaultPollMax}
	for n := 1; n < 200; n++ {
		w := p.pollWait(n)
		if w < defaultPollFirst/2 || w > defaultPollMax {
			t.Fatalf("wait %d: %s", n, w)
		}
		if n > 20 && w < defaultPollMax/2 {
			t.Fatalf("wait %d: %s, the ceiling stopped at the maximum", n, w)
		}
	}
}
