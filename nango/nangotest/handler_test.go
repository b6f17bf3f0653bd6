package nangotest

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nango-go/sdk/nango/internal/routes"
)

// send makes one request with the server's key and returns the status and
// the body.
func send(t *testing.T, s *Server, method, path, body string) (int, string) {
	t.Helper()
	return sendAs(t, s, "Bearer "+s.SecretKey(), method, path, body)
}

// TestEveryOperationImplementedOr501 sends a request to every operation of
// openapi.yaml: those the fake implements answer as Nango (never 404 or
// 501); any other answers 501 not_implemented, naming the operation.
func TestEveryOperationImplementedOr501(t *testing.T) {
	s := Start(t, AllowInvalidRequests())
	s.MustPut(OAuth2("github", "u1", "tok"))
	var done, missing []string
	for _, op := range routes.New("").Patterns() {
		method, tmpl, _ := strings.Cut(op, " ")
		path := strings.ReplaceAll(tmpl, "{connectionId}", "u1") + "?provider_config_key=github"
		status, body := send(t, s, method, path, "")
		if _, ok := s.handlers[op]; ok {
			done = append(done, op)
			if status == http.StatusNotFound && strings.Contains(body, "No route") || status == http.StatusNotImplemented {
				t.Errorf("%s is implemented but answered %d %s", op, status, body)
			}
			continue
		}
		missing = append(missing, op)
		want := `{"error":{"code":"not_implemented","message":"` + op + ` is not implemented by nangotest"}}`
		if status != http.StatusNotImplemented || body != want {
			t.Errorf("%s: %d %s, want 501 %s", op, status, body, want)
		}
	}
	t.Logf("implemented: %s", strings.Join(done, ", "))
	t.Logf("not implemented (501): %s", strings.Join(missing, ", "))
	for op := range s.handlers {
		if !strings.Contains(strings.Join(done, "\n"), op) {
			t.Errorf("the fake implements %s, which openapi.yaml does not have", op)
		}
	}
}

// TestOperationWithoutHandlerIs501 takes an operation away from the fake, as
// a new operation of the spec would be: it answers 501, not 404.
func TestOperationWithoutHandlerIs501(t *testing.T) {
	s := Start(t)
	s.MustPut(OAuth2("github", "u1", "tok"))
	delete(s.handlers, "PATCH /connections/{connectionId}")
	status, body := send(t, s, http.MethodPatch, "/connections/u1?provider_config_key=github", `{"tags":{}}`)
	want := `{"error":{"code":"not_implemented","message":"PATCH /connections/{connectionId} is not implemented by nangotest"}}`
	if status != http.StatusNotImplemented || body != want {
		t.Errorf("%d %s", status, body)
	}
	if status, _ := send(t, s, http.MethodGet, "/connections/u1?provider_config_key=github", ""); status != 200 {
		t.Errorf("the other operations stopped: %d", status)
	}
}

func TestUnknownPathIs404JSON(t *testing.T) {
	s := Start(t)
	for _, tc := range []struct{ method, path string }{
		{http.MethodGet, "/nope"}, {http.MethodPut, "/connections"}, {http.MethodGet, "/connections/a/b/c"}, {http.MethodDelete, "/connection/metadata/x"},
	} {
		status, body := send(t, s, tc.method, tc.path, "")
		var e struct{ Error struct{ Code string } }
		if status != 404 || json.Unmarshal([]byte(body), &e) != nil || e.Error.Code != "not_found" {
			t.Errorf("%s %s: %d %s", tc.method, tc.path, status, body)
		}
	}
}

