package contract

import (
	"net/http"
	"strings"
	"testing"
)

// TestSyncBodiesBothWays: the sync routes' schemas take what Nango's zod
// schemas take (v0.71.4, packages/server/lib/controllers/sync) and refuse
// what they refuse, beyond what the captures show.
func TestSyncBodiesBothWays(t *testing.T) {
	v, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		method, path, body string
		ok                 bool
	}{
		// trigger: a loose {name, variant}, the legacy flags, opts.
		{"POST", "/sync/trigger", `{"syncs":[]}`, true},
		{"POST", "/sync/trigger", `{"syncs":["issues::v2",{"name":"issues","variant":"base","extra":1}],"provider_config_key":"github","connection_id":"","full_resync":true}`, true},
		{"POST", "/sync/trigger", `{"syncs":["issues"],"opts":{"reset":true,"emptyCache":false}}`, true},
		{"POST", "/sync/trigger", `{"syncs":["issues"],"opts":{"reset":true},"sync_mode":"full_refresh"}`, false},
		{"POST", "/sync/trigger", `{"syncs":["issues"],"opts":{},"full_resync":false}`, false},
		{"POST", "/sync/trigger", `{"syncs":[{"name":"issues"}]}`, false},
		{"POST", "/sync/trigger", `{"syncs":[1]}`, false},
		{"POST", "/sync/trigger", `{"syncs":["issues"],"sync_mode":"full"}`, false},
		{"POST", "/sync/trigger", `{"provider_config_key":"github"}`, false},
		{"POST", "/sync/trigger", `{"syncs":[],"color":"red"}`, false},
		// pause and start: strict objects, a key of Nango's characters, at most 256 syncs.
		{"POST", "/sync/pause", `{"syncs":[{"name":"issues","variant":"v2"}],"provider_config_key":"github","connection_id":"user@example.com"}`, true},
		{"POST", "/sync/pause", `{"syncs":[{"name":"issues","variant":"v2","extra":1}],"provider_config_key":"github"}`, false},
		{"POST", "/sync/start", `{"syncs":[],"provider_config_key":"git/hub"}`, false},
		{"POST", "/sync/start", `{"syncs":[]}`, false},
		{"POST", "/sync/start", `{"syncs":[` + strings.Repeat(`"s",`, 256) + `"s"],"provider_config_key":"github"}`, false},
		{"POST", "/sync/start", `{"syncs":[],"provider_config_key":"github","sync_mode":"full_refresh"}`, false},
		// frequency: Nango's pattern, null, the names' characters.
		{"PUT", "/sync/update-connection-frequency", `{"sync_name":"issues","sync_variant":"v2","provider_config_key":"github","connection_id":"u1","frequency":"every half hour"}`, true},
		{"PUT", "/sync/update-connection-frequency", `{"sync_name":"issues","provider_config_key":"github","connection_id":"u1","frequency":null}`, true},
		{"PUT", "/sync/update-connection-frequency", `{"sync_name":"issues","provider_config_key":"github","connection_id":"u1"}`, false},
		{"PUT", "/sync/update-connection-frequency", `{"sync_name":"is sues","provider_config_key":"github","connection_id":"u1","frequency":"1h"}`, false},
		{"PUT", "/sync/update-connection-frequency", `{"sync_name":"issues","provider_config_key":"github","connection_id":"u1","frequency":"every 1 week"}`, false},
		// variants: a strict body; the names in the path.
		{"POST", "/sync/issues/variant/v2", `{"provider_config_key":"github","connection_id":"u1"}`, true},
		{"DELETE", "/sync/issues/variant/v2", `{"provider_config_key":"github","connection_id":"u1","x":1}`, false},
		{"POST", "/sync/issues/variant/v%202", `{"provider_config_key":"github","connection_id":"u1"}`, false},
		{"DELETE", "/sync/issues/variant/v2", `{"provider_config_key":"github"}`, false},
	}
	for _, tc := range cases {
		req, err := http.NewRequest(tc.method, "http://127.0.0.1:3003"+tc.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+testKey)
		req.Header.Set("Content-Type", "application/json")
		_, err = v.ValidateRequest(req, []byte(tc.body), false)
		if (err == nil) != tc.ok {
			t.Errorf("%s %s %s: err %v, want ok=%t", tc.method, tc.path, tc.body, err, tc.ok)
		}
	}
	// The status: its query only.
	for _, tc := range []struct {
		query string
		ok    bool
	}{
		{"syncs=*&provider_config_key=github", true},
		{"syncs=issues,issues::v2&provider_config_key=github&connection_id=u1", true},
		{"provider_config_key=github", false},
		{"syncs=*", false},
	} {
		req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:3003/sync/status?"+tc.query, nil)
		req.Header.Set("Authorization", "Bearer "+testKey)
		if _, err := v.ValidateRequest(req, nil, false); (err == nil) != tc.ok {
			t.Errorf("status?%s: err %v, want ok=%t", tc.query, err, tc.ok)
		}
	}
}
