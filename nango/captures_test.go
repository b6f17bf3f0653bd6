package nango

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/nango-go/sdk/nango/internal/contract"
)

// readCapture is a capture of one of the read endpoints, and the SDK call
// that sends the same request.
type readCapture struct {
	contract.Capture
	legacy   bool
	list     bool
	key, id  string
	getOpts  []GetOption
	listOpts []ListOption
}

func readCaptures(t *testing.T) []readCapture {
	t.Helper()
	caps, err := contract.LoadCaptures("testdata/real-nango")
	if err != nil {
		t.Fatal(err)
	}
	var out []readCapture
	for _, c := range caps {
		if c.Method != http.MethodGet {
			continue
		}
		u, err := url.Parse(c.URL)
		if err != nil {
			t.Fatal(err)
		}
		rc := readCapture{Capture: c}
		q := u.Query()
		path := u.EscapedPath()
		if !strings.HasPrefix(path, "/connection") {
			continue // other operations have tests of their own
		}
		switch {
		case path == "/connection" || path == "/connections":
			rc.list, rc.legacy = true, path == "/connection"
			for k, vs := range q {
				switch {
				case k == "connectionId":
					rc.listOpts = append(rc.listOpts, FilterConnectionID(vs[0]))
				case k == "integrationId":
					rc.listOpts = append(rc.listOpts, FilterIntegrations(strings.Split(vs[0], ",")...))
				case k == "search":
					rc.listOpts = append(rc.listOpts, FilterSearch(vs[0]))
				case k == "endUserId":
					rc.listOpts = append(rc.listOpts, FilterEndUser(vs[0]))
				case k == "endUserOrganizationId":
					rc.listOpts = append(rc.listOpts, FilterEndUserOrganization(vs[0]))
				case k == "limit":
					n, _ := strconv.Atoi(vs[0])
					rc.listOpts = append(rc.listOpts, PageSize(n))
				case k == "page":
					n, _ := strconv.Atoi(vs[0])
					rc.listOpts = append(rc.listOpts, Page(n))
				case strings.HasPrefix(k, "tags["):
					rc.listOpts = append(rc.listOpts, FilterTag(strings.TrimSuffix(strings.TrimPrefix(k, "tags["), "]"), vs[0]))
				}
			}
		default:
			seg, ok := strings.CutPrefix(path, "/connections/")
			if !ok {
				seg, _ = strings.CutPrefix(path, "/connection/")
				rc.legacy = true
			}
			rc.id, _ = url.PathUnescape(seg)
			rc.key = q.Get("provider_config_key")
			if q.Get("force_refresh") == "true" {
				rc.getOpts = append(rc.getOpts, ForceRefresh())
			}
			if q.Get("refresh_token") == "true" {
				rc.getOpts = append(rc.getOpts, IncludeRefreshToken())
			}
			if q.Get("refresh_github_app_jwt_token") == "true" {
				rc.getOpts = append(rc.getOpts, RefreshGitHubAppJWT())
			}
		}
		out = append(out, rc)
	}
	if len(out) < 40 {
		t.Fatalf("only %d read captures", len(out))
	}
	return out
}

// replay serves the captured response to whatever the SDK sends.
func replay(c contract.Capture) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for _, k := range []string{"Content-Type", "Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"} {
			if v := c.RespHdr.Get(k); v != "" {
				w.Header().Set(k, v)
			}
		}
		w.WriteHeader(c.Status)
		_, _ = w.Write(c.Resp)
	}
}