// TestHostileInput: nothing a client sends makes the fake panic or
// overflow; out-of-range values are refused as the server refuses them.
func TestHostileInput(t *testing.T) {
	s := Start(t, AllowInvalidRequests())
	for i := range 5 {
		s.MustPut(APIKey("sendgrid", string(rune('a'+i)), "k"))
	}
	cases := []struct {
		path   string
		status int
		want   string
	}{
		{"/connections?limit=3&page=50", 200, `{"connections":[]}`}, // past the last page, as capture 236
		{"/connections?limit=2000&page=4503599627370", 200, `{"connections":[]}`},
		// Offsets past 2^53 − 1: the server's 500 (TestListOffsetPastSafeInteger).
		{"/connections?limit=2000&page=4503599627370495", 500, "generic_error_support"},
		{"/connections?limit=2000&page=9223372036854775807", 500, "generic_error_support"},
		{"/connections?limit=2000&page=99999999999999999999999", 500, "generic_error_support"},
		{"/connections?limit=9223372036854775807", 400, "invalid_query_params"},
		{"/connections?limit=2&page=2", 200, `"connection_id":"a"`},
	}
	for _, tc := range cases {
		status, body := send(t, s, http.MethodGet, tc.path, "")
		if status != tc.status || !strings.Contains(body, tc.want) {
			t.Errorf("%s: %d %s", tc.path, status, body)
		}
	}
	for _, body := range []string{`{"connection_id":["a",1],"provider_config_key":"sendgrid","metadata":{}}`, `[]`, `null`, `{"metadata":7}`, `{`} {
		if status, got := send(t, s, http.MethodPost, "/connections/metadata", body); status != 400 {
			t.Errorf("metadata %s: %d %s", body, status, got)
		}
	}
	for _, body := range []string{`{"provider_config_key":"sendgrid","credentials":{"type":"API_KEY","apiKey":"k","raw":{}}}`, `{"credentials":null}`, `{"credentials":{"type":7}}`} {
		if status, got := send(t, s, http.MethodPost, "/connections", body); status != 400 {
			t.Errorf("import %s: %d %s", body, status, got)
		}
	}
}

func TestBodyCap(t *testing.T) {
	s := Start(t)
	s.maxBody = 1 << 10
	status, body := send(t, s, http.MethodPost, "/connections/metadata", `{"metadata":{"x":"`+strings.Repeat("a", 2<<10)+`"}}`)
	if status != http.StatusRequestEntityTooLarge || !strings.Contains(body, "payload_too_large") {
		t.Errorf("%d %s", status, body)
	}
	if log := s.Requests(); len(log) != 1 || log[0].Status != 413 || log[0].Body != nil {
		t.Errorf("log %+v", log)
	}
}

func TestPutRefusesMalformed(t *testing.T) {
	s := Start(t)
	for _, js := range []string{
		`{"id":"abc","provider_config_key":"github","connection_id":"x"}`,
		`{"id":-3,"provider_config_key":"github","connection_id":"x"}`,
		`{"id":1e40,"provider_config_key":"github","connection_id":"x"}`,
		`{"provider_config_key":"github"}`,
		`{"provider_config_key":"github","connection_id":"x","created_at":"yesterday"}`,
		`[]`, `nul`,
	} {
		if err := s.PutJSON([]byte(js)); err == nil {
			t.Errorf("PutJSON(%s) took it", js)
		}
	}
	if err := s.Put(OAuth2("", "x", "t")); err == nil {
		t.Error("Put without a provider config key took it")
	}
	if s.Len() != 0 {
		t.Errorf("%d connections stored", s.Len())
	}
}

// TestPutDeclaresIntegration: on a fresh fake, a seeded connection's
// integration exists, so an unknown id under it is 404, not 400.
func TestPutDeclaresIntegration(t *testing.T) {
	s := Start(t)
	if status, body := send(t, s, http.MethodGet, "/connections/nobody?provider_config_key=github", ""); status != 400 || !strings.Contains(body, "unknown_provider_config") {
		t.Fatalf("before Put: %d %s", status, body)
	}
	s.MustPut(OAuth2("github", "u1", "tok"))
	if status, body := send(t, s, http.MethodGet, "/connections/nobody?provider_config_key=github", ""); status != 404 || !strings.Contains(body, `"not_found"`) {
		t.Errorf("after Put: %d %s", status, body)
	}
	// Its auth mode comes from the credentials: an import of another kind
	// is refused.
	status, body := send(t, s, http.MethodPost, "/connections", `{"provider_config_key":"github","connection_id":"k","credentials":{"type":"API_KEY","apiKey":"x"}}`)
	if status != 400 || !strings.Contains(body, "invalid_body") {
		t.Errorf("import of another kind: %d %s", status, body)
	}
}

func TestRateLimitedRetryAfter(t *testing.T) {
	for _, tc := range []struct {
		in   time.Duration
		want string
	}{{0, "1"}, {-time.Second, "1"}, {time.Millisecond, "1"}, {500 * time.Millisecond, "1"}, {time.Second, "1"},
		{1200 * time.Millisecond, "2"}, {30 * time.Second, "30"}, {time.Duration(1<<63 - 1), "4611686018"}} {
		if got := RateLimited(tc.in).Header.Get("Retry-After"); got != tc.want {
			t.Errorf("RateLimited(%v): Retry-After %q, want %q", tc.in, got, tc.want)
		}
	}
}
