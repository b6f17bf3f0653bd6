package nangotest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nango-go/sdk/gen"
)

// seamCall is one reading of the records by a run.
type seamCall struct {
	conn, model, variant string
	since                time.Time
}

// TestSyncRunCounts: a run reports what the records seam says changed
// since the previous successful run (the first: since the fake was made),
// in its webhooks (modifiedAfter the same instant) and its status; a
// failed run does not move that instant. The seam is replaced here: the
// records side's own tests cover what it counts.
func TestSyncRunCounts(t *testing.T) {
	var calls []seamCall
	orig := syncRecordChanges
	t.Cleanup(func() { syncRecordChanges = orig })
	syncRecordChanges = func(f *Fake, key, conn, model, variant string, since time.Time) (int, int, int, int) {
		if key != "github" {
			t.Errorf("seam called for %s", key)
		}
		calls = append(calls, seamCall{conn, model, variant, since})
		n := len(model) // Issue 5, Comment 7
		return n, n + 1, n + 2, 10 * n
	}
	var tick atomic.Int64
	start := time.Date(2026, 12, 3, 7, 0, 0, 123456789, time.UTC)
	clock := func() time.Time { return start.Add(time.Duration(tick.Add(1)) * time.Second) }
	srv := Start(t, WithClock(clock))
	born := start.Add(time.Second).Truncate(time.Millisecond)
	hooks, hookURL := newHookRecorder(t, srv.SecretKey())
	srv.SetWebhookURL(hookURL)
	srv.MustPut(OAuth2("github", "u1", "t"))
	if err := srv.PutSync("github", "issues", "Issue", "Comment"); err != nil {
		t.Fatal(err)
	}

	run := func() []gen.WebhookSync {
		t.Helper()
		calls = nil
		if err := srv.RunSync("github", "u1", "issues"); err != nil {
			t.Fatal(err)
		}
		var out []gen.WebhookSync
		for _, b := range hooks.take() {
			var w gen.WebhookSync
			if err := json.Unmarshal(b, &w); err != nil {
				t.Fatal(err)
			}
			out = append(out, w)
		}
		return out
	}
	first := run()
	if len(first) != 2 || len(calls) != 2 {
		t.Fatalf("%d webhooks, %d seam calls", len(first), len(calls))
	}
	for i, m := range []string{"Issue", "Comment"} {
		w, n := first[i], len(m)
		if w.Model != m || !w.ModifiedAfter.Equal(born) || !w.QueryTimeStamp.Equal(born) || calls[i].model != m || !calls[i].since.Equal(born) ||
			calls[i].variant != "base" || *w.ResponseResults != (gen.WebhookSyncResults{Added: n, Updated: n + 1, Deleted: n + 2}) || w.SyncType != "INITIAL" {
			t.Errorf("first run, %s: %+v, seam %+v (born %v)", m, w, calls[i], born)
		}
	}
	st := srv.SyncStatuses("github", "u1")
	if len(st) != 1 || st[0].LatestResult["Comment"] != (gen.SyncResult{Added: 7, Updated: 8, Deleted: 9}) ||
		st[0].RecordCount["Issue"] != 50 || st[0].RecordCount["Comment"] != 70 {
		t.Errorf("status: %+v", st)
	}
	ranAt := st[0].FinishedAt.Truncate(time.Millisecond)

	second := run()
	if len(second) != 2 || !second[0].ModifiedAfter.Equal(ranAt) || !calls[0].since.Equal(ranAt) || second[0].SyncType != "INCREMENTAL" {
		t.Errorf("second run: %+v, seam %+v, want since %v", second, calls, ranAt)
	}
	ranAt = srv.SyncStatuses("github", "u1")[0].FinishedAt.Truncate(time.Millisecond)

	if err := srv.FailNextSync("github", "u1", "issues", "boom"); err != nil {
		t.Fatal(err)
	}
	failed := run()
	if len(failed) != 2 || failed[0].Success || !failed[0].StartedAt.Equal(ranAt) || failed[0].ResponseResults != nil || len(calls) != 0 {
		t.Errorf("failed run: %+v, seam %+v", failed, calls)
	}
	after := run()
	if len(after) != 2 || !after[0].ModifiedAfter.Equal(ranAt) || !calls[0].since.Equal(ranAt) {
		t.Errorf("the run after a failure reads from %v, want %v (the last success)", after[0].ModifiedAfter, ranAt)
	}

	// A variant reads its own records; its status counts the connection's.
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/sync/issues/variant/v2", strings.NewReader(`{"provider_config_key":"github","connection_id":"u1"}`))
	req.Header.Set("Authorization", "Bearer "+srv.SecretKey())
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("create variant: %v %v", resp, err)
	}
	resp.Body.Close()
	calls = nil
	if err := srv.RunSync("github", "u1", "issues::v2"); err != nil {
		t.Fatal(err)
	}
	hooks.take()
	if len(calls) != 2 || calls[0].variant != "v2" || !calls[0].since.Equal(born) {
		t.Errorf("variant run read %+v", calls)
	}
}

