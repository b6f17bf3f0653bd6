package nango

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
)

// genBody is a body of n bytes made up as it is read, so that a test's
// allocations are the reader's alone: 'x' after prefix.
type genBody struct {
	prefix string
	n      int64 // bytes left, prefix included
	off    int
}

var xs = bytes.Repeat([]byte{'x'}, 32<<10)

func (g *genBody) Read(p []byte) (int, error) {
	if g.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > g.n {
		p = p[:g.n]
	}
	n := 0
	if g.off < len(g.prefix) {
		n = copy(p, g.prefix[g.off:])
		g.off += n
	}
	for n < len(p) {
		n += copy(p[n:], xs)
	}
	g.n -= int64(n)
	return n, nil
}

func (g *genBody) Close() error { return nil }

// bigTransport answers every request from memory with status and a body of
// size bytes, announced in Content-Length or not (chunked).
type bigTransport struct {
	status   int
	size     int64
	announce bool
	prefix   string
}

func (b bigTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		r.Body.Close()
	}
	cl := int64(-1)
	if b.announce {
		cl = b.size
	}
	return &http.Response{StatusCode: b.status, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json; charset=utf-8"}},
		Body:          &genBody{prefix: b.prefix, n: b.size},
		ContentLength: cl, Request: r}, nil
}

// allocated is the bytes fn allocates, on average over runs.
func allocated(runs int, fn func()) float64 {
	fn() // warm up: pools, lazily built tables
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range runs {
		fn()
	}
	runtime.ReadMemStats(&after)
	return float64(after.TotalAlloc-before.TotalAlloc) / float64(runs)
}

const hundredMB = 100_000_000

