package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
)

const capturedToken = "nango_connect_session_2e9a4f5953783273ac4284bf1625ed204d4e7e49b4de21e292a23f4113bb3350"

func TestConnectSessionCommand(t *testing.T) {
	cases := []struct {
		name     string
		args     []string
		route    string // the capture answering the request
		sentBody string // the JSON the server must receive
		code     int
		out      []string // in stdout
		notOut   []string // not in stdout
		errOut   string   // in stderr
	}{
		{
			name:     "link and expiry, no bare token",
			args:     []string{"--end-user", "eu-302"},
			route:    "301-post-connect-sessions-full",
			sentBody: `{"end_user":{"id":"eu-302"}}`,
			out:      []string{"connect link: http://localhost:3009/?session_token=" + capturedToken, "expires at:   2026-11-28T22:28:02Z"},
			notOut:   []string{"token:"},
		},
		{
			name:     "every flag, token shown",
			args:     []string{"--end-user", "eu-301", "--email", "eu301@example.com", "--display-name", "End User 301", "--integration", "github", "--integration", "sendgrid,anvil", "--tag", "team=alpha", "--show-token"},
			route:    "301-post-connect-sessions-full",
			sentBody: `{"end_user":{"id":"eu-301","email":"eu301@example.com","display_name":"End User 301"},"allowed_integrations":["github","sendgrid","anvil"],"tags":{"team":"alpha"}}`,
			out:      []string{"token:        " + capturedToken + "\n"},
		},
		{
			name:     "tags alone",
			args:     []string{"--tag", "end_user_id=eu-303", "--tag", "team=beta", "--json"},
			route:    "303-post-connect-sessions-tags-only-no-end-user",
			sentBody: `{"tags":{"end_user_id":"eu-303","team":"beta"}}`,
			out:      []string{`"token": "nango_connect_session_bf37`, `"expires_at": "2026-11-28T22:28:10.855Z"`},
		},
		{
			name:     "reconnect",
			args:     []string{"--reconnect", "user@example.com", "--integration", "github", "--end-user", "eu-314", "--email", "eu314@example.com"},
			route:    "314-post-connect-sessions-reconnect",
			sentBody: `{"connection_id":"user@example.com","integration_id":"github","end_user":{"id":"eu-314","email":"eu314@example.com"}}`,
			out:      []string{"connect link: http://localhost:3009/?session_token=nango_connect_session_c1f5"},
		},
		{
			name:     "the server's refusal",
			args:     []string{"--end-user", "eu-1", "--email", "not-an-email"},
			route:    "305-err-post-connect-sessions-invalid-body",
			sentBody: `{"end_user":{"id":"eu-1","email":"not-an-email"}}`,
			code:     1,
			errOut:   "400 Bad Request (invalid_body)",
		},
		{
			name:     "unknown key",
			args:     []string{"--end-user", "eu-312"},
			route:    "312-err-post-connect-sessions-unknown-key",
			sentBody: `{"end_user":{"id":"eu-312"}}`,
			code:     1,
			errOut:   "code: unknown_account",
		},
		{name: "nothing to connect", args: nil, code: 2, errOut: "need --end-user"},
		{name: "email without end user", args: []string{"--email", "a@example.com"}, code: 2, errOut: "give its id"},
		{name: "reconnect without integration", args: []string{"--reconnect", "user-1"}, code: 2, errOut: "exactly one --integration"},
		{name: "reconnect with two", args: []string{"--reconnect", "user-1", "--integration", "a,b"}, code: 2, errOut: "exactly one --integration"},
		{name: "bad tag", args: []string{"--end-user", "eu", "--tag", "1x=v"}, code: 2, errOut: "want a letter"},
		{name: "empty integration", args: []string{"--end-user", "eu", "--integration", "a,,b"}, code: 2, errOut: "empty value"},
		{name: "a positional argument", args: []string{"--end-user", "eu", "extra"}, code: 2, errOut: "takes no arguments"},
		{name: "over-long end user id", args: []string{"--end-user", strings.Repeat("e", 256)}, code: 2, errOut: "over the limit"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			routes := map[string]string{}
			if tc.route != "" {
				path := "POST /connect/sessions"
				if strings.Contains(tc.route, "reconnect") {
					path += "/reconnect"
				}
				routes[path] = tc.route
			}
			srv := startReplay(t, routes)
			code, out, errOut := runCLI(t, srv.env(), append([]string{"connect-session"}, tc.args...)...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stdout %q, stderr %q", code, tc.code, out, errOut)
			}
			for _, s := range tc.out {
				if !strings.Contains(out, s) {
					t.Errorf("stdout %q lacks %q", out, s)
				}
			}
			for _, s := range tc.notOut {
				if strings.Contains(out, s) {
					t.Errorf("stdout %q holds %q", out, s)
				}
			}
			if !strings.Contains(errOut, tc.errOut) {
				t.Errorf("stderr %q lacks %q", errOut, tc.errOut)
			}
			if tc.code == 2 && (out != "" || !strings.Contains(errOut, "Usage: nango connect-session")) {
				t.Errorf("usage error: stdout %q, stderr %q", out, errOut)
			}
			reqs := srv.requests()
			if tc.sentBody == "" {
				if len(reqs) != 0 {
					t.Errorf("%d requests sent", len(reqs))
				}
				return
			}
			if len(reqs) != 1 {
				t.Fatalf("%d requests, want 1 (never retried)", len(reqs))
			}
			var got, want any
			_ = json.Unmarshal(reqs[0].body, &got)
			_ = json.Unmarshal([]byte(tc.sentBody), &want)
			if !reflect.DeepEqual(got, want) || reqs[0].auth != "Bearer "+cliTestKey {
				t.Errorf("sent %s with %q, want %s", reqs[0].body, reqs[0].auth, tc.sentBody)
			}
		})
	}
}

