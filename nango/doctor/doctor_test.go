package doctor_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/nango-go/sdk/nango"
	"github.com/nango-go/sdk/nango/doctor"
	"github.com/nango-go/sdk/nango/nangotest"
)

// Seeded values the report must never show: two tokens, and ids that only
// ShowIDs may print.
const (
	secretToken = "gho_doctor_secret_token"
	secretAPI   = "sg_doctor_secret_apikey"
	idGitHub    = "private-user-7f3a"
	idSendgrid  = "private-mail-9c1e"
)

// seeder is what seed needs of a *nangotest.Server or *nangotest.Fake.
type seeder interface {
	MustPut(nango.Connection)
	DeployFunction(string, nangotest.Function) error
	PutRecords(providerConfigKey, connectionID, model string, records ...any) error
	HandleAction(string, string, func(context.Context, string, json.RawMessage) (any, error))
}

// seed stores two connections, and on github a deployed sync with records
// and an action (functions whose code the server keeps), so that the
// doctor reads records, sync status and functions.
func seed(f seeder) {
	f.MustPut(nangotest.Conn("github", idGitHub, nango.OAuth2Credentials{AccessToken: secretToken, RefreshToken: "ghr_doctor_secret_refresh",
		Raw: json.RawMessage(`{"access_token":"` + secretToken + `"}`)}))
	f.MustPut(nangotest.APIKey("sendgrid", idSendgrid, secretAPI))
	if err := f.DeployFunction("github", nangotest.Function{Name: "issues", Type: nango.FunctionTypeSync, Returns: []string{"Issue"},
		Code: "export default async function fetchData(nango) {}"}); err != nil {
		panic(err)
	}
	if err := f.PutRecords("github", idGitHub, "Issue", map[string]any{"id": "1", "title": "first"}, map[string]any{"id": "2", "title": "second"}); err != nil {
		panic(err)
	}
	if err := f.DeployFunction("github", nangotest.Function{Name: "create-issue", Type: nango.FunctionTypeAction,
		Code: "export default async function runAction(nango, input) {}"}); err != nil {
		panic(err)
	}
	f.HandleAction("github", "create-issue", func(context.Context, string, json.RawMessage) (any, error) {
		panic("the doctor ran an action")
	})
}

