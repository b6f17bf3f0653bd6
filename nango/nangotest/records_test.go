package nangotest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nango-go/sdk/nango/internal/contract"
)

// settableClock is a clock tests move by hand.
type settableClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *settableClock) set(t time.Time) { c.mu.Lock(); c.now = t; c.mu.Unlock() }
func (c *settableClock) get() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

type issueRec struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	State     string `json:"state"`
	UpdatedAt string `json:"updated_at"`
}

func issueRecs(suffix, state, updated string, ids ...int) []any {
	var out []any
	for _, id := range ids {
		out = append(out, issueRec{fmt.Sprint(id), fmt.Sprintf("Issue %d (%s)", id, suffix), state, updated})
	}
	return out
}

// TestReplayRecordsCaptures plays the real server's sync runs into the
// fake (the same records at the same times) and replays the records
// captures, in the order they were made: each answer has the capture's
// status and error code, and each page the capture's records (ids, last
// actions, titles), except where a cursor of the real server's internal
// ids decides which.
func TestReplayRecordsCaptures(t *testing.T) {
	caps, err := contract.LoadCaptures("../testdata/real-nango")
	if err != nil {
		t.Fatal(err)
	}
	clock := &settableClock{now: ts("2026-12-03T07:12:00Z")}
	srv := Start(t, AllowInvalidRequests(), WithClock(clock.get))
	srv.MustPut(OAuth2("github", "cap4-oauth2-full", "tok"))
	srv.MustPut(Unauthenticated("unauthenticated", "h5-issues"))
	put := func(when string, variant string, recs []any) {
		t.Helper()
		clock.set(ts(when))
		if err := srv.PutVariantRecords("unauthenticated", "h5-issues", "Issue", variant, recs...); err != nil {
			t.Fatal(err)
		}
	}
	// The runs of the real sync, before the captures that followed them.
	runs := map[string]func(){
		"606": func() {
			put("2026-12-03T07:20:24.778106Z", "", issueRecs("base", "open", "2026-12-03T07:20:24.604Z", 1, 2, 3, 4, 5))
		},
		"612": func() {
			put("2026-12-03T07:20:42.533586Z", "", []any{
				issueRec{"1", "Issue 1 (base) edited", "closed", "2026-12-03T07:20:42.500Z"},
				issueRec{"2", "Issue 2 (base) edited", "closed", "2026-12-03T07:20:42.500Z"}})
			put("2026-12-03T07:20:42.583478Z", "", issueRecs("base", "open", "2026-12-03T07:20:42.500Z", 6))
		},
		"621": func() {
			clock.set(ts("2026-12-03T07:21:02.450104Z"))
			if err := srv.DeleteRecords("unauthenticated", "h5-issues", "Issue", "3"); err != nil {
				t.Fatal(err)
			}
		},
		"655": func() {
			put("2026-12-03T07:22:49.979617Z", "", issueRecs("base", "open", "2026-12-03T07:22:49.831Z", 1, 2, 3, 4, 5))
		},
		"691": func() {
			put("2026-12-03T07:23:48.993474Z", "v2", issueRecs("v2", "open", "2026-12-03T07:23:48.943Z", 1, 2, 3, 4, 5))
		},
	}
	// Cursors hold the real server's internal ids: which records follow
	// them in the fake's order can differ.
	cursorDecides := map[string]bool{"606-get-records-limit2-page1": true, "607-get-records-limit2-page2": true}

	replayed := 0
	for _, c := range caps {
		u, _ := url.Parse(c.URL)
		if !strings.HasPrefix(u.Path, "/records") {
			continue
		}
		num, _, _ := strings.Cut(c.Name, "-")
		if run := runs[num]; run != nil {
			run()
		}
		clock.set(clock.get().Add(time.Second))
		replayed++
		t.Run(c.Name, func(t *testing.T) {
			req, err := c.Request(srv.URL, srv.SecretKey(), otherEnvKey)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req.WithContext(context.Background()))
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != c.Status {
				t.Fatalf("status %d, capture %d: %s", resp.StatusCode, c.Status, body)
			}
			if c.Status/100 != 2 {
				if got, want := errorCode(body), errorCode(c.Resp); got != want {
					t.Errorf("code %q, capture %q", got, want)
				}
				if got, want := issues(body), issues(c.Resp); got != want {
					t.Errorf("issues %s, capture %s", got, want)
				}
				return
			}
			if strings.HasPrefix(u.Path, "/records/prune") {
				var got, want struct{ Count int }
				_ = json.Unmarshal(body, &got)
				_ = json.Unmarshal(c.Resp, &want)
				if got.Count != want.Count {
					t.Errorf("count %d, capture %d", got.Count, want.Count)
				}
				return
			}
			got, want := pageSummary(t, body), pageSummary(t, c.Resp)
			if c.Name == "607-get-records-limit2-page2" {
				return // the cursor names a record of the real server's: status only
			}
			if cursorDecides[c.Name] {
				if len(got.records) != len(want.records) || got.more != want.more {
					t.Errorf("got %d records (more %t), capture %d (more %t)", len(got.records), got.more, len(want.records), want.more)
				}
				return
			}
			if !slices.Equal(got.records, want.records) || got.more != want.more {
				t.Errorf("records\n got %v (more %t)\nwant %v (more %t)", got.records, got.more, want.records, want.more)
			}
		})
	}
	if replayed < 20 {
		t.Errorf("replayed %d records captures", replayed)
	}
}

type summary struct {
	records []string
	more    bool
}

