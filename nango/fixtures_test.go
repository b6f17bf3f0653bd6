package nango

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/nango-go/sdk/nango/internal/contract"
)

// fixture is a real-shaped answer: today's and 2023's bodies, every kind of
// credentials, both error shapes (testdata/fixtures/fixtures.json).
type fixture struct {
	Name        string          `json:"name"`
	Method      string          `json:"method"`
	Path        string          `json:"path"`
	Status      int             `json:"status"`
	Kind        *string         `json:"kind"`
	Code        string          `json:"code"`
	OffContract bool            `json:"off_contract"`
	Body        json.RawMessage `json:"body"`
}

// TestFixtures: each fixture validates against the spec (but the one from the
// future, which the SDK must decode anyway) and decodes in the SDK.
func TestFixtures(t *testing.T) {
	b, err := os.ReadFile("testdata/fixtures/fixtures.json")
	if err != nil {
		t.Fatal(err)
	}
	var fixtures []fixture
	if err := json.Unmarshal(b, &fixtures); err != nil {
		t.Fatal(err)
	}
	v, err := contract.Load()
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for _, fx := range fixtures {
		t.Run(fx.Name, func(t *testing.T) {
			req, _ := http.NewRequest(fx.Method, "http://127.0.0.1:3003"+fx.Path, nil)
			h := http.Header{"Content-Type": {"application/json; charset=utf-8"}}
			if err := v.ValidateResponse(req, fx.Status, h, fx.Body); (err == nil) == fx.OffContract {
				t.Errorf("validation: %v (off contract: %t)", err, fx.OffContract)
			}
			var opts []Option
			if strings.HasPrefix(fx.Path, "/connection/") || fx.Path == "/connection" {
				opts = append(opts, WithLegacyPaths())
			}
			srv := setupRaw(t, jsonBody(fx.Status, string(fx.Body)), append(opts, WithMaxRetries(0))...)
			ctx := context.Background()
			if strings.HasSuffix(strings.Split(fx.Path, "?")[0], "/connection") || strings.HasSuffix(fx.Path, "/connections") {
				list, err := srv.client.ListConnections(ctx)
				if err != nil || len(list) != 1 || list[0].ProviderConfigKey == "" || list[0].Created.IsZero() {
					t.Fatalf("list: %+v %v", list, err)
				}
				return
			}
			conn, err := srv.client.GetConnection(ctx, "github", "user-1")
			if fx.Code != "" {
				var apiErr *APIError
				if !errors.As(err, &apiErr) || apiErr.StatusCode != fx.Status || apiErr.Code != fx.Code {
					t.Fatalf("err = %v, want %d %s", err, fx.Status, fx.Code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if conn.Credentials != nil {
				got = string(conn.Credentials.CredentialsType())
			}
			if got != *fx.Kind || conn.CreatedAt.IsZero() {
				t.Errorf("kind %q, want %q; created %v", got, *fx.Kind, conn.CreatedAt)
			}
			kinds[got] = true
		})
	}
	for _, k := range []CredentialsType{TypeOAuth2, TypeOAuth1, TypeOAuth2CC, TypeAPIKey, TypeBasic, TypeApp, TypeJWT, TypeTBA, TypeTwoStep, TypeSignature, TypeBill, TypeAWSSigV4, TypeCustom, TypeUnauthorized} {
		if !kinds[string(k)] {
			t.Errorf("no fixture decoded credentials of kind %q", k)
		}
	}
}
