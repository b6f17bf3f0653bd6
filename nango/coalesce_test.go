package nango

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// slowServer answers every read after a pause, long enough for concurrent
// callers to pile up on one request.
func slowServer(t *testing.T, pause time.Duration) (*Client, *atomic.Int32) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := hits.Add(1)
		select {
		case <-time.After(pause):
		case <-r.Context().Done():
			return
		}
		jsonBody(200, connectionJSON(`{"type":"OAUTH2","access_token":"t`+string(rune('0'+n%10))+`"}`))(w, r)
	}))
	t.Cleanup(srv.Close)
	c, err := New(testKey, WithHost(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	return c, &hits
}

func TestCoalesceIdenticalReads(t *testing.T) {
	c, hits := slowServer(t, time.Second)
	var wg sync.WaitGroup
	tokens := make([]string, 64)
	for i := range tokens {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			tok, err := c.GetToken(context.Background(), "github", "u1")
			if err != nil {
				t.Error(err)
			}
			tokens[i] = tok.AccessToken
		}(i)
	}
	wg.Wait()
	if n := hits.Load(); n < 1 || n > 2 {
		t.Errorf("64 identical reads sent %d requests, want at most 2", n)
	}
	// Nothing is kept: the next read asks again.
	before := hits.Load()
	if _, err := c.GetToken(context.Background(), "github", "u1"); err != nil || hits.Load() != before+1 {
		t.Errorf("a read after the shared one was not sent: %v", err)
	}
}

func TestCoalesceKeepsOptionsApart(t *testing.T) {
	c, hits := slowServer(t, time.Second)
	var wg sync.WaitGroup
	for i := 0; i < 32; i++ {
		for _, opts := range [][]GetOption{nil, {ForceRefresh()}} {
			wg.Add(1)
			go func(opts []GetOption) {
				defer wg.Done()
				if _, err := c.GetToken(context.Background(), "github", "u1", opts...); err != nil {
					t.Error(err)
				}
			}(opts)
		}
	}
	wg.Wait()
	if n := hits.Load(); n < 2 || n > 4 {
		t.Errorf("%d requests; a force-refresh read must never join a plain one", n)
	}
}

func TestCoalesceCancelledCallerDoesNotCancelOthers(t *testing.T) {
	c, hits := slowServer(t, 2*time.Second)
	leaderCtx, cancelLeader := context.WithCancel(context.Background())
	followerCtx, cancelFollower := context.WithCancel(context.Background())
	results := make(chan error, 3)
	leader := make(chan error, 1)
	go func() { _, err := c.GetToken(leaderCtx, "github", "u1"); leader <- err }()
	for hits.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	go func() { _, err := c.GetToken(followerCtx, "github", "u1"); results <- err }()
	staying := make(chan error, 1)
	go func() { _, err := c.GetToken(context.Background(), "github", "u1"); staying <- err }()
	waitForWaiters(t, c, 3)
	cancelFollower()
	cancelLeader()
	if err := <-staying; err != nil {
		t.Fatalf("a caller that stayed got %v after others cancelled", err)
	}
	if err := <-results; !errors.Is(err, context.Canceled) {
		t.Errorf("the cancelled follower got %v", err)
	}
	// The leader sends the shared request in its own goroutine: it returns
	// with its cancellation at once, and its request ends with it; the
	// caller that stayed sends the request again rather than inherit the
	// cancellation (a second request, the price of a read that costs no
	// goroutine when nobody else waits).
	if err := <-leader; !errors.Is(err, context.Canceled) {
		t.Errorf("the cancelled leader got %v", err)
	}
	if n := hits.Load(); n != 2 {
		t.Errorf("%d requests, want the shared one and the stayer's own", n)
	}
}

func TestCoalesceLoneCancelStopsRequest(t *testing.T) {
	c, _ := slowServer(t, 10*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.GetToken(ctx, "github", "u1")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("the lone caller's deadline did not stop the request")
	}
}

// TestSocketsStayFlat: 16 busy callers reuse a handful of connections with
// the default transport; net/http's stock settings (2 idle per host) open
// new ones all the time.
func TestSocketsStayFlat(t *testing.T) {
	count := func(hc *http.Client) int32 {
		var opened atomic.Int32
		srv := httptest.NewUnstartedServer(jsonBody(200, connectionJSON(`{"type":"OAUTH2","access_token":"t"}`)))
		srv.Config.ConnState = func(_ net_Conn, s http.ConnState) {
			if s == http.StateNew {
				opened.Add(1)
			}
		}
		srv.Start()
		defer srv.Close()
		opts := []Option{WithHost(srv.URL), WithCoalescing(false)}
		if hc != nil {
			opts = append(opts, WithHTTPClient(hc))
		}
		c, _ := New(testKey, opts...)
		var wg sync.WaitGroup
		for w := 0; w < 16; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 100; i++ {
					if _, err := c.GetToken(context.Background(), "github", "u1"); err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		return opened.Load()
	}
	ours := count(nil)
	stock := count(&http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()})
	t.Logf("connections opened for 1600 reads by 16 callers: default transport %d, net/http stock %d", ours, stock)
	// 16 callers need 16 sockets; more appear when a request starts just
	// before another returns its socket to the pool, and on a loaded two-CPU
	// machine that race is frequent (33 seen once). A pool of net/http's
	// default size (2 idle per host) opens ~200-470 here: 48 keeps the two
	// far apart without failing on scheduling noise.
	if ours > 48 {
		t.Errorf("the default transport opened %d connections for 16 callers", ours)
	}
}

