package nangotest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/nango-go/sdk/nango"
)

// FuzzManagementHandler is FuzzHandler seeded with the management routes
// (variables, scripts config, integration writes, functions, templates),
// against a fake with something deployed: no panic, a well-formed answer.
func FuzzManagementHandler(f *testing.F) {
	for _, s := range []struct{ method, path, query, body string }{
		{"GET", "/environment-variables", "", ""},
		{"GET", "/scripts/config", "format=openai", ""},
		{"POST", "/integrations", "", `{"unique_key":"k","provider":"github","credentials":{"type":"OAUTH2","client_id":"c","client_secret":"s","scopes":"a,b"}}`},
		{"POST", "/integrations", "", `{"unique_key":"k","provider":"github-app","credentials":{"type":"APP","app_id":"1","app_link":"l","private_key":"-----BEGIN RSA PRIVATE KEY----x-----END RSA PRIVATE KEY-----"}}`},
		{"POST", "/integrations/quickstart", "", `{"unique_key":"q","provider":"slack"}`},
		{"PATCH", "/integrations/github", "", `{"unique_key":"gh2","display_name":"x","forward_webhooks":false,"custom":{"a":"b"}}`},
		{"DELETE", "/integrations/github", "", ""},
		{"GET", "/integrations/github/functions", "type=sync&search=x&page=9007199254740991&limit=100", ""},
		{"GET", "/integrations/github/functions", "page=1e300&limit=1", ""},
		{"GET", "/integrations/github/functions", "page=4611686018427387904&limit=3", ""},
		{"GET", "/integrations/github/functions/issues", "type=action", ""},
		{"GET", "/integrations/github/functions/issues/code", "", ""},
		{"DELETE", "/integrations/github/functions/issues", "type=sync", ""},
		{"GET", "/providers/github/templates", "", ""},
	} {
		f.Add(s.method, s.path, s.query, []byte(s.body))
	}
	// A fresh fake per input: the writes (a rename, a delete) would leave
	// the next inputs nothing to reach.
	newFake := func(t *testing.T) *Fake {
		fake, err := NewFake(AllowInvalidRequests(), OnViolation(func(error) {}))
		if err != nil {
			t.Fatal(err)
		}
		fake.MustPut(OAuth2("github", "u1", "t"))
		fake.SetEnvironmentVariable("A", "1")
		for _, fn := range []Function{{Name: "issues", Type: nango.FunctionTypeSync, Code: "x"}, {Name: "issues", Type: nango.FunctionTypeAction, Source: "catalog"},
			{Name: "hook", Type: nango.FunctionTypeOnEvent, Event: "post-connection-creation"}} {
			if err := fake.DeployFunction("github", fn); err != nil {
				t.Fatal(err)
			}
		}
		return fake
	}
	f.Fuzz(func(t *testing.T, method, path, query string, body []byte) {
		if method == "" || strings.ContainsAny(method, " \t\r\n") {
			return
		}
		u := &url.URL{Path: path, RawQuery: query}
		if p, err := url.PathUnescape(path); err == nil {
			u.Path, u.RawPath = p, path
		}
		req := &http.Request{Method: method, URL: u, Header: http.Header{}, Host: "fake",
			Body: http.NoBody, ContentLength: int64(len(body))}
		if len(body) > 0 {
			req.Body = httpBody(body)
			req.Header.Set("Content-Type", "application/json")
		}
		req.Header.Set("Authorization", "Bearer "+DefaultSecretKey)
		rec := httptest.NewRecorder()
		newFake(t).ServeHTTP(rec, req.WithContext(t.Context()))
		res := rec.Result()
		got := rec.Body.Bytes()
		if res.StatusCode < 100 || res.StatusCode > 599 {
			t.Fatalf("status %d", res.StatusCode)
		}
		if cl := res.Header.Get("Content-Length"); cl != "" && cl != strconv.Itoa(len(got)) {
			t.Fatalf("Content-Length %s for %d bytes", cl, len(got))
		}
		if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") && !json.Valid(got) {
			t.Fatalf("invalid JSON answer %d: %q", res.StatusCode, got)
		}
	})
}
