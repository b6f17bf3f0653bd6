package nango

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// stallFirst answers with a connection, except for its first `stalled`
// requests, which get their headers and half a body, then nothing until the
// client goes away: the answer the issue measured (headers sent, body
// stalled). It counts requests, stalled or not.
func stallFirst(stalled int32, hits *atomic.Int32, release <-chan struct{}) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		n := hits.Add(1)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		if n > stalled {
			w.WriteHeader(http.StatusOK)
			_, _ = io.WriteString(w, connectionJSON(`{"type":"OAUTH2","access_token":"fresh"}`))
			return
		}
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, `{"id":1,"connection_id":"u1","credentials":{"type":"OAUTH2",`)
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}
}

// TestAttemptTimeoutUnderCallerDeadline: an attempt ends at the earlier of
// WithTimeout and the caller's deadline. With a per-attempt timeout far
// shorter than the caller's deadline (or RequestTimeout), a stalled body is
// abandoned when the attempt's time is up and the read is retried, with
// coalescing on and off, while the caller's context is still alive. (Before
// the fix the per-attempt timeout applied only without a deadline: the
// stalled attempt ran until the caller's 20 s were gone, and no retry
// followed.)
func TestAttemptTimeoutUnderCallerDeadline(t *testing.T) {
	for _, tc := range []struct {
		name     string
		coalesce bool
		// requestTimeout puts the deadline in RequestTimeout rather than on
		// the context.
		requestTimeout bool
	}{
		{"context deadline, coalescing off", false, false},
		{"context deadline, coalescing on", true, false},
		{"RequestTimeout, coalescing off", false, true},
		{"RequestTimeout, coalescing on", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hits atomic.Int32
			release := make(chan struct{})
			h := setupRaw(t, stallFirst(1, &hits, release), WithTimeout(300*time.Millisecond), WithCoalescing(tc.coalesce))
			t.Cleanup(func() { close(release) })

			ctx := context.Background()
			var meta ResponseMeta
			opts := []GetOption{CaptureResponse(&meta)}
			if tc.requestTimeout {
				opts = append(opts, RequestTimeout(20*time.Second))
			} else {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, 20*time.Second)
				defer cancel()
			}
			tok, err := h.client.GetToken(ctx, "github", "u1", opts...)
			if err != nil {
				t.Fatalf("GetToken: %v (attempts %d, requests %d): the stalled attempt was not abandoned and retried", err, meta.Attempts, hits.Load())
			}
			if tok.AccessToken != "fresh" {
				t.Errorf("token %q, want the one of the second answer", tok.AccessToken)
			}
			if meta.Attempts < 2 || int32(meta.Attempts) != hits.Load() {
				t.Errorf("attempts %d, requests %d: want the stalled attempt and at least one retry, each sent", meta.Attempts, hits.Load())
			}
			if ctx.Err() != nil {
				t.Errorf("the caller's context ended (%v): the attempt should have ended long before", ctx.Err())
			}
		})
	}
}

// TestAttemptTimeoutUnderCallerDeadlineMerged: several callers with
// far-away deadlines share a read whose first answer stalls: each of them
// sees its attempt end, retries, and gets the answer; the server saw the
// stalled request and the retries, no more requests than attempts.
func TestAttemptTimeoutUnderCallerDeadlineMerged(t *testing.T) {
	var hits atomic.Int32
	release := make(chan struct{})
	h := setupRaw(t, stallFirst(1, &hits, release), WithTimeout(300*time.Millisecond))
	t.Cleanup(func() { close(release) })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	const callers = 4
	var wg sync.WaitGroup
	metas := make([]ResponseMeta, callers)
	errs := make([]error, callers)
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = h.client.GetToken(ctx, "github", "u1", CaptureResponse(&metas[i]))
		}()
	}
	wg.Wait()
	total := 0
	for i := range callers {
		if errs[i] != nil {
			t.Errorf("caller %d: %v (attempts %d)", i, errs[i], metas[i].Attempts)
		}
		total += metas[i].Attempts
	}
	if hits.Load() < 2 || int(hits.Load()) > total {
		t.Errorf("%d requests for %d attempts: want the stalled one and a retry, and no request without an attempt", hits.Load(), total)
	}
	if ctx.Err() != nil {
		t.Errorf("the callers' context ended (%v)", ctx.Err())
	}
}

