package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/nango-go/sdk/nango"
)

func TestIntegrationsCommand(t *testing.T) {
	routes := map[string]string{
		"GET /integrations":          "390-get-integrations",
		"GET /integrations/github":   "392-get-integration-github-include-webhook-credentials",
		"GET /integrations/sendgrid": "393-get-integration-sendgrid-include-credentials",
		"GET /integrations/anvil":    "391-get-integration-github",
	}
	const secret = "fake-github-client-secret"
	cases := []struct {
		name   string
		args   []string
		code   int
		query  string   // of the one request, when one is sent
		out    []string // in stdout
		errOut string
	}{
		{name: "list as JSON off a terminal", args: nil, out: []string{`"unique_key": "github"`, `"unique_key": "oauth2cc"`}},
		{name: "one", args: []string{"anvil"}, out: []string{`"unique_key": "github"`, `"display_name": "GitHub (User OAuth)"`}},
		{name: "with credentials", args: []string{"github", "--include", "webhook,credentials"}, query: "include=webhook&include=credentials", out: []string{`"client_secret": "` + secret + `"`}},
		{name: "flags repeated, before the key", args: []string{"--include", "credentials", "--include", "webhook", "github"}, query: "include=webhook&include=credentials", out: []string{secret}},
		{name: "no credentials", args: []string{"sendgrid", "--include", "credentials"}, query: "include=credentials", out: []string{`"unique_key": "sendgrid"`}},
		{name: "unknown", args: []string{"nope"}, code: 1, errOut: "404"},
		{name: "two keys", args: []string{"github", "sendgrid"}, code: 2, errOut: "at most one argument"},
		{name: "include without a key", args: []string{"--include", "webhook"}, code: 2, errOut: "needs an integration's key"},
		{name: "unknown include", args: []string{"github", "--include", "secrets"}, code: 2, errOut: `want webhook or credentials`},
		{name: "unknown flag", args: []string{"--bogus"}, code: 2, errOut: "bogus"},
		{name: "dot key", args: []string{".."}, code: 2, errOut: "dot segment"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := startReplay(t, routes)
			code, out, errOut := runCLI(t, srv.env(), append([]string{"integrations"}, tc.args...)...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stdout %q, stderr %q", code, tc.code, out, errOut)
			}
			for _, s := range tc.out {
				if !strings.Contains(out, s) {
					t.Errorf("stdout %q lacks %q", out, s)
				}
			}
			if !strings.Contains(errOut, tc.errOut) {
				t.Errorf("stderr %q lacks %q", errOut, tc.errOut)
			}
			if tc.code == 2 {
				if out != "" || !strings.Contains(errOut, "Usage: nango integrations") {
					t.Errorf("usage error: stdout %q, stderr %q", out, errOut)
				}
				if n := len(srv.requests()); n != 0 {
					t.Errorf("%d requests sent", n)
				}
				return
			}
			if !strings.Contains(strings.Join(tc.args, " "), "credentials") && strings.Contains(out, secret) {
				t.Errorf("a client secret printed without --include credentials: %s", out)
			}
			reqs := srv.requests()
			if len(reqs) != 1 || reqs[0].query != tc.query || reqs[0].auth != "Bearer "+cliTestKey {
				t.Errorf("sent %+v, want one request with query %q", reqs, tc.query)
			}
			if tc.code == 0 {
				var v any
				if err := json.Unmarshal([]byte(out), &v); err != nil {
					t.Errorf("stdout is not JSON: %v", err)
				}
			}
		})
	}
}

// TestIntegrationsTable: what a terminal gets, a row per integration under
// a header.
func TestIntegrationsTable(t *testing.T) {
	srv := startReplay(t, map[string]string{"GET /integrations": "390-get-integrations"})
	code, out, _ := runCLI(t, srv.env(), "integrations", "--json")
	var list []nango.Integration
	if code != 0 || json.Unmarshal([]byte(out), &list) != nil || len(list) < 5 {
		t.Fatalf("exit %d, %s", code, out)
	}
	var b strings.Builder
	printIntegrations(&b, list)
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	if len(lines) != len(list)+1 || !strings.HasPrefix(lines[0], "UNIQUE KEY") {
		t.Fatalf("table:\n%s", b.String())
	}
	for i, in := range list {
		f := strings.Fields(lines[i+1])
		if f[0] != in.UniqueKey || f[1] != in.Provider || !strings.Contains(lines[i+1], in.DisplayName) || f[len(f)-1] != in.CreatedAt.UTC().Format(time.RFC3339) {
			t.Errorf("row %q for %s", lines[i+1], in.UniqueKey)
		}
	}
}
