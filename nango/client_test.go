package nango

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
)

func TestNewRejects(t *testing.T) {
	cases := []struct {
		name string
		key  string
		opts []Option
		want string
	}{
		{"empty key", "", nil, "empty secret key"},
		{"blank key", "  ", nil, "empty secret key"},
		{"key with newline", "abc\nX-Evil: 1", nil, "control character"},
		{"not a url", testKey, []Option{WithHost("://nope")}, "not a URL"},
		{"ftp", testKey, []Option{WithHost("ftp://example.com")}, "http:// or https://"},
		{"no host", testKey, []Option{WithHost("https://")}, "no host name"},
		{"user info", testKey, []Option{WithHost("https://u:p@example.com")}, "user info"},
		{"query", testKey, []Option{WithHost("https://example.com/?a=b")}, "no query"},
		{"plain http to a remote host", testKey, []Option{WithHost("http://nango.internal:3003")}, "WithInsecureHTTP"},
		{"nil http client", testKey, []Option{WithHTTPClient(nil)}, "nil"},
		{"negative retries", testKey, []Option{WithMaxRetries(-1)}, "negative"},
		{"zero timeout", testKey, []Option{WithTimeout(0)}, "positive"},
		{"ua with newline", testKey, []Option{WithUserAgent("a\r\nb")}, "control character"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := New(tc.key, tc.opts...)
			if !errors.Is(err, ErrInvalidArgument) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New = %v, %v; want an ErrInvalidArgument saying %q", c, err, tc.want)
			}
			if tc.key != "" && strings.TrimSpace(tc.key) != "" && strings.Contains(err.Error(), tc.key) {
				t.Errorf("error repeats the key: %v", err)
			}
		})
	}
}

func TestNewAccepts(t *testing.T) {
	for _, host := range []string{"https://api.nango.dev", "http://localhost:3003", "http://127.0.0.1:3003", "http://[::1]:3003", "https://example.com/nango/"} {
		if _, err := New(testKey, WithHost(host)); err != nil {
			t.Errorf("%s: %v", host, err)
		}
	}
	if _, err := New(testKey, WithHost("http://nango.internal:3003"), WithInsecureHTTP()); err != nil {
		t.Errorf("insecure opt-in: %v", err)
	}
	c, err := New(testKey)
	if err != nil || c.server != "https://api.nango.dev/" {
		t.Errorf("default host %q, %v", c.server, err)
	}
}

// TestRequestShape: what every request carries, and the path prefix kept.
func TestRequestShape(t *testing.T) {
	var got *http.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Clone(context.Background())
		jsonBody(200, connectionJSON(`{"type":"OAUTH2","access_token":"t"}`))(w, r)
	}))
	defer srv.Close()
	c, err := New(testKey, WithHost(srv.URL+"/nango/"), WithUserAgent("billing-svc/1.2"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetToken(context.Background(), "github", "u1", ForceRefresh(), IncludeRefreshToken()); err != nil {
		t.Fatal(err)
	}
	if got.URL.Path != "/nango/connections/u1" {
		t.Errorf("path %q", got.URL.Path)
	}
	if q := got.URL.Query(); q.Get("provider_config_key") != "github" || q.Get("force_refresh") != "true" || q.Get("refresh_token") != "true" || len(q) != 3 {
		t.Errorf("query %q", got.URL.RawQuery)
	}
	if got.Header.Get("Authorization") != "Bearer "+testKey {
		t.Errorf("authorization %q", got.Header.Get("Authorization"))
	}
	if ua := got.Header.Get("User-Agent"); ua != "nango-go/"+Version+" billing-svc/1.2" {
		t.Errorf("user agent %q", ua)
	}
	if got.Header.Get("Content-Type") != "" {
		t.Errorf("GET sent a Content-Type: Nango answers 415 to non-JSON ones")
	}

	c, _ = New(testKey, WithHost(srv.URL), WithBasicAuth(), WithLegacyPaths())
	if _, err := c.GetConnection(context.Background(), "github", "u1"); err != nil {
		t.Fatal(err)
	}
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(testKey+":"))
	if got.Header.Get("Authorization") != want || got.URL.Path != "/connection/u1" {
		t.Errorf("legacy: %q %q", got.Header.Get("Authorization"), got.URL.Path)
	}
	if _, err := c.GetToken(context.Background(), "github", "u1", RefreshGitHubAppJWT()); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("RefreshGitHubAppJWT on legacy paths: %v", err)
	}
}

