package nangotest

import (
	"net/http/httptest"
	"testing"

	"github.com/nango-go/sdk/nango"
)

// Server is a Fake listening on loopback. Its key is SecretKey(), as the
// Fake's.
type Server struct {
	*Fake
	// URL is the base URL to give nango.WithHost.
	URL string
	srv *httptest.Server
	t   testing.TB // set by Start
}

// Start runs a fake on a loopback port for the length of the test. Contract
// violations (a request or answer that breaks openapi.yaml) fail the test.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	report := func(err error) { t.Errorf("nangotest: contract violation: %v", err) }
	s, err := NewServer(append([]Option{OnViolation(report)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	s.t = t
	t.Cleanup(s.Close)
	return s
}

// NewServer runs a fake on a loopback port until Close, outside a test
// (examples, programs). Violations go to OnViolation (default: stderr).
func NewServer(opts ...Option) (*Server, error) {
	f, err := NewFake(opts...)
	if err != nil {
		return nil, err
	}
	s := &Server{Fake: f}
	s.srv = httptest.NewServer(f)
	s.URL = s.srv.URL
	return s, nil
}

// Client returns a client of the server: its URL and key, then opts (which
// may override them). An invalid option fails the test of a server from
// Start; outside a test (NewServer) it panics, as there is no test to fail.
func (s *Server) Client(opts ...nango.Option) *nango.Client {
	c, err := nango.New(s.SecretKey(), append([]nango.Option{nango.WithHost(s.URL)}, opts...)...)
	if err != nil {
		if s.t != nil {
			s.t.Helper()
			s.t.Fatalf("nangotest: Client: %v", err)
		}
		panic("nangotest: Client: " + err.Error())
	}
	return c
}

// Close stops the server; Start's cleanup calls it. Asynchronous action
// runs still going get a cancelled context, and Close waits for them.
func (s *Server) Close() {
	s.srv.Close()
	s.stopActions()
}
