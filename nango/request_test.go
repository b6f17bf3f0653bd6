package nango

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"
)

// TestRequestOptions: each per-call option changes that call only.
func TestRequestOptions(t *testing.T) {
	var calls atomic.Int32
	h := setup(t, func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		w.Header().Set("X-Request-Id", "req-"+r.Header.Get("X-Trace"))
		w.Header().Set("X-RateLimit-Limit", "200")
		w.Header().Set("X-RateLimit-Remaining", "155")
		w.Header().Set("X-RateLimit-Reset", "1795877134")
		if r.Header.Get("X-Fail") != "" && n == 1 {
			jsonBody(503, `{"error":{"code":"server_error"}}`)(w, r)
			return
		}
		if r.Header.Get("X-Slow") != "" {
			select {
			case <-r.Context().Done():
			case <-time.After(2 * time.Second):
			}
		}
		if r.URL.Path == "/connections" {
			jsonBody(200, `{"connections":[]}`)(w, r)
			return
		}
		jsonBody(200, connectionBody)(w, r)
	})
	ctx := context.Background()

	var meta ResponseMeta
	tok, err := h.client.GetToken(ctx, "github", "u1", ForceRefresh(), RequestHeader("X-Trace", "abc"), CaptureResponse(&meta))
	if err != nil || tok.AccessToken != "t" {
		t.Fatalf("GetToken: %v %v", tok, err)
	}
	if meta.StatusCode != 200 || meta.RequestID != "req-abc" || meta.Attempts != 1 || meta.RateLimit.Limit != 200 ||
		meta.RateLimit.Remaining != 155 || meta.RateLimit.Reset.Unix() != 1795877134 || meta.Header.Get("X-RateLimit-Limit") != "200" {
		t.Errorf("meta %+v", meta)
	}
	last := h.requests()[len(h.requests())-1]
	if last.Header.Get("X-Trace") != "abc" || last.RawQuery != "provider_config_key=github&force_refresh=true" {
		t.Errorf("request %+v", last)
	}

	// The retry count is per call: 0 sends once, and the meta says so.
	calls.Store(0)
	err = h.client.DeleteConnection(ctx, "github", "u1", RequestHeader("X-Fail", "1"), RequestMaxRetries(0), CaptureResponse(&meta))
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 503 || calls.Load() != 1 || meta.StatusCode != 503 || meta.Attempts != 1 {
		t.Errorf("delete: %v, %d calls, meta %+v", err, calls.Load(), meta)
	}
	calls.Store(0)
	if _, err := h.client.ListConnections(ctx, RequestHeader("X-Fail", "1"), RequestMaxRetries(3), CaptureResponse(&meta)); err != nil {
		t.Error(err)
	} else if calls.Load() != 2 || meta.Attempts != 2 || meta.StatusCode != 200 {
		t.Errorf("list: %d calls, meta %+v", calls.Load(), meta)
	}

	// The timeout bounds the whole call.
	start := time.Now()
	_, err = h.client.GetConnection(ctx, "github", "u1", RequestHeader("X-Slow", "1"), RequestTimeout(100*time.Millisecond))
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 1500*time.Millisecond {
		t.Errorf("timeout: %v after %v", err, time.Since(start))
	}

	for _, bad := range []RequestOption{RequestHeader("Authorization", "Bearer x"), RequestHeader("X-Bad", "a\nb"),
		RequestHeader("Bad Name", "v"), RequestTimeout(0), RequestMaxRetries(-1)} {
		n := len(h.requests())
		if _, err := h.client.GetToken(ctx, "github", "u1", bad); !errors.Is(err, ErrInvalidArgument) || len(h.requests()) != n {
			t.Errorf("bad option: %v", err)
		}
	}
}

// TestRequestHeaderNotCoalesced: reads with extra headers are distinct
// requests, never merged with an identical read in flight.
func TestRequestHeaderNotCoalesced(t *testing.T) {
	release := make(chan struct{})
	var calls atomic.Int32
	h := setup(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		<-release
		jsonBody(200, connectionBody)(w, r)
	})
	done := make(chan error, 2)
	for _, v := range []string{"a", "b"} {
		go func() {
			_, err := h.client.GetToken(context.Background(), "github", "u1", RequestHeader("X-Tenant", v))
			done <- err
		}()
	}
	for calls.Load() < 2 {
		time.Sleep(time.Millisecond)
	}
	close(release)
	for range 2 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

func TestNewFromEnv(t *testing.T) {
	t.Setenv("NANGO_SECRET_KEY", testKey)
	t.Setenv("NANGO_HOST", "http://localhost:3003")
	c, err := NewFromEnv()
	if err != nil || c.server != "http://localhost:3003/" {
		t.Fatalf("%v %v", c, err)
	}
	if c, err := NewFromEnv(WithHost("https://nango.example.com")); err != nil || c.server != "https://nango.example.com/" {
		t.Errorf("an option wins over NANGO_HOST: %v %v", c, err)
	}
	t.Setenv("NANGO_HOST", "")
	if c, err := NewFromEnv(); err != nil || c.server != DefaultHost+"/" {
		t.Errorf("default host: %v %v", c, err)
	}
	t.Setenv("NANGO_SECRET_KEY", "")
	if _, err := NewFromEnv(); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("no key: %v", err)
	}
}
