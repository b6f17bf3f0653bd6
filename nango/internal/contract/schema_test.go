package contract

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWebhookCapturesMatchSpec: the webhooks a real Nango sent validate
// against the Webhook* schemas, and the schemas refuse what Nango would not
// send.
func TestWebhookCapturesMatchSpec(t *testing.T) {
	v, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("../../testdata/webhooks/*.txt")
	if len(files) < 6 {
		t.Fatalf("webhook captures: %v", files)
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		// The body is the line after the blank line that ends the headers.
		_, rest, _ := bytes.Cut(raw, []byte("\n\n"))
		body, _, _ := bytes.Cut(rest, []byte("\n"))
		var kind struct{ Type string }
		if err := json.Unmarshal(body, &kind); err != nil {
			t.Fatalf("%s: %v", filepath.Base(f), err)
		}
		// The kind's own schema, besides the union: a body that fits the
		// union only through another kind would pass WebhookBody alone.
		own := map[string]string{"auth": "WebhookAuth", "sync": "WebhookSync", "async_action": "WebhookAsyncAction"}[kind.Type]
		if own == "" {
			t.Fatalf("%s: webhook of type %q", filepath.Base(f), kind.Type)
		}
		for _, schema := range []string{"WebhookBody", own} {
			if err := v.ValidateJSON(schema, body); err != nil {
				t.Errorf("%s: %v", filepath.Base(f), err)
			}
		}
	}
	cases := []struct{ name, schema, body, why string }{
		{"auth without connectionId", "WebhookBody", `{"authMode":"API_KEY","environment":"dev","from":"nango","operation":"creation","provider":"sendgrid","providerConfigKey":"sendgrid","success":true,"type":"auth"}`, "connectionId"},
		{"unknown operation", "WebhookAuth", `{"authMode":"API_KEY","connectionId":"c","environment":"dev","from":"nango","operation":"deletion","provider":"sendgrid","providerConfigKey":"sendgrid","success":true,"type":"auth"}`, "operation"},
		{"sync with a bad time", "WebhookBody", `{"connectionId":"c","from":"nango","model":"M","modifiedAfter":"yesterday","providerConfigKey":"p","success":true,"syncName":"s","type":"sync"}`, "modifiedAfter"},
		{"unknown type", "WebhookBody", `{"from":"nango","type":"usage"}`, "usage"},
		{"no such schema", "WebhookNope", `{}`, "no schema"},
		{"not JSON", "WebhookBody", `{`, "not JSON"},
	}
	for _, tc := range cases {
		err := v.ValidateJSON(tc.schema, []byte(tc.body))
		if err == nil || !strings.Contains(err.Error(), tc.why) {
			t.Errorf("%s: err = %v, want it to mention %q", tc.name, err, tc.why)
		}
	}
}
