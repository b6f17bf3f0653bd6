package nango

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestErrorRows covers each row of the facts file's error table, today's and
// the old body shape, and what proxies send.
func TestErrorRows(t *testing.T) {
	cases := []struct {
		name        string
		status      int
		ctype, body string
		header      map[string]string
		code, msg   string
		is          []error
		isNot       []error
	}{
		{"404 not_found", 404, "", `{"error":{"code":"not_found","message":"Failed to find connection"}}`, nil, "not_found", "Failed to find connection", []error{ErrNotFound}, []error{ErrUnauthorized}},
		{"old unkown_connection", 400, "", `{"error":"Unknown connection","type":"unkown_connection","payload":{}}`, nil, "unkown_connection", "Unknown connection", []error{ErrNotFound}, nil},
		{"old unknown_connection", 400, "", `{"error":"Unknown connection","type":"unknown_connection"}`, nil, "unknown_connection", "Unknown connection", []error{ErrNotFound}, nil},
		{"unknown_provider_config", 400, "", `{"error":{"code":"unknown_provider_config","message":"Provider does not exists"}}`, nil, "unknown_provider_config", "Provider does not exists", []error{ErrUnknownProviderConfig}, []error{ErrNotFound}},
		{"old unknown_provider_config", 400, "", `{"error":"No integration","type":"unknown_provider_config"}`, nil, "unknown_provider_config", "No integration", []error{ErrUnknownProviderConfig}, nil},
		{"invalid_query_params", 400, "", `{"error":{"code":"invalid_query_params","errors":[{"code":"invalid_type","message":"Required","path":["provider_config_key"]}]}}`, nil, "invalid_query_params", "", nil, []error{ErrNotFound}},
		{"old missing_provider_config", 400, "", `{"error":"Missing provider config key","type":"missing_provider_config"}`, nil, "missing_provider_config", "Missing provider config key", nil, nil},
		{"401 missing_auth_header", 401, "", `{"error":{"message":"Authentication failed.","code":"missing_auth_header","payload":{}}}`, nil, "missing_auth_header", "Authentication failed.", []error{ErrUnauthorized}, nil},
		{"401 old invalid_secret_key", 401, "", `{"error":"Invalid secret key","type":"invalid_secret_key"}`, nil, "invalid_secret_key", "Invalid secret key", []error{ErrUnauthorized}, nil},
		{"401 old unkown_account", 401, "", `{"error":"Unknown account","type":"unkown_account"}`, nil, "unkown_account", "Unknown account", []error{ErrUnauthorized}, nil},
		{"403 forbidden", 403, "", `{"error":{"code":"forbidden","message":"Missing scope"}}`, nil, "forbidden", "Missing scope", []error{ErrForbidden}, nil},
		{"400 invalid_credentials", 400, "", `{"error":{"code":"invalid_credentials","message":"refresh failed","payload":{"connection":{"id":7,"credentials":{}}}}}`, nil, "invalid_credentials", "refresh failed", []error{ErrInvalidCredentials}, []error{ErrNotFound}},
		{"424 invalid_credentials", 424, "", `{"error":{"code":"invalid_credentials","message":"Failed to refresh"}}`, nil, "invalid_credentials", "Failed to refresh", []error{ErrInvalidCredentials}, nil},
		{"429 too_many_request", 429, "", `{"error":{"code":"too_many_request","message":"Too many requests"}}`, map[string]string{"Retry-After": "7", "X-RateLimit-Limit": "200"}, "too_many_request", "Too many requests", []error{ErrRateLimited}, nil},
		{"500 server_error", 500, "", `{"error":{"code":"server_error","message":"boom"}}`, nil, "server_error", "boom", nil, []error{ErrNotFound}},
		{"500 old generic", 500, "", `{"error":"An unexpected error occurred","type":"generic_error_support"}`, nil, "generic_error_support", "An unexpected error occurred", nil, nil},
		{"415 invalid_content_type", 415, "", `{"error":{"code":"invalid_content_type","message":"Content-Type header must be application/json"}}`, nil, "invalid_content_type", "Content-Type header must be application/json", nil, nil},
		{"502 html", 502, "text/html", `<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>`, nil, "", `text/html response, not Nango's JSON ("502 Bad Gateway")`, nil, []error{ErrNotFound}},
		{"503 empty", 503, "text/plain", ``, map[string]string{"Retry-After": "1"}, "", "empty response body (from a proxy or load balancer in front of Nango?)", nil, nil},
		{"504 plain", 504, "text/plain", `upstream request timeout`, nil, "", "text/plain response, not Nango's JSON (from a proxy or load balancer in front of Nango?)", nil, nil},
		{"404 html from an old server", 404, "text/html", `<!DOCTYPE html><title>Cannot GET</title>`, nil, "", "", nil, []error{ErrNotFound}},
		{"error body not JSON but says json", 500, "", `{"error":`, nil, "", "", nil, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctype := tc.ctype
			if ctype == "" {
				ctype = "application/json; charset=utf-8"
			}
			h := setupRaw(t, func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tc.header {
					w.Header().Set(k, v)
				}
				respond(tc.status, ctype, tc.body)(w, r)
			}, WithMaxRetries(0))
			_, err := h.client.GetToken(context.Background(), "github", "u1")
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %v (%T), want *APIError", err, err)
			}
			if apiErr.StatusCode != tc.status || apiErr.Code != tc.code {
				t.Errorf("status %d code %q, want %d %q", apiErr.StatusCode, apiErr.Code, tc.status, tc.code)
			}
			if tc.msg != "" && apiErr.Message != tc.msg {
				t.Errorf("message %q, want %q", apiErr.Message, tc.msg)
			}
			if apiErr.Operation != opGetConnection || !strings.Contains(err.Error(), "GET /connections/{connectionId}") {
				t.Errorf("operation missing: %v", err)
			}
			for _, s := range tc.is {
				if !errors.Is(err, s) {
					t.Errorf("errors.Is(err, %v) = false", s)
				}
			}
			for _, s := range tc.isNot {
				if errors.Is(err, s) {
					t.Errorf("errors.Is(err, %v) = true", s)
				}
			}
			if len(apiErr.Body) != len(tc.body) {
				t.Errorf("body kept %d bytes of %d", len(apiErr.Body), len(tc.body))
			}
		})
	}
}

