package nangotest

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func newLoopback(t *testing.T, h http.Handler) string {
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s.URL
}