// waitForWaiters blocks until n callers share the one read in flight.
func waitForWaiters(t *testing.T, c *Client, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		got := 0
		for i := range c.flights.shards {
			sh := &c.flights.shards[i]
			sh.mu.Lock()
			for _, f := range sh.m {
				got = f.waiters
			}
			sh.mu.Unlock()
		}
		if got == n {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("%d callers never joined the shared read", n)
}

// noLeaks checks, after every other cleanup of the test (servers closed,
// idle connections dropped), that the test left no goroutine behind.
func noLeaks(t *testing.T) {
	t.Helper()
	before := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, before) })
}

// closeIdle drops the client's idle sockets when the test ends, so that
// their reader goroutines do not count as leaks.
func closeIdle(t *testing.T, c *Client) {
	t.Cleanup(c.httpClient.CloseIdleConnections)
}

// TestCoalesceLeaderKeepsItsDeadline: the caller that starts a shared read
// returns by its own deadline while others still wait, and so does a caller
// that joins.
func TestCoalesceLeaderKeepsItsDeadline(t *testing.T) {
	noLeaks(t)
	c, hits := slowServer(t, 3*time.Second)
	closeIdle(t, c)
	other := make(chan error, 1)
	go func() { _, err := c.GetToken(context.Background(), "github", "u1"); other <- err }()
	for hits.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	for _, role := range []string{"joiner"} {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		start := time.Now()
		_, err := c.GetToken(ctx, "github", "u1")
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 2*time.Second {
			t.Errorf("%s with a 200ms deadline: %v after %v", role, err, time.Since(start))
		}
	}
	if err := <-other; err != nil {
		t.Errorf("the caller without a deadline: %v", err)
	}

	// Now the deadline is on the caller that starts the flight.
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	leader := make(chan error, 1)
	start := time.Now()
	go func() { _, err := c.GetToken(ctx, "github", "u1"); leader <- err }()
	waitForWaiters(t, c, 1)
	go func() { _, err := c.GetToken(context.Background(), "github", "u1"); other <- err }()
	if err := <-leader; !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 2*time.Second {
		t.Errorf("leader with a 200ms deadline: %v after %v", err, time.Since(start))
	}
	if err := <-other; err != nil {
		t.Errorf("the follower without a deadline: %v", err)
	}
}

// TestCoalescePerAttemptTimeoutUnderDeadline: merging changes no outcome.
// With a caller's deadline far away, a 200ms WithTimeout and a server that
// takes 2s, every attempt times out (the earlier of the two ends it), with
// and without coalescing: the read fails as Nango being unavailable after
// its retries, before the caller's deadline.
func TestCoalescePerAttemptTimeoutUnderDeadline(t *testing.T) {
	noLeaks(t)
	for _, on := range []bool{false, true} {
		t.Run(fmt.Sprintf("coalescing %t", on), func(t *testing.T) {
			c, hits := slowServer(t, 2*time.Second)
			closeIdle(t, c)
			c.coalesce = on
			c.timeout = 200 * time.Millisecond
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			var meta ResponseMeta
			_, err := c.GetToken(ctx, "github", "u1", CaptureResponse(&meta))
			if !errors.Is(err, ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
				t.Errorf("err = %v, caller's context %v: want timed-out attempts, the caller's deadline untouched", err, ctx.Err())
			}
			// A request may still be on its way to the server when its
			// attempt ends: the server saw at most one per attempt.
			if meta.Attempts != 1+defaultMaxRetries || hits.Load() < 1 || hits.Load() > int32(meta.Attempts) {
				t.Errorf("attempts %d, requests %d: want every attempt made and timed out", meta.Attempts, hits.Load())
			}
		})
	}
}

// TestCoalesceFlightHasItsOwnTimeout: callers without a deadline still end
// at the per-attempt timeout, not wait forever on a stuck server.
func TestCoalesceFlightHasItsOwnTimeout(t *testing.T) {
	noLeaks(t)
	c, _ := slowServer(t, time.Hour)
	closeIdle(t, c)
	c.timeout = 100 * time.Millisecond
	c.maxRetries = 0
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			_, err := c.GetToken(context.Background(), "github", "u1")
			if !errors.Is(err, ErrUnavailable) || time.Since(start) > 5*time.Second {
				t.Errorf("err = %v after %v", err, time.Since(start))
			}
		}()
	}
	wg.Wait()
}

