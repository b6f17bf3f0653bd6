package nango_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nango-go/sdk/nango"
	"github.com/nango-go/sdk/nango/nangotest"
)

// syncConsumer is the loop the README's "Consume a sync" section shows, as
// a user writes it: on each successful sync webhook it reads the records
// that changed, from the cursor it stored after the last record it applied
// (or from the webhook's modifiedAfter when it has none), and stores the
// new cursor after each record.
type syncConsumer struct {
	client *nango.Client
	// pageSize is small here so that one run's changes span pages.
	pageSize int

	mu      sync.Mutex
	cursors map[string]string // the cursor store: by integration/connection/model
	mirror  map[string]Issue  // the consumer's copy of the live records, by connection/id
	changes []string          // what each handled webhook read, "id ACTION"
	failed  atomic.Int32      // failed runs seen
	// mismatch lists webhooks whose responseResults differ from what the
	// handler read.
	mismatch []string
}

func (s *syncConsumer) handle(ctx context.Context, w nango.Webhook) error {
	if w.Sync == nil {
		return nil
	}
	if !w.Sync.Success {
		s.failed.Add(1) // nothing to read: the next success reports these changes
		return nil
	}
	hook := w.Sync
	key := hook.ProviderConfigKey + "/" + hook.ConnectionID + "/" + hook.Model
	s.mu.Lock()
	cursor := s.cursors[key]
	s.mu.Unlock()

	opts := []nango.RecordsOption{nango.PageSize(s.pageSize)}
	if cursor != "" {
		opts = append(opts, nango.Cursor(cursor))
	} else {
		opts = append(opts, nango.ModifiedAfter(hook.ModifiedAfter))
	}
	if hook.SyncVariant != "" && hook.SyncVariant != "base" {
		opts = append(opts, nango.Variant(hook.SyncVariant))
	}
	var read nango.WebhookSyncResults
	for rec, err := range s.client.AllRecords(ctx, hook.ProviderConfigKey, hook.ConnectionID, hook.Model, opts...) {
		if err != nil {
			return err // a 500 to Nango, which delivers the webhook again
		}
		switch rec.Metadata.LastAction {
		case nango.RecordAdded:
			read.Added++
		case nango.RecordUpdated:
			read.Updated++
		case nango.RecordDeleted:
			read.Deleted++
		}
		s.mu.Lock()
		if rec.Deleted() {
			delete(s.mirror, hook.ConnectionID+"/"+rec.ID)
		} else {
			var issue Issue
			if err := rec.Decode(&issue); err != nil {
				s.mu.Unlock()
				return err
			}
			s.mirror[hook.ConnectionID+"/"+rec.ID] = issue
		}
		s.changes = append(s.changes, rec.ID+" "+string(rec.Metadata.LastAction))
		s.cursors[key] = rec.Metadata.Cursor
		s.mu.Unlock()
	}
	if hook.ResponseResults == nil || *hook.ResponseResults != read {
		s.mu.Lock()
		s.mismatch = append(s.mismatch, fmt.Sprintf("%s: webhook says %+v, read %+v", key, hook.ResponseResults, read))
		s.mu.Unlock()
	}
	return nil
}

// take returns the changes read since the last call.
func (s *syncConsumer) take() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.changes
	s.changes = nil
	slices.Sort(out)
	return out
}

func newSyncConsumer(c *nango.Client) *syncConsumer {
	return &syncConsumer{client: c, pageSize: 2, cursors: map[string]string{}, mirror: map[string]Issue{}}
}

