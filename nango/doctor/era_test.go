package doctor_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/nango-go/sdk/nango/doctor"
	"github.com/nango-go/sdk/nango/nangotest"
)

// oldServer plays an older Nango in front of the fake.
func oldServer(t *testing.T, wrap func(fake http.Handler) http.Handler, opts ...nangotest.Option) (*httptest.Server, *nangotest.Fake) {
	fake, err := nangotest.NewFake(append(opts, nangotest.OnViolation(func(err error) { t.Errorf("the fake itself: %v", err) }))...)
	if err != nil {
		t.Fatal(err)
	}
	seed(fake)
	srv := httptest.NewServer(wrap(fake))
	t.Cleanup(srv.Close)
	return srv, fake
}

func TestEraHints(t *testing.T) {
	cases := []struct {
		name   string
		wrap   func(http.Handler) http.Handler
		opts   []nangotest.Option
		option string // the hint's option
		auth   string
		routes string
	}{
		{"before mid-2025: /connection routes only", func(fake http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasPrefix(r.URL.Path, "/connections") {
					w.Header().Set("Content-Type", "text/html; charset=utf-8")
					w.WriteHeader(404)
					_, _ = w.Write([]byte("<pre>Cannot GET</pre>"))
					return
				}
				fake.ServeHTTP(w, r)
			})
		}, nil, "nango.WithLegacyPaths()", "bearer", "legacy"},
		{"before July 2023: HTTP Basic", func(fake http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(401)
					_, _ = w.Write([]byte(`{"error":"Authentication failed.","type":"invalid_secret_key"}`))
					return
				}
				fake.ServeHTTP(w, r)
			})
		}, []nangotest.Option{nangotest.AcceptBasicAuth()}, "nango.WithBasicAuth()", "basic", "current"},
		{"before mid-2024: {error, type} bodies", func(fake http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				rec := httptest.NewRecorder()
				fake.ServeHTTP(rec, r)
				if rec.Code < 400 {
					w.Header().Set("Content-Type", rec.Header().Get("Content-Type"))
					w.WriteHeader(rec.Code)
					_, _ = w.Write(rec.Body.Bytes())
					return
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(rec.Code)
				_, _ = w.Write([]byte(`{"error":"Something failed.","type":"unknown_connection"}`))
			})
		}, nil, "none: the SDK reads both error bodies", "bearer", "current"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv, fake := oldServer(t, c.wrap, c.opts...)
			rep := run(t, doctor.Config{Host: srv.URL, SecretKey: fake.SecretKey()})
			if !rep.OK() {
				t.Errorf("an old but supported server is not OK: %+v %v", rep.Rows, rep.Problems)
			}
			found := false
			for _, h := range rep.Hints {
				found = found || h.Option == c.option
			}
			if !found {
				t.Errorf("hints %+v, want one with option %s", rep.Hints, c.option)
			}
			if rep.Auth != c.auth || rep.Routes != c.routes {
				t.Errorf("auth %q routes %q, want %q %q", rep.Auth, rep.Routes, c.auth, c.routes)
			}
			reads := 0
			for _, row := range rep.Rows {
				if row.Status == 200 && row.Skipped == "" && strings.Contains(row.Route, "{connectionId}") {
					reads++
				}
			}
			if reads < 4 {
				t.Errorf("%d connection reads answered 200 after the era was found, want every integration read", reads)
			}
		})
	}
}

func TestRefusedKey(t *testing.T) {
	srv := nangotest.Start(t)
	seed(srv)
	rep := run(t, doctor.Config{Host: srv.URL, SecretKey: "00000000-0000-4000-8000-000000000000"})
	if rep.OK() || len(rep.Problems) != 1 || !strings.Contains(rep.Problems[0], "refused the secret key") || rep.Auth != "" {
		t.Fatalf("problems %v, auth %q", rep.Problems, rep.Auth)
	}
}