// TestCapturesDecode replays every read a real Nango server answered: the SDK
// sends the same request (same route, id and query) and decodes the answer,
// a 2xx into typed values and anything else into the right *APIError.
func TestCapturesDecode(t *testing.T) {
	for _, rc := range readCaptures(t) {
		t.Run(rc.Name, func(t *testing.T) {
			var opts []Option
			if rc.legacy {
				opts = append(opts, WithLegacyPaths())
			}
			h := setupRaw(t, replay(rc.Capture), append(opts, WithMaxRetries(0))...)
			ctx := context.Background()
			key := rc.key
			if key == "" {
				key = "github" // the capture left it out; the SDK always sends one
			}
			var err error
			if rc.list {
				var got []ConnectionSummary
				got, err = h.client.ListConnections(ctx, rc.listOpts...)
				if err == nil {
					checkList(t, rc.Resp, got)
				}
			} else {
				var conn *Connection
				conn, err = h.client.GetConnection(ctx, key, rc.id, rc.getOpts...)
				if err == nil {
					checkConnection(t, rc.Resp, conn)
					checkTokenAndRaw(t, h.client, key, rc, conn)
				}
			}
			if rc.Status/100 == 2 {
				if err != nil {
					t.Fatalf("2xx capture: %v", err)
				}
			} else {
				checkAPIError(t, rc.Capture, err)
			}
			// The SDK sent what curl sent, escaping aside.
			if errors.Is(err, ErrInvalidArgument) {
				if n := len(h.requests()); n != 0 {
					t.Errorf("refused locally, yet %d requests sent", n)
				}
				return
			}
			sent := h.requests()[0]
			want, _ := url.Parse(rc.URL)
			if sent.Path != want.Path {
				t.Errorf("path %q, capture %q", sent.Path, want.Path)
			}
			if rc.key != "" || rc.list {
				gotQ, _ := url.ParseQuery(sent.RawQuery)
				if gotQ.Encode() != want.Query().Encode() && rc.Name != "24-get-connection-list-unknown-query-param" {
					t.Errorf("query %q, capture %q", gotQ.Encode(), want.Query().Encode())
				}
			}
		})
	}
}

func checkAPIError(t *testing.T, c contract.Capture, err error) {
	t.Helper()
	if c.Status == http.StatusBadRequest && strings.Contains(string(c.Resp), `"invalid_query_params"`) && errors.Is(err, ErrInvalidArgument) {
		return // the SDK refuses before sending what the server refuses
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("err = %v, want *APIError", err)
	}
	var body struct {
		Error struct{ Code, Message string }
	}
	if jerr := json.Unmarshal(c.Resp, &body); jerr != nil {
		t.Fatal(jerr)
	}
	if apiErr.StatusCode != c.Status || apiErr.Code != body.Error.Code || apiErr.Message != body.Error.Message {
		t.Errorf("got %d %q %q, capture %d %q %q", apiErr.StatusCode, apiErr.Code, apiErr.Message, c.Status, body.Error.Code, body.Error.Message)
	}
	sentinel := map[string]error{
		"not_found": ErrNotFound, "unknown_connection": ErrNotFound, "invalid_credentials": ErrInvalidCredentials,
		"unknown_provider_config": ErrUnknownProviderConfig,
	}[body.Error.Code]
	if c.Status == 401 {
		sentinel = ErrUnauthorized
	}
	if sentinel != nil && !errors.Is(err, sentinel) {
		t.Errorf("errors.Is(%v, %v) = false", err, sentinel)
	}
	if body.Error.Code == "invalid_query_params" || body.Error.Code == "invalid_uri_params" {
		if len(apiErr.Issues) == 0 {
			t.Errorf("no issues decoded from %s", c.Resp)
		}
	}
}

func checkConnection(t *testing.T, body []byte, conn *Connection) {
	t.Helper()
	var m struct {
		ID                int64  `json:"id"`
		ConnectionID      string `json:"connection_id"`
		ProviderConfigKey string `json:"provider_config_key"`
		Provider          string `json:"provider"`
		CreatedAt         string `json:"created_at"`
		Credentials       map[string]any
		Metadata          map[string]any
	}
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	if conn.ID != m.ID || conn.ConnectionID != m.ConnectionID || conn.ProviderConfigKey != m.ProviderConfigKey || conn.Provider != m.Provider {
		t.Errorf("decoded %d %q %q %q, body has %d %q %q %q", conn.ID, conn.ConnectionID, conn.ProviderConfigKey, conn.Provider, m.ID, m.ConnectionID, m.ProviderConfigKey, m.Provider)
	}
	if conn.CreatedAt.IsZero() || conn.UpdatedAt.IsZero() || conn.LastFetchedAt.IsZero() {
		t.Errorf("timestamps not decoded: %v %v %v", conn.CreatedAt, conn.UpdatedAt, conn.LastFetchedAt)
	}
	if len(conn.Metadata) != len(m.Metadata) {
		t.Errorf("metadata %v, body %v", conn.Metadata, m.Metadata)
	}
	if len(m.Credentials) == 0 {
		if conn.Credentials != nil {
			t.Errorf("credentials %v, body has none", conn.Credentials)
		}
		return
	}
	if conn.Credentials == nil || conn.Credentials.CredentialsType() != m.Credentials["type"] {
		t.Fatalf("credentials %v, body type %v", conn.Credentials, m.Credentials["type"])
	}
}

