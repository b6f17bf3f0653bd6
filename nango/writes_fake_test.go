package nango_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/nango-go/sdk/nango"
	"github.com/nango-go/sdk/nango/internal/contract"
	"github.com/nango-go/sdk/nango/nangotest"
)

// validatedFake is a nangotest server and a client whose transport checks
// every exchange against the spec too: both sides hold the contract.
func validatedFake(t *testing.T, opts ...nango.Option) (*nangotest.Server, *nango.Client) {
	t.Helper()
	srv := nangotest.Start(t)
	srv.SeedDemo()
	v, err := contract.Load()
	if err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{Transport: &contract.Transport{Validator: v, Report: t.Errorf}}
	c, err := nango.New(srv.SecretKey(), append([]nango.Option{nango.WithHost(srv.URL), nango.WithHTTPClient(hc)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

func TestWriteEndpoints(t *testing.T) {
	ctx := context.Background()
	for _, legacy := range []bool{false, true} {
		t.Run(map[bool]string{false: "today's routes", true: "legacy routes"}[legacy], func(t *testing.T) {
			var opts []nango.Option
			if legacy {
				opts = append(opts, nango.WithLegacyPaths())
			}
			srv, c := validatedFake(t, opts...)

			imp := nango.ImportConnectionRequest{ProviderConfigKey: "github", ConnectionID: "new/user@x",
				Metadata: nango.Metadata{"a": 1.0}, Tags: nango.TagsInput{"t": "v"}}
			if err := imp.Credentials.FromImportOAuth2Credentials(nango.ImportOAuth2Credentials{AccessToken: "imp", RefreshToken: "r"}); err != nil {
				t.Fatal(err)
			}
			conn, err := c.ImportConnection(ctx, imp)
			if err != nil || conn.ConnectionID != "new/user@x" || conn.Metadata["a"] != 1.0 || conn.Tags["t"] != "v" {
				t.Fatalf("import: %+v %v", conn, err)
			}
			if tok, err := c.GetToken(ctx, "github", "new/user@x"); err != nil || tok.AccessToken != "imp" {
				t.Fatalf("imported token: %v %v", tok, err)
			}
			apiKey := nango.ImportConnectionRequest{ProviderConfigKey: "github", ConnectionID: "x"}
			_ = apiKey.Credentials.FromImportAPIKeyCredentials(nango.ImportAPIKeyCredentials{APIKey: "k"})
			_, err = c.ImportConnection(ctx, apiKey)
			var apiErr *nango.APIError
			if !errors.As(err, &apiErr) || apiErr.Code != "invalid_body" {
				t.Errorf("wrong kind: %v", err)
			}
			unknown := nango.ImportConnectionRequest{ProviderConfigKey: "nope", ConnectionID: "x"}
			_ = unknown.Credentials.FromImportOAuth2Credentials(nango.ImportOAuth2Credentials{AccessToken: "t"})
			if _, err := c.ImportConnection(ctx, unknown); !errors.Is(err, nango.ErrNotFound) {
				t.Errorf("unknown integration: %v", err)
			}

			hook := "https://example.com/hook"
			if err := c.PatchConnection(ctx, "github", "new/user@x", nango.PatchConnectionRequest{Tags: &nango.TagsInput{"team": "core"}, WebhookURLOverride: &hook}); err != nil {
				t.Fatal(err)
			}
			if got, _ := c.GetConnection(ctx, "github", "new/user@x"); got.Tags["team"] != "core" || got.Tags["t"] != "" || got.WebhookURLOverride != hook {
				t.Errorf("patched: %+v", got)
			}
			if err := c.PatchConnection(ctx, "github", "nobody", nango.PatchConnectionRequest{Tags: &nango.TagsInput{}}); !errors.Is(err, nango.ErrNotFound) {
				t.Errorf("patch unknown: %v", err)
			}
			if err := c.PatchConnection(ctx, "github", "new/user@x", nango.PatchConnectionRequest{}); !errors.Is(err, nango.ErrInvalidArgument) {
				t.Errorf("empty patch: %v", err)
			}

			if err := c.SetMetadataMany(ctx, "github", []string{"new/user@x", "user-1"}, nango.Metadata{"x": "1"}); err != nil {
				t.Fatal(err)
			}
			if err := c.UpdateMetadata(ctx, "github", "user-1", nango.Metadata{"y": "2"}); err != nil {
				t.Fatal(err)
			}
			md1, _ := c.GetMetadata(ctx, "github", "new/user@x")
			md2, _ := c.GetMetadata(ctx, "github", "user-1")
			if len(md1) != 1 || md1["x"] != "1" || len(md2) != 2 || md2["y"] != "2" {
				t.Errorf("metadata: %v %v", md1, md2)
			}
			if err := c.SetMetadata(ctx, "github", "nobody", nango.Metadata{}); !errors.Is(err, nango.ErrNotFound) {
				t.Errorf("metadata of unknown: %v", err)
			}
			if err := c.SetMetadataMany(ctx, "github", nil, nil); !errors.Is(err, nango.ErrInvalidArgument) {
				t.Errorf("metadata without ids: %v", err)
			}

			if err := c.DeleteConnection(ctx, "github", "new/user@x"); err != nil {
				t.Fatal(err)
			}
			if err := c.DeleteConnection(ctx, "github", "new/user@x"); !errors.Is(err, nango.ErrNotFound) {
				t.Errorf("second delete: %v", err)
			}
			var deletes, metadata []string
			for _, r := range srv.Requests() {
				switch {
				case r.Method == http.MethodDelete:
					deletes = append(deletes, r.Path)
				case strings.HasSuffix(r.Path, "/metadata"):
					metadata = append(metadata, r.Method+" "+r.Path)
				}
			}
			prefix := "/connections"
			if legacy {
				prefix = "/connection"
			}
			if len(deletes) != 2 || deletes[0] != prefix+"/new/user@x" {
				t.Errorf("delete paths %v, want %s/new/user@x", deletes, prefix)
			}
			if len(metadata) != 3 || metadata[0] != "POST "+prefix+"/metadata" || metadata[1] != "PATCH "+prefix+"/metadata" {
				t.Errorf("metadata calls %v", metadata)
			}
		})
	}
}

func TestAllConnections(t *testing.T) {
	srv, c := validatedFake(t)
	for i := 0; i < 7; i++ {
		srv.MustPut(nangotest.APIKey("sendgrid", "k"+string(rune('a'+i)), "key"))
	}
	ctx := context.Background()
	var ids []string
	for conn, err := range c.AllConnections(ctx, nango.FilterIntegrations("sendgrid"), nango.PageSize(3)) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, conn.ConnectionID)
	}
	if len(ids) != 8 { // 7 + the demo's acme-mail
		t.Errorf("%d connections: %v", len(ids), ids)
	}
	pages := 0
	for _, r := range srv.Requests() {
		if r.Path == "/connections" {
			pages++
		}
	}
	if pages != 3 {
		t.Errorf("%d pages read for 8 items in pages of 3", pages)
	}
	// Stopping early reads no further page.
	srv.Reset()
	for range c.AllConnections(ctx, nango.PageSize(2)) {
		break
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("break after the first item read %d pages", n)
	}
	// The first error ends the walk, and is yielded.
	srv.Reset()
	srv.FailNext(-1, nangotest.Fault{Status: 401, Body: `{"error":{"code":"unknown_account"}}`})
	var errs []error
	for _, err := range c.AllConnections(ctx) {
		errs = append(errs, err)
	}
	if len(errs) != 1 || !errors.Is(errs[0], nango.ErrUnauthorized) {
		t.Errorf("errors: %v", errs)
	}
}
