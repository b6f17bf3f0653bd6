package nango

import (
	"context"
	"time"
)

// Hooks for the tests of package nango_test, which use nangotest (itself an
// importer of nango, so those tests cannot live in package nango).

// SetSleep replaces the backoff sleep of a client, to record the waits.
func SetSleep(c *Client, fn func(context.Context, time.Duration) error) { c.sleep = fn }

// Sleep is the client's real backoff sleep.
var Sleep = sleep

// NewTestLogger is a debug logger writing to w under mu.
var NewTestLogger = newTestLogger

// RetryAfterMargin is what the client adds to a Retry-After.
const RetryAfterMargin = retryAfterMargin

// Waits records the backoff a client asked for instead of sleeping it.
type Waits = waits

// Sleep records d.
func (w *waits) Sleep(ctx context.Context, d time.Duration) error { return w.sleep(ctx, d) }

// All is what was recorded.
func (w *waits) All() []time.Duration { return w.all() }
