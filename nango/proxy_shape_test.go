package nango

import (
	"errors"
	"io"
	"net/http"
	"testing"
)

// TestProxyProviderErrorOfNangosShape: many providers answer errors of
// exactly Nango's shape, {"error":{"code":…,"message":…}} and nothing else
// (Azure Resource Manager, Vercel, Microsoft Graph without innerError, …).
// Relayed by the proxy they are the provider's answer, not Nango's own
// error: what tells them apart is the code, which is none of Nango's
// (proxyErrorCodes); the headers carry nothing that could (see proxyError).
// The same shape with Nango's codes is Nango's.
func TestProxyProviderErrorOfNangosShape(t *testing.T) {
	cases := []struct {
		name   string
		status int
		body   string
		nango  bool
	}{
		{"Azure Resource Manager", 401, `{"error":{"code":"InvalidAuthenticationToken","message":"The access token is invalid."}}`, false},
		{"Vercel", 403, `{"error":{"code":"forbidden","message":"Not authorized"}}`, false},
		{"Microsoft Graph, no innerError", 404, `{"error":{"code":"itemNotFound","message":"The resource could not be found."}}`, false},
		{"a provider's not_found", 404, `{"error":{"code":"not_found","message":"Repository not found"}}`, false},
		{"a provider's rate limit", 429, `{"error":{"code":"rate_limited","message":"Slow down"}}`, false},
		{"a provider's 500", 500, `{"error":{"code":"internal_error","message":"Something went wrong"}}`, false},
		{"a provider's invalid_request", 400, `{"error":{"code":"invalid_request","message":"Missing field: name"}}`, false},
		{"a provider's message first", 400, `{"error":{"message":"bad","code":"validation_failed"}}`, false},
		{"an empty code", 400, `{"error":{"code":"","message":"x"}}`, false},
		// Nango's own, in the same two keys.
		{"Nango: unknown connection", 400, `{"error":{"code":"server_error","message":"Failed to get connection"}}`, true},
		{"Nango: unknown account", 401, `{"error":{"code":"unknown_account","message":"Authentication failed."}}`, true},
		{"Nango: base URL refused", 400, `{"error":{"code":"base_url_override_not_allowed","message":"This outbound URL is not allowed by server configuration."}}`, true},
		{"Nango: rate limit", 429, `{"error":{"code":"too_many_request","message":"Too many requests"}}`, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, _ := proxyNango(t, func(w http.ResponseWriter, r *http.Request) {
				nangoHeaders(w) // a relayed answer carries Nango's headers too
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, tc.body)
			})
			resp, err := h.client.ProxyClient("azure", "user-1").Get("https://management.azure.com/subscriptions")
			if tc.nango {
				if !errors.Is(err, ErrProxy) {
					t.Fatalf("err = %v, want Nango's own proxy error", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v: the provider's answer taken for Nango's", err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status || string(body) != tc.body {
				t.Errorf("got %d %s, want the provider's %d %s", resp.StatusCode, body, tc.status, tc.body)
			}
		})
	}
}
