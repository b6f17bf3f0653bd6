package nangotest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// FuzzHandler sends arbitrary requests to the fake's handler: whatever the
// method, path, query or body, it must not panic, and its answer must be
// well formed (a real status, a Content-Length that matches, JSON when it
// says JSON).
func FuzzHandler(f *testing.F) {
	for _, s := range []struct{ method, path, query, body string }{
		{"GET", "/connections/u1", "provider_config_key=github", ""},
		{"GET", "/connections", "limit=1&page=9223372036854775807", ""},
		{"GET", "/connections", "limit=2&page=4611686018427387904", ""},
		{"GET", "/connections", "tags[team]=core&integrationId=github,x", ""},
		{"GET", "/connection/u1", "provider_config_key=github&force_refresh=true", ""},
		{"POST", "/connections", "", `{"provider_config_key":"github","connection_id":"x","credentials":{"type":"OAUTH2","access_token":"a"}}`},
		{"PATCH", "/connections/u1", "provider_config_key=github", `{"tags":{"a":"b"}}`},
		{"POST", "/connections/metadata", "", `{"connection_id":["u1"],"provider_config_key":"github","metadata":{}}`},
		{"DELETE", "/connections/u1", "provider_config_key=github", ""},
		{"PUT", "/connections/%zz", "a=%", "null"},
	} {
		f.Add(s.method, s.path, s.query, []byte(s.body))
	}
	fake, err := NewFake(AllowInvalidRequests(), OnViolation(func(error) {}))
	if err != nil {
		f.Fatal(err)
	}
	if err := fake.Put(OAuth2("github", "u1", "t")); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, method, path, query string, body []byte) {
		if method == "" || strings.ContainsAny(method, " \t\r\n") {
			return
		}
		u := &url.URL{Path: path, RawQuery: query}
		if p, err := url.PathUnescape(path); err == nil {
			u.Path, u.RawPath = p, path
		}
		req := &http.Request{Method: method, URL: u, Header: http.Header{}, Host: "fake",
			Body: http.NoBody, ContentLength: int64(len(body))}
		if len(body) > 0 {
			req.Body = httpBody(body)
			req.Header.Set("Content-Type", "application/json")
		}
		req.Header.Set("Authorization", "Bearer "+DefaultSecretKey)
		req = req.WithContext(t.Context())
		rec := httptest.NewRecorder()
		fake.ServeHTTP(rec, req)
		res := rec.Result()
		if res.StatusCode < 100 || res.StatusCode > 599 {
			t.Fatalf("status %d", res.StatusCode)
		}
		got := rec.Body.Bytes()
		if cl := res.Header.Get("Content-Length"); cl != "" && cl != strconv.Itoa(len(got)) {
			t.Fatalf("Content-Length %s for %d bytes", cl, len(got))
		}
		if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") && !json.Valid(got) {
			t.Fatalf("invalid JSON answer %d: %q", res.StatusCode, got)
		}
	})
}

func httpBody(b []byte) *readCloser { return &readCloser{bytes.NewReader(b)} }

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }
