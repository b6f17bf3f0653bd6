package nango_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nango-go/sdk/nango"
	"github.com/nango-go/sdk/nango/internal/contract"
	"github.com/nango-go/sdk/nango/nangotest"
)

// fakeClient is a client of a nangotest server holding one OAuth 2
// connection, with waits recorded rather than slept. Its transport checks
// every exchange against the spec, as the fake does on its side.
func fakeClient(t *testing.T, opts ...nango.Option) (*nangotest.Server, *nango.Client, *nango.Waits) {
	t.Helper()
	return fakeClientChecked(t, true, opts...)
}

// fakeClientChecked is fakeClient with the client-side contract check
// optional, for faults that break the contract on purpose.
func fakeClientChecked(t *testing.T, check bool, opts ...nango.Option) (*nangotest.Server, *nango.Client, *nango.Waits) {
	t.Helper()
	srv := nangotest.Start(t)
	srv.MustPut(nangotest.OAuth2("github", "u1", "tok-1"))
	base := []nango.Option{nango.WithHost(srv.URL)}
	if check {
		v, err := contract.Load()
		if err != nil {
			t.Fatal(err)
		}
		base = append(base, nango.WithHTTPClient(&http.Client{Transport: &contract.Transport{Validator: v, Report: t.Errorf}}))
	}
	c, err := nango.New(srv.SecretKey(), append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	w := &nango.Waits{}
	nango.SetSleep(c, w.Sleep)
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
		{"429 storm", nangotest.RateLimited(0), -1, 3, nango.ErrRateLimited, 429},
		{"400 invalid_credentials: never retried", nangotest.InvalidCredentials(400), -1, 1, nango.ErrInvalidCredentials, 400},
		{"424 invalid_credentials: never retried", nangotest.InvalidCredentials(424), -1, 1, nango.ErrInvalidCredentials, 424},
		{"500 invalid_credentials: never retried", nangotest.Fault{Status: 500, Body: `{"error":{"code":"invalid_credentials"}}`}, -1, 1, nango.ErrInvalidCredentials, 500},
		{"401: never retried", nangotest.Fault{Status: 401, Body: `{"error":{"code":"unknown_account"}}`}, -1, 1, nango.ErrUnauthorized, 401},
		{"403: never retried", nangotest.Fault{Status: 403, Body: `{"error":{"code":"forbidden"}}`}, -1, 1, nango.ErrForbidden, 403},
		{"404: never retried", nangotest.Fault{Status: 404, Body: `{"error":{"code":"not_found"}}`}, -1, 1, nango.ErrNotFound, 404},
		{"400: never retried", nangotest.Fault{Status: 400, Body: `{"error":{"code":"invalid_query_params"}}`}, -1, 1, nil, 400},
		{"415: never retried", nangotest.Fault{Status: 415, Body: `{"error":{"code":"invalid_content_type"}}`}, -1, 1, nil, 415},
		{"200 text/plain: not retried", nangotest.Fault{Status: 200, ContentType: "text/plain", Body: "ok", OffContract: true}, -1, 1, nango.ErrUnexpectedResponse, 200},
		{"empty 200: not retried", nangotest.Fault{Status: 200, Body: "", OffContract: true}, -1, 1, nango.ErrUnexpectedResponse, 200},
		{"truncated json 200: not retried", nangotest.Fault{Status: 200, Body: `{"id":1,"credentials":{"type":"OAUTH2","acc`, OffContract: true}, -1, 1, nango.ErrUnexpectedResponse, 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, c, w := fakeClientChecked(t, !tc.fault.OffContract)
			srv.FailNext(tc.times, tc.fault)
			tok, err := c.GetToken(context.Background(), "github", "u1")
			if got := len(srv.Requests()); got != tc.attempts {
				t.Errorf("%d attempts, want %d", got, tc.attempts)
			}
			if len(w.All()) != tc.attempts-1 {
				t.Errorf("%d waits for %d attempts", len(w.All()), tc.attempts)
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
			var apiErr *nango.APIError
			var ue *nango.UnexpectedResponseError
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

// TestRetryAfterPastDeadline: a wait that would outlive the caller's deadline
// is not started; the 429 comes back at once, with RetryAfter set.
func TestRetryAfterPastDeadline(t *testing.T) {
	srv, c, w := fakeClient(t)
	srv.FailNext(-1, nangotest.RateLimited(20*time.Second))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := c.GetToken(ctx, "github", "u1")
	var apiErr *nango.APIError
	if !errors.As(err, &apiErr) || apiErr.RetryAfter != 20*time.Second || !errors.Is(err, nango.ErrRateLimited) {
		t.Fatalf("err = %v", err)
	}
	if len(srv.Requests()) != 1 || len(w.All()) != 0 {
		t.Errorf("%d attempts, waits %v", len(srv.Requests()), w.All())
	}
	// Over the cap: the same, even without a deadline.
	srv2, c2, w2 := fakeClient(t, nango.WithMaxRetryAfter(10*time.Second))
	srv2.FailNext(-1, nangotest.RateLimited(20*time.Second))
	if _, err := c2.GetToken(context.Background(), "github", "u1"); !errors.Is(err, nango.ErrRateLimited) || len(w2.All()) != 0 || len(srv2.Requests()) != 1 {
		t.Errorf("over the cap: %v, waits %v", err, w2.All())
	}
}

func TestCancelDuringBackoff(t *testing.T) {
	srv, c, _ := fakeClient(t, nango.WithBackoff(time.Hour, time.Hour), nango.WithRetryBudget(2*time.Hour))
	sleeping := make(chan struct{})
	nango.SetSleep(c, func(ctx context.Context, d time.Duration) error {
		close(sleeping)
		return nango.Sleep(ctx, d) // the real one, for up to an hour
	})
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
		var apiErr *nango.APIError
		if !errors.As(err, &apiErr) || apiErr.StatusCode != 500 {
			t.Errorf("the last failure is lost: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the backoff sleep ignored the cancelled context")
	}
}

// TestConcurrentCalls: 500 calls at once, with and without coalescing.
func TestConcurrentCalls(t *testing.T) {
	for _, coalesce := range []bool{true, false} {
		t.Run(fmt.Sprintf("coalescing %t", coalesce), func(t *testing.T) {
			srv, c, _ := fakeClient(t, nango.WithCoalescing(coalesce))
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
	logger := nango.NewTestLogger(&buf, &mu)
	srv, c, _ := fakeClient(t, nango.WithLogger(logger))
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
	for _, secret := range []string{srv.SecretKey(), "tok-1", "u1"} {
		if strings.Contains(out, secret) {
			t.Errorf("log holds %q:\n%s", secret, out)
		}
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
		{"2", 2*time.Second + nango.RetryAfterMargin, 2*time.Second + nango.RetryAfterMargin},
		{date, 1*time.Second + nango.RetryAfterMargin, 3*time.Second + nango.RetryAfterMargin}, // whole seconds, and the test's own latency
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
			got := w.All()
			if len(got) != 1 || got[0] < tc.min || got[0] > tc.max {
				t.Errorf("waited %v, want between %v and %v", got, tc.min, tc.max)
			}
		})
	}
}

// TestSentWriteNotRetried: a write is repeated only when the request
// provably never left (see TestWritesRetryOnlyWhenUnsent); a 503 after it
// was sent is final.
func TestSentWriteNotRetried(t *testing.T) {
	srv, c, _ := fakeClient(t)
	srv.FailNext(-1, nangotest.Fault{Status: 503, Body: `{"error":{"code":"server_error"}}`})
	if err := c.DeleteConnection(context.Background(), "github", "u1"); err == nil || len(srv.Requests()) != 1 {
		t.Errorf("sent write retried: %d attempts, %v", len(srv.Requests()), err)
	}
}

// TestRetryAfterOverflow: a Retry-After too large for an int64 is over the
// cap like any other, not absent: no immediate retry.
func TestRetryAfterOverflow(t *testing.T) {
	srv, c, w := fakeClientChecked(t, false) // the spec's Retry-After is an int64
	srv.FailNext(-1, nangotest.Fault{Status: 429, Header: http.Header{"Retry-After": {"99999999999999999999999"}},
		Body: `{"error":{"code":"too_many_request"}}`, OffContract: true})
	_, err := c.GetToken(context.Background(), "github", "u1")
	var apiErr *nango.APIError
	if !errors.As(err, &apiErr) || !errors.Is(err, nango.ErrRateLimited) || apiErr.RetryAfter <= 0 {
		t.Fatalf("err = %v", err)
	}
	if n := len(srv.Requests()); n != 1 || len(w.All()) != 0 {
		t.Errorf("%d attempts, waits %v: an unreadably large Retry-After was retried", n, w.All())
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
	got := w.All()
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
	var apiErr *nango.APIError
	if !errors.As(err, &apiErr) || !errors.Is(err, nango.ErrRateLimited) || apiErr.RetryAfter != 7*time.Second {
		t.Fatalf("err = %v", err)
	}
	if n := len(srv.Requests()); n != 1 || len(w.All()) != 0 {
		t.Errorf("%d attempts, waits %v, want a single attempt and no wait", n, w.All())
	}

	srv2, c2, w2 := fakeClient(t, nango.WithRetryBudget(time.Minute))
	srv2.FailNext(1, nangotest.RateLimited(7*time.Second))
	if _, err := c2.GetToken(context.Background(), "github", "u1"); err != nil || len(w2.All()) != 1 || len(srv2.Requests()) != 2 {
		t.Errorf("with a minute of budget: %v, waits %v", err, w2.All())
	}
	if _, err := nango.New("11111111-1111-4111-8111-111111111111", nango.WithRetryBudget(0)); !errors.Is(err, nango.ErrInvalidArgument) {
		t.Errorf("nango.WithRetryBudget(0): %v", err)
	}
}
