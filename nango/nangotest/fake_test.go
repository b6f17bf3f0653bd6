package nangotest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	sdk "github.com/nango-go/sdk"
	"github.com/nango-go/sdk/nango"
	"github.com/nango-go/sdk/nango/internal/contract"
)

func get(t *testing.T, s *Server, path string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+s.SecretKey())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

func listIDs(m map[string]any) []string {
	var out []string
	for _, it := range m["connections"].([]any) {
		out = append(out, it.(map[string]any)["connection_id"].(string))
	}
	return out
}

func TestListFiltersAndPages(t *testing.T) {
	var n int
	clock := func() time.Time { n++; return time.Date(2026, 1, 1, 0, 0, n, 0, time.UTC) }
	s := Start(t, WithClock(clock))
	s.MustPut(OAuth2("github", "alice", "t1", Tags{"team": "core"}))
	s.MustPut(OAuth2("github", "bob", "t2", EndUser{ID: "eu-bob", Organization: &nango.EndUserOrganization{ID: "org-1"}}))
	s.MustPut(APIKey("sendgrid", "carol", "k"))
	s.MustPut(OAuth1("twitter", "alice-tw", "o", "s"))

	cases := []struct{ query, want string }{
		{"", "alice-tw carol bob alice"}, // newest first
		{"?connectionId=alice", "alice"},
		{"?search=ALI", "alice-tw alice"},
		{"?integrationId=github,sendgrid", "carol bob alice"},
		{"?tags%5Bteam%5D=core", "alice"},
		{"?endUserId=eu-bob", "bob"},
		{"?endUserOrganizationId=org-1", "bob"},
		{"?limit=2", "alice-tw carol"},
		{"?limit=2&page=1", "bob alice"},
		{"?limit=2&page=2", ""},
	}
	for _, tc := range cases {
		status, m := get(t, s, "/connections"+tc.query)
		if got := strings.Join(listIDs(m), " "); status != 200 || got != tc.want {
			t.Errorf("%s: %d %q, want %q", tc.query, status, got, tc.want)
		}
	}
	lenient := Start(t, AllowInvalidRequests())
	for _, bad := range []string{"?limit=0", "?limit=2001", "?page=-1", "?foo=bar", "?limit=x"} {
		if status, m := get(t, lenient, "/connections"+bad); status != 400 || m["error"].(map[string]any)["code"] != "invalid_query_params" {
			t.Errorf("%s: %d %v", bad, status, m)
		}
	}
}

func TestGetStripsRefreshTokenAndCountsRefreshes(t *testing.T) {
	s := Start(t)
	s.MustPut(ExpiredOAuth2("github", "u1", "at", "rt"))
	_, m := get(t, s, "/connections/u1?provider_config_key=github")
	if _, ok := m["credentials"].(map[string]any)["refresh_token"]; ok {
		t.Error("refresh token sent without refresh_token=true")
	}
	_, m = get(t, s, "/connections/u1?provider_config_key=github&refresh_token=true&force_refresh=true")
	if m["credentials"].(map[string]any)["refresh_token"] != "rt" {
		t.Error("refresh token missing with refresh_token=true")
	}
	get(t, s, "/connection/u1?provider_config_key=github&force_refresh=true")
	if n := s.Refreshes("github", "u1"); n != 2 {
		t.Errorf("refreshes = %d, want 2", n)
	}
	// The stored copy keeps it.
	if c, _ := s.Connection("github", "u1"); c.Credentials.(nango.OAuth2Credentials).RefreshToken != "rt" {
		t.Error("stored refresh token lost")
	}
	if status, _ := get(t, s, "/connection/u1?provider_config_key=github&refresh_github_app_jwt_token=true"); status != 400 {
		t.Errorf("legacy route took refresh_github_app_jwt_token: %d", status)
	}
}

