package nango

import (
	"context"
	"sync"
	"time"
)

// flightGroup merges identical reads that are in flight at the same time.
// Unlike a cache it keeps nothing: a call that starts after the shared
// request finished sends its own.
//
// The shared request runs in a goroutine of its own, on a context of its
// own, so that every caller, the one that started it included, returns by
// its own deadline or cancellation while the others go on waiting. The
// request ends when its answer arrives, when the last caller leaves, or at
// its own deadline: the latest of its callers' (a caller without one counts
// as now plus the per-attempt timeout).
type flightGroup struct {
	mu sync.Mutex
	m  map[string]*flight
}

type flight struct {
	key     string
	ctx     context.Context
	cancel  context.CancelFunc
	timer   *time.Timer // ends the request at the flight's deadline
	end     time.Time   // the flight's deadline
	done    chan struct{}
	r       reply
	err     error
	waiters int  // callers still interested
	dead    bool // cancelled or finished: must not be joined
}

// do runs fn once for all concurrent callers with the same key. end is the
// latest moment this caller wants the request to live: its deadline, or now
// plus the per-attempt timeout.
func (g *flightGroup) do(ctx context.Context, key string, end time.Time, fn func(context.Context) (reply, error)) (reply, error) {
	g.mu.Lock()
	f := g.m[key]
	if f != nil && !g.join(f, end) {
		f = nil
	}
	if f == nil {
		f = g.start(ctx, key, end, fn)
	}
	g.mu.Unlock()

	select {
	case <-f.done:
		return f.r, f.err
	case <-ctx.Done():
		g.leave(f)
		return reply{}, ctx.Err()
	}
}

// join adds a caller to f, pushing its deadline out if need be. It reports
// false for a flight that is cancelled or about to be: its result would be a
// cancellation the caller did not ask for. g.mu is held.
func (g *flightGroup) join(f *flight, end time.Time) bool {
	if f.dead || f.ctx.Err() != nil {
		return false
	}
	if end.After(f.end) {
		// Reset reports false when the timer already fired: the flight is
		// being ended.
		if !f.timer.Reset(time.Until(end)) {
			g.kill(f)
			return false
		}
		f.end = end
	}
	f.waiters++
	return true
}

// start begins a flight for key. g.mu is held.
func (g *flightGroup) start(ctx context.Context, key string, end time.Time, fn func(context.Context) (reply, error)) *flight {
	// WithoutCancel keeps the first caller's values (trace ids) but not its
	// cancellation, which must not reach the others.
	reqCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	f := &flight{key: key, ctx: reqCtx, cancel: cancel, end: end, done: make(chan struct{}), waiters: 1}
	f.timer = time.AfterFunc(time.Until(end), func() {
		g.mu.Lock()
		g.kill(f)
		g.mu.Unlock()
	})
	if g.m == nil {
		g.m = map[string]*flight{}
	}
	g.m[key] = f
	go func() {
		r, err := fn(reqCtx)
		g.mu.Lock()
		f.r, f.err = r, err
		g.kill(f)
		close(f.done)
		g.mu.Unlock()
	}()
	return f
}

// leave drops a caller that gave up; the last one out cancels the request.
func (g *flightGroup) leave(f *flight) {
	g.mu.Lock()
	f.waiters--
	if f.waiters == 0 {
		g.kill(f)
	}
	g.mu.Unlock()
}

// kill takes f out of the map, so that nobody joins it any more, and ends
// its request. g.mu is held.
func (g *flightGroup) kill(f *flight) {
	if f.dead {
		return
	}
	f.dead = true
	if g.m[f.key] == f {
		delete(g.m, f.key)
	}
	f.timer.Stop()
	f.cancel()
}
