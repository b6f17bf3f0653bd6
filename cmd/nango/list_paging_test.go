package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// TestListAllServerIgnoresPaging: `nango list --all` against a server that
// answers every page with the whole list ends with an error naming the
// cause, instead of printing the same connections for ever.
func TestListAllServerIgnoresPaging(t *testing.T) {
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if requests.Add(1) > 20 {
			http.Error(w, `{"error":{"code":"endless_walk"}}`, http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		var items []string
		for i := 3; i >= 1; i-- {
			items = append(items, fmt.Sprintf(`{"id":%d,"connection_id":"c%d","provider_config_key":"github","provider":"github","created":"2026-11-28T14:44:40.55+00:00"}`, i, i))
		}
		fmt.Fprintf(w, `{"connections":[%s]}`, strings.Join(items, ","))
	}))
	defer srv.Close()
	env := map[string]string{"NANGO_HOST": srv.URL, "NANGO_SECRET_KEY": "11111111-1111-4111-8111-111111111111"}
	for _, legacy := range []string{"", "--legacy-paths"} {
		requests.Store(0)
		args := []string{"list", "--all", "--limit", "2"}
		if legacy != "" {
			args = append(args, legacy)
		}
		code, out, errOut := runCLI(t, env, args...)
		if code == 0 || !strings.Contains(errOut, "ignored paging") || strings.Contains(out, "c1") || requests.Load() != 1 {
			t.Errorf("%v: exit %d after %d requests\nstdout %s\nstderr %s", args, code, requests.Load(), out, errOut)
		}
	}
	// Pages larger than the list: one page, every connection once.
	requests.Store(0)
	code, out, errOut := runCLI(t, env, "list", "--all")
	if code != 0 || strings.Count(out, `"connection_id": "c1"`) != 1 || requests.Load() != 1 {
		t.Errorf("exit %d after %d requests: %s %s", code, requests.Load(), out, errOut)
	}
}