// TestCappedReadsAllocateTheCap: every read through a cap allocates about
// the cap when the body is longer than it, whether its length is announced
// or not: a 100 MB answer cut at the 32 MiB list cap costs about 32 MiB, not
// the several times it an append-grown buffer costs (~190 MiB measured
// before). What is measured is the call with the big body less the same
// call with a small one of announced length, so that the rest of the call
// does not count.
func TestCappedReadsAllocateTheCap(t *testing.T) {
	client := func(t *testing.T, rt http.RoundTripper) *Client {
		c, err := New(testKey, WithHost("http://localhost:3003"), WithHTTPClient(&http.Client{Transport: rt}),
			WithCoalescing(false), WithMaxRetries(0))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	type run func(size int64, announce bool) error
	cases := []struct {
		name string
		cap  int64
		runs int
		// announced: the case is also run with a Content-Length (for the
		// request bodies, a Content-Length the body does not keep to).
		announced bool
		call      func(t *testing.T) run
	}{
		{"list answer (ListConnections)", defaultMaxListBody, 1, true, func(t *testing.T) run {
			return func(size int64, announce bool) error {
				_, err := client(t, bigTransport{200, size, announce, ""}).ListConnections(context.Background())
				return err
			}
		}},
		{"list answer through API()", defaultMaxListBody, 1, true, func(t *testing.T) run {
			return func(size int64, announce bool) error {
				_, err := client(t, bigTransport{200, size, announce, ""}).API().ListConnectionsWithResponse(context.Background(), nil)
				return err
			}
		}},
		{"connection (GetConnection)", defaultMaxBody, 2, true, func(t *testing.T) run {
			return func(size int64, announce bool) error {
				_, err := client(t, bigTransport{200, size, announce, ""}).GetConnection(context.Background(), "github", "u1")
				return err
			}
		}},
		{"error body (404)", maxErrorBodyRead, 20, true, func(t *testing.T) run {
			return func(size int64, announce bool) error {
				_, err := client(t, bigTransport{404, size, announce, `{"error":{"code":"not_found","message":"`}).GetConnection(context.Background(), "github", "u1")
				if apiErr := (*APIError)(nil); !errors.As(err, &apiErr) || apiErr.StatusCode != 404 {
					return fmt.Errorf("want the 404, got %w", err)
				}
				return errors.New("cut")
			}
		}},
		{"proxy error peek", maxProxyErrorPeek, 50, false, func(t *testing.T) run {
			return func(size int64, announce bool) error {
				hc := client(t, bigTransport{400, size, announce, `{"error":{"code":"server_error","message":"`}).ProxyClient("github", "u1")
				resp, err := hc.Get("http://provider.test/v1/x")
				if err != nil {
					return err
				}
				resp.Body.Close()
				return errors.New("cut")
			}
		}},
		{"API() request body", maxAPIRequestBody, 1, true, func(t *testing.T) run {
			c := client(t, bigTransport{200, 2, true, ""})
			return func(size int64, announce bool) error {
				req, _ := http.NewRequest(http.MethodPost, c.origin+"/connections", &genBody{n: size})
				if announce {
					req.ContentLength = size / 2 // a body longer than it said
				}
				_, err := apiDoer{c}.Do(req)
				return err
			}
		}},
		{"webhook body", maxWebhookBody, 5, true, func(t *testing.T) run {
			h := mustClient(t).WebhookHandler(func(context.Context, Webhook) error { return nil })
			return func(size int64, announce bool) error {
				r := httptest.NewRequest(http.MethodPost, "/webhooks", &genBody{n: size})
				r.ContentLength = -1
				if announce {
					r.ContentLength = size / 2
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code == http.StatusRequestEntityTooLarge {
					return errors.New("cut")
				}
				return fmt.Errorf("status %d", w.Code)
			}
		}},
	}
	for _, tc := range cases {
		for _, announce := range []bool{false, true} {
			if announce && !tc.announced {
				continue
			}
			t.Run(fmt.Sprintf("%s/content-length %t", tc.name, announce), func(t *testing.T) {
				call := tc.call(t)
				var bigErr error
				big := allocated(tc.runs, func() { bigErr = call(hundredMB, announce) })
				if bigErr == nil {
					t.Fatal("a 100 MB body went through the cap")
				}
				// The baseline: the same call with a small body of
				// announced length, read into a buffer of its size.
				small := allocated(tc.runs, func() { _ = call(64, true) })
				got := big - small
				t.Logf("cap %d B: 100 MB body %.0f B, small body %.0f B: %.0f B for the body, %.2fx the cap (%v)",
					tc.cap, big, small, got, got/float64(tc.cap), bigErr)
				if limit := 1.25 * float64(tc.cap); got > limit {
					t.Errorf("reading up to a %d-byte cap allocated %.0f bytes (%.2fx), over %.0f", tc.cap, got, got/float64(tc.cap), limit)
				}
			})
		}
	}
}

func mustClient(t *testing.T) *Client {
	t.Helper()
	c, err := New(testKey)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestReadUpTo: the reader under every capped read returns the body whole
// up to the limit, and says when it is longer, whatever the announced length
// and however the body arrives; under the limit it allocates about the body:
// once when the length is announced, about twice without (chunks, then the
// one copy), never the several times an append-grown buffer costs.
func TestReadUpTo(t *testing.T) {
	const limit = 4 << 20
	for _, tc := range []struct {
		name  string
		size  int64
		hint  int64
		bound float64 // allocated / size
	}{
		{"announced, under the limit", 3 << 20, 3 << 20, 1.05},
		{"not announced, under the limit", 3 << 20, -1, 2.25},
		{"not announced, just past a chunk", 1<<20 + 1, -1, 2.25},
		{"announced short", 3 << 20, 1 << 20, 2.25},
		// More announced than the cap: one buffer of the cap.
		{"announced over the limit, shorter", 3 << 20, 5 << 20, 1.4},
		{"not announced, small", 300, -1, 2.25},
		{"empty", 0, -1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b []byte
			var over bool
			var err error
			got := allocated(3, func() { b, over, err = readUpTo(&genBody{prefix: "ab", n: tc.size}, tc.hint, limit) })
			if err != nil || over || int64(len(b)) != tc.size || (tc.size > 2 && string(b[:3]) != "abx") {
				t.Fatalf("len %d, over %t, err %v", len(b), over, err)
			}
			t.Logf("%d bytes read with %.0f allocated (%.2fx)", tc.size, got, got/float64(max(tc.size, 1)))
			if tc.size > 0 && got > tc.bound*float64(tc.size) || tc.size == 0 && got > 1024 {
				t.Errorf("allocated %.0f for %d bytes, over %.2fx", got, tc.size, tc.bound)
			}
		})
	}
	t.Run("over the limit", func(t *testing.T) {
		for _, lim := range []int64{limit, smallReadLimit, 100} {
			for _, hint := range []int64{-1, 0, 10, lim, lim + 1, 1 << 40} {
				var b []byte
				var over bool
				var err error
				got := allocated(1, func() { b, over, err = readUpTo(&genBody{prefix: "ab", n: lim + 100}, hint, lim) })
				if err != nil || !over {
					t.Errorf("limit %d, hint %d: over %t, err %v", lim, hint, over, err)
				}
				// A small cap keeps the start of the body (an error body's).
				if lim <= smallReadLimit && (int64(len(b)) != lim+1 || string(b[:2]) != "ab") {
					t.Errorf("limit %d, hint %d: %d bytes kept, want limit+1", lim, hint, len(b))
				}
				// A buffer over 32 KiB is rounded up to whole 8 KiB pages:
				// the cap's 64 KiB and one byte take 72 KiB.
				bound := 1.15
				if lim <= smallReadLimit && hint > 0 && hint < lim {
					// Longer than announced under a small cap, whose
					// start is kept: the buffer of the announced length,
					// one of the rest, then one copy.
					bound = 2.3
				}
				if got > bound*float64(lim)+1024 {
					t.Errorf("limit %d, hint %d: %.0f bytes allocated to find a body over the limit", lim, hint, got)
				}
			}
		}
	})
	t.Run("extreme lengths", func(t *testing.T) {
		for _, tc := range []struct{ hint, limit int64 }{
			{math.MaxInt64, limit}, {math.MaxInt64, smallReadLimit}, {-1, math.MaxInt64}, {300, math.MaxInt64},
		} {
			b, over, err := readUpTo(&genBody{n: 300}, tc.hint, tc.limit)
			if err != nil || over || len(b) != 300 {
				t.Errorf("hint %d, limit %d: len %d, over %t, err %v", tc.hint, tc.limit, len(b), over, err)
			}
		}
	})
	t.Run("read error", func(t *testing.T) {
		boom := errors.New("boom")
		for _, lim := range []int64{limit, smallReadLimit} {
			b, over, err := readUpTo(io.MultiReader(strings.NewReader(strings.Repeat("y", 5000)), errReader{boom}), -1, lim)
			if !errors.Is(err, boom) || over || len(b) != 5000 {
				t.Errorf("limit %d: len %d, over %t, err %v: want the bytes read before the error, and the error", lim, len(b), over, err)
			}
		}
	})
}