// TestConnectSessionNotRetried: a session creation that reached the server
// is sent once, even when the server failed in a way a read would retry.
func TestConnectSessionNotRetried(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(`{"error":{"code":"server_error","message":"busy"}}`))
	}))
	defer srv.Close()
	env := map[string]string{"NANGO_HOST": srv.URL, "NANGO_SECRET_KEY": cliTestKey}
	code, out, errOut := runCLI(t, env, "connect-session", "--end-user", "eu")
	if code != 1 || out != "" || !strings.Contains(errOut, "503") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if n.Load() != 1 {
		t.Errorf("%d requests, want 1", n.Load())
	}
	// A read against the same server is retried: the count can tell.
	n.Store(0)
	if code, _, _ := runCLI(t, env, "integrations", "github"); code != 1 || n.Load() < 2 {
		t.Errorf("the read was sent %d times (exit %d)", n.Load(), code)
	}
}

func TestNewCommandsHelp(t *testing.T) {
	cases := []struct {
		args   []string
		prefix string
	}{
		{[]string{"connect-session", "--help"}, "nango connect-session: "},
		{[]string{"integrations", "-h"}, "nango integrations: "},
		{[]string{"help", "integrations"}, "nango integrations: "},
		{[]string{"integrations", "github", "--help"}, "nango integrations: "},
	}
	for _, tc := range cases {
		code, out, errOut := runCLI(t, nil, tc.args...)
		if code != 0 || errOut != "" || !strings.HasPrefix(out, tc.prefix) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", tc.args, code, out, errOut)
		}
		if !strings.Contains(out, "Usage: nango ") || !strings.Contains(out, "--json") {
			t.Errorf("%v: help lacks usage or flags: %s", tc.args, out)
		}
	}
	code, out, _ := runCLI(t, nil, "--help")
	if code != 0 || !strings.Contains(out, "nango connect-session") || !strings.Contains(out, "nango integrations") {
		t.Errorf("the main usage does not list the new commands: %s", out)
	}
}
