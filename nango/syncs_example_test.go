package nango_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http/httptest"

	"github.com/nango-go/sdk/nango"
	"github.com/nango-go/sdk/nango/nangotest"
)

// syncNango is fakeNango with the sync issues (model Issue) deployed on
// github.
func syncNango() (*nangotest.Server, *nango.Client) {
	srv, client := fakeNango()
	if err := srv.PutSync("github", "issues", "Issue"); err != nil {
		log.Fatal(err)
	}
	return srv, client
}

func ExampleClient_StartSync() {
	srv, client := syncNango()
	defer srv.Close()
	ctx := context.Background()

	// Start the schedule of one connection's sync: it runs at once, then
	// at its frequency.
	err := client.StartSync(ctx, "github", []string{"issues"}, nango.ForConnection("user-1"))
	if err != nil {
		log.Fatal(err)
	}
	st, err := client.SyncStatus(ctx, "github", []string{"issues"}, nango.ForConnection("user-1"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(st[0].Name, st[0].Status, st[0].LatestExecutionStatus, *st[0].Frequency, st[0].NextScheduledSyncAt != nil)
	// Output:
	// issues SUCCESS SUCCESS every day true
}

func ExampleClient_TriggerSync() {
	srv, client := syncNango()
	defer srv.Close()
	ctx := context.Background()

	// Run the sync now for every connection of the integration, from the
	// start.
	if err := client.TriggerSync(ctx, "github", []string{"issues"}, nango.SyncMode(nango.SyncModeFullRefresh)); err != nil {
		log.Fatal(err)
	}
	// An unknown sync is Nango's no_syncs_found.
	err := client.TriggerSync(ctx, "github", []string{"contacts"}, nango.ForConnection("user-1"))
	var apiErr *nango.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Code)
	}
	// An unknown connection matches ErrNotFound.
	err = client.TriggerSync(ctx, "github", nil, nango.ForConnection("nobody"))
	fmt.Println(errors.Is(err, nango.ErrNotFound))
	// Output:
	// 400 no_syncs_found
	// true
}

func ExampleClient_PauseSync() {
	srv, client := syncNango()
	defer srv.Close()
	ctx := context.Background()

	if err := client.StartSync(ctx, "github", nil); err != nil { // every sync, every connection
		log.Fatal(err)
	}
	if err := client.PauseSync(ctx, "github", []string{"issues"}, nango.ForConnection("user-1")); err != nil {
		log.Fatal(err)
	}
	all, err := client.SyncStatus(ctx, "github", nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range all {
		fmt.Println(s.ConnectionID, s.Name, s.Status)
	}
	// Output:
	// user-1 issues PAUSED
	// team/acme@example.com issues SUCCESS
}

func ExampleClient_UpdateSyncFrequency() {
	srv, client := syncNango()
	defer srv.Close()
	ctx := context.Background()

	freq, err := client.UpdateSyncFrequency(ctx, "github", "user-1", "issues", "every 2 hours")
	fmt.Println(freq, err)
	// "" goes back to the frequency the sync was deployed with.
	freq, err = client.UpdateSyncFrequency(ctx, "github", "user-1", "issues", "")
	fmt.Println(freq, err)
	// Nango schedules nothing more often than every 30 seconds.
	_, err = client.UpdateSyncFrequency(ctx, "github", "user-1", "issues", "10s")
	fmt.Println(errors.Is(err, nango.ErrInvalidArgument))
	// Output:
	// 2 hours <nil>
	// every day <nil>
	// true
}

func ExampleClient_CreateSyncVariant() {
	srv, client := syncNango()
	defer srv.Close()
	ctx := context.Background()

	// A variant: the same sync with records and a schedule of its own.
	v, err := client.CreateSyncVariant(ctx, "github", "user-1", "issues", "archived")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(v.Name, v.Variant)
	if err := client.TriggerSync(ctx, "github", nil, nango.ForConnection("user-1"), nango.SyncVariant("issues", "archived")); err != nil {
		log.Fatal(err)
	}
	st, err := client.SyncStatus(ctx, "github", []string{"issues::archived"}, nango.ForConnection("user-1"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(st[0].Variant, st[0].Status, st[0].LatestExecutionStatus)
	fmt.Println(client.DeleteSyncVariant(ctx, "github", "user-1", "issues", "archived"))
	// Output:
	// issues archived
	// archived PAUSED SUCCESS
	// <nil>
}

// The fake runs a sync at once and sends Nango's signed sync webhook, one
// per model, before the call that ran it returns: a test drives its
// webhook handler with RunSync (or TriggerSync).
func ExampleClient_SyncStatus_webhook() {
	srv, client := syncNango()
	defer srv.Close()
	rcv := httptest.NewServer(client.WebhookHandler(func(ctx context.Context, w nango.Webhook) error {
		if s := w.Sync; s != nil {
			fmt.Println("sync webhook:", s.SyncName, s.Model, s.ConnectionID, s.Success, s.SyncType)
		}
		return nil
	}))
	defer rcv.Close()
	srv.SetWebhookURL(rcv.URL)

	if err := srv.RunSync("github", "user-1", "issues"); err != nil {
		log.Fatal(err)
	}
	if err := srv.FailNextSync("github", "user-1", "issues", "rate limited by GitHub"); err != nil {
		log.Fatal(err)
	}
	if err := srv.RunSync("github", "user-1", "issues"); err != nil {
		log.Fatal(err)
	}
	st, err := client.SyncStatus(context.Background(), "github", nil, nango.ForConnection("user-1"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(st[0].Status, st[0].LatestExecutionStatus)
	// Output:
	// sync webhook: issues Issue user-1 true INITIAL
	// sync webhook: issues Issue user-1 false INCREMENTAL
	// PAUSED STOPPED
}