// TestOddIDs: ids with characters that mean something in a URL reach the
// server intact, as one path segment.
func TestOddIDs(t *testing.T) {
	ids := []string{"a/b", "a?b=c", "a#b", "100%", "%2E%2E", "spaces here", "user@example.com", "a:b", "a+b", "ünïcode", "日本", "a|b", "{x}", `q"uote'`, "back\\slash", "..a", "a/../b", "./x", "~tilde", "[x]", "$&;="}
	for _, id := range ids {
		t.Run(id, func(t *testing.T) {
			var gotID, gotKey string
			h := setupRaw(t, func(w http.ResponseWriter, r *http.Request) {
				gotID = strings.TrimPrefix(r.URL.Path, "/connections/")
				gotKey = r.URL.Query().Get("provider_config_key")
				jsonBody(200, connectionJSON(`{"type":"OAUTH2","access_token":"t"}`))(w, r)
			})
			if _, err := h.client.GetToken(context.Background(), "github dev", id); err != nil {
				t.Fatal(err)
			}
			if gotID != id || gotKey != "github dev" {
				t.Errorf("server got id %q key %q", gotID, gotKey)
			}
			if strings.Count(h.requests()[0].EscapedPath, "/") != 2 {
				t.Errorf("id spans segments: %s", h.requests()[0].EscapedPath)
			}
		})
	}
}

func TestBadInputs(t *testing.T) {
	h := setup(t, func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request sent: %s", r.URL)
	})
	long := strings.Repeat("a", 256)
	cases := []struct{ key, id string }{
		{"", "u1"}, {"github", ""}, {"github", "."}, {"github", ".."}, {".", "u1"},
		{"github", long}, {long, "u1"}, {"github", "a\x00b"}, {"github", "a\nb"}, {"github", "\xff"},
	}
	ctx := context.Background()
	for _, tc := range cases {
		name := fmt.Sprintf("%q/%q", tc.key, tc.id)
		if _, err := h.client.GetToken(ctx, tc.key, tc.id); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("GetToken %s: %v", name, err)
		}
		if _, err := h.client.GetConnection(ctx, tc.key, tc.id); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("GetConnection %s: %v", name, err)
		}
		if _, err := h.client.GetRawTokenResponse(ctx, tc.key, tc.id); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("GetRawTokenResponse %s: %v", name, err)
		}
	}
	for _, o := range []ListOption{PageSize(0), PageSize(2001), Page(-1), FilterIntegrations("a,b"), FilterIntegrations("")} {
		if _, err := h.client.ListConnections(ctx, o); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("ListConnections: %v", err)
		}
	}
	//lint:ignore SA1012 a nil context is what this checks
	if _, err := h.client.GetToken(nil, "github", "u1"); !errors.Is(err, ErrInvalidArgument) { //nolint:staticcheck
		t.Errorf("nil context: %v", err)
	}
}

func TestLongestID(t *testing.T) {
	h := setupRaw(t, jsonBody(200, connectionJSON(`{"type":"OAUTH2","access_token":"t"}`)))
	if _, err := h.client.GetToken(context.Background(), "github", strings.Repeat("é", 255)); err != nil {
		t.Errorf("255 characters refused: %v", err)
	}
}

func TestListFilters(t *testing.T) {
	h := setup(t, jsonBody(200, `{"connections":[{"id":2,"connection_id":"b","provider_config_key":"github","provider":"github","created":"2026-11-28T14:44:40.55+00:00","tags":{"team":"core"},"metadata":null,"errors":[{"type":"auth","log_id":"x"}],"end_user":{"id":"eu","email":"e@x","organization":{"id":"org"}}}]}`))
	got, err := h.client.ListConnections(context.Background(), FilterConnectionID("b"), FilterSearch("b"),
		FilterEndUser("eu"), FilterEndUserOrganization("org"), FilterIntegrations("github", "slack"),
		FilterTag("team", "core"), PageSize(10), Page(0))
	if err != nil {
		t.Fatal(err)
	}
	q, _ := url.ParseQuery(h.requests()[0].RawQuery)
	want := url.Values{"connectionId": {"b"}, "search": {"b"}, "endUserId": {"eu"}, "endUserOrganizationId": {"org"},
		"integrationId": {"github,slack"}, "tags[team]": {"core"}, "limit": {"10"}, "page": {"0"}}
	if q.Encode() != want.Encode() {
		t.Errorf("query %q, want %q", q.Encode(), want.Encode())
	}
	if len(got) != 1 || got[0].Tags["team"] != "core" || got[0].EndUser.Organization.ID != "org" || got[0].Errors[0].Type != "auth" {
		t.Errorf("%+v", got)
	}
}

