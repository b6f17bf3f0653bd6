package nango

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// waits records the backoff the client asked for instead of sleeping it.
type waits struct {
	mu sync.Mutex
	d  []time.Duration
}

func (w *waits) sleep(ctx context.Context, d time.Duration) error {
	w.mu.Lock()
	w.d = append(w.d, d)
	w.mu.Unlock()
	return ctx.Err()
}

func (w *waits) all() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]time.Duration(nil), w.d...)
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Now()
	// Unit cases of the parser.
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{{"0", 0, true}, {"120", 2 * time.Minute, true}, {"-1", 0, false}, {"soon", 0, false}, {"", 0, false},
		{now.Add(-time.Hour).UTC().Format(http.TimeFormat), 0, true}, {"99999999999", 24 * time.Hour, true}} {
		if d, ok := parseRetryAfter(tc.in, now); d != tc.want || ok != tc.ok {
			t.Errorf("parseRetryAfter(%q) = %v %v, want %v %v", tc.in, d, ok, tc.want, tc.ok)
		}
	}
}

func TestSlowBodyTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(200)
		_, _ = io.WriteString(w, `{"credentials":{"type":"OAUTH2",`)
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	c, _ := New(testKey, WithHost(srv.URL), WithTimeout(100*time.Millisecond), WithMaxRetries(1))
	w := &waits{}
	c.sleep = w.sleep
	_, err := c.GetToken(context.Background(), "github", "u1")
	if err == nil || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a deadline error", err)
	}
	if len(w.all()) != 1 {
		t.Errorf("a timed-out attempt should be retried once: waits %v", w.all())
	}
}

func TestBodyOverCap(t *testing.T) {
	for _, announced := range []bool{true, false} {
		t.Run(fmt.Sprintf("content-length %t", announced), func(t *testing.T) {
			var sent atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if announced {
					w.Header().Set("Content-Length", fmt.Sprint(64<<20))
				}
				chunk := []byte(strings.Repeat(" ", 32<<10))
				for i := 0; i < 2048; i++ { // 64 MiB at most
					n, err := w.Write(chunk)
					sent.Add(int64(n))
					if err != nil {
						return
					}
				}
			}))
			defer srv.Close()
			c, _ := New(testKey, WithHost(srv.URL), WithMaxResponseBytes(1<<20), WithMaxRetries(0))
			_, err := c.GetConnection(context.Background(), "github", "u1")
			if !errors.Is(err, ErrUnexpectedResponse) || !strings.Contains(err.Error(), "cap") {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

// TestRedirectToForeignHost: the key does not follow a redirect off the host.
func TestRedirectToForeignHost(t *testing.T) {
	var foreignAuth atomic.Value
	foreignAuth.Store("unset")
	foreign := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		foreignAuth.Store(r.Header.Get("Authorization"))
		jsonBody(200, connectionJSON(`{"type":"OAUTH2","access_token":"t"}`))(w, r)
	}))
	defer foreign.Close()
	h := setupRaw(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, foreign.URL+r.URL.RequestURI(), http.StatusTemporaryRedirect)
	})
	if _, err := h.client.GetToken(context.Background(), "github", "u1"); err != nil {
		t.Fatal(err)
	}
	if got := foreignAuth.Load().(string); got != "" {
		t.Fatalf("the foreign host received Authorization %q", got)
	}
	// A redirect on the same host keeps it.
	var sameAuth string
	h = setupRaw(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/moved") {
			sameAuth = r.Header.Get("Authorization")
			jsonBody(200, connectionJSON(`{"type":"OAUTH2","access_token":"t"}`))(w, r)
			return
		}
		http.Redirect(w, r, "/moved"+r.URL.RequestURI(), http.StatusTemporaryRedirect)
	})
	if _, err := h.client.GetToken(context.Background(), "github", "u1"); err != nil || sameAuth == "" {
		t.Fatalf("same-host redirect: %v, auth %q", err, sameAuth)
	}
}

// downgradeTransport plays an https host that redirects to plain http on the
// same host name, recording the Authorization each plain request carries.
type downgradeTransport struct{ plainAuth []string }

func (d *downgradeTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	h := http.Header{}
	if req.URL.Scheme == "https" {
		h.Set("Location", "http://"+req.URL.Host+req.URL.RequestURI())
		return &http.Response{StatusCode: http.StatusTemporaryRedirect, Header: h, Body: http.NoBody, Request: req}, nil
	}
	d.plainAuth = append(d.plainAuth, req.Header.Get("Authorization"))
	h.Set("Content-Type", "application/json")
	body := connectionJSON(`{"type":"OAUTH2","access_token":"t"}`)
	return &http.Response{StatusCode: 200, Header: h, Body: io.NopCloser(strings.NewReader(body)), Request: req}, nil
}

