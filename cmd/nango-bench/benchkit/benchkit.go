// Package benchkit holds what the SDK's benchmarks compare against: a
// minimal hand-written client for GET /connections/{id}, and a load loop.
// The go test benchmarks and cmd/nango-bench share it.
package benchkit

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Minimal is what a developer would write by hand to read a token: net/http
// and encoding/json, nothing else. It is the floor any Go client can reach.
type Minimal struct {
	hc   *http.Client
	base string
	auth string
}

// NewMinimal returns a minimal client with a pool as large as the SDK's, so
// that the comparison is of the code, not of the socket settings.
func NewMinimal(base, secretKey string) *Minimal {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 128
	return &Minimal{hc: &http.Client{Transport: t, Timeout: 10 * time.Second}, base: base, auth: "Bearer " + secretKey}
}

// NewMinimalWithTransport is NewMinimal over rt: with an in-memory
// transport, it measures the client's own cost per call, without a network.
func NewMinimalWithTransport(base, secretKey string, rt http.RoundTripper) *Minimal {
	return &Minimal{hc: &http.Client{Transport: rt, Timeout: 10 * time.Second}, base: base, auth: "Bearer " + secretKey}
}

// NewBareMinimal is NewMinimalWithTransport without the client's timeout:
// the least a hand-written read can do, the floor GetToken's own cost is
// compared with in memory.
func NewBareMinimal(base, secretKey string, rt http.RoundTripper) *Minimal {
	return &Minimal{hc: &http.Client{Transport: rt}, base: base, auth: "Bearer " + secretKey}
}

// GetToken reads the access token of a connection.
func (m *Minimal) GetToken(ctx context.Context, providerConfigKey, connectionID string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet,
		m.base+"/connections/"+url.PathEscape(connectionID)+"?provider_config_key="+url.QueryEscape(providerConfigKey), nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", m.auth)
	resp, err := m.hc.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("status %d", resp.StatusCode)
	}
	var out struct {
		Credentials struct {
			Type        string `json:"type"`
			AccessToken string `json:"access_token"`
		} `json:"credentials"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return "", err
	}
	return out.Credentials.AccessToken, nil
}

// Throughput runs fn from conc goroutines for d and returns calls per
// second. Worker w passes w to fn, so that workers can use distinct ids.
func Throughput(d time.Duration, conc int, fn func(worker int) error) (float64, error) {
	var calls atomic.Int64
	var firstErr error
	var once sync.Once
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for time.Now().Before(deadline) {
				if err := fn(w); err != nil {
					once.Do(func() { firstErr = err })
					return
				}
				calls.Add(1)
			}
		}(w)
	}
	wg.Wait()
	return float64(calls.Load()) / time.Since(start).Seconds(), firstErr
}

// AllocsPerCall runs fn n times on one goroutine and returns the heap
// allocations per call (the client's: the server runs elsewhere).
func AllocsPerCall(n int, fn func() error) (float64, error) {
	if err := fn(); err != nil { // warm the pool and the caches
		return 0, err
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := 0; i < n; i++ {
		if err := fn(); err != nil {
			return 0, err
		}
	}
	runtime.ReadMemStats(&after)
	return float64(after.Mallocs-before.Mallocs) / float64(n), nil
}

// IDs are the connection ids the load uses, one per worker.
func IDs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("user-%d@example.com", i)
	}
	return out
}
