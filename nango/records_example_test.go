package nango_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/nango-go/sdk/nango"
	"github.com/nango-go/sdk/nango/nangotest"
)

// Issue is a model a sync stores.
type Issue struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	State string `json:"state"`
}

// fakeSync starts a fake Nango whose "issues" sync stored three records
// for connection user-1 of the github integration.
func fakeSync() (*nangotest.Server, *nango.Client) {
	srv, client := fakeNango()
	if err := srv.PutRecords("github", "user-1", "Issue",
		Issue{"1", "Fix the login page", "open"},
		Issue{"2", "Add dark mode", "open"},
		Issue{"3", "Crash on start", "closed"}); err != nil {
		log.Fatal(err)
	}
	return srv, client
}

func ExampleClient_ListRecords() {
	srv, client := fakeSync()
	defer srv.Close()
	ctx := context.Background()

	page, err := client.ListRecords(ctx, "github", "user-1", "Issue", nango.PageSize(2))
	if err != nil {
		log.Fatal(err)
	}
	for _, rec := range page.Records {
		var issue Issue
		if err := rec.Decode(&issue); err != nil {
			log.Fatal(err)
		}
		fmt.Println(rec.ID, rec.Metadata.LastAction, issue.Title)
	}
	fmt.Println("more:", page.NextCursor != "")

	// A connection that does not exist.
	_, err = client.ListRecords(ctx, "github", "nobody", "Issue")
	fmt.Println(errors.Is(err, nango.ErrNotFound))
	// Output:
	// 1 ADDED Fix the login page
	// 2 ADDED Add dark mode
	// more: true
	// true
}

// A consumer reads everything once, stores the last record's cursor, and
// later reads only what changed since.
func ExampleClient_AllRecords() {
	srv, client := fakeSync()
	defer srv.Close()
	ctx := context.Background()

	var cursor string // stored between runs
	read := func() {
		for rec, err := range client.AllRecords(ctx, "github", "user-1", "Issue", nango.Cursor(cursor)) {
			if err != nil {
				log.Fatal(err)
			}
			var issue Issue
			if err := rec.Decode(&issue); err != nil {
				log.Fatal(err)
			}
			switch {
			case rec.Deleted():
				fmt.Println("delete", rec.ID)
			default:
				fmt.Println("upsert", rec.ID, issue.Title, issue.State)
			}
			cursor = rec.Metadata.Cursor
		}
	}
	read()

	// The next sync run: issue 2 closed, issue 3 deleted at the provider.
	_ = srv.PutRecords("github", "user-1", "Issue", Issue{"2", "Add dark mode", "closed"})
	_ = srv.DeleteRecords("github", "user-1", "Issue", "3")
	fmt.Println("-- changes:")
	read()
	// Output:
	// upsert 1 Fix the login page open
	// upsert 2 Add dark mode open
	// upsert 3 Crash on start closed
	// -- changes:
	// upsert 2 Add dark mode closed
	// delete 3
}

func ExampleAllRecordsAs() {
	srv, client := fakeSync()
	defer srv.Close()

	for rec, err := range nango.AllRecordsAs[Issue](context.Background(), client, "github", "user-1", "Issue",
		nango.FilterRecordIDs("1", "3")) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s %q %s\n", rec.ID, rec.Data.Title, rec.Data.State)
	}
	// Output:
	// 1 "Fix the login page" open
	// 3 "Crash on start" closed
}

func ExampleClient_PruneRecords() {
	srv, client := fakeSync()
	defer srv.Close()
	ctx := context.Background()

	// Copy the records, then free Nango's storage up to the last one read.
	page, err := client.ListRecords(ctx, "github", "user-1", "Issue")
	if err != nil {
		log.Fatal(err)
	}
	last := page.Records[len(page.Records)-1].Metadata.Cursor
	for {
		res, err := client.PruneRecords(ctx, "github", "user-1", "Issue", last)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("pruned", res.Count)
		if !res.HasMore {
			break
		}
	}
	page, _ = client.ListRecords(ctx, "github", "user-1", "Issue", nango.FilterRecordIDs("1"))
	fmt.Println(page.Records[0].Pruned(), string(page.Records[0].Raw) != "")
	// Output:
	// pruned 3
	// true true
}