func TestFaults(t *testing.T) {
	s := Start(t)
	s.MustPut(OAuth2("github", "u1", "at"))
	s.MustPut(OAuth2("github", "u2", "at2"))

	s.FailNext(2, RateLimited(3*time.Second))
	for i := 0; i < 2; i++ {
		req, _ := http.NewRequest(http.MethodGet, s.URL+"/connections/u1?provider_config_key=github", nil)
		req.Header.Set("Authorization", "Bearer "+s.SecretKey())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "3" {
			t.Fatalf("fault %d: %d %q", i, resp.StatusCode, resp.Header.Get("Retry-After"))
		}
	}
	if status, _ := get(t, s, "/connections/u1?provider_config_key=github"); status != 200 {
		t.Errorf("fault outlived its count: %d", status)
	}

	s.FailConnection("github", "u2", 1, HTMLBadGateway())
	if status, _ := get(t, s, "/connections/u1?provider_config_key=github"); status != 200 {
		t.Errorf("fault hit another connection: %d", status)
	}
	if status, _ := get(t, s, "/connections/u2?provider_config_key=github"); status != 502 {
		t.Errorf("connection fault: %d", status)
	}

	s.FailNext(1, DropConnection())
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/connections/u1?provider_config_key=github", nil)
	req.Header.Set("Authorization", "Bearer "+s.SecretKey())
	if resp, err := (&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}).Do(req); err == nil {
		resp.Body.Close()
		t.Errorf("dropped connection answered %d", resp.StatusCode)
	}

	s.FailNext(1, Delay(50*time.Millisecond))
	start := time.Now()
	get(t, s, "/connections/u1?provider_config_key=github")
	if time.Since(start) < 50*time.Millisecond {
		t.Error("delay not applied")
	}

	log := s.Requests()
	if len(log) != 7 || log[0].Status != 429 || log[5].Status != 0 || log[4].Path != "/connections/u2" {
		t.Errorf("request log: %+v", log)
	}
	s.Reset()
	if len(s.Requests()) != 0 {
		t.Error("Reset kept the log")
	}
}

func TestAuth(t *testing.T) {
	s := Start(t, AllowInvalidRequests())
	s.MustPut(OAuth2("github", "u1", "at"))
	cases := []struct{ header, code string }{
		{"", "missing_auth_header"},
		{"Bearer not-a-uuid", "invalid_secret_key_format"},
		{"Bearer 00000000-0000-4000-8000-000000000000", "unknown_account"},
		{"bearer " + s.SecretKey(), "invalid_secret_key_format"},
		{"Basic " + "Zm9vOg==", "invalid_secret_key_format"},
		{s.SecretKey(), ""}, // Nango takes the bare key too
		{"Bearer " + s.SecretKey(), ""},
	}
	for _, tc := range cases {
		req, _ := http.NewRequest(http.MethodGet, s.URL+"/connections/u1?provider_config_key=github", nil)
		if tc.header != "" {
			req.Header.Set("Authorization", tc.header)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if tc.code == "" && resp.StatusCode != 200 || tc.code != "" && (resp.StatusCode != 401 || !strings.Contains(string(b), tc.code)) {
			t.Errorf("%q: %d %s", tc.header, resp.StatusCode, b)
		}
	}
}

func TestSeedFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "connections.json")
	_ = os.WriteFile(path, []byte(`[{"id":41,"connection_id":"x/y","provider_config_key":"github","provider":"github","created_at":"2026-01-01T00:00:00.000+00:00","updated_at":"2026-01-01T00:00:00.000+00:00","credentials":{"type":"OAUTH2","access_token":"seeded"}}]`), 0o600)
	s := Start(t)
	if err := s.Seed(path); err != nil {
		t.Fatal(err)
	}
	status, m := get(t, s, "/connections/x%2Fy?provider_config_key=github")
	if status != 200 || m["credentials"].(map[string]any)["access_token"] != "seeded" || m["id"].(float64) != 41 {
		t.Errorf("%d %v", status, m)
	}
	if err := s.SeedJSON([]byte(`{"not":"an array"}`)); err == nil {
		t.Error("seeded from an object")
	}
	if err := s.SeedJSON([]byte(`[{"connection_id":"no key"}]`)); err == nil {
		t.Error("seeded a connection without a provider config key")
	}
}

