package contract

import (
	"net/http"
	"strings"
	"testing"
)

// TestManagementRequestsBothWays holds the spec of the management routes to
// the server's zod schemas (packages/server/lib/controllers/integrations,
// helpers/validation.ts): what they take, the spec takes; what they refuse,
// the spec refuses.
func TestManagementRequestsBothWays(t *testing.T) {
	v, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	const key = "-----BEGIN RSA PRIVATE KEY-----\\nMIIfake\\n-----END RSA PRIVATE KEY-----"
	oauth := `{"type":"OAUTH2","client_id":"c","client_secret":"s"}`
	cases := []struct {
		name, method, path, body string
		ok                       bool
	}{
		{"create", "POST", "/integrations", `{"unique_key":"gh","provider":"github","display_name":"G","forward_webhooks":false,"credentials":{"type":"TBA","client_id":"c","client_secret":"s","scopes":"a:b,c.d/e","webhook_secret":""},"integration_config":{"a":"b"},"custom":{"c":"d"}}`, true},
		{"create without credentials", "POST", "/integrations", `{"unique_key":"sg","provider":"sendgrid"}`, true},
		{"create an app", "POST", "/integrations", `{"unique_key":"a","provider":"github-app","credentials":{"type":"APP","app_id":"1","app_link":"l","private_key":"` + key + `"}}`, true},
		{"create a custom app", "POST", "/integrations", `{"unique_key":"a","provider":"github-app-oauth","credentials":{"type":"CUSTOM","client_id":"c","client_secret":"s","app_id":"1","app_link":"l","private_key":"` + key + `"}}`, true},
		{"empty scopes", "POST", "/integrations", `{"unique_key":"gh","provider":"github","credentials":{"type":"OAUTH2","client_id":"c","client_secret":"s","scopes":""}}`, true},
		{"unknown property", "POST", "/integrations", `{"unique_key":"gh","provider":"github","color":"red"}`, false},
		{"no unique key", "POST", "/integrations", `{"provider":"github"}`, false},
		{"provider pattern", "POST", "/integrations", `{"unique_key":"gh","provider":"git hub"}`, false},
		{"unique key pattern", "POST", "/integrations", `{"unique_key":"a/b","provider":"github"}`, false},
		{"long unique key", "POST", "/integrations", `{"unique_key":"` + strings.Repeat("k", 256) + `","provider":"github"}`, false},
		{"empty display name", "POST", "/integrations", `{"unique_key":"gh","provider":"github","display_name":""}`, false},
		{"forward_webhooks not a boolean", "POST", "/integrations", `{"unique_key":"gh","provider":"github","forward_webhooks":"yes"}`, false},
		{"credentials of a kind without a client", "POST", "/integrations", `{"unique_key":"gh","provider":"github","credentials":{"type":"API_KEY","apiKey":"k"}}`, false},
		{"no client secret", "POST", "/integrations", `{"unique_key":"gh","provider":"github","credentials":{"type":"OAUTH2","client_id":"c"}}`, false},
		{"empty client id", "POST", "/integrations", `{"unique_key":"gh","provider":"github","credentials":{"type":"OAUTH2","client_id":"","client_secret":"s"}}`, false},
		{"scopes with a blank", "POST", "/integrations", `{"unique_key":"gh","provider":"github","credentials":{"type":"OAUTH2","client_id":"c","client_secret":"s","scopes":"a, b"}}`, false},
		{"credentials with more", "POST", "/integrations", `{"unique_key":"gh","provider":"github","credentials":{"type":"OAUTH2","client_id":"c","client_secret":"s","app_id":"1"}}`, false},
		{"not a PEM key", "POST", "/integrations", `{"unique_key":"a","provider":"github-app","credentials":{"type":"APP","app_id":"1","app_link":"l","private_key":"k"}}`, false},
		{"long config value", "POST", "/integrations", `{"unique_key":"gh","provider":"github","integration_config":{"a":"` + strings.Repeat("v", 8193) + `"}}`, false},
		{"update", "PATCH", "/integrations/gh", `{"unique_key":"gh2","display_name":"G","forward_webhooks":true,"credentials":` + oauth + `}`, true},
		{"update nothing", "PATCH", "/integrations/gh", `{}`, true},
		{"update the provider", "PATCH", "/integrations/gh", `{"provider":"github"}`, false},
		{"update to an empty name", "PATCH", "/integrations/gh", `{"display_name":""}`, false},
		{"update a bad key", "PATCH", "/integrations/a%2Fb", `{"display_name":"x"}`, false},
		{"quickstart", "POST", "/integrations/quickstart", `{"unique_key":"s","provider":"slack","display_name":"S","forward_webhooks":true}`, true},
		{"quickstart with credentials", "POST", "/integrations/quickstart", `{"unique_key":"s","provider":"slack","credentials":` + oauth + `}`, false},
		{"delete", "DELETE", "/integrations/gh", ``, true},
		{"functions", "GET", "/integrations/gh/functions?type=on-event&search=x&page=0&limit=100", ``, true},
		{"functions of a bad type", "GET", "/integrations/gh/functions?type=job", ``, false},
		{"functions: page size 101", "GET", "/integrations/gh/functions?limit=101", ``, false},
		{"functions: page size 0", "GET", "/integrations/gh/functions?limit=0", ``, false},
		{"functions: page -1", "GET", "/integrations/gh/functions?page=-1", ``, false},
		{"functions: empty search", "GET", "/integrations/gh/functions?search=", ``, false},
		{"function", "GET", "/integrations/gh/functions/create-issue?type=action", ``, true},
		{"function name pattern", "GET", "/integrations/gh/functions/a.b", ``, false},
		{"function code", "GET", "/integrations/gh/functions/f/code?type=sync", ``, true},
		{"delete a function", "DELETE", "/integrations/gh/functions/f?type=sync", ``, true},
		{"delete a function without its type", "DELETE", "/integrations/gh/functions/f", ``, false},
		{"delete an on-event script", "DELETE", "/integrations/gh/functions/f?type=on-event", ``, false},
		{"templates", "GET", "/providers/github/templates", ``, true},
		{"templates of a bad provider", "GET", "/providers/a.b/templates", ``, false},
		{"scripts config in any format", "GET", "/scripts/config?format=xml", ``, true},
		{"environment variables", "GET", "/environment-variables", ``, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, "http://127.0.0.1:3003"+tc.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+testKey)
			if tc.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			_, err = v.ValidateRequest(req, []byte(tc.body), false)
			if tc.ok && err != nil {
				t.Errorf("the server takes it, the spec refuses it: %v", err)
			}
			if !tc.ok && err == nil {
				t.Errorf("the server refuses it, the spec takes it")
			}
		})
	}
}
