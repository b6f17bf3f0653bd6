package nango

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/nango-go/sdk/nango/internal/contract"
)

// TestIntegrationCaptures reads every integration and provider a real Nango
// answered: the SDK sends the same request (path and query) and decodes the
// answer.
func TestIntegrationCaptures(t *testing.T) {
	caps := loadCaptures(t, func(c contract.Capture, path string) bool {
		// Functions and templates have tests of their own (functions_test.go).
		if strings.Contains(path, "/functions") || strings.HasSuffix(path, "/templates") {
			return false
		}
		return c.Method == http.MethodGet && (strings.HasPrefix(path, "/integrations") || strings.HasPrefix(path, "/providers"))
	})
	if len(caps) < 6 {
		t.Fatalf("only %d integration and provider captures", len(caps))
	}
	for _, c := range caps {
		t.Run(c.Name, func(t *testing.T) {
			h := setup(t, replay(c), WithMaxRetries(0))
			ctx := context.Background()
			u, _ := url.Parse(c.URL)
			var err error
			switch rest, _ := strings.CutPrefix(u.Path, "/integrations"); {
			case u.Path == "/integrations":
				var got []Integration
				if got, err = h.client.ListIntegrations(ctx); err == nil {
					var want struct{ Data []map[string]any }
					_ = json.Unmarshal(c.Resp, &want)
					if len(got) != len(want.Data) || len(got) == 0 {
						t.Fatalf("%d integrations, capture %d", len(got), len(want.Data))
					}
					for i, in := range got {
						if in.UniqueKey != want.Data[i]["unique_key"] || in.Provider != want.Data[i]["provider"] || in.CreatedAt.IsZero() || in.Credentials != nil {
							t.Errorf("integration %d decoded as %s %s %v", i, in.UniqueKey, in.Provider, in.CreatedAt)
						}
					}
				}
			case strings.HasPrefix(u.Path, "/integrations/"):
				var opts []IntegrationOption
				for _, inc := range u.Query()["include"] {
					opts = append(opts, map[string]IntegrationOption{"webhook": IncludeWebhookURL(), "credentials": IncludeIntegrationCredentials()}[inc])
				}
				var got *Integration
				if got, err = h.client.GetIntegration(ctx, strings.TrimPrefix(rest, "/"), opts...); err == nil {
					checkIntegration(t, c.Resp, got)
				}
			case u.Path == "/providers":
				_, err = h.client.ListProviders(ctx)
			default:
				var got *Provider
				if got, err = h.client.GetProvider(ctx, strings.TrimPrefix(u.Path, "/providers/")); err == nil {
					if got.Name != "github" || got.AuthMode != "OAUTH2" || got.TokenURL != "https://github.com/login/oauth/access_token" || got.Proxy["base_url"] != "https://api.github.com" {
						t.Errorf("decoded %+v", got)
					}
				}
			}
			if c.Status/100 == 2 {
				if err != nil {
					t.Fatal(err)
				}
			} else {
				checkAPIError(t, c, err)
			}
			sent := h.requests()
			if len(sent) != 1 || sent[0].Path != u.Path || sent[0].RawQuery != u.RawQuery {
				t.Errorf("sent %+v, capture %s", sent, c.URL)
			}
		})
	}
}

func checkIntegration(t *testing.T, body []byte, got *Integration) {
	t.Helper()
	var want struct {
		Data struct {
			UniqueKey   string             `json:"unique_key"`
			WebhookURL  *string            `json:"webhook_url"`
			Credentials *map[string]string `json:"credentials"`
		}
	}
	if err := json.Unmarshal(body, &want); err != nil {
		t.Fatal(err)
	}
	if got.UniqueKey != want.Data.UniqueKey || got.UpdatedAt.IsZero() {
		t.Errorf("decoded %s %v", got.UniqueKey, got.UpdatedAt)
	}
	if want.Data.WebhookURL != nil && got.WebhookURL != *want.Data.WebhookURL {
		t.Errorf("webhook URL %q, capture %q", got.WebhookURL, *want.Data.WebhookURL)
	}
	if want.Data.Credentials == nil || *want.Data.Credentials == nil {
		if got.Credentials != nil {
			t.Errorf("credentials decoded from none")
		}
		return
	}
	cr := *want.Data.Credentials
	if got.Credentials == nil || got.Credentials.Type != cr["type"] || got.Credentials.ClientID != cr["client_id"] ||
		got.Credentials.ClientSecret != cr["client_secret"] || got.Credentials.ClientSecret == "" || got.Credentials.Scopes != cr["scopes"] {
		t.Errorf("credentials decoded as %#v, capture %v", got.Credentials, cr)
	}
	// A slice is left out: slog's JSON handler marshals it whole with
	// encoding/json, which no method of an element can stop (documented).
	checkRedacted(t, got.Credentials.ClientSecret, got, *got, got.Credentials, *got.Credentials)
}

