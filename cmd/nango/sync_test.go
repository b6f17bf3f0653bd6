package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/nango-go/sdk/nango/nangotest"
)

func TestSyncCommand(t *testing.T) {
	srv := nangotest.Start(t)
	srv.SeedDemo()
	if err := srv.PutSync("github", "issues", "Issue"); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"NANGO_HOST": srv.URL, "NANGO_SECRET_KEY": srv.SecretKey()}
	status := func(args ...string) []map[string]any {
		t.Helper()
		code, out, errOut := runCLI(t, env, append([]string{"sync", "status", "github"}, args...)...)
		var list []map[string]any
		if code != 0 || json.Unmarshal([]byte(out), &list) != nil {
			t.Fatalf("status: exit %d, stdout %q, stderr %q", code, out, errOut)
		}
		return list
	}
	if list := status(); len(list) != 2 || list[0]["status"] != "PAUSED" {
		t.Fatalf("before: %v", list)
	}
	steps := []struct {
		args []string
		want map[string]string // connection → status
		typ  string            // user-1's type
	}{
		{[]string{"start", "github", "issues", "--connection", "user-1"}, map[string]string{"user-1": "SUCCESS", "org/acme@example.com": "PAUSED"}, "INITIAL"},
		{[]string{"trigger", "--connection", "user-1", "github"}, map[string]string{"user-1": "SUCCESS"}, "INCREMENTAL"},
		{[]string{"trigger", "github", "issues", "--full-refresh", "--connection", "user-1"}, map[string]string{"user-1": "SUCCESS"}, "INITIAL"},
		{[]string{"trigger", "github", "--mode", "incremental", "--connection", "user-1"}, map[string]string{"user-1": "SUCCESS"}, "INCREMENTAL"},
		{[]string{"pause", "github"}, map[string]string{"user-1": "PAUSED", "org/acme@example.com": "PAUSED"}, "INCREMENTAL"},
		{[]string{"start", "github", "issues::base"}, map[string]string{"user-1": "SUCCESS", "org/acme@example.com": "SUCCESS"}, "INCREMENTAL"},
	}
	for _, s := range steps {
		code, out, errOut := runCLI(t, env, append([]string{"sync"}, s.args...)...)
		if code != 0 || out != "" {
			t.Fatalf("%v: exit %d, stdout %q, stderr %q", s.args, code, out, errOut)
		}
		for _, e := range status() {
			conn := e["connection_id"].(string)
			if want, ok := s.want[conn]; ok && e["status"] != want {
				t.Errorf("after %v: %s is %v, want %s", s.args, conn, e["status"], want)
			}
			if conn == "user-1" && e["type"] != s.typ {
				t.Errorf("after %v: type %v, want %s", s.args, e["type"], s.typ)
			}
		}
	}
	if list := status("issues", "--connection", "user-1", "--json"); len(list) != 1 || list[0]["connection_id"] != "user-1" {
		t.Errorf("one connection: %v", list)
	}

	var b strings.Builder
	printSyncStatus(&b, srv.SyncStatuses("github", "user-1"))
	if lines := strings.Split(strings.TrimSpace(b.String()), "\n"); len(lines) != 2 || !strings.HasPrefix(lines[0], "CONNECTION") ||
		!strings.Contains(lines[1], "user-1") || !strings.Contains(lines[1], "SUCCESS") || !strings.Contains(lines[1], "Issue=0") {
		t.Errorf("table:\n%s", b.String())
	}

	errors := []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"sync"}, 2, "want a subcommand"},
		{[]string{"sync", "stop", "github"}, 2, `unknown subcommand "stop"`},
		{[]string{"sync", "trigger"}, 2, "want a <provider-config-key>"},
		{[]string{"sync", "trigger", "github", "--mode", "full"}, 2, `--mode "full"`},
		{[]string{"sync", "trigger", "github", "--full-refresh", "--mode", "incremental"}, 2, "disagree"},
		{[]string{"sync", "pause", "github", "--mode", "full_refresh"}, 2, "flag provided but not defined"},
		{[]string{"sync", "start", "github", "my sync"}, 2, `sync name "my sync"`},
		{[]string{"sync", "status", "github", "--connection", ""}, 2, "empty connection id"},
		{[]string{"sync", "trigger", "github", "nope", "--connection", "user-1"}, 1, "no_syncs_found"},
		{[]string{"sync", "status", "github", "--connection", "nobody"}, 1, "Connection not found"},
		{[]string{"sync", "pause", "github", "--connection", "nobody"}, 1, "unknown_connection"},
	}
	for _, tc := range errors {
		before := len(srv.Requests())
		code, out, errOut := runCLI(t, env, tc.args...)
		if code != tc.code || out != "" || !strings.Contains(errOut, tc.err) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want %d and %q", tc.args, code, out, errOut, tc.code, tc.err)
		}
		if tc.code == 2 && len(srv.Requests()) != before {
			t.Errorf("%v: a usage error sent a request", tc.args)
		}
	}
	for _, args := range [][]string{{"sync", "--help"}, {"sync", "trigger", "--help"}, {"help", "sync"}, {"sync", "status", "-h"}} {
		code, out, _ := runCLI(t, env, args...)
		if code != 0 || !strings.Contains(out, "nango sync") {
			t.Errorf("%v: exit %d, %q", args, code, out)
		}
	}
}
