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

	"github.com/nango-go/sdk/nango/internal/contract"
	"github.com/nango-go/sdk/nango/nangotest"
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

// fakeClient is a client of a nangotest server holding one OAuth 2
// connection, with waits recorded rather than slept. Its transport checks
// every exchange against the spec, as the fake does on its side.
func fakeClient(t *testing.T, opts ...Option) (*nangotest.Server, *Client, *waits) {
	t.Helper()
	return fakeClientChecked(t, true, opts...)
}

// fakeClientChecked is fakeClient with the client-side contract check
// optional, for faults that break the contract on purpose.
func fakeClientChecked(t *testing.T, check bool, opts ...Option) (*nangotest.Server, *Client, *waits) {
	t.Helper()
	srv := nangotest.Start(t)
	srv.MustPut(nangotest.OAuth2("github", "u1", "tok-1"))
	base := []Option{WithHost(srv.URL)}
	if check {
		v, err := contract.Load()
		if err != nil {
			t.Fatal(err)
		}
		base = append(base, WithHTTPClient(&http.Client{Transport: &contract.Transport{Validator: v, Report: t.Errorf}}))
	}
	c, err := New(srv.SecretKey, append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	w := &waits{}
	c.sleep = w.sleep
	return srv, c, w
}

// TestRetryScenarios: each fault, what the SDK does, and how many attempts
// reach the server.
func TestRetryScenarios(t *testing.T) {
	cases := []struct {
		name     string
		fault    nangotest.Fault
		times    int // faults in a row
		attempts int // requests the server sees
		wantErr  error
		status   int
	}{
		{"reset before the answer, then ok", nangotest.DropConnection(), 1, 2, nil, 0},
		{"reset during the body, then ok", nangotest.Fault{Truncate: true}, 1, 2, nil, 0},
		{"html 502 twice, then ok", nangotest.HTMLBadGateway(), 2, 3, nil, 0},
		{"html 502 storm", nangotest.HTMLBadGateway(), -1, 3, nil, 502},
		{"500 then ok", nangotest.ServerError(), 1, 2, nil, 0},
		{"503 then ok", nangotest.Fault{Status: 503, ContentType: "text/plain", Body: "", OffContract: true}, 1, 2, nil, 0},
		{"504 then ok", nangotest.Fault{Status: 504, ContentType: "text/html", Body: "<html>timeout</html>"}, 1, 2, nil, 0},
		{"408 then ok", nangotest.Fault{Status: 408, Body: `{"error":{"code":"timeout"}}`, OffContract: true}, 1, 2, nil, 0},
		{"429 storm", nangotest.RateLimited(0), -1, 3, ErrRateLimited, 429},
		{"400 invalid_credentials: never retried", nangotest.InvalidCredentials(400), -1, 1, ErrInvalidCredentials, 400},
		{"424 invalid_credentials: never retried", nangotest.InvalidCredentials(424), -1, 1, ErrInvalidCredentials, 424},
		{"500 invalid_credentials: never retried", nangotest.Fault{Status: 500, Body: `{"error":{"code":"invalid_credentials"}}`}, -1, 1, ErrInvalidCredentials, 500},
		{"401: never retried", nangotest.Fault{Status: 401, Body: `{"error":{"code":"unknown_account"}}`}, -1, 1, ErrUnauthorized, 401},
		{"403: never retried", nangotest.Fault{Status: 403, Body: `{"error":{"code":"forbidden"}}`}, -1, 1, ErrForbidden, 403},
		{"404: never retried", nangotest.Fault{Status: 404, Body: `{"error":{"code":"not_found"}}`}, -1, 1, ErrNotFound, 404},
		{"400: never retried", nangotest.Fault{Status: 400, Body: `{"error":{"code":"invalid_query_params"}}`}, -1, 1, nil, 400},
		{"415: never retried", nangotest.Fault{Status: 415, Body: `{"error":{"code":"invalid_content_type"}}`}, -1, 1, nil, 415},
		{"200 text/plain: not retried", nangotest.Fault{Status: 200, ContentType: "text/plain", Body: "ok", OffContract: true}, -1, 1, ErrUnexpectedResponse, 200},
		{"empty 200: not retried", nangotest.Fault{Status: 200, Body: "", OffContract: true}, -1, 1, ErrUnexpectedResponse, 200},
		{"truncated json 200: not retried", nangotest.Fault{Status: 200, Body: `{"id":1,"credentials":{"type":"OAUTH2","acc`, OffContract: true}, -1, 1, ErrUnexpectedResponse, 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, c, w := fakeClientChecked(t, !tc.fault.OffContract)
			srv.FailNext(tc.times, tc.fault)
			tok, err := c.GetToken(context.Background(), "github", "u1")
			if got := len(srv.Requests()); got != tc.attempts {
				t.Errorf("%d attempts, want %d", got, tc.attempts)
			}
			if len(w.all()) != tc.attempts-1 {
				t.Errorf("%d waits for %d attempts", len(w.all()), tc.attempts)
			}
			if tc.wantErr == nil && tc.status == 0 {
				if err != nil || tok.AccessToken != "tok-1" {
					t.Fatalf("GetToken = %v, %v", tok, err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("err = %v, want %v", err, tc.wantErr)
			}
			var apiErr *APIError
			var ue *UnexpectedResponseError
			switch {
			case errors.As(err, &apiErr):
				if apiErr.StatusCode != tc.status {
					t.Errorf("status %d, want %d", apiErr.StatusCode, tc.status)
				}
			case errors.As(err, &ue):
				if ue.StatusCode != tc.status {
					t.Errorf("status %d, want %d", ue.StatusCode, tc.status)
				}
			default:
				t.Errorf("err %T %v has no status", err, err)
			}
		})
	}
}

func TestRetryAfterForms(t *testing.T) {
	now := time.Now()
	date := now.Add(3 * time.Second).UTC().Format(http.TimeFormat)
	for _, tc := range []struct {
		header   string
		min, max time.Duration
	}{
		// Retry-After plus the margin for Nango's rounding down.
		{"2", 2*time.Second + retryAfterMargin, 2*time.Second + retryAfterMargin},
		{date, 1*time.Second + retryAfterMargin, 3*time.Second + retryAfterMargin}, // whole seconds, and the test's own latency
	} {
		t.Run(tc.header, func(t *testing.T) {
			srv, c, w := fakeClientChecked(t, !strings.Contains(tc.header, ","))
			f := nangotest.RateLimited(0)
			f.Header.Set("Retry-After", tc.header)
			f.OffContract = strings.Contains(tc.header, ",") // the spec documents seconds only
			srv.FailNext(1, f)
			if _, err := c.GetToken(context.Background(), "github", "u1"); err != nil {
				t.Fatal(err)
			}
			got := w.all()
			if len(got) != 1 || got[0] < tc.min || got[0] > tc.max {
				t.Errorf("waited %v, want between %v and %v", got, tc.min, tc.max)
			}
		})
	}
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

// TestRetryAfterPastDeadline: a wait that would outlive the caller's deadline
// is not started; the 429 comes back at once, with RetryAfter set.
func TestRetryAfterPastDeadline(t *testing.T) {
	srv, c, w := fakeClient(t)
	srv.FailNext(-1, nangotest.RateLimited(20*time.Second))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := c.GetToken(ctx, "github", "u1")
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.RetryAfter != 20*time.Second || !errors.Is(err, ErrRateLimited) {
		t.Fatalf("err = %v", err)
	}
	if len(srv.Requests()) != 1 || len(w.all()) != 0 {
		t.Errorf("%d attempts, waits %v", len(srv.Requests()), w.all())
	}
	// Over the cap: the same, even without a deadline.
	srv2, c2, w2 := fakeClient(t, WithMaxRetryAfter(10*time.Second))
	srv2.FailNext(-1, nangotest.RateLimited(20*time.Second))
	if _, err := c2.GetToken(context.Background(), "github", "u1"); !errors.Is(err, ErrRateLimited) || len(w2.all()) != 0 || len(srv2.Requests()) != 1 {
		t.Errorf("over the cap: %v, waits %v", err, w2.all())
	}
}

func TestCancelDuringBackoff(t *testing.T) {
	srv, c, _ := fakeClient(t, WithBackoff(time.Hour, time.Hour), WithRetryBudget(2*time.Hour))
	sleeping := make(chan struct{})
	c.sleep = func(ctx context.Context, d time.Duration) error {
		close(sleeping)
		return sleep(ctx, d) // the real one, for up to an hour
	}
	srv.FailNext(-1, nangotest.ServerError())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := c.GetToken(ctx, "github", "u1"); done <- err }()
	<-sleeping
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v", err)
		}
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.StatusCode != 500 {
			t.Errorf("the last failure is lost: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the backoff sleep ignored the cancelled context")
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
	srv, c2, _ := fakeClient(t)
	srv.FailNext(-1, nangotest.Fault{Status: 503, Body: `{"error":{"code":"server_error"}}`})
	if err := c2.DeleteConnection(context.Background(), "github", "u1"); err == nil || len(srv.Requests()) != 1 {
		t.Errorf("sent write retried: %d attempts, %v", len(srv.Requests()), err)
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

// TestConcurrentCalls: 500 calls at once, with and without coalescing.
func TestConcurrentCalls(t *testing.T) {
	for _, coalesce := range []bool{true, false} {
		t.Run(fmt.Sprintf("coalescing %t", coalesce), func(t *testing.T) {
			srv, c, _ := fakeClient(t, WithCoalescing(coalesce))
			srv.MustPut(nangotest.OAuth2("github", "u2", "tok-2"))
			var wg sync.WaitGroup
			errs := make(chan error, 500)
			for i := 0; i < 500; i++ {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					id, want := "u1", "tok-1"
					if i%2 == 1 {
						id, want = "u2", "tok-2"
					}
					tok, err := c.GetToken(context.Background(), "github", id)
					if err == nil && tok.AccessToken != want {
						err = fmt.Errorf("%s got %q", id, tok.AccessToken)
					}
					if err != nil {
						errs <- err
					}
				}(i)
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			if n := len(srv.Requests()); !coalesce && n != 500 || n > 500 || n == 0 {
				t.Errorf("%d requests", n)
			}
		})
	}
}

func TestLoggerNoSecrets(t *testing.T) {
	var buf strings.Builder
	var mu sync.Mutex
	logger := newTestLogger(&buf, &mu)
	srv, c, _ := fakeClient(t, WithLogger(logger))
	srv.FailNext(1, nangotest.ServerError())
	if _, err := c.GetToken(context.Background(), "github", "u1"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	out := buf.String()
	mu.Unlock()
	for _, want := range []string{"route=\"GET /connections/{connectionId}\"", "status=500", "status=200", "nango: retrying"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	for _, secret := range []string{srv.SecretKey, "tok-1", "u1"} {
		if strings.Contains(out, secret) {
			t.Errorf("log holds %q:\n%s", secret, out)
		}
	}
}

// TestRetryAfterOverflow: a Retry-After too large for an int64 is over the
// cap like any other, not absent: no immediate retry.
func TestRetryAfterOverflow(t *testing.T) {
	srv, c, w := fakeClientChecked(t, false) // the spec's Retry-After is an int64
	srv.FailNext(-1, nangotest.Fault{Status: 429, Header: http.Header{"Retry-After": {"99999999999999999999999"}},
		Body: `{"error":{"code":"too_many_request"}}`, OffContract: true})
	_, err := c.GetToken(context.Background(), "github", "u1")
	var apiErr *APIError
	if !errors.As(err, &apiErr) || !errors.Is(err, ErrRateLimited) || apiErr.RetryAfter <= 0 {
		t.Fatalf("err = %v", err)
	}
	if n := len(srv.Requests()); n != 1 || len(w.all()) != 0 {
		t.Errorf("%d attempts, waits %v: an unreadably large Retry-After was retried", n, w.all())
	}
}

// TestRetryAfterMargin: Nango rounds Retry-After down, so the client waits
// a little longer than it says.
func TestRetryAfterMargin(t *testing.T) {
	srv, c, w := fakeClient(t)
	srv.FailNext(1, nangotest.RateLimited(2*time.Second))
	if _, err := c.GetToken(context.Background(), "github", "u1"); err != nil {
		t.Fatal(err)
	}
	got := w.all()
	if len(got) != 1 || got[0] <= 2*time.Second || got[0] > 3*time.Second {
		t.Errorf("waits %v, want one a little over the 2s Retry-After", got)
	}
}

// TestRetryBudget: with the defaults a 429 asking for 7 s fails at once,
// with RetryAfter set, instead of holding the caller; a raised budget waits.
func TestRetryBudget(t *testing.T) {
	srv, c, w := fakeClient(t)
	srv.FailNext(-1, nangotest.RateLimited(7*time.Second))
	_, err := c.GetToken(context.Background(), "github", "u1")
	var apiErr *APIError
	if !errors.As(err, &apiErr) || !errors.Is(err, ErrRateLimited) || apiErr.RetryAfter != 7*time.Second {
		t.Fatalf("err = %v", err)
	}
	if n := len(srv.Requests()); n != 1 || len(w.all()) != 0 {
		t.Errorf("%d attempts, waits %v, want a single attempt and no wait", n, w.all())
	}

	srv2, c2, w2 := fakeClient(t, WithRetryBudget(time.Minute))
	srv2.FailNext(1, nangotest.RateLimited(7*time.Second))
	if _, err := c2.GetToken(context.Background(), "github", "u1"); err != nil || len(w2.all()) != 1 || len(srv2.Requests()) != 2 {
		t.Errorf("with a minute of budget: %v, waits %v", err, w2.all())
	}
	if _, err := New(testKey, WithRetryBudget(0)); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("WithRetryBudget(0): %v", err)
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