func TestErrorDetails(t *testing.T) {
	h := setupRaw(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "7")
		w.Header().Set("X-Request-Id", "req-123")
		jsonBody(429, `{"error":{"code":"too_many_request","message":"slow down"}}`)(w, r)
	}, WithMaxRetries(0))
	_, err := h.client.GetConnection(context.Background(), "github", "u1")
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatal(err)
	}
	if apiErr.RetryAfter != 7*time.Second || apiErr.RequestID != "req-123" {
		t.Errorf("retry after %v, request id %q", apiErr.RetryAfter, apiErr.RequestID)
	}
	if !strings.Contains(apiErr.Error(), "retry after 7s") {
		t.Errorf("error string %q", apiErr.Error())
	}

	h = setupRaw(t, jsonBody(400, `{"error":{"code":"invalid_query_params","errors":[{"code":"invalid_type","message":"Required","path":["tags",0,"x"]}]}}`))
	_, err = h.client.GetConnection(context.Background(), "github", "u1")
	if !errors.As(err, &apiErr) || len(apiErr.Issues) != 1 || strings.Join(IssuePath(apiErr.Issues[0]), ".") != "tags.0.x" {
		t.Fatalf("issues not decoded: %#v", apiErr.Issues)
	}
	if !strings.Contains(err.Error(), "tags.0.x: Required") {
		t.Errorf("issue missing from %q", err)
	}

	h = setupRaw(t, jsonBody(400, `{"error":{"code":"invalid_credentials","payload":{"connection":{"id":7,"credentials":{}}}}}`))
	_, err = h.client.GetConnection(context.Background(), "github", "u1")
	if !errors.As(err, &apiErr) || !strings.Contains(string(apiErr.Payload), `"id":7`) {
		t.Fatalf("payload not kept: %s", apiErr.Payload)
	}
}

func TestErrorBodyCapped(t *testing.T) {
	big := "<html>" + strings.Repeat("x", 1<<20) + "</html>"
	h := setupRaw(t, respond(502, "text/html", big), WithMaxRetries(0))
	_, err := h.client.GetConnection(context.Background(), "github", "u1")
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 502 {
		t.Fatal(err)
	}
	if len(apiErr.Body) != maxErrorBodyKept {
		t.Errorf("kept %d bytes", len(apiErr.Body))
	}
	if len(err.Error()) > 300 {
		t.Errorf("error string of %d bytes", len(err.Error()))
	}
}

// TestSuccessNotJSON: a 2xx the SDK cannot use is an error that keeps the
// status and says what was wrong.
func TestSuccessNotJSON(t *testing.T) {
	cases := []struct{ name, ctype, body, want string }{
		{"empty 200", "application/json", "", "malformed"},
		{"text/plain 200", "text/plain", "ok", "expected a JSON body"},
		{"html 200", "text/html", "<html><title>Login</title></html>", `"Login"`},
		{"truncated json", "application/json", `{"id":1,"credentials":{"type":"OAU`, "malformed"},
		{"json array", "application/json", `[]`, "malformed"},
		{"no content type", "", `{"credentials":{}}`, "expected a JSON body"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := setupRaw(t, func(w http.ResponseWriter, r *http.Request) {
				if tc.ctype == "" {
					w.Header()["Content-Type"] = nil
				} else {
					w.Header().Set("Content-Type", tc.ctype)
				}
				w.WriteHeader(200)
				_, _ = w.Write([]byte(tc.body))
			})
			_, err := h.client.GetToken(context.Background(), "github", "u1")
			var ue *UnexpectedResponseError
			if !errors.Is(err, ErrUnexpectedResponse) || !errors.As(err, &ue) || ue.StatusCode != 200 {
				t.Fatalf("err = %v", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%q does not say %q", err, tc.want)
			}
		})
	}
}
