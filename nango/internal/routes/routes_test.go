package routes

import (
	"net/http"
	"testing"
)

func TestMatch(t *testing.T) {
	for _, prefix := range []string{"", "/nango"} {
		tb := New(prefix)
		for _, tc := range []struct{ method, path, want string }{
			{"GET", "/connections/a%2Fb", "GET /connections/{connectionId}"},
			{"GET", "/connections/%2F", "GET /connections/{connectionId}"},
			{"GET", "/connections/..", "GET /connections/{connectionId}"},
			{"GET", "/connections/a%2F..%2Fb", "GET /connections/{connectionId}"},
			{"GET", "/connections/a%20b", "GET /connections/{connectionId}"},
			{"PATCH", "/connections/metadata", "PATCH /connections/metadata"},
			{"PATCH", "/connections/user-1", "PATCH /connections/{connectionId}"},
			{"GET", "/connections/metadata", "GET /connections/{connectionId}"},
			{"POST", "/connection/x/metadata", "POST /connection/{connectionId}/metadata"},
			{"GET", "/connections", "GET /connections"},
			{"GET", "/integrations/github", "GET /integrations/{uniqueKey}"},
			{"GET", "/connections/", ""},
			{"GET", "/connections/a/b", ""},
			{"PUT", "/connections/a", ""},
			{"GET", "/nope", ""},
		} {
			req, _ := http.NewRequest(tc.method, "http://h"+prefix+tc.path, nil)
			got, ok := tb.Match(req)
			if got != tc.want || ok != (tc.want != "") {
				t.Errorf("prefix %q: %s %s: %q %t, want %q", prefix, tc.method, tc.path, got, ok, tc.want)
			}
		}
	}
	if n := len(New("").Patterns()); n < 20 {
		t.Errorf("only %d operations", n)
	}
}
