package contract

import (
	"context"
	"testing"
)

const testKey = "11111111-1111-4111-8111-111111111111"

// TestCapturesMatchSpec: every response a real Nango server sent validates
// against openapi.yaml, status included.
func TestCapturesMatchSpec(t *testing.T) {
	v, caps := loadAll(t)
	if len(caps) < 60 {
		t.Fatalf("found %d captures, want the whole set", len(caps))
	}
	for _, c := range caps {
		t.Run(c.Name, func(t *testing.T) {
			req, err := c.Request("http://127.0.0.1:3003", testKey, testKey)
			if err != nil {
				t.Fatal(err)
			}
			req = req.WithContext(context.Background())
			if err := v.ValidateResponse(req, c.Status, c.RespHdr, c.Resp); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestAcceptedRequestsMatchSpec: a request the real server accepted (2xx) is
// a valid request under the spec too.
func TestAcceptedRequestsMatchSpec(t *testing.T) {
	v, caps := loadAll(t)
	n := 0
	for _, c := range caps {
		if c.Status/100 != 2 {
			continue
		}
		n++
		t.Run(c.Name, func(t *testing.T) {
			req, err := c.Request("http://127.0.0.1:3003", testKey, testKey)
			if err != nil {
				t.Fatal(err)
			}
			// 76: the server also takes a bare key without "Bearer "; the
			// spec documents only the bearer scheme.
			skipAuth := c.Name == "76-auth-raw-secret-no-scheme"
			if _, err := v.ValidateRequest(req, c.Body, skipAuth); err != nil {
				t.Error(err)
			}
		})
	}
	if n < 30 {
		t.Fatalf("only %d accepted requests", n)
	}
}

// TestValidatorRejects proves the checks above can fail: each exchange here
// breaks the contract in one way.
func TestValidatorRejects(t *testing.T) {
	v, caps := loadAll(t)
	byName := map[string]Capture{}
	for _, c := range caps {
		byName[c.Name] = c
	}
	ok := byName["50-get-connections-v2-email-id"]
	cases := []struct {
		name   string
		status int
		body   string
	}{
		{"status not in spec", 418, string(ok.Resp)},
		{"id not an integer", 200, `{"id":"1","connection_id":"a","provider_config_key":"github","created_at":"2026-11-28T14:44:40.550+00:00","credentials":{}}`},
		{"bad timestamp", 200, `{"id":1,"connection_id":"a","provider_config_key":"github","created_at":"yesterday","credentials":{}}`},
		{"unknown credential kind", 200, `{"id":1,"connection_id":"a","provider_config_key":"github","created_at":"2026-11-28T14:44:40.550+00:00","credentials":{"type":"MAGIC"}}`},
		{"oauth2 without token", 200, `{"id":1,"connection_id":"a","provider_config_key":"github","created_at":"2026-11-28T14:44:40.550+00:00","credentials":{"type":"OAUTH2"}}`},
		{"error without error", 404, `{"message":"nope"}`},
		{"error code not a string", 404, `{"error":{"code":5}}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := ok.Request("http://127.0.0.1:3003", testKey, testKey)
			if err := v.ValidateResponse(req, tc.status, ok.RespHdr, []byte(tc.body)); err == nil {
				t.Errorf("validated, want a contract error")
			}
		})
	}
	t.Run("unknown query parameter", func(t *testing.T) {
		req, _ := ok.Request("http://127.0.0.1:3003", testKey, testKey)
		req.URL.RawQuery = "provider_config_key=github&limit=abc"
		req2, _ := byName["21-get-connections-list"].Request("http://127.0.0.1:3003", testKey, testKey)
		req2.URL.RawQuery = "limit=abc"
		if _, err := v.ValidateRequest(req2, nil, false); err == nil {
			t.Errorf("limit=abc validated")
		}
	})
	t.Run("missing provider config key", func(t *testing.T) {
		req, _ := ok.Request("http://127.0.0.1:3003", testKey, testKey)
		req.URL.RawQuery = ""
		if _, err := v.ValidateRequest(req, nil, false); err == nil {
			t.Errorf("validated without provider_config_key")
		}
	})
	t.Run("no key", func(t *testing.T) {
		req, _ := ok.Request("http://127.0.0.1:3003", testKey, testKey)
		req.Header.Del("Authorization")
		if _, err := v.ValidateRequest(req, nil, false); err == nil {
			t.Errorf("validated without a key")
		}
	})
}

// loadAll returns the validator of openapi.yaml and every capture.
func loadAll(t *testing.T) (*Validator, []Capture) {
	t.Helper()
	v, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	caps, err := LoadCaptures("../../testdata/real-nango")
	if err != nil {
		t.Fatal(err)
	}
	return v, caps
}