// TestSyncSchedule: start runs a schedule's first run at once, and only
// the first; trigger runs a paused sync without starting it; the next run
// is due at the start plus the frequency, which the connection can change.
func TestSyncSchedule(t *testing.T) {
	now := time.Date(2026, 12, 3, 7, 0, 0, 0, time.UTC)
	srv := Start(t, WithClock(func() time.Time { return now }))
	srv.MustPut(OAuth2("github", "u1", "t"))
	if err := srv.PutSync("github", "issues", "Issue"); err != nil {
		t.Fatal(err)
	}
	c := srv.Client()
	ctx := context.Background()
	state := func() string {
		s := srv.SyncStatuses("github", "u1")[0]
		next := "-"
		if s.NextScheduledSyncAt != nil {
			next = s.NextScheduledSyncAt.Format("15:04")
		}
		finished := "-"
		if !s.FinishedAt.IsZero() {
			finished = s.FinishedAt.Format("15:04")
		}
		return fmt.Sprintf("%s %s next=%s finished=%s", s.Status, s.Type, next, finished)
	}
	steps := []struct {
		at   string
		do   func() error
		want string
	}{
		{"07:00", func() error { return nil }, "PAUSED INITIAL next=- finished=-"},
		{"07:05", func() error { return c.TriggerSync(ctx, "github", nil) }, "PAUSED INITIAL next=- finished=07:05"},
		{"07:10", func() error { return c.StartSync(ctx, "github", nil) }, "SUCCESS INCREMENTAL next=07:10 finished=07:10"},
		{"08:00", func() error { return c.PauseSync(ctx, "github", nil) }, "PAUSED INCREMENTAL next=- finished=07:10"},
		{"09:00", func() error { return c.StartSync(ctx, "github", nil) }, "SUCCESS INCREMENTAL next=07:10 finished=07:10"},
		{"09:30", func() error {
			_, err := c.UpdateSyncFrequency(ctx, "github", "u1", "issues", "every 2 hours")
			return err
		}, "SUCCESS INCREMENTAL next=11:10 finished=07:10"},
	}
	for _, s := range steps {
		h, m := 0, 0
		fmt.Sscanf(s.at, "%d:%d", &h, &m)
		now = time.Date(2026, 12, 3, h, m, 0, 0, time.UTC)
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.at, err)
		}
		got := state()
		// "next" shows the time of day: the daily schedule's next run is
		// tomorrow's 07:10.
		if got != s.want {
			t.Errorf("%s: %s, want %s", s.at, got, s.want)
		}
	}
	if next := srv.SyncStatuses("github", "u1")[0].NextScheduledSyncAt; next == nil || !next.Equal(time.Date(2026, 12, 3, 11, 10, 0, 0, time.UTC)) {
		t.Errorf("next run %v", next)
	}
}

// TestPutSyncRefuses: names Nango would not deploy.
func TestPutSyncRefuses(t *testing.T) {
	f, err := NewFake(WithoutValidation())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ key, sync string }{{"", "s"}, {"github", ""}, {"github", "a b"}, {"git/hub", "s"}} {
		if err := f.PutSync(tc.key, tc.sync, "Issue"); err == nil {
			t.Errorf("PutSync(%q, %q) took it", tc.key, tc.sync)
		}
	}
	for _, models := range [][]string{nil, {"issue"}, {"Issue", ""}} {
		if err := f.PutSync("github", "issues", models...); err == nil {
			t.Errorf("PutSync with models %q took them", models)
		}
	}
	if err := f.PutSync("github", "issues", "Issue"); err != nil {
		t.Error(err)
	}
	if err := f.FailNextSync("github", "nobody", "issues", "x"); err == nil {
		t.Error("FailNextSync for an unknown connection")
	}
}