func run(t *testing.T, cfg doctor.Config) *doctor.Report {
	t.Helper()
	rep, err := doctor.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func operations(rep *doctor.Report) map[string]int {
	out := map[string]int{}
	for _, row := range rep.Rows {
		out[row.Operation]++
	}
	return out
}

func TestAgainstTheFakeEverythingConforms(t *testing.T) {
	srv := nangotest.Start(t)
	seed(srv)
	rep := run(t, doctor.Config{Host: srv.URL, SecretKey: srv.SecretKey()})
	if !rep.OK() {
		var b bytes.Buffer
		_ = rep.WriteTable(&b)
		t.Fatalf("report not OK:\n%s", b.String())
	}
	for _, row := range rep.Rows {
		if !row.Conforms || row.Skipped != "" || row.Status == 0 {
			t.Errorf("row %+v", row)
		}
	}
	ops := operations(rep)
	// list + 2 pages + the malformed key; 2 integrations × (plain, refresh_token) + 2 unknowns.
	want := map[string]int{"listConnections": 4, "getConnection": 6, "listConnectionsLegacy": 1, "getConnectionLegacy": 1,
		"listIntegrations": 1, "getIntegration": 1, "listProviders": 1, "getConnectSession": 0, "getProvider": 1,
		"getScriptsConfig": 1, "listRecords": 1, "getSyncStatus": 1, "listFunctions": 1, "getFunction": 1, "getFunctionCode": 1,
		"getAsyncActionResult": 0, "triggerAction": 0}
	for op, n := range want {
		if ops[op] != n {
			t.Errorf("%s called %d times, want %d (all: %v)", op, ops[op], n, ops)
		}
	}
	// The session read needs a session token, which only a write (a
	// session creation) would give; an async action's result the id of a
	// run, which only running an action would give.
	skipped := map[string]string{}
	for _, s := range rep.Skipped {
		skipped[s.Operation] = s.Reason
	}
	// Every integration names its provider: GET /providers/{provider} is
	// read, not skipped; the records, the functions and the sync status are
	// read with what the scripts config and the function list named.
	if !strings.Contains(skipped["getConnectSession"], "connectSessionToken credential") ||
		!strings.Contains(skipped["getAsyncActionResult"], "never runs actions") || len(skipped) != 2 {
		t.Errorf("skipped %v, want getConnectSession, for its session token, and getAsyncActionResult, for its run", skipped)
	}
	// Each data-plane read named what it read, and the server found it.
	reads := map[string]string{}
	var github string // the placeholder of the github connection
	for _, row := range rep.Rows {
		reads[row.Operation] = fmt.Sprint(row.Target, " ", row.Query, " ", row.Status)
		if row.Check == "get connection" && strings.HasPrefix(row.Target, "github ") {
			github = row.Target
		}
	}
	for op, want := range map[string]string{
		"listRecords":     github + " limit=10&model=Issue 200",
		"listFunctions":   "github  200",
		"getSyncStatus":   "github syncs=* 200",
		"getFunction":     "github create-issue type=action 200",
		"getFunctionCode": "github create-issue type=action 200",
	} {
		if reads[op] != want {
			t.Errorf("%s read %q, want %q", op, reads[op], want)
		}
	}
	var records int
	for _, r := range srv.Requests() {
		if r.Path == "/records" {
			records++
		}
	}
	if records != 1 {
		t.Errorf("GET /records sent %d times", records)
	}
	if len(srv.ConnectSessions()) != 0 {
		t.Error("the doctor created a connect session")
	}
	var sawRefresh, saw404, saw401 bool
	for _, r := range srv.Requests() {
		if r.Method != http.MethodGet || strings.HasPrefix(r.Path, "/connect/") {
			t.Errorf("read-only run sent %s %s", r.Method, r.Path)
		}
		sawRefresh = sawRefresh || strings.Join(r.Query["refresh_token"], "") == "true"
		saw404 = saw404 || r.Status == 404
		saw401 = saw401 || r.Status == 401
	}
	if !sawRefresh || !saw404 || !saw401 {
		t.Errorf("refresh_token %v, a 404 %v, a 401 %v: want all", sawRefresh, saw404, saw401)
	}
	if len(rep.Hints) != 0 || rep.Auth != "bearer" || rep.Routes != "current" {
		t.Errorf("era: %+v %s %s", rep.Hints, rep.Auth, rep.Routes)
	}
}

// TestNoSecretsInTheReport: neither the key nor a token appears in the table
// or the JSON; ids only with ShowIDs.
func TestNoSecretsInTheReport(t *testing.T) {
	srv := nangotest.Start(t)
	seed(srv)
	for _, show := range []bool{false, true} {
		rep := run(t, doctor.Config{Host: srv.URL, SecretKey: srv.SecretKey(), ShowIDs: show, Writes: "sendgrid"})
		var out bytes.Buffer
		_ = rep.WriteTable(&out)
		js, _ := json.Marshal(rep)
		out.Write(js)
		s := out.String()
		for _, secret := range []string{srv.SecretKey(), secretToken, secretAPI, "ghr_doctor_secret_refresh"} {
			if strings.Contains(s, secret) {
				t.Errorf("ShowIDs=%v: the report holds %q", show, secret)
			}
		}
		for _, id := range []string{idGitHub, idSendgrid} {
			if strings.Contains(s, id) != show {
				t.Errorf("ShowIDs=%v: id %q shown: %v", show, id, !show)
			}
		}
		if !show && !strings.Contains(s, "<id 1>") {
			t.Error("no placeholder in the report")
		}
	}
}

// mutate serves the fake, rewriting the answers for which edit returns true.
func mutate(t *testing.T, edit func(r *http.Request, rec *httptest.ResponseRecorder) bool) (*httptest.Server, *nangotest.Fake) {
	fake, err := nangotest.NewFake(nangotest.OnViolation(func(err error) { t.Errorf("the fake itself: %v", err) }))
	if err != nil {
		t.Fatal(err)
	}
	seed(fake)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		fake.ServeHTTP(rec, r)
		if !edit(r, rec) {
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
		} else {
			for k, v := range rec.Header() {
				if k != "Content-Length" {
					w.Header()[k] = v
				}
			}
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	}))
	t.Cleanup(srv.Close)
	return srv, fake
}

func isList(r *http.Request) bool { return r.Method == http.MethodGet && r.URL.Path == "/connections" }
func isGet(r *http.Request) bool {
	return r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/connections/")
}

func replaceBody(rec *httptest.ResponseRecorder, re *regexp.Regexp, repl string) {
	b := re.ReplaceAll(rec.Body.Bytes(), []byte(repl))
	rec.Body.Reset()
	rec.Body.Write(b)
}