// TestBrokenSpecIsCaught proves the contract checks can fail: a copy of
// openapi.yaml where connection_id must be an integer flags every answer of
// the fake as a violation.
func TestBrokenSpecIsCaught(t *testing.T) {
	spec := string(sdk.OpenAPI())
	field := "        connection_id:\n          type: string\n          description: The connection id your application chose (or a UUID Nango made on import).\n"
	broken := strings.Replace(spec, field, strings.Replace(field, "type: string", "type: integer", 1), 1)
	if broken == spec {
		t.Fatal("the spec changed: update the edit this test makes")
	}
	// The document's own examples would fail the broken schema first.
	v, err := contract.New([]byte(broken), openapi3.DisableExamplesValidation())
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var violations []error
	f, err := NewFake(withValidator(v), OnViolation(func(err error) { mu.Lock(); violations = append(violations, err); mu.Unlock() }))
	if err != nil {
		t.Fatal(err)
	}
	f.MustPut(OAuth2("github", "u1", "at"))
	srv := &Server{Fake: f}
	hs := newLoopback(t, f)
	srv.URL = hs
	status, _ := get(t, srv, "/connections/u1?provider_config_key=github")
	if status != 200 {
		t.Fatalf("status %d", status)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(violations) != 1 || !strings.Contains(violations[0].Error(), "connection_id") {
		t.Fatalf("violations: %v", violations)
	}
}

// TestConstructorsAsJSON: a connection from a constructor, encoded with
// encoding/json (as cmd/nango-bench writes seed files), seeds the same
// connection through PutJSON.
func TestConstructorsAsJSON(t *testing.T) {
	b, err := json.Marshal([]nango.Connection{
		OAuth2("github", "u1", "tok-1", Tags{"team": "core"}),
		Unauthenticated("public", "anon"),
	})
	if err != nil {
		t.Fatal(err)
	}
	s := Start(t)
	if err := s.SeedJSON(b); err != nil {
		t.Fatal(err)
	}
	c, ok := s.Connection("github", "u1")
	if creds, _ := c.Credentials.(nango.OAuth2Credentials); !ok || creds.AccessToken != "tok-1" || c.Tags["team"] != "core" || c.CreatedAt.Year() < 2000 || c.ID == 0 {
		t.Errorf("%v %+v", ok, c.Connection)
	}
	if c, ok := s.Connection("public", "anon"); !ok || c.Credentials != nil {
		t.Errorf("unauthenticated: %v %v", ok, c)
	}
}

// TestConcurrentReadsAndRefreshes: reads, refreshes and writes of one
// connection at once (run with -race).
func TestConcurrentReadsAndRefreshes(t *testing.T) {
	s := Start(t, WithRefresher(func(_ context.Context, _, _ string, cur nango.OAuth2Credentials) (nango.OAuth2Credentials, error) {
		return nango.OAuth2Credentials{AccessToken: "fresh", RefreshToken: cur.RefreshToken}, nil
	}))
	s.MustPut(ExpiredOAuth2("github", "u1", "stale", "rt"))
	c := s.Client()
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := context.Background()
			var err error
			switch i % 4 {
			case 0:
				_, err = c.GetToken(ctx, "github", "u1", nango.ForceRefresh())
			case 1:
				_, err = c.GetConnection(ctx, "github", "u1")
			case 2:
				err = c.UpdateMetadata(ctx, "github", "u1", nango.Metadata{"i": i})
			default:
				err = c.PatchConnection(ctx, "github", "u1", nango.PatchConnectionRequest{Tags: &nango.TagsInput{"i": "x"}})
			}
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
}
