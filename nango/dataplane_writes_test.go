package nango_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/nango-go/sdk/nango"
	"github.com/nango-go/sdk/nango/nangotest"
)

// everyDataPlaneWrite is every call of the data plane (records, syncs,
// actions, integration management, functions) that changes something on
// the server or has the provider do something: none may be sent twice once
// it may have reached Nango. A data-plane write added to the SDK belongs
// here (everyWrite holds the auth plane's).
func everyDataPlaneWrite() map[string]func(ctx context.Context, c *nango.Client) error {
	return map[string]func(ctx context.Context, c *nango.Client) error{
		"PruneRecords": func(ctx context.Context, c *nango.Client) error {
			_, err := c.PruneRecords(ctx, "github", "u1", "Issue", "c")
			return err
		},
		"TriggerSync": func(ctx context.Context, c *nango.Client) error {
			return c.TriggerSync(ctx, "github", []string{"issues"})
		},
		"TriggerSync full refresh": func(ctx context.Context, c *nango.Client) error {
			return c.TriggerSync(ctx, "github", []string{"issues"}, nango.ForConnection("u1"), nango.SyncMode(nango.SyncModeFullRefreshAndClearCache))
		},
		"StartSync": func(ctx context.Context, c *nango.Client) error {
			return c.StartSync(ctx, "github", []string{"issues"}, nango.ForConnection("u1"))
		},
		"PauseSync": func(ctx context.Context, c *nango.Client) error {
			return c.PauseSync(ctx, "github", nil, nango.SyncVariant("issues", "v2"))
		},
		"UpdateSyncFrequency": func(ctx context.Context, c *nango.Client) error {
			_, err := c.UpdateSyncFrequency(ctx, "github", "u1", "issues", "1h")
			return err
		},
		"CreateSyncVariant": func(ctx context.Context, c *nango.Client) error {
			_, err := c.CreateSyncVariant(ctx, "github", "u1", "issues", "v2")
			return err
		},
		"DeleteSyncVariant": func(ctx context.Context, c *nango.Client) error {
			return c.DeleteSyncVariant(ctx, "github", "u1", "issues", "v2")
		},
		"TriggerAction": func(ctx context.Context, c *nango.Client) error {
			_, err := c.TriggerAction(ctx, "github", "u1", "create-issue", map[string]string{"title": "t"})
			return err
		},
		"TriggerActionAs": func(ctx context.Context, c *nango.Client) error {
			_, err := nango.TriggerActionAs[map[string]any](ctx, c, "github", "u1", "create-issue", nil)
			return err
		},
		"TriggerActionAsync": func(ctx context.Context, c *nango.Client) error {
			_, err := c.TriggerActionAsync(ctx, "github", "u1", "create-issue", nil, nango.ActionMaxRetries(2))
			return err
		},
		"CreateIntegration": func(ctx context.Context, c *nango.Client) error {
			_, err := c.CreateIntegration(ctx, nango.CreateIntegrationRequest{UniqueKey: "k", Provider: "sendgrid"})
			return err
		},
		"CreateQuickstartIntegration": func(ctx context.Context, c *nango.Client) error {
			_, err := c.CreateQuickstartIntegration(ctx, nango.QuickstartIntegrationRequest{UniqueKey: "k", Provider: "github"})
			return err
		},
		"UpdateIntegration": func(ctx context.Context, c *nango.Client) error {
			_, err := c.UpdateIntegration(ctx, "github", nango.UpdateIntegrationRequest{DisplayName: "GitHub"})
			return err
		},
		"DeleteIntegration": func(ctx context.Context, c *nango.Client) error {
			return c.DeleteIntegration(ctx, "github")
		},
		"DeleteFunction": func(ctx context.Context, c *nango.Client) error {
			return c.DeleteFunction(ctx, "github", "issues", nango.FunctionTypeSync)
		},
	}
}

// TestEveryDataPlaneWriteSentOnce: a data-plane write whose request reached
// the server is never sent again, whatever comes back (an error status the
// SDK retries for a read, a connection dropped before the answer, an answer
// cut off halfway): it may have been done. The same faults make a read
// retry, so each is one the client retries when it may.
func TestEveryDataPlaneWriteSentOnce(t *testing.T) {
	faults := []struct {
		name  string
		fault nangotest.Fault
	}{
		{"503", nangotest.Fault{Status: http.StatusServiceUnavailable, Body: `{"error":{"code":"server_error"}}`}},
		{"500", nangotest.Fault{Status: http.StatusInternalServerError, Body: `{"error":{"code":"server_error"}}`}},
		{"502 from a proxy", nangotest.Fault{Status: http.StatusBadGateway, ContentType: "text/html", Body: "<html>Bad Gateway</html>", OffContract: true}},
		{"429 without Retry-After", nangotest.Fault{Status: http.StatusTooManyRequests, Body: `{"error":{"code":"too_many_request"}}`, OffContract: true}},
		{"dropped after the request", nangotest.DropConnection()},
		{"answer cut off", nangotest.Fault{Truncate: true}},
	}
	ctx := context.Background()
	for _, f := range faults {
		t.Run(f.name+": a read is retried", func(t *testing.T) {
			srv, c, _ := fakeClientChecked(t, false)
			srv.FailNext(-1, f.fault)
			if _, err := c.SyncStatus(ctx, "github", nil); err == nil || len(srv.Requests()) != 3 {
				t.Errorf("%d attempts, %v: want the read retried twice", len(srv.Requests()), err)
			}
		})
		for name, write := range everyDataPlaneWrite() {
			t.Run(f.name+": "+name, func(t *testing.T) {
				srv, c, waits := fakeClientChecked(t, false)
				srv.FailNext(-1, f.fault)
				err := write(ctx, c)
				if err == nil || errors.Is(err, nango.ErrInvalidArgument) {
					t.Fatalf("err %v, want the fault", err)
				}
				if n := len(srv.Requests()); n != 1 || len(waits.All()) != 0 {
					t.Errorf("%d requests, waits %v: a sent write was repeated", n, waits.All())
				}
			})
		}
	}
}

// TestEveryDataPlaneWriteRetriedWhenUnsent: a write that provably never
// left this process (the dial was refused) is tried again, as a read is.
func TestEveryDataPlaneWriteRetriedWhenUnsent(t *testing.T) {
	for name, write := range everyDataPlaneWrite() {
		t.Run(name, func(t *testing.T) {
			rt := &refusingTransport{}
			c, err := nango.New(nangotest.DefaultSecretKey, nango.WithHost("http://127.0.0.1:1"), nango.WithHTTPClient(&http.Client{Transport: rt}))
			if err != nil {
				t.Fatal(err)
			}
			nango.SetSleep(c, (&nango.Waits{}).Sleep)
			if err := write(context.Background(), c); err == nil || errors.Is(err, nango.ErrInvalidArgument) || rt.n.Load() != 3 {
				t.Errorf("%d attempts, %v: want 3", rt.n.Load(), err)
			}
		})
	}
}
