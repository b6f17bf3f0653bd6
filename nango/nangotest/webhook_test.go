package nangotest_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/nango-go/sdk/nango"
	"github.com/nango-go/sdk/nango/nangotest"
)

// received is one request a test's webhook receiver got.
type received struct {
	header http.Header
	body   []byte
}

func receiver(t *testing.T, status int) (*httptest.Server, func() []received) {
	var mu sync.Mutex
	var got []received
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, received{r.Header.Clone(), b})
		mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []received { mu.Lock(); defer mu.Unlock(); return append([]received(nil), got...) }
}

// TestSendWebhookMatchesRealNango: with the key that signed a captured
// webhook, the fake sends the same bytes and the same signatures for the
// same payload.
func TestSendWebhookMatchesRealNango(t *testing.T) {
	raw, err := os.ReadFile("../testdata/webhooks/387-webhook-auth-creation-connect-session-primary.txt")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := bytes.Cut(raw, []byte("\n"))
	want, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(rest)))
	if err != nil {
		t.Fatal(err)
	}
	wantBody, _ := io.ReadAll(want.Body)

	fake := nangotest.Start(t, nangotest.WithSecretKey("fa9d9cba-e7be-4192-896f-c7de4454b885"))
	rcv, got := receiver(t, http.StatusOK)
	email := "eu383@example.com"
	payload := nango.WebhookAuth{
		Type: "auth", From: "nango", Operation: nango.WebhookAuthCreation, Success: true,
		AuthMode: "API_KEY", ConnectionID: "9e76a87d-d582-43e5-8388-1cbbc9386366",
		ProviderConfigKey: "sendgrid", Provider: "sendgrid", Environment: "dev",
		EndUser: &nango.WebhookEndUser{EndUserID: "eu-383", EndUserEmail: email, OrganizationID: "org-383", Tags: map[string]string{}},
		Tags: map[string]string{"end_user_display_name": "EU 383", "end_user_email": email, "end_user_id": "eu-383",
			"organization_display_name": "Org 383", "organization_id": "org-383"},
	}
	resp, err := fake.SendWebhook(context.Background(), rcv.URL+"/hook-primary", payload)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("status %d", resp.StatusCode)
	}
	r := got()
	if len(r) != 1 {
		t.Fatalf("%d requests", len(r))
	}
	if !bytes.Equal(r[0].body, wantBody) {
		t.Errorf("body\n got %s\nwant %s", r[0].body, wantBody)
	}
	for _, h := range []string{"X-Nango-Hmac-Sha256", "X-Nango-Signature", "Content-Type"} {
		if g, w := r[0].header.Get(h), want.Header.Get(h); g != w {
			t.Errorf("%s = %q, real Nango sent %q", h, g, w)
		}
	}
}