// TestList2023 maps the 2023 list, whose "provider" held the config key.
func TestList2023(t *testing.T) {
	h := setup(t, jsonBody(200, `{"connections":[{"id":1,"connection_id":"u1","provider":"github-dev","created":"2023-03-01T10:00:00.000Z"}]}`))
	got, err := h.client.ListConnections(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got[0].ProviderConfigKey != "github-dev" || got[0].Provider != "" || got[0].Created.Year() != 2023 {
		t.Errorf("%+v", got[0])
	}
}

// TestConnection2023 decodes the raw row servers of March 2023 sent.
func TestConnection2023(t *testing.T) {
	h := setup(t, jsonBody(200, `{"id":3,"created_at":"2023-03-01T10:00:00.000Z","updated_at":"2023-03-02T10:00:00.000Z","provider_config_key":"github","connection_id":"u1","credentials":{"type":"OAUTH2","access_token":"t","expires_at":"2023-03-01T11:00:00.000Z","raw":{"access_token":"t"}},"connection_config":{},"account_id":0,"metadata":null}`))
	conn, err := h.client.GetConnection(context.Background(), "github", "u1")
	if err != nil {
		t.Fatal(err)
	}
	if conn.ID != 3 || conn.Provider != "" || conn.UpdatedAt.Day() != 2 || conn.Credentials.(OAuth2Credentials).AccessToken != "t" {
		t.Errorf("%+v", conn)
	}
}

// TestNoSecretsPrinted: neither the key nor a token shows under any verb or
// in slog, whatever the handler.
func TestNoSecretsPrinted(t *testing.T) {
	const token = "tok-SECRET-1234567890"
	h := setup(t, jsonBody(200, connectionJSON(`{"type":"OAUTH2","access_token":"`+token+`","refresh_token":"`+token+`","raw":{"access_token":"`+token+`"}}`)))
	tok, err := h.client.GetToken(context.Background(), "github", "u1")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := h.client.GetConnection(context.Background(), "github", "u1")
	if err != nil {
		t.Fatal(err)
	}
	apiErr := newAPIError(opGetConnection, 500, http.Header{"Content-Type": {"application/json"}}, []byte(`{"error":{"code":"x","message":"m","payload":{"token":"`+token+`"}}}`))
	values := []any{h.client, tok, apiErr, error(apiErr), &tok, tok.Credentials, tok.Credentials.(OAuth2Credentials), conn, *conn}
	for _, kind := range []Credentials{OAuth1Credentials{OAuthToken: token, OAuthTokenSecret: token}, APIKeyCredentials{APIKey: token},
		BasicCredentials{Password: token}, AWSSigV4Credentials{SecretAccessKey: token}, UnknownCredentials{Type: "X", Object: []byte(token)},
		OAuth2ClientCredentials{ClientSecret: token}, BillCredentials{DevKey: token}, TBACredentials{TokenSecret: token},
		SignatureCredentials{Password: token}, TwoStepCredentials{Token: token}, JWTCredentials{Token: token},
		AppCredentials{AccessToken: token}, CustomCredentials{Raw: []byte(`"` + token + `"`), User: &OAuth2Credentials{AccessToken: token}}} {
		ptr := reflect.New(reflect.TypeOf(kind))
		ptr.Elem().Set(reflect.ValueOf(kind))
		values = append(values, kind, ptr.Interface())
	}
	// The import kinds hold secrets too.
	var imp ImportCredentials
	_ = imp.FromImportOAuth2Credentials(ImportOAuth2Credentials{AccessToken: token})
	values = append(values, imp, ImportConnectionRequest{Credentials: imp}, ImportOAuth2Credentials{RefreshToken: token},
		ImportAPIKeyCredentials{APIKey: token}, ImportBasicCredentials{Password: token}, ImportOAuth1Credentials{OAuthTokenSecret: token},
		ImportOAuth2ClientCredentials{ClientSecret: token}, ImportTBACredentials{TokenSecret: token}, conn.Connection.Credentials, conn.Connection)
	var out bytes.Buffer
	for _, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
			fmt.Fprintf(&out, verb+"\n", v)
		}
		slog.New(slog.NewJSONHandler(&out, nil)).Info("x", "v", v)
		slog.New(slog.NewTextHandler(&out, nil)).Info("x", "v", v)
	}
	if s := out.String(); strings.Contains(s, token) || strings.Contains(s, testKey) || strings.Contains(s, testKey[:8]) {
		t.Fatalf("a secret was printed:\n%s", s)
	}
	if !strings.Contains(out.String(), "OAUTH2") {
		t.Errorf("the kind should still show: %s", out.String()[:200])
	}
}

