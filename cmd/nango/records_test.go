package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/nango-go/sdk/nango"
	"github.com/nango-go/sdk/nango/nangotest"
)

func recordsServer(t *testing.T) (*nangotest.Server, map[string]string) {
	t.Helper()
	srv := nangotest.Start(t)
	srv.MustPut(nangotest.Unauthenticated("unauthenticated", "u1"))
	for i, title := range []string{"one", "two", "three", "four", "five"} {
		if err := srv.PutRecords("unauthenticated", "u1", "Issue", map[string]any{"id": string(rune('1' + i)), "title": title}); err != nil {
			t.Fatal(err)
		}
	}
	if err := srv.DeleteRecords("unauthenticated", "u1", "Issue", "2"); err != nil {
		t.Fatal(err)
	}
	if err := srv.PutVariantRecords("unauthenticated", "u1", "Issue", "v2", map[string]any{"id": "9", "title": "nine"}); err != nil {
		t.Fatal(err)
	}
	return srv, map[string]string{"NANGO_HOST": srv.URL, "NANGO_SECRET_KEY": srv.SecretKey()}
}

// jsonLines reads the ids and titles of records printed one per line.
func jsonLines(t *testing.T, out string) []string {
	t.Helper()
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		var r struct {
			ID    string `json:"id"`
			Title string `json:"title"`
			Meta  struct {
				LastAction string `json:"last_action"`
			} `json:"_nango_metadata"`
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		got = append(got, r.ID+":"+r.Meta.LastAction)
	}
	return got
}

func TestRecordsCommand(t *testing.T) {
	srv, env := recordsServer(t)
	recent := time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)
	for _, tc := range []struct {
		args     []string
		want     string
		requests int
		more     bool
	}{
		{nil, "1:ADDED 3:ADDED 4:ADDED 5:ADDED 2:DELETED", 1, false},
		{[]string{"--limit", "2"}, "1:ADDED 3:ADDED", 1, true},
		{[]string{"--limit", "2", "--all"}, "1:ADDED 3:ADDED 4:ADDED 5:ADDED 2:DELETED", 3, false},
		{[]string{"--filter", "deleted"}, "2:DELETED", 1, false},
		{[]string{"--filter", "ADDED,updated", "--all"}, "1:ADDED 3:ADDED 4:ADDED 5:ADDED", 1, false},
		{[]string{"--variant", "v2"}, "9:ADDED", 1, false},
		{[]string{"--modified-after", recent}, "1:ADDED 3:ADDED 4:ADDED 5:ADDED 2:DELETED", 1, false},
		{[]string{"--json"}, "1:ADDED 3:ADDED 4:ADDED 5:ADDED 2:DELETED", 1, false},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			before := len(srv.Requests())
			code, out, errOut := runCLI(t, env, append([]string{"records", "unauthenticated", "u1", "Issue"}, tc.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if got := strings.Join(jsonLines(t, out), " "); got != tc.want {
				t.Errorf("records %q, want %q", got, tc.want)
			}
			if n := len(srv.Requests()) - before; n != tc.requests {
				t.Errorf("%d requests, want %d", n, tc.requests)
			}
			if more := strings.Contains(errOut, "--cursor "); more != tc.more {
				t.Errorf("stderr %q", errOut)
			}
		})
	}
	// The cursor printed for the next page reads the rest.
	_, _, errOut := runCLI(t, env, "records", "unauthenticated", "u1", "Issue", "--limit", "2")
	cursor := strings.Fields(strings.TrimPrefix(errOut, "more records: --cursor "))[0]
	code, out, _ := runCLI(t, env, "records", "--cursor", cursor, "unauthenticated", "u1", "Issue")
	if got := strings.Join(jsonLines(t, out), " "); code != 0 || got != "4:ADDED 5:ADDED 2:DELETED" {
		t.Errorf("from the cursor: %d %q", code, got)
	}
}

func TestRecordsCommandErrors(t *testing.T) {
	srv, env := recordsServer(t)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"unauthenticated", "u1"}, 2, "want 3 arguments"},
		{[]string{"unauthenticated", "u1", "Issue", "--limit", "0"}, 2, "--limit 0"},
		{[]string{"unauthenticated", "u1", "Issue", "--limit", "10001"}, 2, "--limit 10001"},
		{[]string{"unauthenticated", "u1", "Issue", "--filter", "removed"}, 2, `"removed" is not added`},
		{[]string{"unauthenticated", "u1", "Issue", "--modified-after", "yesterday"}, 2, "RFC 3339"},
		{[]string{"unauthenticated", "u1", "Issue", "--modified-after", "2020-01-01T00:00:00Z"}, 1, "12 months"},
		{[]string{"unauthenticated", "u1", "issue"}, 1, "capital letter"},
		{[]string{"unauthenticated", "nobody", "Issue"}, 1, "code: unknown_connection"},
		{[]string{"unauthenticated", "u1", "Issue", "--cursor", "garbage"}, 1, "code: server_error"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			before := len(srv.Requests())
			code, out, errOut := runCLI(t, env, append([]string{"records"}, tc.args...)...)
			if code != tc.code || !strings.Contains(errOut, tc.want) || out != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d and %q", code, out, errOut, tc.code, tc.want)
			}
			if tc.code == 2 && len(srv.Requests()) != before {
				t.Error("a usage error sent a request")
			}
		})
	}
}

func TestRecordsTable(t *testing.T) {
	srv, _ := recordsServer(t)
	page, err := srv.Client().ListRecords(context.Background(), "unauthenticated", "u1", "Issue", nango.PageSize(2))
	if err != nil {
		t.Fatal(err)
	}
	page2, err := srv.Client().ListRecords(context.Background(), "unauthenticated", "u1", "Issue", nango.FilterLastAction(nango.RecordDeleted))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	o := recordsWriter(&b, false)
	for _, rec := range append(page.Records, page2.Records...) {
		if err := o.write(rec); err != nil {
			t.Fatal(err)
		}
	}
	o.flush()
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "ID") || !strings.Contains(lines[1], `{"title":"one"}`) ||
		!strings.Contains(lines[1], "ADDED") || !strings.Contains(lines[3], "DELETED") || !strings.HasSuffix(lines[3], "-") {
		t.Errorf("table:\n%s", b.String())
	}
}
