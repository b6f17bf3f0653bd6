package nango_test

import (
	"context"
	"errors"
	"math"
	"net/http"
	"testing"

	"github.com/nango-go/sdk/nango"
	"github.com/nango-go/sdk/nango/nangotest"
)

// nonGET counts the fake's requests other than GETs.
func nonGET(srv *nangotest.Server) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Method != http.MethodGet {
			n++
		}
	}
	return n
}

// TestListOffsetPastSafeIntegerRefused: a page whose offset, page × limit
// (10,000 without PageSize), passes 2^53 − 1 makes Nango's server answer
// 500 generic_error_support, which the SDK would retry. It is refused
// before anything is sent, without overflowing the product.
func TestListOffsetPastSafeIntegerRefused(t *testing.T) {
	const maxSafe = 1<<53 - 1
	cases := []struct {
		name string
		opts []nango.ListOption
		ok   bool
	}{
		{"last page of 1", []nango.ListOption{nango.PageSize(1), nango.Page(maxSafe)}, true},
		{"past it, pages of 1", []nango.ListOption{nango.PageSize(1), nango.Page(maxSafe + 1)}, false},
		{"last page of 2000", []nango.ListOption{nango.PageSize(2000), nango.Page(maxSafe / 2000)}, true},
		{"past it, pages of 2000", []nango.ListOption{nango.PageSize(2000), nango.Page(maxSafe/2000 + 1)}, false},
		{"last page of the server's 10,000", []nango.ListOption{nango.Page(maxSafe / 10000)}, true},
		{"past it, no PageSize", []nango.ListOption{nango.Page(maxSafe/10000 + 1)}, false},
		// page × 2000 overflows an int64 (it wraps to -2000): the check
		// must not multiply.
		{"MaxInt pages of 2000", []nango.ListOption{nango.PageSize(2000), nango.Page(math.MaxInt)}, false},
		{"MaxInt pages of 1", []nango.ListOption{nango.PageSize(1), nango.Page(math.MaxInt)}, false},
	}
	for _, legacy := range []bool{false, true} {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				srv := nangotest.Start(t)
				srv.MustPut(nangotest.APIKey("sendgrid", "a", "k"))
				var opts []nango.Option
				if legacy {
					opts = append(opts, nango.WithLegacyPaths())
				}
				c := srv.Client(opts...)
				got, err := c.ListConnections(context.Background(), tc.opts...)
				if tc.ok {
					if err != nil || len(got) != 0 || len(srv.Requests()) != 1 {
						t.Errorf("%d connections, %v, %d requests", len(got), err, len(srv.Requests()))
					}
					return
				}
				if !errors.Is(err, nango.ErrInvalidArgument) || len(srv.Requests()) != 0 {
					t.Fatalf("err %v after %d requests, want ErrInvalidArgument before any", err, len(srv.Requests()))
				}
				if tc.name == "past it, no PageSize" {
					// AllConnections' own pages are of 1000: that offset is
					// still one the server computes.
					return
				}
				n := 0
				for _, err := range c.AllConnections(context.Background(), tc.opts...) {
					n++
					if !errors.Is(err, nango.ErrInvalidArgument) {
						t.Errorf("AllConnections: %v", err)
					}
				}
				if n != 1 || len(srv.Requests()) != 0 {
					t.Errorf("AllConnections yielded %d, sent %d requests", n, len(srv.Requests()))
				}
			})
		}
	}
}

// TestEmptyEndUserIDRefused: the server refuses an import or a patch whose
// end_user.id is empty (400 invalid_body); the SDK refuses it first, as
// CreateConnectSession does.
func TestEmptyEndUserIDRefused(t *testing.T) {
	ctx := context.Background()
	srv := nangotest.Start(t)
	srv.MustPut(nangotest.OAuth2("github", "u1", "t"))
	c := srv.Client()
	imp := nango.ImportConnectionRequest{ProviderConfigKey: "github", ConnectionID: "u2", EndUser: &nango.EndUserInput{Email: "a@example.com"}}
	if err := imp.Credentials.FromImportOAuth2Credentials(nango.ImportOAuth2Credentials{AccessToken: "t"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ImportConnection(ctx, imp); !errors.Is(err, nango.ErrInvalidArgument) {
		t.Errorf("import: %v", err)
	}
	if err := c.PatchConnection(ctx, "github", "u1", nango.PatchConnectionRequest{EndUser: &nango.EndUserInput{}}); !errors.Is(err, nango.ErrInvalidArgument) {
		t.Errorf("patch: %v", err)
	}
	if n := nonGET(srv); n != 0 {
		t.Errorf("%d writes sent", n)
	}
	// With an id both go through.
	imp.EndUser.ID = "end-user-1"
	if _, err := c.ImportConnection(ctx, imp); err != nil {
		t.Errorf("import with an id: %v", err)
	}
	if err := c.PatchConnection(ctx, "github", "u1", nango.PatchConnectionRequest{EndUser: &nango.EndUserInput{ID: "end-user-1"}}); err != nil {
		t.Errorf("patch with an id: %v", err)
	}
}