// TestAttemptTimeoutOfAWrite: a write whose answer stalls times out with
// its attempt, under a far-away deadline too, and is not sent again: the
// server may have acted on it.
func TestAttemptTimeoutOfAWrite(t *testing.T) {
	for _, coalesce := range []bool{false, true} {
		t.Run(fmt.Sprintf("coalescing %t", coalesce), func(t *testing.T) {
			var hits atomic.Int32
			release := make(chan struct{})
			h := setupRaw(t, stallFirst(1, &hits, release), WithTimeout(300*time.Millisecond), WithCoalescing(coalesce))
			t.Cleanup(func() { close(release) })
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			var meta ResponseMeta
			err := h.client.DeleteConnection(ctx, "github", "u1", CaptureResponse(&meta))
			if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ErrUnavailable) {
				t.Errorf("err = %v: want the attempt's timeout, as Nango unavailable", err)
			}
			if meta.Attempts != 1 || hits.Load() != 1 {
				t.Errorf("attempts %d, requests %d: a write that may have been sent must not be sent again", meta.Attempts, hits.Load())
			}
			if ctx.Err() != nil {
				t.Errorf("the caller's context ended (%v): the attempt should have ended long before", ctx.Err())
			}
		})
	}
}

// TestCallerDeadlineBeforeAttemptTimeout: when the caller's deadline comes
// first, it ends the attempt, and the error is the caller's (not Nango
// being unavailable), as before.
func TestCallerDeadlineBeforeAttemptTimeout(t *testing.T) {
	for _, coalesce := range []bool{false, true} {
		t.Run(fmt.Sprintf("coalescing %t", coalesce), func(t *testing.T) {
			var hits atomic.Int32
			release := make(chan struct{})
			h := setupRaw(t, stallFirst(1000, &hits, release), WithTimeout(time.Hour), WithCoalescing(coalesce))
			t.Cleanup(func() { close(release) })
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			var meta ResponseMeta
			_, err := h.client.GetToken(ctx, "github", "u1", CaptureResponse(&meta))
			if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrUnavailable) {
				t.Errorf("err = %v: want the caller's deadline, not ErrUnavailable", err)
			}
			if meta.Attempts != 1 {
				t.Errorf("attempts %d: the caller's deadline ends the call", meta.Attempts)
			}
		})
	}
}

// TestFollowerAttemptTimeoutUnderCallerDeadline: a merged caller whose own
// attempt deadline passes while the shared request is still under way (here
// a flight that never ends, planted in the group) sees a timed-out attempt,
// which it retries, and not its caller's deadline: its 20 s are not used up.
func TestFollowerAttemptTimeoutUnderCallerDeadline(t *testing.T) {
	var hits atomic.Int32
	h := setupRaw(t, stallFirst(0, &hits, nil), WithTimeout(200*time.Millisecond), WithMaxRetries(1))
	cl, err := h.client.connectionCall("github", "u1", nil)
	if err != nil {
		t.Fatal(err)
	}
	sh := h.client.flights.shard(cl.url)
	sh.mu.Lock()
	if sh.m == nil {
		sh.m = map[string]*flight{}
	}
	sh.m[cl.url] = &flight{waiters: 1} // a leader that never answers
	sh.mu.Unlock()
	t.Cleanup(func() { sh.mu.Lock(); delete(sh.m, cl.url); sh.mu.Unlock() })

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var meta ResponseMeta
	_, err = h.client.GetToken(ctx, "github", "u1", CaptureResponse(&meta))
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ErrUnavailable) {
		t.Errorf("err = %v: want timed-out attempts (ErrUnavailable)", err)
	}
	if meta.Attempts != 2 || hits.Load() != 0 {
		t.Errorf("attempts %d, requests %d: want two attempts, both waiting on the shared read", meta.Attempts, hits.Load())
	}
	if ctx.Err() != nil {
		t.Errorf("the caller's context ended (%v)", ctx.Err())
	}
}
