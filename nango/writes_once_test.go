package nango_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/nango-go/sdk/gen"
	"github.com/nango-go/sdk/nango"
	"github.com/nango-go/sdk/nango/nangotest"
)

// sessionToken is a well-formed connect session token (the fault answers
// before the fake looks it up).
var sessionToken = "nango_connect_session_" + strings.Repeat("ab", 32)

// everyWrite is every call of the SDK that changes something on the
// server, on today's routes and on the legacy ones: none may be sent twice.
// A write added to the SDK belongs here.
func everyWrite() []struct {
	name   string
	legacy bool
	call   func(ctx context.Context, c *nango.Client) error
} {
	importReq := nango.ImportConnectionRequest{ProviderConfigKey: "github", ConnectionID: "u2"}
	_ = importReq.Credentials.FromImportOAuth2Credentials(nango.ImportOAuth2Credentials{AccessToken: "t"})
	tags := nango.TagsInput{"team": "core"}
	md := nango.Metadata{"plan": "pro"}
	type write = struct {
		name   string
		legacy bool
		call   func(ctx context.Context, c *nango.Client) error
	}
	var out []write
	for _, legacy := range []bool{false, true} {
		out = append(out,
			write{"ImportConnection", legacy, func(ctx context.Context, c *nango.Client) error {
				_, err := c.ImportConnection(ctx, importReq)
				return err
			}},
			write{"PatchConnection", legacy, func(ctx context.Context, c *nango.Client) error {
				return c.PatchConnection(ctx, "github", "u1", nango.PatchConnectionRequest{Tags: &tags})
			}},
			write{"DeleteConnection", legacy, func(ctx context.Context, c *nango.Client) error {
				return c.DeleteConnection(ctx, "github", "u1")
			}},
			write{"SetMetadata", legacy, func(ctx context.Context, c *nango.Client) error {
				return c.SetMetadata(ctx, "github", "u1", md)
			}},
			write{"SetMetadataMany", legacy, func(ctx context.Context, c *nango.Client) error {
				return c.SetMetadataMany(ctx, "github", []string{"u1", "u2"}, md)
			}},
			write{"UpdateMetadata", legacy, func(ctx context.Context, c *nango.Client) error {
				return c.UpdateMetadata(ctx, "github", "u1", md)
			}},
			write{"UpdateMetadataMany", legacy, func(ctx context.Context, c *nango.Client) error {
				return c.UpdateMetadataMany(ctx, "github", []string{"u1", "u2"}, md)
			}},
			write{"CreateConnectSession", legacy, func(ctx context.Context, c *nango.Client) error {
				_, err := c.CreateConnectSession(ctx, nango.ConnectSessionRequest{EndUser: &nango.EndUserInput{ID: "end-user-1"}})
				return err
			}},
			write{"CreateReconnectSession", legacy, func(ctx context.Context, c *nango.Client) error {
				_, err := c.CreateReconnectSession(ctx, nango.ReconnectSessionRequest{ConnectionID: "u1", IntegrationID: "github"})
				return err
			}},
			write{"DeleteConnectSession", legacy, func(ctx context.Context, c *nango.Client) error {
				return c.DeleteConnectSession(ctx, sessionToken)
			}},
			// The low-level client's writes go through the same funnel.
			write{"API().DeleteConnection", legacy, func(ctx context.Context, c *nango.Client) error {
				_, err := c.API().DeleteConnectionWithResponse(ctx, "u1", &gen.DeleteConnectionParams{ProviderConfigKey: "github"})
				return err
			}},
			write{"API().PatchConnection", legacy, func(ctx context.Context, c *nango.Client) error {
				_, err := c.API().PatchConnectionWithResponse(ctx, "u1", &gen.PatchConnectionParams{ProviderConfigKey: "github"},
					gen.PatchConnectionJSONRequestBody{Tags: &tags})
				return err
			}},
		)
	}
	return out
}

// TestEveryWriteSentOnce: a write whose request reached the server is never
// sent again, whatever comes back (a 503, or a connection dropped before the
// answer): it may have been done. A GET under the same fault is retried, so
// the fault is one the client retries when it may.
func TestEveryWriteSentOnce(t *testing.T) {
	faults := []struct {
		name  string
		fault nangotest.Fault
	}{
		{"503", nangotest.Fault{Status: http.StatusServiceUnavailable, Body: `{"error":{"code":"server_error"}}`}},
		{"dropped after the request", nangotest.DropConnection()},
	}
	for _, f := range faults {
		t.Run(f.name+": a read is retried", func(t *testing.T) {
			srv, c, _ := fakeClient(t)
			srv.FailNext(-1, f.fault)
			if _, err := c.GetConnection(context.Background(), "github", "u1"); err == nil || len(srv.Requests()) != 3 {
				t.Errorf("%d attempts, %v: want the read retried twice", len(srv.Requests()), err)
			}
		})
		for _, w := range everyWrite() {
			name := f.name + ": " + w.name
			if w.legacy {
				name += ", legacy routes"
			}
			t.Run(name, func(t *testing.T) {
				var opts []nango.Option
				if w.legacy {
					opts = append(opts, nango.WithLegacyPaths())
				}
				srv, c, waits := fakeClient(t, opts...)
				srv.FailNext(-1, f.fault)
				err := w.call(context.Background(), c)
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

// refusingTransport counts round trips and fails each with a refused dial:
// the request provably never left.
type refusingTransport struct{ n atomic.Int32 }

func (r *refusingTransport) RoundTrip(*http.Request) (*http.Response, error) {
	r.n.Add(1)
	return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
}

// TestEveryWriteRetriedWhenUnsent: the other side of TestEveryWriteSentOnce:
// a write that never left this process is tried again, as a read is.
func TestEveryWriteRetriedWhenUnsent(t *testing.T) {
	for _, w := range everyWrite() {
		t.Run(w.name, func(t *testing.T) {
			rt := &refusingTransport{}
			opts := []nango.Option{nango.WithHost("http://127.0.0.1:1"), nango.WithHTTPClient(&http.Client{Transport: rt})}
			if w.legacy {
				opts = append(opts, nango.WithLegacyPaths())
			}
			c, err := nango.New(nangotest.DefaultSecretKey, opts...)
			if err != nil {
				t.Fatal(err)
			}
			nango.SetSleep(c, (&nango.Waits{}).Sleep)
			if err := w.call(context.Background(), c); err == nil || rt.n.Load() != 3 {
				t.Errorf("%d attempts, %v: want 3", rt.n.Load(), err)
			}
		})
	}
}