// TestSyncConsumerLoop runs the consumer loop end to end against the fake:
// records change, a sync run makes the fake send the signed sync webhook,
// the handler reads exactly the changes, across runs, pages, a failed run,
// a restart that lost the cursors, and a second connection.
func TestSyncConsumerLoop(t *testing.T) {
	// Each reading of the clock is a millisecond later, so that no change
	// shares its instant with a run.
	var tick atomic.Int64
	start := time.Now().UTC().Truncate(time.Second)
	clock := func() time.Time { return start.Add(time.Duration(tick.Add(1)) * time.Millisecond) }
	srv := nangotest.Start(t, nangotest.WithClock(clock))
	srv.MustPut(nangotest.OAuth2("github", "user-1", "gho_1"))
	srv.MustPut(nangotest.OAuth2("github", "user-2", "gho_2"))
	if err := srv.PutSync("github", "issues", "Issue"); err != nil {
		t.Fatal(err)
	}
	client := srv.Client()
	consumer := newSyncConsumer(client)
	var handler atomic.Pointer[syncConsumer]
	handler.Store(consumer)
	rcv := httptest.NewServer(nango.NewWebhookHandler(srv.SecretKey(), func(ctx context.Context, w nango.Webhook) error {
		return handler.Load().handle(ctx, w)
	}))
	defer rcv.Close()
	srv.SetWebhookURL(rcv.URL)

	put := func(conn string, issues ...Issue) {
		t.Helper()
		recs := make([]any, len(issues))
		for i, is := range issues {
			recs[i] = is
		}
		if err := srv.PutRecords("github", conn, "Issue", recs...); err != nil {
			t.Fatal(err)
		}
	}
	run := func(conn string) {
		t.Helper()
		if err := srv.RunSync("github", conn, "issues"); err != nil {
			t.Fatalf("run: %v", err)
		}
	}
	expect := func(step string, want ...string) {
		t.Helper()
		got := consumer.take()
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: the handler read %q, want exactly %q", step, got, want)
		}
	}

	// Run 1: five new issues, read over three pages of two.
	for i := 1; i <= 5; i++ {
		put("user-1", Issue{ID: fmt.Sprint(i), Title: fmt.Sprintf("issue %d", i), State: "open"})
	}
	run("user-1")
	expect("run 1", "1 ADDED", "2 ADDED", "3 ADDED", "4 ADDED", "5 ADDED")

	// Run 2: two updated, one added; nothing else is read again.
	put("user-1", Issue{ID: "1", Title: "issue 1", State: "closed"}, Issue{ID: "2", Title: "issue 2, renamed", State: "open"})
	put("user-1", Issue{ID: "6", Title: "issue 6", State: "open"})
	run("user-1")
	expect("run 2", "1 UPDATED", "2 UPDATED", "6 ADDED")

	// Run 3: one deleted.
	if err := srv.DeleteRecords("github", "user-1", "Issue", "3"); err != nil {
		t.Fatal(err)
	}
	run("user-1")
	expect("run 3", "3 DELETED")

	// A run that changed nothing reads nothing.
	run("user-1")
	expect("empty run")

	// A failed run: its webhook carries no records to read; the next
	// successful run's webhook reports what changed meanwhile.
	if err := srv.FailNextSync("github", "user-1", "issues", "provider down"); err != nil {
		t.Fatal(err)
	}
	put("user-1", Issue{ID: "4", Title: "issue 4", State: "closed"})
	run("user-1")
	expect("failed run")
	if consumer.failed.Load() != 1 {
		t.Errorf("failed runs seen: %d, want 1", consumer.failed.Load())
	}
	run("user-1")
	expect("run after the failure", "4 UPDATED")

	// Another connection's changes are its own.
	put("user-2", Issue{ID: "1", Title: "elsewhere", State: "open"})
	run("user-2")
	expect("user-2", "1 ADDED")

	// A restart lost the cursor store: the new process starts from the
	// webhook's modifiedAfter, which covers exactly that run's changes.
	first := consumer
	restarted := newSyncConsumer(client)
	restarted.mirror = consumer.mirror // the copy survived in the user's database
	consumer = restarted
	handler.Store(restarted)
	put("user-1", Issue{ID: "5", Title: "issue 5", State: "closed"})
	if err := srv.DeleteRecords("github", "user-1", "Issue", "6"); err != nil {
		t.Fatal(err)
	}
	run("user-1")
	expect("after a restart", "5 UPDATED", "6 DELETED")

	for _, c := range []*syncConsumer{first, consumer} {
		for _, m := range c.mismatch {
			t.Errorf("responseResults: %s", m)
		}
	}

	// The consumer's copy is what Nango holds.
	want := map[string]Issue{}
	for rec, err := range client.AllRecords(context.Background(), "github", "user-1", "Issue") {
		if err != nil {
			t.Fatal(err)
		}
		if rec.Deleted() {
			continue
		}
		var is Issue
		if err := rec.Decode(&is); err != nil {
			t.Fatal(err)
		}
		want["user-1/"+rec.ID] = is
	}
	want["user-2/1"] = Issue{ID: "1", Title: "elsewhere", State: "open"}
	got := consumer.mirror
	if len(want) != 5 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("the consumer's copy\n%v\nNango's records\n%v", got, want)
	}
}