func checkTokenAndRaw(t *testing.T, c *Client, key string, rc readCapture, conn *Connection) {
	t.Helper()
	ctx := context.Background()
	tok, err := c.GetToken(ctx, key, rc.id, rc.getOpts...)
	if conn.Credentials == nil {
		if !errors.Is(err, ErrNoCredentials) {
			t.Errorf("GetToken without credentials: %v", err)
		}
		return
	}
	if err != nil {
		t.Fatalf("GetToken: %v", err)
	}
	var m struct {
		Credentials map[string]json.RawMessage
	}
	_ = json.Unmarshal(rc.Resp, &m)
	str := func(k string) string {
		var s string
		_ = json.Unmarshal(m.Credentials[k], &s)
		return s
	}
	switch tok.Type {
	case TypeOAuth2:
		if tok.AccessToken == "" || tok.AccessToken != str("access_token") {
			t.Errorf("AccessToken %q, body %q", tok.AccessToken, str("access_token"))
		}
	case TypeOAuth1:
		if tok.OAuthToken != str("oauth_token") || tok.OAuthTokenSecret != str("oauth_token_secret") {
			t.Errorf("OAuth1 token not decoded")
		}
	case TypeAPIKey:
		if k, ok := tok.Credentials.(APIKeyCredentials); !ok || k.APIKey != str("apiKey") {
			t.Errorf("API key not decoded: %T", tok.Credentials)
		}
	case TypeOAuth2CC, TypeApp:
		if tok.AccessToken == "" || (tok.AccessToken != str("token") && tok.AccessToken != str("access_token")) {
			t.Errorf("AccessToken %q", tok.AccessToken)
		}
	case TypeBasic:
		if b, ok := tok.Credentials.(BasicCredentials); !ok || b.Username != str("username") || b.Password != str("password") {
			t.Errorf("basic not decoded: %T", tok.Credentials)
		}
	case TypeTBA:
		if b, ok := tok.Credentials.(TBACredentials); !ok || b.TokenID != str("token_id") || b.TokenSecret != str("token_secret") {
			t.Errorf("TBA not decoded: %T", tok.Credentials)
		}
	case TypeJWT:
		if j, ok := tok.Credentials.(JWTCredentials); !ok || j.Token != str("token") || len(j.AdditionalProperties) == 0 {
			t.Errorf("JWT not decoded: %+v", tok.Credentials)
		}
	default:
		t.Errorf("unexpected kind %q", tok.Type)
	}
	raw, err := c.GetRawTokenResponse(ctx, key, rc.id, rc.getOpts...)
	if want := m.Credentials["raw"]; want != nil {
		if err != nil || !bytes.Equal(raw, want) {
			t.Errorf("raw = %s, %v; want %s", raw, err, want)
		}
	} else if !errors.Is(err, ErrNoRawTokenResponse) {
		t.Errorf("raw without raw: %s, %v", raw, err)
	}
}

func checkList(t *testing.T, body []byte, got []ConnectionSummary) {
	t.Helper()
	var m struct {
		Connections []struct {
			ID                int64  `json:"id"`
			ConnectionID      string `json:"connection_id"`
			ProviderConfigKey string `json:"provider_config_key"`
			Provider          string `json:"provider"`
		}
	}
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(m.Connections) {
		t.Fatalf("%d connections, body has %d", len(got), len(m.Connections))
	}
	for i, w := range m.Connections {
		g := got[i]
		if g.ID != w.ID || g.ConnectionID != w.ConnectionID || g.ProviderConfigKey != w.ProviderConfigKey || g.Provider != w.Provider || g.Created.IsZero() {
			t.Errorf("item %d = %+v, body %+v", i, g, w)
		}
	}
}
