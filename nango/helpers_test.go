package nango

import (
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/nango-go/sdk/nango/internal/contract"
)

const testKey = "11111111-1111-4111-8111-111111111111"

// recorded is what the test server saw of one request.
type recorded struct {
	Method, Path, EscapedPath, RawQuery string
	Header                              http.Header
}

type harness struct {
	srv    *httptest.Server
	client *Client
	mu     sync.Mutex
	reqs   []recorded
}

func (h *harness) requests() []recorded {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]recorded(nil), h.reqs...)
}

// setup starts a loopback server running handler and a client pointed at it
// through the contract-validating transport. Options come after the
// harness's own, so tests may override them.
func setup(t *testing.T, handler http.HandlerFunc, opts ...Option) *harness {
	t.Helper()
	return setupWith(t, true, handler, opts...)
}

// setupRaw is setup without contract validation, for tests that send
// deliberately off-contract requests or responses.
func setupRaw(t *testing.T, handler http.HandlerFunc, opts ...Option) *harness {
	t.Helper()
	return setupWith(t, false, handler, opts...)
}

func setupWith(t *testing.T, validate bool, handler http.HandlerFunc, opts ...Option) *harness {
	t.Helper()
	h := &harness{}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		h.reqs = append(h.reqs, recorded{r.Method, r.URL.Path, r.URL.EscapedPath(), r.URL.RawQuery, r.Header.Clone()})
		h.mu.Unlock()
		handler(w, r)
	}))
	t.Cleanup(h.srv.Close)
	var rt http.RoundTripper = h.srv.Client().Transport
	if validate {
		v, err := contract.Load()
		if err != nil {
			t.Fatal(err)
		}
		rt = &contract.Transport{Base: rt, Validator: v, Report: t.Errorf}
	}
	all := append([]Option{
		WithHost(h.srv.URL),
		WithHTTPClient(&http.Client{Transport: rt}),
		WithBackoff(time.Millisecond, 5*time.Millisecond),
	}, opts...)
	c, err := New(testKey, all...)
	if err != nil {
		t.Fatal(err)
	}
	h.client = c
	return h
}

// respond returns a handler that always answers with status and body.
func respond(status int, contentType, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

func jsonBody(status int, body string) http.HandlerFunc {
	return respond(status, "application/json; charset=utf-8", body)
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func newTestLogger(w io.Writer, mu *sync.Mutex) *slog.Logger {
	return slog.New(slog.NewTextHandler(lockedWriter{mu, w}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type net_Conn = net.Conn