// TestIntegrationNotFound: Nango's 404 for an unknown integration or
// provider matches ErrNotFound.
func TestIntegrationNotFound(t *testing.T) {
	h := setup(t, jsonBody(404, `{"error":{"code":"not_found","message":"Unknown integration nope"}}`))
	ctx := context.Background()
	_, err := h.client.GetIntegration(ctx, "nope", IncludeWebhookURL())
	var apiErr *APIError
	if !errors.Is(err, ErrNotFound) || !errors.As(err, &apiErr) || apiErr.Operation != opGetIntegration {
		t.Errorf("GetIntegration: %v", err)
	}
	if _, err := h.client.GetProvider(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetProvider: %v", err)
	}
}

// TestIntegrationRefusedLocally: keys no request could carry fail before
// any request.
func TestIntegrationRefusedLocally(t *testing.T) {
	h := setup(t, jsonBody(500, `{}`))
	ctx := context.Background()
	for _, key := range []string{"", ".", "..", "a\nb", strings.Repeat("k", 256)} {
		if _, err := h.client.GetIntegration(ctx, key); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("GetIntegration(%q): %v", key, err)
		}
		if _, err := h.client.GetProvider(ctx, key); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("GetProvider(%q): %v", key, err)
		}
	}
	if n := len(h.requests()); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

// TestIntegrationOptions: each option adds its include, in the capture's
// order, and a key is escaped into one path segment.
func TestIntegrationOptions(t *testing.T) {
	body := `{"data":{"unique_key":"a b/c","provider":"github","created_at":"2026-11-28T21:32:04.406Z","updated_at":"2026-11-28T21:32:04.406Z"}}`
	cases := []struct {
		opts  []IntegrationOption
		query string
	}{
		{nil, ""},
		{[]IntegrationOption{IncludeWebhookURL()}, "include=webhook"},
		{[]IntegrationOption{IncludeIntegrationCredentials()}, "include=credentials"},
		{[]IntegrationOption{IncludeIntegrationCredentials(), nil, IncludeWebhookURL()}, "include=webhook&include=credentials"},
	}
	for _, tc := range cases {
		h := setupRaw(t, jsonBody(200, body))
		if _, err := h.client.GetIntegration(context.Background(), "a b/c", tc.opts...); err != nil {
			t.Fatal(err)
		}
		r := h.requests()[0]
		if r.EscapedPath != "/integrations/a%20b%2Fc" || r.RawQuery != tc.query {
			t.Errorf("sent %s?%s, want query %q", r.EscapedPath, r.RawQuery, tc.query)
		}
	}
}

// TestIntegrationsMalformed: a 2xx without the data is an unexpected
// response, not an empty list.
func TestIntegrationsMalformed(t *testing.T) {
	ctx := context.Background()
	for _, body := range []string{`{}`, `{"data":null}`, `[]`, `{"data":{}}`} {
		h := setupRaw(t, jsonBody(200, body))
		_, lerr := h.client.ListIntegrations(ctx)
		_, gerr := h.client.GetIntegration(ctx, "github")
		_, perr := h.client.ListProviders(ctx)
		_, verr := h.client.GetProvider(ctx, "github")
		for _, err := range []error{lerr, gerr, perr, verr} {
			if !errors.Is(err, ErrUnexpectedResponse) {
				t.Errorf("%s: %v", body, err)
			}
		}
	}
	h := setup(t, jsonBody(200, `{"data":[]}`))
	if got, err := h.client.ListIntegrations(ctx); err != nil || got == nil || len(got) != 0 {
		t.Errorf("empty list: %v %v", got, err)
	}
}

// TestListProviders reads a list of the captured provider's shape,
// properties the spec does not name included.
func TestListProviders(t *testing.T) {
	caps := loadCaptures(t, func(c contract.Capture, path string) bool { return path == "/providers/github" })
	if len(caps) != 1 {
		t.Fatalf("%d captures of /providers/github", len(caps))
	}
	var one struct{ Data json.RawMessage }
	if err := json.Unmarshal(caps[0].Resp, &one); err != nil {
		t.Fatal(err)
	}
	h := setup(t, jsonBody(200, `{"data":[`+string(one.Data)+`,{"name":"sendgrid","auth_mode":"API_KEY"}]}`))
	got, err := h.client.ListProviders(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	names := []string{}
	for _, p := range got {
		names = append(names, p.Name+"/"+p.AuthMode)
	}
	if !slices.Equal(names, []string{"github/OAUTH2", "sendgrid/API_KEY"}) {
		t.Errorf("providers %v", names)
	}
	if _, ok := got[0].Get("setup_guide_url"); !ok {
		t.Errorf("a property out of the spec was dropped: %v", got[0].AdditionalProperties)
	}
	if r := h.requests()[0]; r.Path != "/providers" || r.Method != http.MethodGet {
		t.Errorf("sent %s %s", r.Method, r.Path)
	}
}
