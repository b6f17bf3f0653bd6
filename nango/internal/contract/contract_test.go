package contract

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

const testKey = "11111111-1111-4111-8111-111111111111"

func outOfSpecReason(c Capture) string {
	u, err := url.Parse(c.URL)
	if err != nil {
		return ""
	}
	return OutOfSpec(u.Path)
}

// refusedAsInvalid reports whether the server refused the request itself
// (its body, path, headers or JSON) rather than what it names: those requests the spec
// must refuse too.
func refusedAsInvalid(c Capture) bool {
	if c.Status != http.StatusBadRequest {
		return false
	}
	for _, code := range []string{`"invalid_body"`, `"invalid_uri_params"`, `"invalid_json"`, `"invalid_headers"`} {
		if strings.Contains(string(c.Resp), `"code":`+code) {
			return true
		}
	}
	return false
}

// providerDependent are refusals that depend on the integration's provider
// (which credential kinds it takes), a rule no schema can hold.
var providerDependent = map[string]string{
	"19-err-post-connections-wrong-credential-type": "the github integration takes OAUTH2 only",
	// Not the provider's, but as far from a schema: what the server holds.
	"669-get-sync-status-unknown-connection": "the connection does not exist: GET /sync/status answers 400 invalid_body \"Connection not found\"",
}

// noRoute reports an answer of Nango's web framework to a method the path
// does not take ("Cannot POST /sync/update-connection-frequency"): the
// spec must not have the route either.
func noRoute(c Capture) bool {
	return c.Status == http.StatusNotFound && strings.Contains(string(c.Resp), "<pre>Cannot "+c.Method+" ")
}

// TestCapturesBothWays holds openapi.yaml to every exchange a real Nango
// server had: every answer validates (status included), every request the
// server accepted validates, and every request it refused as an invalid
// body, path or JSON is refused by the spec.
func TestCapturesBothWays(t *testing.T) {
	v, caps := loadAll(t)
	if len(caps) < 170 {
		t.Fatalf("found %d captures, want the whole set", len(caps))
	}
	var answers, accepted, refused, skipped int
	for _, c := range caps {
		t.Run(c.Name, func(t *testing.T) {
			req, err := c.Request("http://127.0.0.1:3003", testKey, testKey)
			if err != nil {
				t.Fatal(err)
			}
			req = req.WithContext(context.Background())
			if why := outOfSpecReason(c); why != "" {
				skipped++
				if _, _, err := v.findRoute(req); err == nil {
					t.Fatalf("the spec now has this route; drop it from outOfSpec (%s)", why)
				}
				return
			}
			if noRoute(c) {
				skipped++
				if _, _, err := v.findRoute(req); err == nil {
					t.Fatalf("the server has no %s route here, the spec has one", c.Method)
				}
				return
			}
			answers++
			if err := v.ValidateResponse(req, c.Status, c.RespHdr, c.Resp); err != nil {
				t.Errorf("answer: %v", err)
			}
			// 76: the server also takes a bare key without "Bearer "; the spec
			// documents only the bearer scheme.
			skipAuth := c.Name == "76-auth-raw-secret-no-scheme"
			_, reqErr := v.ValidateRequest(req, c.Body, skipAuth)
			switch {
			case c.Status/100 == 2:
				accepted++
				if reqErr != nil {
					t.Errorf("the server took this request, the spec refuses it: %v", reqErr)
				}
			case refusedAsInvalid(c):
				refused++
				if why, ok := providerDependent[c.Name]; ok {
					if reqErr != nil {
						t.Errorf("provider-dependent refusal (%s) refused by the spec too: drop it from providerDependent", why)
					}
					return
				}
				if reqErr == nil {
					t.Errorf("the server refused this request (%s), the spec takes it", c.Resp)
				}
			}
		})
	}
	t.Logf("%d answers, %d accepted and %d refused requests checked; %d captures out of the spec", answers, accepted, refused, skipped)
	if accepted < 60 || refused < 10 {
		t.Errorf("only %d accepted and %d refused requests", accepted, refused)
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
	// Bodies the server refuses: each must be refused by the spec too.
	imp := byName["10-post-connections-github-email-id"]
	patch := byName["98-patch-connection-tags"]
	for _, tc := range []struct {
		name string
		c    Capture
		body string
	}{
		{"tag key starting with a digit", patch, `{"tags":{"1team":"core"}}`},
		{"tag key with a space", patch, `{"tags":{"my team":"core"}}`},
		{"tag key of 65 characters", patch, `{"tags":{"a` + strings.Repeat("b", 64) + `":"x"}}`},
		{"11 tags", patch, `{"tags":{"a":"1","b":"2","c":"3","d":"4","e":"5","f":"6","g":"7","h":"8","i":"9","j":"10","k":"11"}}`},
		{"tag value of 256 characters", patch, `{"tags":{"a":"` + strings.Repeat("v", 256) + `"}}`},
		{"webhook override null", patch, `{"webhook_url_override":null}`},
		{"webhook override not a URL", patch, `{"webhook_url_override":"not a url"}`},
		{"end user with an organization", patch, `{"end_user":{"id":"u","organization":{"id":"o"}}}`},
		{"unknown property", patch, `{"color":"red"}`},
		{"import with raw", imp, `{"provider_config_key":"github","credentials":{"type":"OAUTH2","access_token":"t","raw":{}}}`},
		{"import of a JWT", imp, `{"provider_config_key":"github","credentials":{"type":"JWT","token":"t"}}`},
		{"import without credentials", imp, `{"provider_config_key":"github"}`},
		{"import of an APP without installation", imp, `{"provider_config_key":"github-app","credentials":{"type":"APP","app_id":"1"}}`},
		{"end user tag key", imp, `{"provider_config_key":"github","end_user":{"id":"u","tags":{"-x":"y"}},"credentials":{"type":"NONE"}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := tc.c.Request("http://127.0.0.1:3003", testKey, testKey)
			if _, err := v.ValidateRequest(req, []byte(tc.body), false); err == nil {
				t.Errorf("%s validated, want a contract error", tc.body)
			}
		})
	}
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
