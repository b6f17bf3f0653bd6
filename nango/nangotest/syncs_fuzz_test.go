package nangotest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzSyncHandler: the sync routes answer any request with a status and,
// for JSON, valid JSON, never a panic; the fake has a deployed sync, so
// runs, variants and frequencies are reached.
func FuzzSyncHandler(f *testing.F) {
	const key = `"provider_config_key":"github","connection_id":"u1"`
	for _, s := range []struct{ method, path, body string }{
		{"POST", "/sync/trigger", `{` + key + `,"syncs":["issues",{"name":"issues","variant":"base"}],"sync_mode":"full_refresh"}`},
		{"POST", "/sync/trigger", `{"syncs":[],"opts":{"reset":true}}`},
		{"POST", "/sync/pause", `{` + key + `,"syncs":["issues::v2"]}`},
		{"POST", "/sync/start", `{"provider_config_key":"github","syncs":[]}`},
		{"GET", "/sync/status?syncs=*&provider_config_key=github&connection_id=u1", ""},
		{"GET", "/sync/status?syncs=issues,issues::v2&provider_config_key=github", ""},
		{"PUT", "/sync/update-connection-frequency", `{` + key + `,"sync_name":"issues","frequency":"every 99999999999999999999 days"}`},
		{"PUT", "/sync/update-connection-frequency", `{` + key + `,"sync_name":"issues","sync_variant":"v2","frequency":null}`},
		{"POST", "/sync/issues/variant/v2", `{` + key + `}`},
		{"DELETE", "/sync/issues/variant/v2", `{` + key + `}`},
	} {
		f.Add(s.method, s.path, []byte(s.body))
	}
	fake, err := NewFake(AllowInvalidRequests(), OnViolation(func(error) {}))
	if err != nil {
		f.Fatal(err)
	}
	fake.MustPut(OAuth2("github", "u1", "t"))
	if err := fake.PutSync("github", "issues", "Issue"); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, method, target string, body []byte) {
		req, err := http.NewRequestWithContext(t.Context(), method, "http://fake"+target, httpBody(body))
		if err != nil {
			return
		}
		req.Header.Set("Authorization", "Bearer "+DefaultSecretKey)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		fake.ServeHTTP(rec, req)
		if rec.Code < 100 || rec.Code > 599 {
			t.Fatalf("status %d", rec.Code)
		}
		if strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") && !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("invalid JSON answer %d: %q", rec.Code, rec.Body.Bytes())
		}
	})
}