// TestCoalesceNeverJoinsCancelledFlight: a caller arriving as the last
// waiter of a flight leaves must start a fresh request, not inherit the
// cancellation.
func TestCoalesceNeverJoinsCancelledFlight(t *testing.T) {
	noLeaks(t)
	// While hold is set, a request is answered only when its caller gives
	// up, so that the flight is surely there to be seen (a fixed pause lost
	// that race on a loaded machine); the fresh request is answered at once.
	var hold atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hold.Load() {
			<-r.Context().Done()
			return
		}
		jsonBody(200, connectionJSON(`{"type":"OAUTH2","access_token":"t"}`))(w, r)
	}))
	t.Cleanup(srv.Close)
	c, err := New(testKey, WithHost(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	closeIdle(t, c)
	c.maxRetries = 0 // a retry would hide the inherited cancellation
	for i := range 100 {
		hold.Store(true)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			_, _ = c.GetToken(ctx, "github", "u1")
		}()
		waitForWaiters(t, c, 1)
		hold.Store(false)
		cancel()
		time.Sleep(time.Duration(i%3) * 100 * time.Microsecond)
		_, err := c.GetToken(context.Background(), "github", "u1")
		<-done
		if err != nil {
			t.Fatalf("try %d: a caller with a live context got %v", i, err)
		}
	}
}

// gateTransport holds each request until release, then fails it with a
// transport error.
type gateTransport struct{ release chan struct{} }

func (g *gateTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	<-g.release
	return nil, errors.New("connection reset by peer")
}

// flightWaiters counts the callers sharing flights right now.
func flightWaiters(c *Client) int {
	n := 0
	for i := range c.flights.shards {
		s := &c.flights.shards[i]
		s.mu.Lock()
		for _, f := range s.m {
			n += f.waiters
		}
		s.mu.Unlock()
	}
	return n
}

// TestCoalesceSharedFailureStaysUnavailable: merged callers share one
// failure. A follower whose own context ends just after the failure
// arrives must not mark the shared error as its caller's doing: the
// leader, whose context is alive, still sees Nango unavailable (and -race
// sees no write to a shared error).
func TestCoalesceSharedFailureStaysUnavailable(t *testing.T) {
	// One P: the leader closes the flight and cancels the follower's
	// context before the woken follower runs.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	for i := 0; i < 5; i++ {
		fctx, cancelFollower := context.WithCancel(context.Background())
		gt := &gateTransport{release: make(chan struct{})}
		c, err := New(testKey, WithHost("http://127.0.0.1:1"), WithHTTPClient(&http.Client{Transport: gt}), WithMaxRetries(0))
		if err != nil {
			t.Fatal(err)
		}
		leaderErr := make(chan error, 1)
		go func() {
			_, err := c.GetToken(context.Background(), "github", "u1")
			cancelFollower()
			leaderErr <- err
		}()
		for flightWaiters(c) != 1 {
			time.Sleep(time.Millisecond)
		}
		followerDone := make(chan struct{})
		go func() {
			defer close(followerDone)
			_, _ = c.GetToken(fctx, "github", "u1")
		}()
		for flightWaiters(c) != 2 {
			time.Sleep(time.Millisecond)
		}
		close(gt.release)
		<-followerDone
		if err := <-leaderErr; !errors.Is(err, ErrUnavailable) {
			t.Fatalf("round %d: the leader's error %v does not match ErrUnavailable", i, err)
		}
	}
}

// panicOnceTransport panics on its first request and answers the others.
type panicOnceTransport struct{ n atomic.Int32 }

func (p *panicOnceTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if p.n.Add(1) == 1 {
		panic("transport bug")
	}
	rec := httptest.NewRecorder()
	jsonBody(200, connectionJSON(`{"type":"OAUTH2","access_token":"t"}`))(rec, req)
	return rec.Result(), nil
}

// TestCoalescePanicLeavesNoFlight: a panic under a read (in a caller's
// transport or log handler, recovered by net/http's server, say) must not
// leave its flight behind, or every later identical read would wait on it
// until it timed out.
func TestCoalescePanicLeavesNoFlight(t *testing.T) {
	c, err := New(testKey, WithHost("http://127.0.0.1:1"), WithHTTPClient(&http.Client{Transport: &panicOnceTransport{}}))
	if err != nil {
		t.Fatal(err)
	}
	func() {
		defer func() { _ = recover() }()
		_, _ = c.GetToken(context.Background(), "github", "u1")
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := c.GetToken(ctx, "github", "u1"); err != nil {
		t.Fatalf("the read after a panic: %v", err)
	}
}