// TestSendWebhookToTheSDKHandler: what a user's handler test does.
func TestSendWebhookToTheSDKHandler(t *testing.T) {
	fake := nangotest.Start(t)
	client, err := nango.New(fake.SecretKey(), nango.WithHost(fake.URL))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var got []nango.Webhook
	hook := httptest.NewServer(client.WebhookHandler(func(_ context.Context, w nango.Webhook) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, w)
		if w.Sync != nil && w.Sync.Model == "Fail" {
			return errors.New("store down")
		}
		return nil
	}))
	defer hook.Close()

	other := nangotest.Start(t, nangotest.WithSecretKey("22222222-2222-4222-8222-222222222222"))
	auth := nango.WebhookAuth{Type: "auth", From: "nango", Operation: nango.WebhookAuthRefresh, Success: false,
		AuthMode: "OAUTH2", ConnectionID: "user-1", ProviderConfigKey: "github", Provider: "github", Environment: "dev",
		Error: &nango.WebhookError{Type: "refresh_token_external_error", Description: "revoked <&>"}}
	sync := nango.WebhookSync{Type: "sync", From: "nango", Success: true, ConnectionID: "user-1", ProviderConfigKey: "github",
		SyncName: "issues", Model: "Fail", ResponseResults: &nango.WebhookSyncResults{Added: 1}}
	cases := []struct {
		name    string
		sender  *nangotest.Server
		payload any
		status  int
		typ     string
	}{
		{"auth refresh failure", fake, auth, http.StatusNoContent, "auth"},
		{"fn error", fake, sync, http.StatusInternalServerError, "sync"},
		{"raw bytes of a new kind", fake, []byte(`{"from":"nango","type":"usage"}`), http.StatusNoContent, "usage"},
		{"other environment's key", other, auth, http.StatusUnauthorized, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mu.Lock()
			got = nil
			mu.Unlock()
			resp, err := tc.sender.SendWebhook(context.Background(), hook.URL, tc.payload)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			mu.Lock()
			defer mu.Unlock()
			if tc.typ == "" {
				if len(got) != 0 {
					t.Errorf("handler called: %v", got)
				}
				return
			}
			if len(got) != 1 || got[0].Type != tc.typ {
				t.Fatalf("handler got %v", got)
			}
			if a := got[0].Auth; a != nil && (a.Error == nil || a.Error.Description != "revoked <&>" || !bytes.Contains(got[0].Body, []byte("<&>"))) {
				t.Errorf("auth %+v, body %s", a, got[0].Body)
			}
		})
	}
}

func TestSendWebhookReportsPayloadsOffSpec(t *testing.T) {
	var violations []error
	fake, err := nangotest.NewServer(nangotest.OnViolation(func(err error) { violations = append(violations, err) }))
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Close()
	rcv, got := receiver(t, http.StatusNoContent)
	cases := []struct {
		name    string
		payload any
		bad     bool
	}{
		{"auth without its fields", map[string]any{"type": "auth", "from": "nango", "operation": "creation"}, true},
		{"sync with a bad time", map[string]any{"type": "sync", "from": "nango", "success": true, "connectionId": "c", "providerConfigKey": "p", "syncName": "s", "model": "M", "modifiedAfter": "yesterday"}, true},
		{"forward", nango.WebhookForward{Type: "forward", From: "hubspot", ProviderConfigKey: "hs", Payload: []byte(`{"a":1}`)}, false},
		{"a kind the spec does not know", map[string]any{"type": "usage", "from": "nango"}, false},
		{"bare provider body", []byte(`[1,2]`), false},
	}
	for _, tc := range cases {
		violations = nil
		resp, err := fake.SendWebhook(context.Background(), rcv.URL, tc.payload)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		resp.Body.Close()
		if (len(violations) > 0) != tc.bad {
			t.Errorf("%s: violations %v", tc.name, violations)
		}
	}
	if n := len(got()); n != len(cases) {
		t.Errorf("%d sent, want %d (payloads off spec are still sent)", n, len(cases))
	}

	if _, err := fake.SendWebhook(context.Background(), rcv.URL, make(chan int)); err == nil {
		t.Error("unencodable payload accepted")
	}
	if _, err := fake.SendWebhook(context.Background(), "://nope", nil); err == nil || !strings.Contains(err.Error(), "SendWebhook") {
		t.Errorf("bad URL: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := fake.SendWebhook(ctx, rcv.URL, []byte(`{}`)); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
}

func TestSignWebhookVerifies(t *testing.T) {
	body := []byte(`{"from":"nango","type":"auth"}`)
	h := nangotest.SignWebhook(nangotest.DefaultSecretKey, body)
	c, _ := nango.New(nangotest.DefaultSecretKey)
	if err := c.VerifyWebhook(h, body); err != nil {
		t.Error(err)
	}
	h.Del("X-Nango-Hmac-Sha256")
	if err := c.VerifyWebhook(h, body); err != nil {
		t.Errorf("the older signature alone: %v", err)
	}
	if err := c.VerifyWebhook(h, append(body, ' ')); !errors.Is(err, nango.ErrInvalidSignature) {
		t.Errorf("changed body: %v", err)
	}
}
