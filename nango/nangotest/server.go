package nangotest

import (
	"net/http/httptest"
	"testing"
)

// Server is a Fake listening on loopback.
type Server struct {
	*Fake
	// URL is the base URL to give nango.WithHost.
	URL string
	// SecretKey is the key the server accepts.
	SecretKey string
	srv       *httptest.Server
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
	s := &Server{Fake: f, SecretKey: f.SecretKey()}
	s.srv = httptest.NewServer(f)
	s.URL = s.srv.URL
	return s, nil
}

// Close stops the server; Start's cleanup calls it.
func (s *Server) Close() { s.srv.Close() }
