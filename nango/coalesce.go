package nango

import (
	"context"
	"hash/maphash"
	"sync"
)

// flightGroup merges identical reads that are in flight at the same time.
// Unlike a cache it keeps nothing: a call that starts after the shared
// request finished sends its own.
//
// The first caller (the leader) sends the request itself, in its own
// goroutine and on its own context: a read nobody else makes costs no
// goroutine, channel or timer. Later callers (followers) wait for its
// answer, each on its own context, and leave when it ends. So every caller
// returns by its own attempt deadline or cancellation, and the request keeps
// the leader's attempt deadline (the earlier of its caller's deadline and
// the per-attempt timeout).
//
// When the leader gives up (its caller's context ends), its request ends
// with it; the followers still waiting do not inherit that cancellation:
// the first of them sends the request again, as the new leader. Merging
// thus never changes an outcome; it only saves requests.
type flightGroup struct {
	// Shards by key: on a busy service every read takes the lock twice, and
	// one lock for all of them is a queue.
	shards [flightShards]flightShard
}

const flightShards = 32

type flightShard struct {
	mu sync.Mutex
	m  map[string]*flight
	_  [40]byte // keep shards on separate cache lines
}

var flightSeed = maphash.MakeSeed()

func (g *flightGroup) shard(key string) *flightShard {
	return &g.shards[maphash.String(flightSeed, key)%flightShards]
}

type flight struct {
	done    chan struct{} // made when the first follower arrives; closed at the end
	r       reply
	err     error
	waiters int  // callers sharing the flight, the leader included
	again   bool // the leader gave up: followers send the request themselves
}

// do runs fn once for all concurrent callers with the same key. caller is
// the caller's own context (its giving up is not an answer to share); fn
// gets reqCtx, the caller's context bounded by the per-attempt timeout.
func (g *flightGroup) do(caller, reqCtx context.Context, key string, fn func(context.Context) (reply, error)) (reply, error) {
	g2 := g.shard(key)
	for {
		g2.mu.Lock()
		if f, ok := g2.m[key]; ok {
			f.waiters++
			if f.done == nil {
				f.done = make(chan struct{})
			}
			done := f.done
			g2.mu.Unlock()
			select {
			case <-done:
				if f.again {
					continue // the leader left: lead a fresh request
				}
				return f.r, ownCopy(f.err)
			case <-reqCtx.Done():
				g2.mu.Lock()
				f.waiters--
				g2.mu.Unlock()
				return reply{}, reqCtx.Err()
			}
		}
		if g2.m == nil {
			g2.m = map[string]*flight{}
		}
		f := &flight{waiters: 1}
		g2.m[key] = f
		g2.mu.Unlock()

		ended := false
		defer func() {
			if ended {
				return
			}
			// fn panicked: a flight left in the map would hold every later
			// identical read until its timeout. Followers lead their own.
			g2.mu.Lock()
			delete(g2.m, key)
			f.again = true
			if f.done != nil {
				close(f.done)
			}
			g2.mu.Unlock()
		}()
		r, err := fn(reqCtx)
		ended = true

		g2.mu.Lock()
		delete(g2.m, key)
		f.r, f.err = r, err
		f.again = err != nil && caller.Err() != nil
		if f.done != nil {
			close(f.done)
		}
		g2.mu.Unlock()
		return r, err
	}
}

// ownCopy gives a follower its own *APIError, so that a caller changing its
// error does not change the others'.
func ownCopy(err error) error {
	if e, ok := err.(*APIError); ok {
		c := *e
		return &c
	}
	return err
}
