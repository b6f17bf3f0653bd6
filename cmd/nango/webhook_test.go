package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

func TestWebhookVerify(t *testing.T) {
	// A webhook a real Nango v0.71.4 sent, and the throwaway key it signed with.
	const (
		key  = "fa9d9cba-e7be-4192-896f-c7de4454b885"
		body = `{"authMode":"API_KEY","connectionId":"wh-import-380","environment":"dev","from":"nango","operation":"creation","provider":"sendgrid","providerConfigKey":"sendgrid","success":true,"tags":{"end_user_id":"eu-380"},"type":"auth"}`
		mac  = "0e3df51338c2e37bbc5fc88fd728785479f8dcca18ca96b1a376b5044e17e32d"
		sig  = "2243658c7a0608d78e6ee12d04b4ebff6876e931b3166dd7ad49c5e71234c0d3"
	)
	withKey := map[string]string{"NANGO_SECRET_KEY": key}
	cases := []struct {
		name  string
		env   map[string]string
		args  []string
		stdin string
		code  int
		out   string // in stdout (code 0) or in the error
	}{
		{"HMAC", withKey, []string{"verify", "--hmac-sha256", mac}, body, 0, "valid: auth creation sendgrid/wh-import-380 success=true"},
		{"older signature", withKey, []string{"verify", "--signature", sig}, body, 0, "valid: auth creation"},
		{"both", withKey, []string{"verify", "--hmac-sha256", mac, "--signature", sig}, body, 0, "valid:"},
		{"key as a flag", nil, []string{"verify", "--secret-key", key, "--hmac-sha256", mac}, body, 0, "valid:"},
		{"tampered body", withKey, []string{"verify", "--hmac-sha256", mac}, strings.Replace(body, "380", "381", 1), 1, "does not match"},
		{"wrong key", map[string]string{"NANGO_SECRET_KEY": "other"}, []string{"verify", "--hmac-sha256", mac}, body, 1, "does not match"},
		{"bad HMAC, good older signature", withKey, []string{"verify", "--hmac-sha256", sig, "--signature", sig}, body, 1, "X-Nango-Hmac-Sha256 does not match"},
		{"odd hex", withKey, []string{"verify", "--hmac-sha256", mac[1:]}, body, 1, "hex digits"},
		{"echo's newline", withKey, []string{"verify", "--hmac-sha256", mac}, body + "\n", 1, "ends with a newline"},
		{"no key", nil, []string{"verify", "--hmac-sha256", mac}, body, 2, "NANGO_SECRET_KEY"},
		{"no signature", withKey, []string{"verify"}, body, 2, "--hmac-sha256"},
		{"no subcommand", withKey, nil, body, 2, "want verify"},
		{"argument", withKey, []string{"verify", "--hmac-sha256", mac, "body.json"}, body, 2, "stdin"},
		{"unknown flag", withKey, []string{"verify", "--hmac", mac}, body, 2, "hmac"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			err := webhookCommand(tc.args, strings.NewReader(tc.stdin), &out, func(k string) string { return tc.env[k] })
			var ue usageError
			code := 0
			switch {
			case err == nil:
			case errors.As(err, &ue):
				code = 2
			default:
				code = 1
			}
			if code != tc.code {
				t.Fatalf("exit %d (%v, %s), want %d", code, err, out.String(), tc.code)
			}
			text := out.String()
			if err != nil {
				text = err.Error()
				if strings.Contains(text, key) {
					t.Errorf("the error shows the key: %v", err)
				}
			}
			if !strings.Contains(text, tc.out) {
				t.Errorf("got %q, want it to hold %q", text, tc.out)
			}
		})
	}
}

// TestWebhookVerifyParsesAfterVerifying: a correctly signed body that is
// not JSON is refused after the signature check passed.
func TestWebhookVerifyParsesAfterVerifying(t *testing.T) {
	var out bytes.Buffer
	// HMAC-SHA256("k", "nope")
	err := webhookCommand([]string{"verify", "--hmac-sha256", hmacOf("k", "nope")}, strings.NewReader("nope"), &out,
		func(k string) string { return map[string]string{"NANGO_SECRET_KEY": "k"}[k] })
	if err == nil || !strings.Contains(err.Error(), "the signature is valid, but") || !strings.Contains(err.Error(), "not JSON") {
		t.Errorf("err = %v", err)
	}
}

func TestWebhookIsRegistered(t *testing.T) {
	code, _, errOut := runCLI(t, nil, "webhook", "nope")
	if code != 2 || !strings.Contains(errOut, "nango webhook: want verify") {
		t.Errorf("%d %q", code, errOut)
	}
	code, out, _ := runCLI(t, nil, "--help")
	if code != 0 || !strings.Contains(out, "nango webhook    verify") {
		t.Errorf("usage does not list webhook: %s", out)
	}
}

func hmacOf(key, body string) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(body))
	return hex.EncodeToString(m.Sum(nil))
}
