package nango

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Retry policy defaults. Token reads sit on the hot path of the caller's own
// requests, so the defaults favour failing within seconds over waiting long.
const (
	defaultMaxRetries    = 2
	defaultBackoffBase   = 250 * time.Millisecond
	defaultBackoffMax    = 4 * time.Second
	defaultMaxRetryAfter = 30 * time.Second
	// defaultRetryBudget bounds a whole call, waits included: a 429 with
	// Retry-After: 7 would otherwise hold a request handler 14 s (twice the
	// wait), and up to a minute at the Retry-After cap.
	defaultRetryBudget = 5 * time.Second
	// retryAfterMargin is added to a Retry-After wait: Nango rounds the
	// header down to whole seconds, so waiting exactly that long can land
	// just before its window resets and earn a second 429.
	retryAfterMargin = time.Second
)

// retryableStatus lists the statuses that say "try again": the request was
// not processed or the server is briefly unable to.
func retryableStatus(code int) bool {
	switch code {
	case http.StatusRequestTimeout, http.StatusTooManyRequests,
		http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// shouldRetry decides on a failed attempt. A refresh that failed at the
// provider (invalid_credentials) never is retried: Nango already tried, and a
// retry would only hit the provider's refresh endpoint again. Nor is an
// action's own failure (a 500 action_script_runtime_error): reading it again
// gives the same answer.
func shouldRetry(err error) bool {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.Code != "invalid_credentials" && !actionFailed(apiErr) && retryableStatus(apiErr.StatusCode)
	}
	var tErr *transportError
	return errors.As(err, &tErr)
}

// backoff is the wait before retry number n (1-based): full jitter over an
// exponential ceiling, so that many clients failing together spread out.
func (c *Client) backoff(n int) time.Duration {
	ceiling := c.backoffBase << (n - 1)
	if ceiling <= 0 || ceiling > c.backoffMax {
		ceiling = c.backoffMax
	}
	if ceiling <= 0 {
		return 0
	}
	return rand.N(ceiling + 1)
}

// parseRetryAfter reads a Retry-After header in either form: delay-seconds or
// an HTTP date. ok is false when the header is absent or unreadable.
func parseRetryAfter(v string, now time.Time) (d time.Duration, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		return min(time.Duration(min(secs, maxRetryAfterSecs))*time.Second, maxRetryAfterHeader), true
	}
	if allDigits(v) {
		// Too many seconds for an int64: as far over the cap as can be, not
		// absent (which would retry at once).
		return maxRetryAfterHeader, true
	}
	if t, err := http.ParseTime(v); err == nil {
		// A date far ahead would overflow a Duration: clamp it like the
		// seconds form.
		return min(max(t.Sub(now), 0), maxRetryAfterHeader), true
	}
	return 0, false
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// maxRetryAfterHeader bounds what a Retry-After header can say; the client
// waits at most WithMaxRetryAfter anyway.
const (
	maxRetryAfterHeader = 24 * time.Hour
	maxRetryAfterSecs   = int64(maxRetryAfterHeader / time.Second)
)

// sleep waits for d or until ctx is done, whichever is first.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
