package nango

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nango-go/sdk/gen"
)

// Second angles on guards that one test each held (issue 18, item 7).

// heldServer holds every request until release is closed, then answers a
// token that names the request (path, query and X-Trace header), so that a
// caller can tell whether it got the answer to its own request.
func heldServer(t *testing.T) (h *harness, hits *atomic.Int32, release chan struct{}) {
	hits = &atomic.Int32{}
	release = make(chan struct{})
	h = setupRaw(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		tok := r.URL.EscapedPath() + "?" + r.URL.RawQuery + "#" + r.Header.Get("X-Trace")
		jsonBody(200, connectionJSON(`{"type":"OAUTH2","access_token":"`+tok+`"}`))(w, r)
	})
	return h, hits, release
}

// TestCoalesceKeys: a read in flight is shared only with a read that is the
// same request: two reads that differ in a path parameter, in a query
// parameter, or in a header are each sent, and each caller gets the answer
// to its own request; identical reads are merged.
func TestCoalesceKeys(t *testing.T) {
	type read func(c *Client) (string, error)
	token := func(key, id string, opts ...GetOption) read {
		return func(c *Client) (string, error) {
			tok, err := c.GetToken(context.Background(), key, id, opts...)
			return tok.AccessToken, err
		}
	}
	viaAPI := func(force bool) read {
		return func(c *Client) (string, error) {
			params := &gen.GetConnectionParams{ProviderConfigKey: "github"}
			if force {
				params.ForceRefresh = optTrue(true)
			}
			resp, err := c.API().GetConnectionWithResponse(context.Background(), "u1", params)
			if err != nil {
				return "", err
			}
			tok, err := decodeToken(reply{op: "x", status: resp.StatusCode(), body: resp.Body})
			return tok.AccessToken, err
		}
	}
	for _, tc := range []struct {
		name   string
		a, b   read
		merged bool
	}{
		{"identical reads", token("github", "u1"), token("github", "u1"), true},
		{"identical reads through API()", viaAPI(false), viaAPI(false), true},
		{"another connection id (path)", token("github", "u1"), token("github", "u2"), false},
		{"another provider_config_key (query)", token("github", "u1"), token("gitlab", "u1"), false},
		{"one more query flag", token("github", "u1"), token("github", "u1", IncludeRefreshToken()), false},
		{"one more query flag through API()", viaAPI(false), viaAPI(true), false},
		{"a header on one of them", token("github", "u1"), token("github", "u1", RequestHeader("X-Trace", "b")), false},
		{"other values of a header", token("github", "u1", RequestHeader("X-Trace", "a")), token("github", "u1", RequestHeader("X-Trace", "b")), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, hits, release := heldServer(t)
			c := h.client
			type result struct {
				tok string
				err error
			}
			first, second := make(chan result, 1), make(chan result, 1)
			go func() { tok, err := tc.a(c); first <- result{tok, err} }()
			waitFor(t, func() bool { return hits.Load() == 1 })
			go func() { tok, err := tc.b(c); second <- result{tok, err} }()
			if tc.merged {
				waitForWaiters(t, c, 2)
			} else {
				// Its own request reaches the server; merged by mistake,
				// it never would: the answers below tell.
				waitForOrGiveUp(func() bool { return hits.Load() == 2 })
			}
			close(release)
			a, b := <-first, <-second
			if a.err != nil || b.err != nil {
				t.Fatalf("errors %v, %v", a.err, b.err)
			}
			if tc.merged && (hits.Load() != 1 || a.tok != b.tok) {
				t.Errorf("identical reads: %d requests, tokens %q and %q: want one request, one answer", hits.Load(), a.tok, b.tok)
			}
			if !tc.merged && (hits.Load() != 2 || a.tok == b.tok) {
				t.Errorf("different reads: %d requests, tokens %q and %q: each must send its own and get its own answer", hits.Load(), a.tok, b.tok)
			}
		})
	}
}

// waitFor polls cond for up to 10 s and fails the test if it never holds.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	if !waitForOrGiveUp(cond) {
		t.Fatal("gave up waiting")
	}
}