// roundTripFunc is an in-memory transport: no socket, every answer decided
// by the test.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestRedirectDowngradeDropsKey: a proxy that answers an https request with a
// redirect to http:// on the same host must not get the key in clear text;
// with WithInsecureHTTP on an http:// host, a same-host redirect keeps it.
func TestRedirectDowngradeDropsKey(t *testing.T) {
	for _, tc := range []struct {
		name, host, to string
		opts           []Option
		wantAuth       bool
	}{
		{"https to http, same host", "https://nango.example.com", "http://nango.example.com/connections/u1?provider_config_key=github", nil, false},
		{"https to http, same host and port", "https://nango.example.com:8443", "http://nango.example.com:8443/connections/u1?provider_config_key=github", nil, false},
		{"https to https, same host", "https://nango.example.com", "https://nango.example.com/v2/connections/u1?provider_config_key=github", nil, true},
		{"insecure http to http, same host", "http://nango.internal", "http://nango.internal/v2/connections/u1?provider_config_key=github", []Option{WithInsecureHTTP()}, true},
		{"https to another host", "https://nango.example.com", "https://evil.example.com/x", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var gotAuth []string
			rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
				if r.URL.String() != tc.to {
					return &http.Response{StatusCode: 302, Header: http.Header{"Location": {tc.to}}, Body: http.NoBody, Request: r}, nil
				}
				gotAuth = append(gotAuth, r.Header.Get("Authorization"))
				return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
					Body: io.NopCloser(strings.NewReader(connectionJSON(`{"type":"OAUTH2","access_token":"t"}`))), Request: r}, nil
			})
			c, err := New(testKey, append([]Option{WithHost(tc.host), WithHTTPClient(&http.Client{Transport: rt})}, tc.opts...)...)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = c.GetToken(context.Background(), "github", "u1")
			if len(gotAuth) != 1 {
				t.Fatalf("the redirect target was asked %d times", len(gotAuth))
			}
			if has := gotAuth[0] != ""; has != tc.wantAuth {
				t.Errorf("Authorization sent after the redirect: %t, want %t", has, tc.wantAuth)
			}
		})
	}
}

// TestLogHoldsNoURL: whatever fails, the debug log names the route, never
// the URL with its ids, nor what a server put in a redirect.
func TestLogHoldsNoURL(t *testing.T) {
	const id, key = "conn-PRIVATE-4242", "cfgkey-PRIVATE"
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
	}{
		{"connection dropped", func(w http.ResponseWriter, r *http.Request) {
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
		}},
		{"redirect loop with a key in the URL", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/loop?key="+testKey+"&id="+id, http.StatusFound)
		}},
		{"unparsable Location", func(w http.ResponseWriter, r *http.Request) {
			w.Header()["Location"] = []string{"http://[" + testKey + "/" + id}
			w.WriteHeader(http.StatusFound)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			var logs bytes.Buffer
			h := setupRaw(t, tc.handler, WithLogger(newTestLogger(&logs, &mu)), WithMaxRetries(1))
			_, err := h.client.GetToken(context.Background(), key, id)
			if err == nil {
				t.Fatal("no error")
			}
			mu.Lock()
			defer mu.Unlock()
			s := logs.String()
			if !strings.Contains(s, "route=") {
				t.Fatalf("nothing was logged: %q", s)
			}
			for _, secret := range []string{id, key, testKey, "PRIVATE", h.srv.URL} {
				if strings.Contains(s, secret) {
					t.Errorf("the log holds %q:\n%s", secret, s)
				}
			}
		})
	}
}

// TestClientValueRedacted: a Client value (not a pointer) prints no key
// under any verb either.
func TestClientValueRedacted(t *testing.T) {
	c, err := New(testKey)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%d", "%x"} {
		fmt.Fprintf(&out, verb+"\n", *c)
		fmt.Fprintf(&out, verb+"\n", c)
		fmt.Fprintf(&out, verb+"\n", []any{*c})
	}
	slog.New(slog.NewTextHandler(&out, nil)).Info("x", "c", *c)
	slog.New(slog.NewJSONHandler(&out, nil)).Info("x", "c", *c)
	if s := out.String(); strings.Contains(s, testKey[:8]) || strings.Contains(s, "MTEx") {
		t.Fatalf("the key was printed:\n%s", s)
	}
}

// TestNewRejectsControlBytes: every control byte in the key is refused at
// New, not by net/http on each call.
func TestNewRejectsControlBytes(t *testing.T) {
	for _, b := range []byte{0x00, 0x01, 0x08, 0x09, 0x0a, 0x0d, 0x1b, 0x1f, 0x7f} {
		_, err := New(testKey + string(rune(b)))
		if !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("key with byte %#x: err = %v, want ErrInvalidArgument", b, err)
		}
	}
}
