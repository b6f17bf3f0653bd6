package nango

import (
	"context"
	"sync"
)

// flightGroup merges identical reads that are in flight at the same time.
// Unlike a cache it keeps nothing: a call that starts after the shared
// request finished sends its own. The first caller runs the request in its
// own goroutine (a hand-off to another goroutine costs more than the
// request's own work on a loopback hop); later callers wait for it, each on
// its own context. The common case, a read nobody else is making, costs one
// small allocation and two map operations.
type flightGroup struct {
	mu sync.Mutex
	m  map[string]*flight
}

type flight struct {
	done    chan struct{} // made when the first follower arrives
	r       reply
	err     error
	waiters int                // callers still interested, the leader included
	cancel  context.CancelFunc // nil when the leader's context cannot end
}

// do runs fn once for all concurrent callers with the same key. The shared
// request is cancelled only when every caller has given up. A follower that
// gives up returns at once; the leader returns when the request ends, which
// is at once if nobody else waits (the request is then cancelled).
func (g *flightGroup) do(ctx context.Context, key string, fn func(context.Context) (reply, error)) (reply, error) {
	g.mu.Lock()
	if f, ok := g.m[key]; ok {
		f.waiters++
		if f.done == nil {
			f.done = make(chan struct{})
		}
		done := f.done
		g.mu.Unlock()
		select {
		case <-done:
			return f.r, f.err
		case <-ctx.Done():
			g.leave(f)
			return reply{}, ctx.Err()
		}
	}
	if g.m == nil {
		g.m = map[string]*flight{}
	}
	f := &flight{waiters: 1}
	g.m[key] = f
	g.mu.Unlock()

	reqCtx := ctx
	if ctx.Done() != nil {
		// The leader's cancellation must not reach followers: the request
		// runs on a context of its own, ended when the last caller leaves.
		reqCtx, f.cancel = context.WithCancel(context.WithoutCancel(ctx))
		stop := context.AfterFunc(ctx, func() { g.leave(f) })
		defer stop()
	}
	r, err := fn(reqCtx)

	g.mu.Lock()
	delete(g.m, key)
	f.r, f.err = r, err
	if f.done != nil {
		close(f.done)
	}
	g.mu.Unlock()
	if f.cancel != nil {
		f.cancel()
	}
	if cerr := ctx.Err(); cerr != nil && err != nil {
		return reply{}, cerr
	}
	return r, err
}

func (g *flightGroup) leave(f *flight) {
	g.mu.Lock()
	f.waiters--
	if f.waiters == 0 && f.cancel != nil {
		f.cancel()
	}
	g.mu.Unlock()
}
