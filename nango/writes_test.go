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
)

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
