package nango

import (
	"context"
	"encoding/json"
	"errors"
	"github.com/nango-go/sdk/gen"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/nango-go/sdk/nango/internal/contract"
	"github.com/nango-go/sdk/nango/nangotest"
)

// validatedFake is a nangotest server and a client whose transport checks
// every exchange against the spec too: both sides hold the contract.
func validatedFake(t *testing.T, opts ...Option) (*nangotest.Server, *Client) {
	t.Helper()
	srv := nangotest.Start(t)
	srv.SeedDemo()
	v, err := contract.Load()
	if err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{Transport: &contract.Transport{Validator: v, Report: t.Errorf}}
	c, err := New(srv.SecretKey, append([]Option{WithHost(srv.URL), WithHTTPClient(hc)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

func TestWriteEndpoints(t *testing.T) {
	ctx := context.Background()
	for _, legacy := range []bool{false, true} {
		t.Run(map[bool]string{false: "today's routes", true: "legacy routes"}[legacy], func(t *testing.T) {
			var opts []Option
			if legacy {
				opts = append(opts, WithLegacyPaths())
			}
			srv, c := validatedFake(t, opts...)

			imp := ImportConnectionRequest{ProviderConfigKey: "github", ConnectionID: "new/user@x",
				Metadata: Metadata{"a": 1.0}, Tags: TagsInput{"t": "v"}}
			if err := imp.Credentials.FromImportOAuth2Credentials(ImportOAuth2Credentials{AccessToken: "imp", RefreshToken: "r"}); err != nil {
				t.Fatal(err)
			}
			conn, err := c.ImportConnection(ctx, imp)
			if err != nil || conn.ConnectionID != "new/user@x" || conn.Metadata["a"] != 1.0 || conn.Tags["t"] != "v" {
				t.Fatalf("import: %+v %v", conn, err)
			}
			if tok, err := c.GetToken(ctx, "github", "new/user@x"); err != nil || tok.AccessToken != "imp" {
				t.Fatalf("imported token: %v %v", tok, err)
			}
			apiKey := ImportConnectionRequest{ProviderConfigKey: "github", ConnectionID: "x"}
			_ = apiKey.Credentials.FromImportAPIKeyCredentials(ImportAPIKeyCredentials{APIKey: "k"})
			_, err = c.ImportConnection(ctx, apiKey)
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.Code != "invalid_body" {
				t.Errorf("wrong kind: %v", err)
			}
			unknown := ImportConnectionRequest{ProviderConfigKey: "nope", ConnectionID: "x"}
			_ = unknown.Credentials.FromImportOAuth2Credentials(ImportOAuth2Credentials{AccessToken: "t"})
			if _, err := c.ImportConnection(ctx, unknown); !errors.Is(err, ErrNotFound) {
				t.Errorf("unknown integration: %v", err)
			}

			hook := "https://example.com/hook"
			if err := c.PatchConnection(ctx, "github", "new/user@x", PatchConnectionRequest{Tags: &TagsInput{"team": "core"}, WebhookURLOverride: &hook}); err != nil {
				t.Fatal(err)
			}
			if got, _ := c.GetConnection(ctx, "github", "new/user@x"); got.Tags["team"] != "core" || got.Tags["t"] != "" || got.WebhookURLOverride != hook {
				t.Errorf("patched: %+v", got)
			}
			if err := c.PatchConnection(ctx, "github", "nobody", PatchConnectionRequest{Tags: &TagsInput{}}); !errors.Is(err, ErrNotFound) {
				t.Errorf("patch unknown: %v", err)
			}
			if err := c.PatchConnection(ctx, "github", "new/user@x", PatchConnectionRequest{}); !errors.Is(err, ErrInvalidArgument) {
				t.Errorf("empty patch: %v", err)
			}

			if err := c.SetMetadataMany(ctx, "github", []string{"new/user@x", "user-1"}, Metadata{"x": "1"}); err != nil {
				t.Fatal(err)
			}
			if err := c.UpdateMetadata(ctx, "github", "user-1", Metadata{"y": "2"}); err != nil {
				t.Fatal(err)
			}
			md1, _ := c.GetMetadata(ctx, "github", "new/user@x")
			md2, _ := c.GetMetadata(ctx, "github", "user-1")
			if len(md1) != 1 || md1["x"] != "1" || len(md2) != 2 || md2["y"] != "2" {
				t.Errorf("metadata: %v %v", md1, md2)
			}
			if err := c.SetMetadata(ctx, "github", "nobody", Metadata{}); !errors.Is(err, ErrNotFound) {
				t.Errorf("metadata of unknown: %v", err)
			}
			if err := c.SetMetadataMany(ctx, "github", nil, nil); !errors.Is(err, ErrInvalidArgument) {
				t.Errorf("metadata without ids: %v", err)
			}

			if err := c.DeleteConnection(ctx, "github", "new/user@x"); err != nil {
				t.Fatal(err)
			}
			if err := c.DeleteConnection(ctx, "github", "new/user@x"); !errors.Is(err, ErrNotFound) {
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
	for conn, err := range c.AllConnections(ctx, WithIntegrations("sendgrid"), WithLimit(3)) {
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
	for range c.AllConnections(ctx, WithLimit(2)) {
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
	if len(errs) != 1 || !errors.Is(errs[0], ErrUnauthorized) {
		t.Errorf("errors: %v", errs)
	}
}

// TestWriteCaptures: the SDK decodes every write a real Nango answered.
func TestWriteCaptures(t *testing.T) {
	caps, err := contract.LoadCaptures("testdata/real-nango")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range caps {
		if c.Method == http.MethodGet || !strings.Contains(c.URL, "/connection") {
			continue
		}
		n++
		t.Run(c.Name, func(t *testing.T) {
			// The SDK sends the capture's own request, decoded into the
			// generated request types: what the server took, the types take.
			var opts []Option
			if strings.Contains(c.URL, "/connection/") {
				opts = append(opts, WithLegacyPaths())
			}
			h := setupRaw(t, replay(c), append(opts, WithMaxRetries(0))...)
			ctx := context.Background()
			u, _ := url.Parse(c.URL)
			key := u.Query().Get("provider_config_key")
			id, _ := url.PathUnescape(strings.TrimPrefix(strings.TrimPrefix(u.EscapedPath(), "/connections/"), "/connection/"))
			var err error
			switch {
			case c.Method == http.MethodPost && u.Path == "/connections":
				var req ImportConnectionRequest
				if json.Unmarshal(c.Body, &req) != nil {
					req = ImportConnectionRequest{ProviderConfigKey: "github"}
					_ = req.Credentials.FromImportOAuth2Credentials(ImportOAuth2Credentials{AccessToken: "t"})
				}
				var conn *Connection
				conn, err = h.client.ImportConnection(ctx, req)
				if err == nil {
					var want struct {
						ConnectionID string `json:"connection_id"`
					}
					_ = json.Unmarshal(c.Resp, &want)
					if conn.ConnectionID != want.ConnectionID || conn.CreatedAt.IsZero() || conn.Credentials == nil && !strings.Contains(string(c.Body), `"NONE"`) {
						t.Errorf("decoded %+v", conn)
					}
				}
			case strings.HasSuffix(u.Path, "/metadata"):
				var req gen.MetadataRequest
				if err := json.Unmarshal(c.Body, &req); err != nil {
					t.Fatal(err)
				}
				ids, ierr := req.ConnectionID.AsConnectionIDs1()
				if ierr != nil {
					one, _ := req.ConnectionID.AsConnectionIDValue()
					ids = []string{one}
				}
				if c.Method == http.MethodPost {
					err = h.client.SetMetadataMany(ctx, req.ProviderConfigKey, ids, req.Metadata)
				} else {
					err = h.client.UpdateMetadataMany(ctx, req.ProviderConfigKey, ids, req.Metadata)
				}
			case c.Method == http.MethodDelete:
				err = h.client.DeleteConnection(ctx, key, id)
			case c.Method == http.MethodPatch:
				var req PatchConnectionRequest
				if err := json.Unmarshal(c.Body, &req); err != nil {
					t.Fatal(err)
				}
				if req.Tags == nil && req.WebhookURLOverride == nil && req.EndUser == nil {
					t.Skip("an empty patch: the SDK refuses it before sending")
				}
				err = h.client.PatchConnection(ctx, key, id, req)
			default:
				t.Fatalf("no SDK call for %s %s", c.Method, c.URL)
			}
			if c.Status/100 == 2 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			checkAPIError(t, c, err)
		})
	}
	if n < 15 {
		t.Errorf("only %d write captures", n)
	}
}

// TestMalformedKeepsStatus: a body the SDK cannot read is reported with the
// status it came with, 201 for an import.
func TestMalformedKeepsStatus(t *testing.T) {
	h := setupRaw(t, jsonBody(201, `{"id":"not a number"}`))
	req := ImportConnectionRequest{ProviderConfigKey: "github", ConnectionID: "x"}
	_ = req.Credentials.FromImportOAuth2Credentials(ImportOAuth2Credentials{AccessToken: "t"})
	_, err := h.client.ImportConnection(context.Background(), req)
	var ue *UnexpectedResponseError
	if !errors.As(err, &ue) || ue.StatusCode != 201 || ue.Operation != opImportConnection {
		t.Fatalf("err = %v", err)
	}
}