// TestBrokenServer: an answer that breaks the spec is reported on its
// operation, with the field, and fails the report.
func TestBrokenServer(t *testing.T) {
	cases := []struct {
		name    string
		edit    func(r *http.Request, rec *httptest.ResponseRecorder) bool
		op      string
		path    string // the violation's path
		reason  string // a part of its reason
		minRows int    // rows of op that must fail
	}{
		{"wrong type in a connection", func(r *http.Request, rec *httptest.ResponseRecorder) bool {
			if !isGet(r) || rec.Code != 200 {
				return false
			}
			replaceBody(rec, regexp.MustCompile(`"id":(\d+)`), `"id":"$1"`)
			return true
		}, "getConnection", "/id", "integer", 4},
		{"missing required field in a list item", func(r *http.Request, rec *httptest.ResponseRecorder) bool {
			if !isList(r) || rec.Code != 200 {
				return false
			}
			replaceBody(rec, regexp.MustCompile(`,?"created":"[^"]*"`), ``)
			return true
		}, "listConnections", "/connections/0/created", "created", 2},
		{"HTML with 200", func(r *http.Request, rec *httptest.ResponseRecorder) bool {
			if !isList(r) || rec.Code != 200 {
				return false
			}
			rec.Header().Set("Content-Type", "text/html; charset=utf-8")
			rec.Body.Reset()
			rec.Body.WriteString("<!DOCTYPE html><html><body>Welcome to nginx!</body></html>")
			return true
		}, "listConnections", "header Content-Type", "Content-Type", 3},
		{"wrong type in an integration", func(r *http.Request, rec *httptest.ResponseRecorder) bool {
			if r.URL.Path != "/integrations" || rec.Code != 200 {
				return false
			}
			replaceBody(rec, regexp.MustCompile(`"forward_webhooks":true`), `"forward_webhooks":"yes"`)
			return true
		}, "listIntegrations", "/data/0/forward_webhooks", "boolean", 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv, fake := mutate(t, c.edit)
			rep := run(t, doctor.Config{Host: srv.URL, SecretKey: fake.SecretKey()})
			if rep.OK() {
				t.Fatal("report OK for a broken server")
			}
			failing := 0
			for _, row := range rep.Rows {
				if row.Conforms {
					continue
				}
				if row.Operation != c.op {
					t.Errorf("unexpected failing row %s: %+v", row.Operation, row.Violations)
					continue
				}
				failing++
				found := false
				for _, v := range row.Violations {
					if v.In == "response" && v.Path == c.path && strings.Contains(v.Reason, c.reason) {
						found = true
					}
				}
				if !found {
					t.Errorf("%s (%s): violations %+v, want one at %s about %q", row.Check, row.Query, row.Violations, c.path, c.reason)
				}
			}
			if failing < c.minRows {
				t.Errorf("%d failing rows of %s, want at least %d", failing, c.op, c.minRows)
			}
			var b bytes.Buffer
			_ = rep.WriteTable(&b)
			t.Log("\n" + b.String())
			if !strings.Contains(b.String(), c.path) || !strings.Contains(b.String(), "FAIL") {
				t.Errorf("table does not name %s:\n%s", c.path, b.String())
			}
		})
	}
}

func TestConfigErrors(t *testing.T) {
	cases := []struct {
		name string
		cfg  doctor.Config
		want string
	}{
		{"no key", doctor.Config{Host: "http://127.0.0.1:1"}, "secret key"},
		{"control character", doctor.Config{Host: "http://127.0.0.1:1", SecretKey: "a\nb"}, "control character"},
		{"not a URL", doctor.Config{Host: "ftp://x", SecretKey: "k"}, "http"},
		{"plain http off loopback", doctor.Config{Host: "http://nango.example", SecretKey: "k"}, "clear text"},
		{"user info", doctor.Config{Host: "https://u:p@nango.example", SecretKey: "k"}, "user info"},
		{"bad writes key", doctor.Config{Host: "http://127.0.0.1:1", SecretKey: "k", Writes: "no/slash"}, "integration key"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := doctor.Run(context.Background(), c.cfg)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want one about %q", err, c.want)
			}
			if strings.Contains(err.Error(), ":p@") {
				t.Errorf("error shows the URL's password: %v", err)
			}
		})
	}
}

// TestUnreachable: no answer is a failing row with the cause, no id.
func TestUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	rep := run(t, doctor.Config{Host: url, SecretKey: nangotest.DefaultSecretKey})
	if rep.OK() || len(rep.Rows) == 0 || rep.Rows[0].Error == "" || rep.Rows[0].Status != 0 {
		t.Fatalf("rows %+v problems %v", rep.Rows, rep.Problems)
	}
	// No answer is not an answer that breaks the spec.
	var b strings.Builder
	if err := rep.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), fmt.Sprintf("FAIL: 0 of %d exchanges break the spec, %d got no answer", len(rep.Rows), len(rep.Rows))) {
		t.Errorf("verdict: %s", b.String())
	}
}

// TestRequestViolation: an id the spec's pattern refuses (a server can hold
// one it got before the rule) is reported as a request violation on the
// path parameter, still without the id.
func TestRequestViolation(t *testing.T) {
	srv := nangotest.Start(t, nangotest.AllowInvalidRequests())
	const id = "usér-ü"
	srv.MustPut(nangotest.APIKey("sendgrid", id, secretAPI))
	rep := run(t, doctor.Config{Host: srv.URL, SecretKey: srv.SecretKey()})
	if rep.OK() {
		t.Fatal("report OK")
	}
	found := false
	for _, row := range rep.Rows {
		for _, v := range row.Violations {
			if v.In == "request" && v.Path == "path connectionId" {
				found = true
			}
		}
	}
	js, _ := json.Marshal(rep)
	if !found || strings.Contains(string(js), "usér") || strings.Contains(string(js), "us%C3%A9r") {
		t.Errorf("found %v in %s", found, js)
	}
}
