package nango

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"
)

// Default waits of WaitForConnection: a first look soon after the user
// finished the Connect UI, then less often.
const (
	defaultPollFirst = time.Second
	defaultPollMax   = 10 * time.Second
)

// WaitOption changes a wait (WaitForConnection, WaitForActionResult):
// PollInterval, or any RequestOption (which applies to each read).
type WaitOption interface{ applyWait(*waitParams) }

type waitOption func(*waitParams)

func (f waitOption) applyWait(p *waitParams) { f(p) }

func (o RequestOption) applyWait(p *waitParams) { p.reqOpts = append(p.reqOpts, o) }

type waitParams struct {
	first, max time.Duration
	err        error
	reqOpts    []RequestOption
}

// PollInterval sets how a wait spaces its reads: the first pause is about
// first, each next one's ceiling doubles, up to max (defaults: 1s and 10s
// for WaitForConnection, 500ms and 5s for WaitForActionResult). Each pause
// is drawn between half its ceiling and the ceiling, so that many waiters
// spread out and none busy-loops. It needs 0 < first <= max.
func PollInterval(first, max time.Duration) WaitOption {
	return waitOption(func(p *waitParams) {
		if first <= 0 || max < first {
			p.err = invalidArgument("PollInterval: need 0 < first <= max, got %s and %s", first, max)
			return
		}
		p.first, p.max = first, max
	})
}

// waitParamsOf applies opts over the call's default pauses.
func waitParamsOf(first, max time.Duration, opts []WaitOption) (waitParams, error) {
	p := waitParams{first: first, max: max}
	for _, o := range opts {
		if o != nil {
			o.applyWait(&p)
		}
	}
	return p, p.err
}

// pollWait is the pause before read number n+1 (n >= 1): its ceiling
// doubles from first up to max, and the pause is drawn between half the
// ceiling and the ceiling ("equal jitter"): never close to zero, so that a
// wait is never a busy loop, and spread, so that waiters do not ask in step.
func (p *waitParams) pollWait(n int) time.Duration {
	ceiling := p.first
	for i := 1; i < n && ceiling < p.max; i++ {
		if ceiling > p.max/2 {
			ceiling = p.max // and no overflow
		} else {
			ceiling *= 2
		}
	}
	half := ceiling / 2
	return half + rand.N(ceiling-half+1)
}

// WaitForConnection reads the connection until it exists, and returns it
// with its credentials: the way to learn that an end user finished Nango's
// Connect UI when no webhook reaches you. It waits between reads (see
// PollInterval) until ctx ends, which is then the error; give ctx a
// deadline. A read that says the connection does not exist yet (an error
// matching ErrNotFound) is retried; any other failure ends the wait and is
// returned, a wrong provider config key (ErrUnknownProviderConfig)
// included.
//
// Node's waitForConnection takes an end user's id and lists that user's
// connections; this one watches one connection id, the one you gave the
// connect session or the one its webhook names.
func (c *Client) WaitForConnection(ctx context.Context, providerConfigKey, connectionID string, opts ...WaitOption) (*Connection, error) {
	if ctx == nil {
		return nil, invalidArgument("nil context")
	}
	if err := checkKeyAndID(providerConfigKey, connectionID); err != nil {
		return nil, err
	}
	p, err := waitParamsOf(defaultPollFirst, defaultPollMax, opts)
	if err != nil {
		return nil, err
	}
	getOpts := make([]GetOption, len(p.reqOpts))
	for i, o := range p.reqOpts {
		getOpts[i] = o
	}
	for n := 1; ; n++ {
		conn, err := c.GetConnection(ctx, providerConfigKey, connectionID, getOpts...)
		if err == nil {
			return conn, nil
		}
		if !errors.Is(err, ErrNotFound) {
			return nil, err
		}
		if err := c.sleep(ctx, p.pollWait(n)); err != nil {
			return nil, errors.Join(err, errNotYet)
		}
	}
}

// errNotYet says what a wait that ran out saw last.
var errNotYet = errors.New("nango: the connection did not appear before the context ended")
