package nango_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/nango-go/sdk/nango"
	"github.com/nango-go/sdk/nango/nangotest"
)

// TestDataPlaneConcurrent: records written, deleted and read, syncs run,
// actions run synchronously and asynchronously, all at once and while the
// server closes (run it under -race): no data race, no panic, and every
// call returns (an error once the server is gone).
func TestDataPlaneConcurrent(t *testing.T) {
	srv := nangotest.Start(t)
	srv.MustPut(nangotest.OAuth2("github", "u1", "tok-1"))
	if err := srv.PutSync("github", "issues", "Issue"); err != nil {
		t.Fatal(err)
	}
	srv.HandleAction("github", "echo", func(ctx context.Context, connectionID string, input json.RawMessage) (any, error) {
		return map[string]any{"connection": connectionID}, nil
	})
	c, err := nango.New(srv.SecretKey(), nango.WithHost(srv.URL), nango.WithMaxRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 30 {
				id := fmt.Sprintf("%d-%d", w, i)
				_ = srv.PutRecords("github", "u1", "Issue", map[string]any{"id": id, "n": i})
				if i%3 == 0 {
					_ = srv.DeleteRecords("github", "u1", "Issue", id)
				}
			}
		})
		wg.Go(func() {
			for range 10 {
				for _, err := range c.AllRecords(ctx, "github", "u1", "Issue", nango.PageSize(7)) {
					if err != nil {
						break
					}
				}
			}
		})
		wg.Go(func() {
			for range 10 {
				_ = srv.RunSync("github", "u1", "issues")
				_, _ = c.SyncStatus(ctx, "github", nil, nango.ForConnection("u1"))
			}
		})
		wg.Go(func() {
			for range 10 {
				_, _ = c.TriggerAction(ctx, "github", "u1", "echo", map[string]int{"i": w})
				if a, err := c.TriggerActionAsync(ctx, "github", "u1", "echo", nil); err == nil {
					// A closed server is ErrUnavailable, which the wait
					// rides out until its context ends.
					wctx, wcancel := context.WithTimeout(ctx, 2*time.Second)
					_, _ = c.WaitForActionResult(wctx, a.ID, nango.PollInterval(time.Millisecond, 5*time.Millisecond))
					wcancel()
				}
			}
		})
	}
	wg.Go(func() {
		time.Sleep(50 * time.Millisecond)
		srv.Close()
	})
	wg.Wait()
	if ctx.Err() != nil {
		t.Fatal("a call did not return before the deadline")
	}
}
