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
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nango-go/sdk/nango/internal/contract"
)

// bodies wraps a handler and keeps the request bodies it was sent.
type bodies struct {
	mu  sync.Mutex
	got [][]byte
}

func (b *bodies) wrap(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		b.mu.Lock()
		b.got = append(b.got, body)
		b.mu.Unlock()
		next(w, r)
	}
}

func (b *bodies) all() [][]byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.got)
}

func loadCaptures(t *testing.T, keep func(c contract.Capture, path string) bool) []contract.Capture {
	t.Helper()
	caps, err := contract.LoadCaptures("testdata/real-nango")
	if err != nil {
		t.Fatal(err)
	}
	var out []contract.Capture
	for _, c := range caps {
		u, err := url.Parse(c.URL)
		if err != nil {
			t.Fatal(err)
		}
		if keep(c, u.Path) {
			out = append(out, c)
		}
	}
	return out
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("%s: %v", a, err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return reflect.DeepEqual(x, y)
}

// TestSessionCaptures sends each session creation a real Nango answered,
// decoded from the capture's own body into the request types, and reads the
// captured answer: the session of a 201, the *APIError of anything else. A
// request the SDK refuses locally must be one the server refused too.
func TestSessionCaptures(t *testing.T) {
	caps := loadCaptures(t, func(c contract.Capture, path string) bool {
		return c.Method == http.MethodPost && strings.HasPrefix(path, "/connect/sessions")
	})
	if len(caps) < 13 {
		t.Fatalf("only %d session captures", len(caps))
	}
	for _, c := range caps {
		t.Run(c.Name, func(t *testing.T) {
			var b bodies
			h := setup(t, b.wrap(replay(c)), WithMaxRetries(0))
			ctx := context.Background()
			reconnect := strings.HasSuffix(c.URL, "/reconnect")
			var (
				sess   *ConnectSession
				err    error
				decErr error
			)
			if reconnect {
				var req ReconnectSessionRequest
				if decErr = json.Unmarshal(c.Body, &req); decErr == nil {
					sess, err = h.client.CreateReconnectSession(ctx, req)
				}
			} else {
				var req ConnectSessionRequest
				if decErr = json.Unmarshal(c.Body, &req); decErr == nil {
					sess, err = h.client.CreateConnectSession(ctx, req)
				}
			}
			if decErr != nil {
				if c.Status/100 == 2 {
					t.Fatalf("the server took this body, the types do not: %v", decErr)
				}
				t.Skipf("a body the Go types cannot hold (%v); the server refused it too", decErr)
			}
			sent := b.all()
			if c.Status/100 == 2 {
				if err != nil {
					t.Fatal(err)
				}
				var want struct{ Data map[string]string }
				_ = json.Unmarshal(c.Resp, &want)
				exp, _ := time.Parse(time.RFC3339, want.Data["expires_at"])
				if sess.Token != want.Data["token"] || sess.ConnectLink != want.Data["connect_link"] || !sess.ExpiresAt.Equal(exp) || exp.IsZero() {
					t.Errorf("decoded %q %q %v, capture %v", sess.Token, sess.ConnectLink, sess.ExpiresAt, want.Data)
				}
				// Decoded and sent again, the body is the one the server took.
				if len(sent) != 1 || !jsonEqual(t, sent[0], c.Body) {
					t.Errorf("sent %s, capture %s", sent, c.Body)
				}
				return
			}
			if errors.Is(err, ErrInvalidArgument) {
				if len(sent) != 0 {
					t.Errorf("refused locally, yet %d requests sent", len(sent))
				}
				if c.Status != http.StatusBadRequest || !strings.Contains(string(c.Resp), "invalid_body") {
					t.Errorf("refused locally (%v) a request the server answered %d %s", err, c.Status, c.Resp)
				}
				return
			}
			checkAPIError(t, c, err)
		})
	}
}

// TestConnectSessionBody: what goes on the wire is the request's fields and
// nothing else, with the unset ones left out.
func TestConnectSessionBody(t *testing.T) {
	var decoded ConnectSessionRequest
	if err := json.Unmarshal([]byte(`{"end_user":{"id":"eu-1"},"tags":{"team":"a"},"webhook_url_override":"https://example.com/h"}`), &decoded); err != nil {
		t.Fatal(err)
	}
	decoded.Tags = nil
	decoded.WebhookURLOverride = nil
	cases := []struct {
		name string
		req  ConnectSessionRequest
		want string
	}{
		{"minimal", ConnectSessionRequest{EndUser: &EndUserInput{ID: "eu-1"}}, `{"end_user":{"id":"eu-1"}}`},
		{"tags only", ConnectSessionRequest{Tags: &TagsInput{"end_user_id": "eu-2"}}, `{"tags":{"end_user_id":"eu-2"}}`},
		{"cleared after decoding", decoded, `{"end_user":{"id":"eu-1"}}`},
		{"full", ConnectSessionRequest{
			EndUser:                    &EndUserInput{ID: "eu-3", Email: "e@example.com", DisplayName: "E", Tags: TagsInput{"plan": "pro"}},
			Organization:               &ConnectSessionOrganization{ID: "org", DisplayName: "Org"},
			AllowedIntegrations:        []string{"github"},
			IntegrationsConfigDefaults: map[string]IntegrationConfigDefaults{"github": {UserScopes: "repo"}},
			Overrides:                  map[string]ConnectSessionOverride{"github": {DocsConnect: "https://example.com/docs"}},
			WebhookURLOverride:         ptr("https://example.com/h"),
			Tags:                       &TagsInput{"team": "a"},
		}, `{"end_user":{"id":"eu-3","email":"e@example.com","display_name":"E","tags":{"plan":"pro"}},"organization":{"id":"org","display_name":"Org"},"allowed_integrations":["github"],"integrations_config_defaults":{"github":{"user_scopes":"repo"}},"overrides":{"github":{"docs_connect":"https://example.com/docs"}},"webhook_url_override":"https://example.com/h","tags":{"team":"a"}}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var b bodies
			h := setup(t, b.wrap(jsonBody(201, `{"data":{"token":"nango_connect_session_`+strings.Repeat("a", 64)+`","connect_link":"https://connect.nango.dev/?session_token=x","expires_at":"2026-11-28T22:28:02.395Z"}}`)))
			if _, err := h.client.CreateConnectSession(context.Background(), tc.req); err != nil {
				t.Fatal(err)
			}
			if got := b.all(); len(got) != 1 || !jsonEqual(t, got[0], []byte(tc.want)) {
				t.Errorf("sent %s, want %s", got, tc.want)
			}
		})
	}
}

// TestSessionRefusedLocally: what Nango's schema refuses for certain fails
// before any request.
func TestSessionRefusedLocally(t *testing.T) {
	eu := &EndUserInput{ID: "eu"}
	long := strings.Repeat("x", 256)
	create := []struct {
		name string
		req  ConnectSessionRequest
	}{
		{"empty", ConnectSessionRequest{}},
		{"empty tags alone", ConnectSessionRequest{Tags: &TagsInput{}}},
		{"empty end user id", ConnectSessionRequest{EndUser: &EndUserInput{}}},
		{"long end user id", ConnectSessionRequest{EndUser: &EndUserInput{ID: long}}},
		{"long display name", ConnectSessionRequest{EndUser: &EndUserInput{ID: "eu", DisplayName: long}}},
		{"bad end user tag", ConnectSessionRequest{EndUser: &EndUserInput{ID: "eu", Tags: TagsInput{"1x": "v"}}}},
		{"bad tag key", ConnectSessionRequest{Tags: &TagsInput{"bad key": "v"}}},
		{"tags differing by case", ConnectSessionRequest{EndUser: eu, Tags: &TagsInput{"Team": "a", "team": "b"}}},
		{"webhook URL not a URL", ConnectSessionRequest{EndUser: eu, WebhookURLOverride: ptr("not a url")}},
		{"empty allowed integration", ConnectSessionRequest{EndUser: eu, AllowedIntegrations: []string{""}}},
		{"long organization id", ConnectSessionRequest{EndUser: eu, Organization: &ConnectSessionOrganization{ID: long}}},
	}
	reconnect := []struct {
		name string
		req  ReconnectSessionRequest
	}{
		{"no connection id", ReconnectSessionRequest{IntegrationID: "github"}},
		{"no integration id", ReconnectSessionRequest{ConnectionID: "user-1"}},
		{"bad tag", ReconnectSessionRequest{ConnectionID: "user-1", IntegrationID: "github", Tags: TagsInput{"-x": "v"}}},
		{"empty end user id", ReconnectSessionRequest{ConnectionID: "user-1", IntegrationID: "github", EndUser: &EndUserInput{}}},
	}
	h := setup(t, jsonBody(500, `{}`))
	ctx := context.Background()
	for _, tc := range create {
		if _, err := h.client.CreateConnectSession(ctx, tc.req); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("%s: %v, want ErrInvalidArgument", tc.name, err)
		}
	}
	for _, tc := range reconnect {
		if _, err := h.client.CreateReconnectSession(ctx, tc.req); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("reconnect %s: %v, want ErrInvalidArgument", tc.name, err)
		}
	}
	if n := len(h.requests()); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

// TestSessionNotRetried: a session creation that may have reached Nango is
// never sent twice, whatever the failure; a read with the same failure is.
func TestSessionNotRetried(t *testing.T) {
	ctx := context.Background()
	create := func(c *Client) error {
		_, err := c.CreateConnectSession(ctx, ConnectSessionRequest{EndUser: &EndUserInput{ID: "eu"}})
		return err
	}
	reconnect := func(c *Client) error {
		_, err := c.CreateReconnectSession(ctx, ReconnectSessionRequest{ConnectionID: "user-1", IntegrationID: "github"})
		return err
	}
	read := func(c *Client) error {
		_, err := c.GetConnection(ctx, "github", "user-1")
		return err
	}
	slow := func(w http.ResponseWriter, r *http.Request) {
		// Read to the end: only then does the server notice that the
		// client hung up.
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}
	failures := []struct {
		name    string
		handler http.HandlerFunc
		opts    []Option
	}{
		{"500", jsonBody(500, `{"error":{"code":"server_error","message":"boom"}}`), nil},
		{"503", respond(503, "text/html", "<html>bad gateway</html>"), nil},
		{"timeout", slow, []Option{WithTimeout(50 * time.Millisecond)}},
	}
	calls := []struct {
		name  string
		call  func(*Client) error
		tries int
	}{
		{"create", create, 1},
		{"reconnect", reconnect, 1},
		{"read", read, 3},
	}
	for _, f := range failures {
		for _, c := range calls {
			t.Run(f.name+"/"+c.name, func(t *testing.T) {
				h := setupRaw(t, f.handler, append([]Option{WithMaxRetries(2)}, f.opts...)...)
				if err := c.call(h.client); err == nil {
					t.Fatal("no error")
				}
				if n := len(h.requests()); n != c.tries {
					t.Errorf("%d requests, want %d", n, c.tries)
				}
			})
		}
	}
}

// TestSessionTokenAuth: reads and deletes of a session carry its token, not
// the secret key, never merge across tokens, and never log the token.
func TestSessionTokenAuth(t *testing.T) {
	caps := loadCaptures(t, func(c contract.Capture, path string) bool { return path == "/connect/session" })
	if len(caps) < 5 {
		t.Fatalf("only %d session-token captures", len(caps))
	}
	for _, c := range caps {
		t.Run(c.Name, func(t *testing.T) {
			var logs bytes.Buffer
			var mu sync.Mutex
			h := setup(t, replay(c), WithMaxRetries(0), WithLogger(newTestLogger(&logs, &mu)))
			token := strings.TrimPrefix(c.Header.Get("Authorization"), "Bearer ")
			if token == "" {
				token = "nango_connect_session_" + strings.Repeat("0", 64) // 324 sent none; the SDK always sends one
			}
			ctx := context.Background()
			var err error
			var details *ConnectSessionDetails
			if c.Method == http.MethodDelete {
				err = h.client.DeleteConnectSession(ctx, token)
			} else {
				details, err = h.client.GetConnectSession(ctx, token)
			}
			reqs := h.requests()
			if len(reqs) != 1 || reqs[0].Header.Get("Authorization") != "Bearer "+token || reqs[0].Method != c.Method {
				t.Fatalf("sent %+v, want one %s with the session token", reqs, c.Method)
			}
			mu.Lock()
			if !strings.Contains(logs.String(), "connect/session") || strings.Contains(logs.String(), token) {
				t.Errorf("log: %s", logs.String())
			}
			mu.Unlock()
			if c.Status/100 != 2 {
				checkAPIError(t, c, err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if details == nil {
				return
			}
			var want struct {
				Data struct {
					EndUser             *struct{ ID string } `json:"endUser"`
					AllowedIntegrations []string             `json:"allowed_integrations"`
					IsReconnecting      bool                 `json:"isReconnecting"`
				}
			}
			_ = json.Unmarshal(c.Resp, &want)
			if (want.Data.EndUser == nil) != (details.EndUser == nil) ||
				want.Data.EndUser != nil && want.Data.EndUser.ID != details.EndUser.ID ||
				!slices.Equal(want.Data.AllowedIntegrations, details.AllowedIntegrations) ||
				want.Data.IsReconnecting != details.IsReconnecting || details.ConnectUISettings == nil {
				t.Errorf("decoded %+v, capture %s", details, c.Resp)
			}
		})
	}

	t.Run("bad tokens", func(t *testing.T) {
		h := setup(t, jsonBody(200, `{"data":{}}`))
		for _, tok := range []string{"", "nango_connect_session_x\r\nX-Evil: 1", "tok en", "tök"} {
			_, err := h.client.GetConnectSession(context.Background(), tok)
			derr := h.client.DeleteConnectSession(context.Background(), tok)
			if !errors.Is(err, ErrInvalidArgument) || !errors.Is(derr, ErrInvalidArgument) {
				t.Errorf("%q: %v, %v", tok, err, derr)
			}
			if tok != "" && (strings.Contains(err.Error(), tok) || strings.Contains(derr.Error(), tok)) {
				t.Errorf("the error quotes the token: %v", err)
			}
		}
		if n := len(h.requests()); n != 0 {
			t.Errorf("%d requests sent", n)
		}
	})

	t.Run("concurrent reads of two tokens", func(t *testing.T) {
		var wg sync.WaitGroup
		arrived := make(chan struct{}, 2)
		release := make(chan struct{})
		h := setup(t, func(w http.ResponseWriter, r *http.Request) {
			arrived <- struct{}{}
			<-release
			jsonBody(200, `{"data":{"endUser":{"id":"`+strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")+`"}}}`)(w, r)
		})
		got := make([]string, 2)
		for i := range 2 {
			wg.Go(func() {
				d, err := h.client.GetConnectSession(context.Background(), fmt.Sprintf("token-%d", i))
				if err == nil && d.EndUser != nil {
					got[i] = d.EndUser.ID
				}
			})
		}
		for range 2 {
			select {
			case <-arrived:
			case <-time.After(5 * time.Second):
				t.Error("the two reads did not both reach the server: merged?")
			}
		}
		close(release)
		wg.Wait()
		if got[0] != "token-0" || got[1] != "token-1" {
			t.Errorf("answers %q", got)
		}
	})

	t.Run("API() with a RequestEditor", func(t *testing.T) {
		h := setup(t, jsonBody(200, `{"data":{"endUser":null}}`))
		resp, err := h.client.API().GetConnectSessionWithResponse(context.Background(), func(_ context.Context, req *http.Request) error {
			req.Header.Set("Authorization", "Bearer tok-api")
			return nil
		})
		if err != nil || resp.JSON200 == nil {
			t.Fatalf("%v %+v", err, resp)
		}
		if got := h.requests()[0].Header.Values("Authorization"); !slices.Equal(got, []string{"Bearer tok-api"}) {
			t.Errorf("Authorization %q", got)
		}
	})
}

// TestSessionRedacted: a session prints no token under any verb or handler.
func TestSessionRedacted(t *testing.T) {
	const token = "nango_connect_session_2e9a4f5953783273ac4284bf1625ed204d4e7e49b4de21e292a23f4113bb3350"
	s := &ConnectSession{Token: token, ConnectLink: "http://localhost:3009/?session_token=" + token, ExpiresAt: time.Now()}
	checkRedacted(t, token, s, *s)
}

// checkRedacted fails if secret shows in any fmt verb or slog handler's
// output of the values.
func checkRedacted(t *testing.T, secret string, values ...any) {
	t.Helper()
	for _, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
			if out := fmt.Sprintf(verb, v); strings.Contains(out, secret) || strings.Contains(out, fmt.Sprintf("%x", secret)) {
				t.Errorf("%s of %T shows the secret: %s", verb, v, out)
			}
		}
		var buf bytes.Buffer
		slog.New(slog.NewTextHandler(&buf, nil)).Info("m", "v", v)
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("m", "v", v)
		if strings.Contains(buf.String(), secret) {
			t.Errorf("slog of %T shows the secret: %s", v, buf.String())
		}
	}
}

func ptr[T any](v T) *T { return &v }
