package nango

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestHTTPClientUsesRequestContext: the token read before a provider
// request is bounded by that request's context, not by the context given
// to HTTPClient.
func TestHTTPClientUsesRequestContext(t *testing.T) {
	noLeaks(t)
	c, _ := slowServer(t, 5*time.Second)
	closeIdle(t, c)
	provider := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(provider.Close)

	hc := c.HTTPClient(context.Background(), "github", "u1", provider.Client())
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, provider.URL, nil)
	start := time.Now()
	resp, err := hc.Do(req)
	if err == nil {
		resp.Body.Close()
	}
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 3*time.Second {
		t.Errorf("err = %v after %v, want the request's deadline to end the token read", err, time.Since(start))
	}

	// The construction context still ends the client.
	gone, stop := context.WithCancel(context.Background())
	stop()
	hc = c.HTTPClient(gone, "github", "u1", provider.Client())
	if resp, err := hc.Get(provider.URL); !errors.Is(err, context.Canceled) {
		if err == nil {
			resp.Body.Close()
		}
		t.Errorf("after the construction context ended: %v", err)
	}
}
