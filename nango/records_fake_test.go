package nango_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nango-go/sdk/nango"
	"github.com/nango-go/sdk/nango/internal/contract"
	"github.com/nango-go/sdk/nango/nangotest"
)

type testIssue struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	State string `json:"state"`
}

// stepClock moves a second at each reading: every PutRecords call is a
// run of its own instant, near today (the lookback window is real time).
type stepClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *stepClock) get() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(time.Second)
	return c.now
}

func recordsFake(t *testing.T) (*nangotest.Server, *nango.Client, *stepClock) {
	t.Helper()
	clock := &stepClock{now: time.Now().Add(-time.Hour).Truncate(time.Second)}
	srv := nangotest.Start(t, nangotest.WithClock(clock.get))
	srv.MustPut(nangotest.Unauthenticated("unauthenticated", "u1"))
	v, err := contract.Load()
	if err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{Transport: &contract.Transport{Validator: v, Report: t.Errorf}}
	return srv, srv.Client(nango.WithHTTPClient(hc)), clock
}

func ids(t *testing.T, page *nango.RecordsPage, err error) string {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range page.Records {
		out = append(out, r.ID+":"+string(r.Metadata.LastAction))
	}
	return strings.Join(out, " ")
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestRecordsAgainstFake: the whole records API against the fake, every
// exchange checked against the spec on both sides.
func TestRecordsAgainstFake(t *testing.T) {
	srv, c, _ := recordsFake(t)
	ctx := context.Background()
	key, conn := "unauthenticated", "u1"
	must(t, srv.PutRecords(key, conn, "Issue",
		testIssue{"1", "one", "open"}, testIssue{"2", "two", "open"}, map[string]any{"id": 3, "title": "three"}))
	page, err := c.ListRecords(ctx, key, conn, "Issue")
	if got := ids(t, page, err); got != "1:ADDED 2:ADDED 3:ADDED" || page.NextCursor != "" {
		t.Fatalf("first read: %s (next %q)", got, page.NextCursor)
	}
	cursor := page.Records[2].Metadata.Cursor
	if page.Records[2].Metadata.FirstSeenAt.IsZero() || page.Records[2].Metadata.DeletedAt != nil {
		t.Errorf("metadata %+v", page.Records[2].Metadata)
	}
	var three testIssue
	must(t, page.Records[2].Decode(&three))
	if three.ID != "3" || three.Title != "three" {
		t.Errorf("numeric id record decodes to %+v (Nango sends ids as strings)", three)
	}

	// A second run: 2 changes, 1 is unchanged, 3 goes, 4 comes.
	must(t, srv.PutRecords(key, conn, "Issue", testIssue{"1", "one", "open"}, testIssue{"2", "two", "closed"}, testIssue{"4", "four", "open"}))
	must(t, srv.DeleteRecords(key, conn, "Issue", "3"))

	page, err = c.ListRecords(ctx, key, conn, "Issue", nango.Cursor(cursor))
	if got := ids(t, page, err); got != "2:UPDATED 4:ADDED 3:DELETED" {
		t.Errorf("changes after the cursor: %s", got)
	}
	deleted := page.Records[2]
	if !deleted.Deleted() || deleted.Metadata.DeletedAt == nil || string(deleted.Raw) == "" || strings.Contains(string(deleted.Raw), "three") {
		t.Errorf("deleted record %s", deleted.Raw)
	}
	for _, tc := range []struct {
		opts []nango.RecordsOption
		want string
	}{
		{[]nango.RecordsOption{nango.FilterLastAction(nango.RecordDeleted)}, "3:DELETED"},
		{[]nango.RecordsOption{nango.FilterLastAction(nango.RecordAdded)}, "1:ADDED 4:ADDED"},
		{[]nango.RecordsOption{nango.FilterLastAction(nango.RecordAdded, nango.RecordUpdated)}, "1:ADDED 2:UPDATED 4:ADDED"},
		{[]nango.RecordsOption{nango.FilterLastAction(nango.RecordAdded, nango.RecordUpdated, nango.RecordDeleted)}, "1:ADDED 2:UPDATED 4:ADDED 3:DELETED"},
		{[]nango.RecordsOption{nango.FilterRecordIDs("3", "4", "nope")}, "4:ADDED 3:DELETED"},
		{[]nango.RecordsOption{nango.PageSize(2)}, "1:ADDED 2:UPDATED"},
		{[]nango.RecordsOption{nango.ModifiedAfter(time.Now().Add(-time.Minute))}, ""},
	} {
		page, err := c.ListRecords(ctx, key, conn, "Issue", tc.opts...)
		if got := ids(t, page, err); got != tc.want {
			t.Errorf("%d options: %q, want %q", len(tc.opts), got, tc.want)
		}
	}

	// AllRecords pages through with small pages.
	var all []string
	for r, err := range c.AllRecords(ctx, key, conn, "Issue", nango.PageSize(1)) {
		must(t, err)
		all = append(all, r.ID)
	}
	if strings.Join(all, ",") != "1,2,4,3" {
		t.Errorf("AllRecords: %v", all)
	}
	typed, err := nango.ListRecordsAs[testIssue](ctx, c, key, conn, "Issue", nango.FilterLastAction(nango.RecordUpdated))
	if err != nil || len(typed.Records) != 1 || typed.Records[0].Data.State != "closed" || typed.Records[0].Metadata.LastAction != nango.RecordUpdated {
		t.Errorf("ListRecordsAs: %+v, %v", typed, err)
	}
	n := 0
	for r, err := range nango.AllRecordsAs[testIssue](ctx, c, key, conn, "Issue", nango.PageSize(3)) {
		must(t, err)
		if r.Data.ID != r.ID {
			t.Errorf("typed record %q has id %q", r.ID, r.Data.ID)
		}
		n++
	}
	if n != 4 {
		t.Errorf("AllRecordsAs read %d records", n)
	}

	// An unknown model is empty; an unknown connection is ErrNotFound.
	page, err = c.ListRecords(ctx, key, conn, "Nope")
	if got := ids(t, page, err); got != "" {
		t.Errorf("unknown model: %s", got)
	}
	_, err = c.ListRecords(ctx, key, "nobody", "Issue")
	var apiErr *nango.APIError
	if !errors.Is(err, nango.ErrNotFound) || !errors.As(err, &apiErr) || apiErr.StatusCode != 400 || apiErr.Code != "unknown_connection" {
		t.Errorf("unknown connection: %v", err)
	}
	_, err = c.PruneRecords(ctx, key, "nobody", "Issue", cursor)
	if !errors.Is(err, nango.ErrNotFound) {
		t.Errorf("prune of an unknown connection: %v", err)
	}

	// A garbage cursor: Nango's 500, sent once.
	before := len(srv.Requests())
	_, err = c.ListRecords(ctx, key, conn, "Issue", nango.Cursor("garbage"))
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 500 || apiErr.Code != "server_error" {
		t.Errorf("garbage cursor: %v", err)
	}
	if n := len(srv.Requests()) - before; n != 1 {
		t.Errorf("garbage cursor sent %d times", n)
	}
}

// TestPruneRecordsAgainstFake: pruned records keep their metadata and
// cursor, lose their payload, and come back when a run sees them again.
func TestPruneRecordsAgainstFake(t *testing.T) {
	srv, c, _ := recordsFake(t)
	ctx := context.Background()
	key, conn := "unauthenticated", "u1"
	must(t, srv.PutRecords(key, conn, "Issue", testIssue{"1", "one", "open"}, testIssue{"2", "two", "open"}, testIssue{"3", "three", "open"}))
	page, err := c.ListRecords(ctx, key, conn, "Issue")
	must(t, err)
	until := page.Records[1].Metadata.Cursor

	res, err := c.PruneRecords(ctx, key, conn, "Issue", until, nango.PruneLimit(1))
	if err != nil || res.Count != 1 || !res.HasMore {
		t.Fatalf("first prune: %+v, %v", res, err)
	}
	res, err = c.PruneRecords(ctx, key, conn, "Issue", until)
	if err != nil || res.Count != 1 || res.HasMore {
		t.Fatalf("second prune: %+v, %v", res, err)
	}
	res, err = c.PruneRecords(ctx, key, conn, "Issue", until)
	if err != nil || res.Count != 0 || res.HasMore {
		t.Fatalf("third prune: %+v, %v", res, err)
	}
	after, err := c.ListRecords(ctx, key, conn, "Issue")
	must(t, err)
	for i, r := range after.Records {
		var v testIssue
		must(t, r.Decode(&v))
		pruned := i < 2
		if r.Pruned() != pruned || (v.Title == "") != pruned || r.Metadata.Cursor != page.Records[i].Metadata.Cursor {
			t.Errorf("record %s: pruned %t, title %q, cursor kept %t", r.ID, r.Pruned(), v.Title, r.Metadata.Cursor == page.Records[i].Metadata.Cursor)
		}
		if r.Metadata.LastAction != nango.RecordAdded {
			t.Errorf("a pruned record's last action: %s", r.Metadata.LastAction)
		}
	}
	// A run that sees record 1 again, unchanged, fills it in.
	must(t, srv.PutRecords(key, conn, "Issue", testIssue{"1", "one", "open"}))
	page, err = c.ListRecords(ctx, key, conn, "Issue", nango.FilterRecordIDs("1"))
	must(t, err)
	var one testIssue
	must(t, page.Records[0].Decode(&one))
	if one.Title != "one" || page.Records[0].Pruned() {
		t.Errorf("record 1 after a run: %s", page.Records[0].Raw)
	}
	if _, err := c.PruneRecords(ctx, key, conn, "Issue", "garbage"); err == nil {
		t.Error("prune with a garbage cursor: no error")
	}
}

// TestRecordVariantsAgainstFake: a variant's records are its own.
func TestRecordVariantsAgainstFake(t *testing.T) {
	srv, c, _ := recordsFake(t)
	ctx := context.Background()
	must(t, srv.PutRecords("unauthenticated", "u1", "Issue", testIssue{"1", "base", "open"}))
	must(t, srv.PutVariantRecords("unauthenticated", "u1", "Issue", "v2", testIssue{"1", "v2", "open"}, testIssue{"2", "v2", "open"}))
	for variant, want := range map[string]string{"": "1:ADDED", "base": "1:ADDED", "v2": "1:ADDED 2:ADDED", "v3": ""} {
		page, err := c.ListRecords(ctx, "unauthenticated", "u1", "Issue", nango.Variant(variant))
		if got := ids(t, page, err); got != want {
			t.Errorf("variant %q: %s, want %s", variant, got, want)
		}
	}
	must(t, srv.DeleteVariantRecords("unauthenticated", "u1", "Issue", "v2", "2"))
	page, err := c.ListRecords(ctx, "unauthenticated", "u1", "Issue", nango.Variant("v2"), nango.FilterLastAction(nango.RecordDeleted))
	if got := ids(t, page, err); got != "2:DELETED" {
		t.Errorf("deleted in v2: %s", got)
	}
}
