package nangotest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// sendAs is send with another Authorization header ("" for none).
func sendAs(t *testing.T, s *Server, auth, method, path, body string) (int, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, s.URL+path, rd)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// newSession creates a session and returns its token.
func newSession(t *testing.T, s *Server, key, path, body string) string {
	t.Helper()
	status, out := sendAs(t, s, "Bearer "+key, http.MethodPost, path, body)
	var created struct {
		Data struct {
			Token       string
			ConnectLink string `json:"connect_link"`
			ExpiresAt   string `json:"expires_at"`
		}
	}
	_ = json.Unmarshal([]byte(out), &created)
	d := created.Data
	if status != 201 || !sessionTokenPattern.MatchString(d.Token) || !strings.HasSuffix(d.ConnectLink, "?session_token="+d.Token) || !strings.HasSuffix(d.ExpiresAt, "Z") {
		t.Fatalf("create %s: %d %s", path, status, out)
	}
	return d.Token
}

func TestConnectSessionLifecycle(t *testing.T) {
	var now atomic.Int64
	start := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return start.Add(time.Duration(now.Load())) }
	s := Start(t, WithClock(clock), AllowInvalidRequests())
	s.MustPut(OAuth2("github", "u1", "tok"))
	s.AddIntegration("sendgrid", "sendgrid", "API_KEY")

	full := newSession(t, s, s.SecretKey(), "/connect/sessions", `{"end_user":{"id":"eu-1","email":"a@example.com","tags":{"Plan":"pro"}},
		"organization":{"id":"org-1"},"allowed_integrations":["github","sendgrid"],
		"integrations_config_defaults":{"github":{"user_scopes":"repo","authorization_params":{"prompt":"consent"}}},"tags":{"Team":"a"}}`)
	tagsOnly := newSession(t, s, s.SecretKey(), "/connect/sessions", `{"tags":{"end_user_id":"eu-2"}}`)
	reconnect := newSession(t, s, s.SecretKey(), "/connect/sessions/reconnect", `{"connection_id":"u1","integration_id":"github"}`)
	if full == tagsOnly || full == reconnect {
		t.Fatal("two sessions share a token")
	}

	cases := []struct {
		name, auth, method string
		status             int
		want               string // a part of the body
	}{
		{"full", "Bearer " + full, http.MethodGet, 200, `"endUser":{"id":"eu-1","display_name":null,"email":"a@example.com","tags":{"Plan":"pro"},"organization":{"id":"org-1","display_name":null}}`},
		{"defaults without user_scopes", "Bearer " + full, http.MethodGet, 200, `"integrations_config_defaults":{"github":{"authorization_params":{"prompt":"consent"}}}`},
		{"allowed", "Bearer " + full, http.MethodGet, 200, `"allowed_integrations":["github","sendgrid"]`},
		{"tags only", "Bearer " + tagsOnly, http.MethodGet, 200, `"endUser":null`},
		{"reconnect", "Bearer " + reconnect, http.MethodGet, 200, `"isReconnecting":true`},
		{"secret key as token", "Bearer " + s.SecretKey(), http.MethodGet, 401, `"invalid_connect_session_token_format"`},
		{"no header", "", http.MethodGet, 401, `"missing_auth_header"`},
		{"unknown token", "Bearer nango_connect_session_" + strings.Repeat("ab", 32), http.MethodGet, 401, `"unknown_connect_session_token"`},
		{"query", "Bearer " + full, http.MethodGet, 400, `"invalid_query_params"`},
		{"delete", "Bearer " + tagsOnly, http.MethodDelete, 204, ``},
		{"deleted", "Bearer " + tagsOnly, http.MethodGet, 401, `"unknown_connect_session_token"`},
		{"delete again", "Bearer " + tagsOnly, http.MethodDelete, 401, `"unknown_connect_session_token"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := "/connect/session"
			if c.name == "query" {
				path += "?x=1"
			}
			status, body := sendAs(t, s, c.auth, c.method, path, "")
			if status != c.status || !strings.Contains(body, c.want) || (c.status == 204 && body != "") {
				t.Errorf("%d %s, want %d with %s", status, body, c.status, c.want)
			}
			if strings.Contains(body, "websocketsPath") != (c.status == 200) {
				t.Errorf("websocketsPath in %s", body)
			}
		})
	}

	got := s.ConnectSessions()
	if len(got) != 2 || got[0].Token != full || got[1].Token != reconnect {
		t.Fatalf("sessions %v", got)
	}
	f := got[0]
	if f.EndUser == nil || f.EndUser.ID != "eu-1" || f.Organization.ID != "org-1" || (*f.Tags)["team"] != "a" ||
		strings.Join(f.AllowedIntegrations, ",") != "github,sendgrid" || f.IntegrationsConfigDefaults["github"].UserScopes != "repo" ||
		f.Reconnecting() || !f.ExpiresAt.Equal(start.Add(30*time.Minute)) {
		t.Errorf("full session %+v", f)
	}
	if r := got[1]; !r.Reconnecting() || r.ConnectionID != "u1" || r.IntegrationID != "github" || strings.Join(r.AllowedIntegrations, ",") != "github" {
		t.Errorf("reconnect session %v", r)
	}
	// A copy: the caller's edits do not reach the fake.
	(*got[0].Tags)["team"] = "edited"
	if (*s.ConnectSessions()[0].Tags)["team"] != "a" {
		t.Error("ConnectSessions shares its maps with the fake")
	}
	if strings.Contains(fmt.Sprintf("%v %+v %s", f, f, f), f.Token) {
		t.Error("the token is printed")
	}

	now.Store(int64(30 * time.Minute))
	if status, body := sendAs(t, s, "Bearer "+full, http.MethodGet, "/connect/session", ""); status != 401 || !strings.Contains(body, "unknown_connect_session_token") {
		t.Errorf("expired session: %d %s", status, body)
	}
}

func TestConnectSessionErrors(t *testing.T) {
	s := Start(t, AllowInvalidRequests())
	s.MustPut(OAuth2("github", "u1", "tok"))
	cases := []struct {
		name, path, body string
		want             string // code, then issues as code@path
	}{
		{"no end user nor tags", "/connect/sessions", `{}`, `invalid_body invalid_type@end_user`},
		{"end user null", "/connect/sessions", `{"end_user":null}`, `invalid_body invalid_type@end_user`},
		{"array body", "/connect/sessions", `[]`, `invalid_body invalid_type@`},
		{"bad email and id", "/connect/sessions", `{"end_user":{"id":"","email":"x"}}`, `invalid_body too_small@end_user.id invalid_format@end_user.email`},
		{"allowed not an array", "/connect/sessions", `{"end_user":{"id":"e"},"allowed_integrations":"github"}`, `invalid_body invalid_type@allowed_integrations`},
		{"unknown integration", "/connect/sessions", `{"end_user":{"id":"e"},"allowed_integrations":["github","nope"]}`, `invalid_body custom@allowed_integrations.1`},
		{"unknown defaults integration", "/connect/sessions", `{"end_user":{"id":"e"},"integrations_config_defaults":{"nope":{}}}`, `invalid_body custom@integrations_config_defaults.nope`},
		{"defaults unknown key", "/connect/sessions", `{"end_user":{"id":"e"},"integrations_config_defaults":{"github":{"x":1}}}`, `invalid_body unrecognized_keys@integrations_config_defaults.github`},
		{"bad tag key", "/connect/sessions", `{"end_user":{"id":"e"},"tags":{"1x":"v"}}`, `invalid_body invalid_format@tags.1x`},
		{"tag not a string", "/connect/sessions", `{"end_user":{"id":"e"},"tags":{"a":1}}`, `invalid_body invalid_type@tags.a`},
		{"bad webhook", "/connect/sessions", `{"end_user":{"id":"e"},"webhook_url_override":"nope"}`, `invalid_body invalid_union@webhook_url_override`},
		{"unknown keys", "/connect/sessions", `{"end_user":{"id":"e"},"b":1,"a":2}`, `invalid_body unrecognized_keys@`},
		{"bad json", "/connect/sessions", `{"end_user":`, `invalid_json`},
		{"reconnect without ids", "/connect/sessions/reconnect", `{}`, `invalid_body invalid_type@connection_id invalid_type@integration_id`},
		{"reconnect allowed", "/connect/sessions/reconnect", `{"connection_id":"u1","integration_id":"github","allowed_integrations":[]}`, `invalid_body unrecognized_keys@`},
		{"reconnect unknown connection", "/connect/sessions/reconnect", `{"connection_id":"nope","integration_id":"github"}`, `invalid_body`},
		{"reconnect unknown integration", "/connect/sessions/reconnect", `{"connection_id":"u1","integration_id":"nope"}`, `invalid_body`},
		{"query", "/connect/sessions?a=1", `{"end_user":{"id":"e"}}`, `invalid_query_params unrecognized_keys@`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, body := send(t, s, http.MethodPost, c.path, c.body)
			var e struct {
				Error struct {
					Code, Message string
					Errors        []struct {
						Code string
						Path []any
					}
				}
			}
			if err := json.Unmarshal([]byte(body), &e); err != nil || status != 400 {
				t.Fatalf("%d %s", status, body)
			}
			got := e.Error.Code
			for _, is := range e.Error.Errors {
				var p []string
				for _, x := range is.Path {
					p = append(p, fmt.Sprint(x))
				}
				got += " " + is.Code + "@" + strings.Join(p, ".")
			}
			if got != c.want {
				t.Errorf("got %q, want %q (%s)", got, c.want, body)
			}
			if strings.HasPrefix(c.name, "reconnect unknown") && e.Error.Message != "ConnectionID or IntegrationId does not exists" {
				t.Errorf("message %q", e.Error.Message)
			}
		})
	}
	if n := len(s.ConnectSessions()); n != 0 {
		t.Errorf("%d sessions after refused requests", n)
	}
}

// TestConnectSessionsPerEnvironment: a session belongs to the environment
// whose key made it; its token reads it whatever the environment.
func TestConnectSessionsPerEnvironment(t *testing.T) {
	s := Start(t)
	const otherKey = "33333333-3333-4333-8333-333333333333"
	other := s.AddEnvironment(otherKey)
	tok := newSession(t, s, otherKey, "/connect/sessions", `{"end_user":{"id":"eu-other"}}`)
	if len(s.ConnectSessions()) != 0 || len(other.ConnectSessions()) != 1 {
		t.Fatalf("sessions: main %d, other %d", len(s.ConnectSessions()), len(other.ConnectSessions()))
	}
	if status, body := sendAs(t, s, "Bearer "+tok, http.MethodGet, "/connect/session", ""); status != 200 || !strings.Contains(body, "eu-other") {
		t.Errorf("%d %s", status, body)
	}
	// Integrations are per environment too: github is not declared in the
	// other one.
	if status, body := sendAs(t, s, "Bearer "+otherKey, http.MethodPost, "/connect/sessions", `{"end_user":{"id":"e"},"allowed_integrations":["github"]}`); status != 400 || !strings.Contains(body, "Integration does not exist") {
		t.Errorf("%d %s", status, body)
	}
}

// TestConnectSessionsConcurrent creates, reads and deletes sessions from
// many goroutines (run with -race).
func TestConnectSessionsConcurrent(t *testing.T) {
	s := Start(t)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			tok := newSession(t, s, s.SecretKey(), "/connect/sessions", fmt.Sprintf(`{"end_user":{"id":"eu-%d"}}`, i))
			_ = s.ConnectSessions()
			if status, _ := sendAs(t, s, "Bearer "+tok, http.MethodGet, "/connect/session", ""); status != 200 {
				t.Errorf("read: %d", status)
			}
			if status, _ := sendAs(t, s, "Bearer "+tok, http.MethodDelete, "/connect/session", ""); status != 204 {
				t.Errorf("delete: %d", status)
			}
		})
	}
	wg.Wait()
	if n := len(s.ConnectSessions()); n != 0 {
		t.Errorf("%d sessions left", n)
	}
}