// pageSummary describes a page by its records (id, last action, title),
// sorted: the order among records of one instant is the internal ids'.
func pageSummary(t *testing.T, body []byte) summary {
	t.Helper()
	var page struct {
		NextCursor *string `json:"next_cursor"`
		Records    []struct {
			ID    string
			Title string
			Meta  struct {
				LastAction     string     `json:"last_action"`
				LastModifiedAt string     `json:"last_modified_at"`
				FirstSeenAt    string     `json:"first_seen_at"`
				DeletedAt      *string    `json:"deleted_at"`
				PrunedAt       *time.Time `json:"pruned_at"`
			} `json:"_nango_metadata"`
		}
	}
	if err := json.Unmarshal(body, &page); err != nil {
		t.Fatal(err)
	}
	s := summary{more: page.NextCursor != nil}
	for _, r := range page.Records {
		// deleted_at comes from the runner's clock, a few milliseconds
		// before the store's: only whether it is set is compared.
		del := ""
		if r.Meta.DeletedAt != nil {
			del = " deleted"
		}
		s.records = append(s.records, fmt.Sprintf("%s %s %q first %s last %s%s", r.ID, r.Meta.LastAction, r.Title, r.Meta.FirstSeenAt, r.Meta.LastModifiedAt, del))
	}
	slices.Sort(s.records)
	return s
}

func TestPutRecordsRefuses(t *testing.T) {
	srv := Start(t)
	srv.MustPut(Unauthenticated("unauthenticated", "u1"))
	for _, tc := range []struct {
		name        string
		key, conn   string
		model       string
		rec         any
		errContains string
	}{
		{"no id", "unauthenticated", "u1", "Issue", map[string]any{"title": "x"}, `no "id"`},
		{"empty id", "unauthenticated", "u1", "Issue", map[string]any{"id": ""}, "non-empty"},
		{"zero id", "unauthenticated", "u1", "Issue", map[string]any{"id": 0}, "non-zero"},
		{"null id", "unauthenticated", "u1", "Issue", map[string]any{"id": nil}, "non-empty"},
		{"not an object", "unauthenticated", "u1", "Issue", []int{1}, "not a JSON object"},
		{"a string", "unauthenticated", "u1", "Issue", "x", "not a JSON object"},
		{"metadata of its own", "unauthenticated", "u1", "Issue", map[string]any{"id": "1", "_nango_metadata": 1}, "_nango_metadata"},
		{"unknown connection", "unauthenticated", "nobody", "Issue", map[string]any{"id": "1"}, "no such connection"},
		{"lower-case model", "unauthenticated", "u1", "issue", map[string]any{"id": "1"}, "capital"},
		{"unmarshalable", "unauthenticated", "u1", "Issue", func() {}, "unsupported type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := srv.PutRecords(tc.key, tc.conn, tc.model, tc.rec)
			if err == nil || !strings.Contains(err.Error(), tc.errContains) {
				t.Errorf("err = %v, want one saying %q", err, tc.errContains)
			}
		})
	}
	if err := srv.DeleteRecords("unauthenticated", "nobody", "Issue", "1"); err == nil {
		t.Error("DeleteRecords of an unknown connection: no error")
	}
	if err := srv.PutVariantRecords("unauthenticated", "u1", "Issue", "v.2", map[string]any{"id": "1"}); err == nil {
		t.Error("a variant with a dot: no error")
	}
}

// TestRecordChanges: the counts the fake's syncs report for a run.
func TestRecordChanges(t *testing.T) {
	clock := &settableClock{now: ts("2026-12-03T07:00:00Z")}
	srv := Start(t, WithClock(clock.get))
	srv.MustPut(Unauthenticated("unauthenticated", "u1"))
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(srv.PutRecords("unauthenticated", "u1", "Issue", map[string]any{"id": "1"}, map[string]any{"id": 2}, map[string]any{"id": "3"}))
	run2 := ts("2026-12-03T07:00:30Z")
	clock.set(ts("2026-12-03T07:01:00Z"))
	must(srv.PutRecords("unauthenticated", "u1", "Issue", map[string]any{"id": "1", "v": 2}, map[string]any{"id": 2}, map[string]any{"id": "4"}))
	must(srv.DeleteRecords("unauthenticated", "u1", "Issue", "3", "nope"))
	must(srv.PutVariantRecords("unauthenticated", "u1", "Issue", "v2", map[string]any{"id": "9"}))
	srv.mu.Lock()
	a, u, d, total := srv.recordChangesLocked("unauthenticated", "u1", "Issue", "", run2)
	a0, u0, d0, total0 := srv.recordChangesLocked("unauthenticated", "u1", "Issue", "", time.Time{})
	av, _, _, totalv := srv.recordChangesLocked("unauthenticated", "u1", "Issue", "v2", time.Time{})
	_, _, _, none := srv.recordChangesLocked("unauthenticated", "u1", "Nope", "", time.Time{})
	srv.mu.Unlock()
	// Since run 2: 4 added, 1 updated (2 is unchanged), 3 deleted.
	if a != 1 || u != 1 || d != 1 || total != 3 {
		t.Errorf("since run 2: added %d updated %d deleted %d total %d, want 1 1 1 3", a, u, d, total)
	}
	// Ever: records 2 and 4 added, 1 updated, 3 deleted.
	if a0 != 2 || u0 != 1 || d0 != 1 || total0 != 3 {
		t.Errorf("all: added %d updated %d deleted %d total %d, want 2 1 1 3", a0, u0, d0, total0)
	}
	if av != 1 || totalv != 1 || none != 0 {
		t.Errorf("variant: added %d total %d; unknown model total %d", av, totalv, none)
	}
}