// TestRedirectSchemeDowngrade: the key does not follow https://h to http://h,
// which the host comparison alone would let through.
func TestRedirectSchemeDowngrade(t *testing.T) {
	dt := &downgradeTransport{}
	c, err := New(testKey, WithHost("https://nango.example"), WithHTTPClient(&http.Client{Transport: dt}), WithMaxRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetToken(context.Background(), "github", "u1"); err != nil {
		t.Fatal(err)
	}
	if len(dt.plainAuth) != 1 || dt.plainAuth[0] != "" {
		t.Fatalf("plain-http requests carried Authorization %q", dt.plainAuth)
	}
}

// TestRedirectKeepsBodies: a 307 or 308 off the host would resend a
// write's body there, and an import's body holds the credentials: the
// redirect is returned as the answer instead, with nothing sent off the host.
func TestRedirectKeepsBodies(t *testing.T) {
	const token = "access-token-to-keep"
	var mu sync.Mutex
	var foreignHits []string
	foreign := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		foreignHits = append(foreignHits, r.Method+" "+string(b))
		mu.Unlock()
		w.WriteHeader(http.StatusCreated)
	}))
	defer foreign.Close()
	imp := ImportConnectionRequest{ProviderConfigKey: "github", ConnectionID: "u1"}
	if err := imp.Credentials.FromImportOAuth2Credentials(ImportOAuth2Credentials{AccessToken: token}); err != nil {
		t.Fatal(err)
	}
	calls := []struct {
		name string
		call func(c *Client) error
	}{
		{"ImportConnection", func(c *Client) error { _, err := c.ImportConnection(context.Background(), imp); return err }},
		{"CreateConnectSession", func(c *Client) error {
			_, err := c.CreateConnectSession(context.Background(), ConnectSessionRequest{EndUser: &EndUserInput{ID: "e1", Email: "e1@example.com"}})
			return err
		}},
		{"SetMetadata", func(c *Client) error {
			return c.SetMetadata(context.Background(), "github", "u1", Metadata{"token": token})
		}},
		{"API ImportConnection", func(c *Client) error {
			_, err := c.API().ImportConnectionWithResponse(context.Background(), imp)
			return err
		}},
	}
	for _, code := range []int{http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		h := setupRaw(t, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, foreign.URL+r.URL.RequestURI(), code)
		})
		for _, tc := range calls {
			err := tc.call(h.client)
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != code {
				t.Errorf("%d %s: err = %v, want the %d as an *APIError", code, tc.name, err, code)
			}
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(foreignHits) != 0 {
		t.Fatalf("the foreign host received %q", foreignHits)
	}
}

// countingTransport counts round trips and fails them with a dial error.
type countingTransport struct{ n atomic.Int32 }

func (c *countingTransport) RoundTrip(*http.Request) (*http.Response, error) {
	c.n.Add(1)
	return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
}

// TestWritesRetryOnlyWhenUnsent: a write is repeated only when the request
// provably never left; a 503 after it was sent is final.
func TestWritesRetryOnlyWhenUnsent(t *testing.T) {
	ct := &countingTransport{}
	c, _ := New(testKey, WithHost("http://127.0.0.1:1"), WithHTTPClient(&http.Client{Transport: ct}))
	c.sleep = (&waits{}).sleep
	err := c.DeleteConnection(context.Background(), "github", "u1")
	if err == nil || ct.n.Load() != 3 {
		t.Errorf("dial failures: %d attempts, err %v", ct.n.Load(), err)
	}
}

// TestOldServerHint: a 404 that is not Nango's JSON names WithLegacyPaths.
func TestOldServerHint(t *testing.T) {
	h := setupRaw(t, respond(404, "text/html", "<pre>Cannot GET /connections/u1</pre>"))
	_, err := h.client.GetToken(context.Background(), "github", "u1")
	if err == nil || !strings.Contains(err.Error(), "WithLegacyPaths") || errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v", err)
	}
}

// TestErrUnavailable: a service can tell "Nango is unreachable" from other
// failures, but not from its own cancellation.
func TestErrUnavailable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := ln.Addr().String()
	ln.Close()
	dead, _ := New(testKey, WithHost("http://"+closedAddr), WithMaxRetries(0))

	cases := []struct {
		name    string
		status  int // 0: the server drops the connection
		want    bool
		timeout bool
	}{
		{"502", 502, true, false}, {"503", 503, true, false}, {"504", 504, true, false},
		{"500", 500, false, false}, {"404", 404, false, false}, {"429", 429, false, false},
		{"connection reset", 0, true, false}, {"attempt timed out", -1, true, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := setupRaw(t, func(w http.ResponseWriter, r *http.Request) {
				switch tc.status {
				case 0:
					conn, _, _ := w.(http.Hijacker).Hijack()
					conn.Close()
				case -1:
					<-r.Context().Done()
				default:
					jsonBody(tc.status, `{"error":{"code":"x"}}`)(w, r)
				}
			}, WithMaxRetries(1), WithTimeout(50*time.Millisecond))
			_, err := h.client.GetToken(context.Background(), "github", "u1")
			if err == nil || errors.Is(err, ErrUnavailable) != tc.want {
				t.Errorf("err = %v, ErrUnavailable %t, want %t", err, errors.Is(err, ErrUnavailable), tc.want)
			}
		})
	}
	t.Run("dial refused", func(t *testing.T) {
		if _, err := dead.GetToken(context.Background(), "github", "u1"); !errors.Is(err, ErrUnavailable) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("caller cancelled", func(t *testing.T) {
		h := setupRaw(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := h.client.GetToken(ctx, "github", "u1")
		if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrUnavailable) {
			t.Errorf("err = %v: the caller's own deadline is not Nango being unavailable", err)
		}
	})
}