// waitForOrGiveUp polls cond for up to 2 s.
func waitForOrGiveUp(cond func() bool) bool {
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

// panicHeldTransport holds its first request until release, then panics;
// it answers the others.
type panicHeldTransport struct {
	n       atomic.Int32
	release chan struct{}
}

func (p *panicHeldTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if p.n.Add(1) == 1 {
		<-p.release
		panic("transport bug")
	}
	rec := httptest.NewRecorder()
	jsonBody(200, connectionJSON(`{"type":"OAUTH2","access_token":"t"}`))(rec, req)
	return rec.Result(), nil
}

// TestCoalescePanicReleasesFollowers: a panic under a read that others
// share releases them: each sends the request itself and gets its answer
// (rather than wait out its timeout on a flight nobody will end), and a
// later identical read is not held either.
func TestCoalescePanicReleasesFollowers(t *testing.T) {
	pt := &panicHeldTransport{release: make(chan struct{})}
	c, err := New(testKey, WithHost("http://127.0.0.1:1"), WithHTTPClient(&http.Client{Transport: pt}), WithTimeout(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	panicked := make(chan any, 1)
	go func() {
		defer func() { panicked <- recover() }()
		_, _ = c.GetToken(context.Background(), "github", "u1")
	}()
	waitForWaiters(t, c, 1)
	const followers = 3
	errs := make(chan error, followers)
	var attempts [followers]ResponseMeta
	for i := range followers {
		go func() {
			_, err := c.GetToken(context.Background(), "github", "u1", CaptureResponse(&attempts[i]))
			errs <- err
		}()
	}
	waitForWaiters(t, c, 1+followers)
	close(pt.release)
	if p := <-panicked; p == nil || !strings.Contains(p.(string), "transport bug") {
		t.Fatalf("the leader's panic: %v", p)
	}
	for range followers {
		select {
		case err := <-errs:
			if err != nil {
				t.Errorf("a follower of the read that panicked: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("a follower of the read that panicked is still waiting on it")
		}
	}
	for i := range followers {
		if attempts[i].Attempts != 1 {
			t.Errorf("follower %d: %d attempts: the panic is not a failed attempt to retry", i, attempts[i].Attempts)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := c.GetToken(ctx, "github", "u1"); err != nil {
		t.Errorf("a read after the panic: %v", err)
	}
	if n := flightWaiters(c); n != 0 {
		t.Errorf("%d callers still on a flight", n)
	}
}

// TestRetryBudgetCountsTimeSpent: the budget is what is left of it, not
// its whole: a Retry-After that fits the budget on its own, but not after
// the time the first attempt took, is not waited for; the 429 comes back
// at once with RetryAfter set. The same Retry-After after a quick first
// answer is waited for (the control). The waits are recorded, not slept.
func TestRetryBudgetCountsTimeSpent(t *testing.T) {
	for _, tc := range []struct {
		name  string
		delay time.Duration // of the first answer
		waits int
	}{
		{"quick first answer: the wait fits", 0, 1},
		{"slow first answer: the wait no longer fits", 1500 * time.Millisecond, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hits atomic.Int32
			h := setupRaw(t, func(w http.ResponseWriter, r *http.Request) {
				if hits.Add(1) == 1 {
					time.Sleep(tc.delay)
					w.Header().Set("Retry-After", "1") // a wait of 1 s + the 1 s margin
					jsonBody(429, `{"error":{"code":"too_many_requests","message":"slow down"}}`)(w, r)
					return
				}
				jsonBody(200, connectionJSON(`{"type":"OAUTH2","access_token":"t"}`))(w, r)
			}, WithRetryBudget(3*time.Second))
			w := &waits{}
			h.client.sleep = w.sleep
			var meta ResponseMeta
			_, err := h.client.GetToken(context.Background(), "github", "u1", CaptureResponse(&meta))
			if got := len(w.all()); got != tc.waits {
				t.Errorf("waits %v, want %d", w.all(), tc.waits)
			}
			if tc.waits == 1 && (err != nil || meta.Attempts != 2) {
				t.Errorf("err %v, attempts %d: want the retry to succeed", err, meta.Attempts)
			}
			if tc.waits == 0 {
				var apiErr *APIError
				if !errors.As(err, &apiErr) || apiErr.StatusCode != 429 || apiErr.RetryAfter != time.Second || meta.Attempts != 1 {
					t.Errorf("err %v, attempts %d: want the 429 at once, with RetryAfter", err, meta.Attempts)
				}
			}
		})
	}
}
