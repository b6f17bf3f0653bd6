package nango_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/nango-go/sdk/nango"
)

// listServer answers the list routes from a list of connection ids
// (newest first), paging as told: honest, or ignoring limit and/or page as
// a server of 2023 or a proxy that drops the query does.
type listServer struct {
	mu          sync.Mutex
	ids         []string
	ignoreLimit bool
	ignorePage  bool
	old         bool        // 2023's item shape
	onRequest   func(n int) // called before answering request n (from 1)
	requests    int
	queries     []string
}

func (s *listServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests++
	s.queries = append(s.queries, r.URL.RawQuery)
	if s.onRequest != nil {
		s.onRequest(s.requests)
	}
	ids := append([]string{}, s.ids...)
	n := s.requests
	s.mu.Unlock()
	if n > 40 {
		// A walk that never ends: stop it, the test fails on the error.
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error":{"code":"endless_walk","message":"40 requests and counting"}}`))
		return
	}
	if r.URL.Path != "/connections" && r.URL.Path != "/connection" {
		http.NotFound(w, r)
		return
	}
	limit, page := len(ids), 0
	if v := r.URL.Query().Get("limit"); v != "" && !s.ignoreLimit {
		limit, _ = strconv.Atoi(v)
	}
	if v := r.URL.Query().Get("page"); v != "" && !s.ignorePage {
		page, _ = strconv.Atoi(v)
	}
	var items []map[string]any
	for i := page * limit; i < len(ids) && i < page*limit+limit; i++ {
		// Ids are numbers in the order the connections were made.
		n, _ := strconv.Atoi(strings.TrimPrefix(ids[i], "c"))
		item := map[string]any{"id": n, "connection_id": ids[i], "provider": "github", "created": "2026-11-28T14:44:40.55+00:00"}
		if !s.old {
			item["provider_config_key"] = "github"
			item["errors"] = []any{}
			item["tags"] = map[string]any{}
		}
		items = append(items, item)
	}
	if items == nil {
		items = []map[string]any{}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"connections": items})
}

// walk runs AllConnections with a stop after 50 items, so that a missing
// guard fails the test instead of looping for ever.
func walk(t *testing.T, c *nango.Client, opts ...nango.ListOption) (got []string, err error) {
	t.Helper()
	for conn, e := range c.AllConnections(context.Background(), opts...) {
		if e != nil {
			return got, e
		}
		got = append(got, conn.ConnectionID)
		if len(got) == 50 {
			t.Errorf("50 items and counting: %v", got)
			return got, nil
		}
	}
	return got, nil
}

// TestAllConnectionsServerIgnoresPaging: a server that ignores page and
// limit answers every page with the whole list. The walk ends with an error
// saying so, and yields no connection twice (issue 18: 101 items in 34
// requests before the caller broke out).
func TestAllConnectionsServerIgnoresPaging(t *testing.T) {
	three := []string{"c3", "c2", "c1"}
	cases := []struct {
		name         string
		srv          *listServer
		opts         []nango.ListOption
		want         string // the connections yielded
		requests     int
		ignoredError bool
	}{
		{"ignores page and limit", &listServer{ids: three, ignoreLimit: true, ignorePage: true},
			[]nango.ListOption{nango.PageSize(2)}, "", 1, true},
		{"ignores page and limit, 2023 items", &listServer{ids: three, ignoreLimit: true, ignorePage: true, old: true},
			[]nango.ListOption{nango.PageSize(2)}, "", 1, true},
		{"ignores page", &listServer{ids: three, ignorePage: true},
			[]nango.ListOption{nango.PageSize(2)}, "c3 c2", 2, true},
		{"ignores page, a full first page", &listServer{ids: []string{"c2", "c1"}, ignoreLimit: true, ignorePage: true},
			[]nango.ListOption{nango.PageSize(2)}, "c2 c1", 2, true},
		{"ignores limit", &listServer{ids: three, ignoreLimit: true},
			[]nango.ListOption{nango.PageSize(2)}, "", 1, true},
		{"ignores both, fewer than a page", &listServer{ids: three, ignoreLimit: true, ignorePage: true},
			[]nango.ListOption{nango.PageSize(5)}, "c3 c2 c1", 1, false},
		{"pages", &listServer{ids: []string{"c5", "c4", "c3", "c2", "c1"}},
			[]nango.ListOption{nango.PageSize(2)}, "c5 c4 c3 c2 c1", 3, false},
		{"pages, starting at page 1", &listServer{ids: []string{"c5", "c4", "c3", "c2", "c1"}},
			[]nango.ListOption{nango.PageSize(2), nango.Page(1)}, "c3 c2 c1", 2, false},
		{"pages, the last one full", &listServer{ids: []string{"c4", "c3", "c2", "c1"}},
			[]nango.ListOption{nango.PageSize(2)}, "c4 c3 c2 c1", 3, false},
	}
	for _, legacy := range []bool{false, true} {
		for _, tc := range cases {
			t.Run(fmt.Sprintf("%s, legacy %v", tc.name, legacy), func(t *testing.T) {
				s := &listServer{ids: tc.srv.ids, ignoreLimit: tc.srv.ignoreLimit, ignorePage: tc.srv.ignorePage, old: tc.srv.old}
				hs := httptest.NewServer(s)
				defer hs.Close()
				opts := []nango.Option{nango.WithHost(hs.URL), nango.WithMaxRetries(0)}
				if legacy {
					opts = append(opts, nango.WithLegacyPaths())
				}
				c, err := nango.New("11111111-1111-4111-8111-111111111111", opts...)
				if err != nil {
					t.Fatal(err)
				}
				got, err := walk(t, c, tc.opts...)
				if strings.Join(got, " ") != tc.want || s.requests != tc.requests {
					t.Errorf("yielded %v in %d requests (%v), want %q in %d", got, s.requests, s.queries, tc.want, tc.requests)
				}
				if tc.ignoredError {
					if !errors.Is(err, nango.ErrUnexpectedResponse) || !strings.Contains(err.Error(), "ignored paging") {
						t.Errorf("err %v, want the server's paging named", err)
					}
				} else if err != nil {
					t.Errorf("err %v", err)
				}
			})
		}
	}
}

// TestAllConnectionsPagesShiftedByACreation: pages count from the newest
// connection, so one created during the walk pushes the last item of a page
// onto the next; it is not yielded twice, and the walk goes on.
func TestAllConnectionsPagesShiftedByACreation(t *testing.T) {
	s := &listServer{ids: []string{"c4", "c3", "c2", "c1"}}
	s.onRequest = func(n int) {
		if n == 2 {
			s.ids = append([]string{"c5"}, s.ids...)
		}
	}
	hs := httptest.NewServer(s)
	defer hs.Close()
	c, err := nango.New("11111111-1111-4111-8111-111111111111", nango.WithHost(hs.URL))
	if err != nil {
		t.Fatal(err)
	}
	got, err := walk(t, c, nango.PageSize(2))
	if err != nil || strings.Join(got, " ") != "c4 c3 c2 c1" {
		t.Errorf("yielded %v, %v", got, err)
	}
}
