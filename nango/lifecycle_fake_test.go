package nango_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/nango-go/sdk/nango"
	"github.com/nango-go/sdk/nango/nangotest"
)

// TestLifecycleAgainstTheFake: connect sessions, integrations, providers,
// the proxy and webhooks, each through the SDK against nangotest, with both
// sides checking every exchange against the spec.
func TestLifecycleAgainstTheFake(t *testing.T) {
	srv, c := validatedFake(t)
	srv.AddIntegration("github-oauth", "github", "OAUTH2", nangotest.OAuthClient{ID: "cid", Secret: "csecret-xyz", Scopes: []string{"repo"}})
	ctx := context.Background()

	// A session, read with its token, then ended.
	s, err := c.CreateConnectSession(ctx, nango.ConnectSessionRequest{
		EndUser:             &nango.EndUserInput{ID: "eu-1", Email: "eu1@example.com"},
		AllowedIntegrations: []string{"github"},
		Tags:                &nango.TagsInput{"team": "core"},
	})
	if err != nil || !strings.HasPrefix(s.Token, "nango_connect_session_") || time.Until(s.ExpiresAt) < 29*time.Minute {
		t.Fatalf("session: %v %v", s, err)
	}
	if got := srv.ConnectSessions(); len(got) != 1 || got[0].EndUser.ID != "eu-1" || (*got[0].Tags)["team"] != "core" {
		t.Errorf("the fake saw %v", got)
	}
	d, err := c.GetConnectSession(ctx, s.Token)
	if err != nil || d.EndUser == nil || d.EndUser.ID != "eu-1" || len(d.AllowedIntegrations) != 1 {
		t.Errorf("session read: %+v %v", d, err)
	}
	if err := c.DeleteConnectSession(ctx, s.Token); err != nil {
		t.Fatal(err)
	}
	var apiErr *nango.APIError
	if _, err := c.GetConnectSession(ctx, s.Token); !errors.As(err, &apiErr) || apiErr.StatusCode != 401 {
		t.Errorf("a deleted session: %v", err)
	}
	if _, err := c.CreateReconnectSession(ctx, nango.ReconnectSessionRequest{ConnectionID: "user-1", IntegrationID: "github"}); err != nil {
		t.Errorf("reconnect: %v", err)
	}
	if _, err := c.CreateReconnectSession(ctx, nango.ReconnectSessionRequest{ConnectionID: "nobody", IntegrationID: "github"}); !errors.As(err, &apiErr) || apiErr.Code != "invalid_body" {
		t.Errorf("reconnect of an unknown connection: %v", err)
	}

	// Integrations and providers.
	list, err := c.ListIntegrations(ctx)
	if err != nil || len(list) < 2 {
		t.Fatalf("integrations: %v %v", list, err)
	}
	in, err := c.GetIntegration(ctx, "github-oauth", nango.IncludeIntegrationCredentials())
	if err != nil || in.Credentials == nil || in.Credentials.ClientSecret != "csecret-xyz" {
		t.Fatalf("integration: %+v %v", in, err)
	}
	if out := fmt.Sprintf("%v %+v", in, *in); strings.Contains(out, "csecret-xyz") {
		t.Errorf("an integration prints its client secret: %s", out)
	}
	if _, err := c.GetIntegration(ctx, "nope"); !errors.Is(err, nango.ErrNotFound) {
		t.Errorf("unknown integration: %v", err)
	}
	if p, err := c.GetProvider(ctx, "github"); err != nil || p.Name != "github" {
		t.Errorf("provider: %v %v", p, err)
	}

	// The proxy, to an upstream the test names.
	var upstreamAuth string
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		upstreamAuth = r.Header.Get("Authorization")
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"login":"octocat"}`)
	}))
	defer up.Close()
	srv.SetProxyUpstream("github", up.URL)
	resp, err := c.ProxyClient("github", "user-1").Get("https://api.github.com/user")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	tok, _ := c.GetToken(ctx, "github", "user-1")
	if resp.StatusCode != 200 || string(body) != `{"login":"octocat"}` || upstreamAuth != "Bearer "+tok.AccessToken {
		t.Errorf("proxy: %d %s, upstream saw %q", resp.StatusCode, body, upstreamAuth)
	}

	// A webhook the fake signs, through the SDK's handler.
	got := make(chan nango.Webhook, 1)
	hook := httptest.NewServer(c.WebhookHandler(func(_ context.Context, w nango.Webhook) error { got <- w; return nil }))
	defer hook.Close()
	wresp, err := srv.SendWebhook(ctx, hook.URL, nango.WebhookAuth{Type: "auth", From: "nango", Operation: nango.WebhookAuthCreation,
		Success: true, AuthMode: "OAUTH2", ConnectionID: "user-1", ProviderConfigKey: "github", Provider: "github", Environment: "dev"})
	if err != nil || wresp.StatusCode != http.StatusNoContent {
		t.Fatalf("webhook: %v %v", wresp, err)
	}
	if w := <-got; w.Auth == nil || w.Auth.ConnectionID != "user-1" {
		t.Errorf("webhook parsed as %+v", w)
	}
}
