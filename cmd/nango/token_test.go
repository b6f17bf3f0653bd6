package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/nango-go/sdk/nango/nangotest"
)

// connectionBody wraps credentials in a connection as GET /connections/{id}
// returns it (the rest as in the captures of a real Nango v0.71.4).
func connectionBody(id, key, credentials string) string {
	return `{"id":6,"connection_id":"` + id + `","provider_config_key":"` + key + `","provider":"` + key +
		`","errors":[],"end_user":null,"tags":{},"metadata":{},"connection_config":{},"webhook_url_override":null,` +
		`"created_at":"2026-11-28T14:44:44.629+00:00","updated_at":"2026-11-28T14:44:44.629+00:00",` +
		`"last_fetched_at":"2026-11-28T14:44:51.174+00:00","credentials":` + credentials + `}`
}

// TestTokenPrintsCredentialsAsSent: for every kind but OAuth 2, token prints
// the credentials object byte for byte, whatever its key order, spacing or
// timestamp precision.
func TestTokenPrintsCredentialsAsSent(t *testing.T) {
	cases := []struct {
		name, key, creds, want string // want "" means creds itself
	}{
		{"api key (captured)", "sendgrid", `{"type":"API_KEY","apiKey":"SG.fake-sendgrid-api-key"}`, ""},
		{"api key, keys reordered and spaced", "sendgrid", `{ "apiKey" : "SG.k",  "type": "API_KEY" }`, ""},
		{"basic (captured)", "anvil", `{"type":"BASIC","username":"fakeuser","password":"fakepass"}`, ""},
		{"basic, unicode escapes kept", "anvil", `{"type":"BASIC","username":"caf\u00e9","password":"p\"w"}`, ""},
		{"oauth 1 (captured)", "twitter", `{"type":"OAUTH1","oauth_token":"fake-oauth1-token","oauth_token_secret":"fake-oauth1-token-secret","raw":{"type":"OAUTH1","oauth_token":"fake-oauth1-token","oauth_token_secret":"fake-oauth1-token-secret"}}`, ""},
		{"oauth 2 client credentials, milliseconds kept", "oauth2cc", `{"type":"OAUTH2_CC","token":"fake-cc-token","client_id":"fake-cc-cid","client_secret":"fake-cc-csec","expires_at":"2030-01-01T00:00:00.000Z","raw":{"type":"OAUTH2_CC","token":"fake-cc-token","client_id":"fake-cc-cid","client_secret":"fake-cc-csec","expires_at":"2030-01-01T00:00:00.000Z"}}`, ""},
		{"oauth 2: the bare token", "github", `{"type":"OAUTH2","access_token":"gho_x","expires_at":"2030-01-01T00:00:00.123Z","raw":{"access_token":"gho_x"}}`, "gho_x\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := connectionBody("conn-1", tc.key, tc.creds)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/connections/conn-1" || r.URL.Query().Get("provider_config_key") != tc.key {
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(http.StatusNotFound)
					w.Write([]byte(`{"error":{"code":"not_found","message":"no such connection"}}`))
					return
				}
				w.Header().Set("Content-Type", "application/json; charset=utf-8")
				w.Write([]byte(body))
			}))
			defer srv.Close()
			env := map[string]string{"NANGO_HOST": srv.URL, "NANGO_SECRET_KEY": nangotest.DefaultSecretKey}
			want := tc.want
			if want == "" {
				want = tc.creds + "\n"
			}
			code, out, errOut := runCLI(t, env, "token", tc.key, "conn-1")
			if code != 0 || out != want {
				t.Errorf("exit %d, stderr %q\nstdout %s\nwant   %s", code, errOut, out, want)
			}
		})
	}
}

// TestTokenAgainstFake: the fake's own bytes come back for an OAuth 1 and an
// API key connection, and the bare token for OAuth 2.
func TestTokenAgainstFake(t *testing.T) {
	srv := nangotest.Start(t)
	srv.SeedDemo()
	env := map[string]string{"NANGO_HOST": srv.URL, "NANGO_SECRET_KEY": srv.SecretKey()}
	for _, c := range []struct{ key, id string }{{"twitter", "user-1"}, {"sendgrid", "acme-mail"}} {
		code, out, errOut := runCLI(t, env, "token", c.key, c.id)
		conn, _ := srv.Connection(c.key, c.id)
		raw, _ := conn.Connection.Credentials.MarshalJSON()
		stored := string(raw)
		if code != 0 || out == "\n" || stored != strings.TrimSuffix(out, "\n") {
			t.Errorf("%s/%s: exit %d, stderr %q, stdout %q; stored %s", c.key, c.id, code, errOut, out, stored)
		}
	}
	if code, out, _ := runCLI(t, env, "token", "github", "user-1"); code != 0 || out != "gho_demo_access_token_1\n" {
		t.Errorf("oauth 2: %d %q", code, out)
	}
}
