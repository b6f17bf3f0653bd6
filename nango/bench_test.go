package nango

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/nango-go/sdk/cmd/nango-bench/benchkit"
)

// The benchmarks run the SDK and a minimal hand-written client (net/http +
// encoding/json, the floor any Go client can reach) against the same
// loopback server, which answers a fixed, real-shaped connection.

var benchBody = []byte(`{"id":1,"connection_id":"user@example.com","provider_config_key":"github","provider":"github","errors":[],"end_user":null,"tags":{},"metadata":{},"connection_config":{},"webhook_url_override":null,"created_at":"2026-11-28T14:44:40.550+00:00","updated_at":"2026-11-28T14:44:40.550+00:00","last_fetched_at":"2026-11-28T14:44:50.866+00:00","credentials":{"type":"OAUTH2","access_token":"fake-gh-access-token-email","expires_at":"2030-01-01T00:00:00.000Z","raw":{"type":"OAUTH2","access_token":"fake-gh-access-token-email"}}}`)

var benchList = []byte(`{"connections":[` + strings_Repeat(`{"id":7,"connection_id":"with-refresh-token","provider_config_key":"github","provider":"github","errors":[],"end_user":null,"tags":{"env":"test"},"metadata":{"n":1,"team":"core"},"created":"2026-11-28T14:44:44.696+00:00"}`, ",", 20) + `]}`)

func strings_Repeat(s, sep string, n int) string {
	out := s
	for i := 1; i < n; i++ {
		out += sep + s
	}
	return out
}

func benchServer(b *testing.B) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		if r.URL.Path == "/connections" {
			_, _ = w.Write(benchList)
			return
		}
		_, _ = w.Write(benchBody)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// runConcurrent runs fn b.N times over conc goroutines; each goroutine has
// its own connection id, so that coalescing does not merge their requests.
func runConcurrent(b *testing.B, conc int, fn func(worker int) error) {
	b.ReportAllocs()
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, conc)
	b.ResetTimer()
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for next.Add(1) <= int64(b.N) {
				if err := fn(w); err != nil {
					errs <- err
					return
				}
			}
		}(w)
	}
	wg.Wait()
	b.StopTimer()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
}

var benchIDs = benchkit.IDs(64)

func BenchmarkGetToken(b *testing.B) {
	for _, conc := range []int{1, 16} {
		b.Run(fmt.Sprintf("minimal/c%d", conc), func(b *testing.B) {
			m := benchkit.NewMinimal(benchServer(b).URL, testKey)
			runConcurrent(b, conc, func(w int) error {
				_, err := m.GetToken(context.Background(), "github", benchIDs[w])
				return err
			})
		})
		for _, coalesce := range []bool{true, false} {
			b.Run(fmt.Sprintf("sdk/coalesce=%t/c%d", coalesce, conc), func(b *testing.B) {
				c, err := New(testKey, WithHost(benchServer(b).URL), WithCoalescing(coalesce))
				if err != nil {
					b.Fatal(err)
				}
				runConcurrent(b, conc, func(w int) error {
					_, err := c.GetToken(context.Background(), "github", benchIDs[w])
					return err
				})
			})
		}
	}
}

// memTransport answers every request with the connection body, in memory:
// what is left to measure is the client's own work per call.
type memTransport struct{}

func (memTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json; charset=utf-8"}},
		Body:          io.NopCloser(bytes.NewReader(benchBody)),
		ContentLength: int64(len(benchBody)), Request: r}, nil
}

// BenchmarkGetTokenInMemory compares the CPU and allocations per GetToken of
// the SDK with the minimal client's, with no network (the targets: at most
// 1.25x the time and 2x the allocations).
func BenchmarkGetTokenInMemory(b *testing.B) {
	b.Run("minimal", func(b *testing.B) {
		m := benchkit.NewMinimalWithTransport("http://nango.test", testKey, memTransport{})
		runConcurrent(b, 1, func(int) error { _, err := m.GetToken(context.Background(), "github", "u1"); return err })
	})
	b.Run("sdk", func(b *testing.B) {
		c, err := New(testKey, WithHost("http://localhost:3003"), WithHTTPClient(&http.Client{Transport: memTransport{}}), WithCoalescing(false))
		if err != nil {
			b.Fatal(err)
		}
		runConcurrent(b, 1, func(int) error { _, err := c.GetToken(context.Background(), "github", "u1"); return err })
	})
}

func BenchmarkHelpers(b *testing.B) {
	c, err := New(testKey, WithHost(benchServer(b).URL))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.Run("GetConnection", func(b *testing.B) {
		runConcurrent(b, 1, func(int) error { _, err := c.GetConnection(ctx, "github", "u1"); return err })
	})
	b.Run("GetRawTokenResponse", func(b *testing.B) {
		runConcurrent(b, 1, func(int) error { _, err := c.GetRawTokenResponse(ctx, "github", "u1"); return err })
	})
	b.Run("ListConnections", func(b *testing.B) {
		runConcurrent(b, 1, func(int) error { _, err := c.ListConnections(ctx); return err })
	})
}

// BenchmarkDecode isolates the decoding from the network.
func BenchmarkDecode(b *testing.B) {
	b.Run("token", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			_, _ = decodeToken(reply{op: "x", status: 200, body: benchBody})
		}
	})
	b.Run("connection", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			_, _ = decodeConnection(reply{op: "x", status: 200, body: benchBody})
		}
	})
}
