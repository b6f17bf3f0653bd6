package main

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/nango-go/sdk/nango/nangotest"
)

func runCLI(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &out, &errOut, func(k string) string { return env[k] })
	return code, out.String(), errOut.String()
}

func TestClientCommands(t *testing.T) {
	srv := nangotest.Start(t)
	srv.SeedDemo()
	env := map[string]string{"NANGO_HOST": srv.URL, "NANGO_SECRET_KEY": srv.SecretKey()}

	code, out, _ := runCLI(t, env, "token", "github", "user-1")
	if code != 0 || out != "gho_demo_access_token_1\n" {
		t.Errorf("token: %d %q", code, out)
	}
	code, out, _ = runCLI(t, env, "token", "twitter", "user-1")
	if code != 0 || !strings.Contains(out, `"oauth_token_secret":"demo-oauth1-secret"`) || !strings.Contains(out, `"type":"OAUTH1"`) {
		t.Errorf("oauth1 token: %d %s", code, out)
	}
	code, out, _ = runCLI(t, env, "connection", "--force-refresh", "github", "org/acme@example.com")
	var conn map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &conn) != nil || conn["connection_id"] != "org/acme@example.com" {
		t.Errorf("connection: %d %s", code, out)
	}
	if srv.Refreshes("github", "org/acme@example.com") != 1 {
		t.Error("--force-refresh not sent")
	}
	code, out, _ = runCLI(t, env, "raw", "github", "user-1")
	if code != 0 || !strings.Contains(out, `"token_type": "bearer"`) {
		t.Errorf("raw: %d %s", code, out)
	}
	code, out, _ = runCLI(t, env, "list", "--integration", "github", "--limit", "10")
	var list []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &list) != nil || len(list) != 2 {
		t.Errorf("list (piped, so JSON): %d %s", code, out)
	}
	code, _, _ = runCLI(t, env, "metadata", "update", "github", "user-1", `{"seats":3}`)
	code2, out, _ := runCLI(t, env, "metadata", "get", "github", "user-1")
	if code != 0 || code2 != 0 || !strings.Contains(out, `"plan": "pro"`) || !strings.Contains(out, `"seats": 3`) {
		t.Errorf("metadata: %d %d %s", code, code2, out)
	}
	code, _, _ = runCLI(t, env, "metadata", "set", "github", "user-1", `{"only":true}`)
	_, out, _ = runCLI(t, env, "metadata", "get", "github", "user-1")
	if code != 0 || strings.Contains(out, "plan") {
		t.Errorf("metadata set did not replace: %s", out)
	}
	code, _, _ = runCLI(t, env, "delete", "sendgrid", "acme-mail")
	if code != 0 || srv.Len() != 3 {
		t.Errorf("delete: %d, %d left", code, srv.Len())
	}
}

func TestErrorsAndUsage(t *testing.T) {
	srv := nangotest.Start(t)
	srv.SeedDemo()
	env := map[string]string{"NANGO_HOST": srv.URL, "NANGO_SECRET_KEY": srv.SecretKey()}
	cases := []struct {
		name    string
		env     map[string]string
		args    []string
		code    int
		errText string
	}{
		{"unknown connection", env, []string{"token", "github", "nobody"}, 1, "code: not_found"},
		{"unknown integration", env, []string{"token", "nope", "user-1"}, 1, "code: unknown_provider_config"},
		{"wrong key", map[string]string{"NANGO_HOST": srv.URL, "NANGO_SECRET_KEY": "00000000-0000-4000-8000-000000000000"}, []string{"list"}, 1, "code: unknown_account"},
		{"dot id", env, []string{"token", "github", ".."}, 1, "dot segment"},
		{"no key", map[string]string{"NANGO_HOST": srv.URL}, []string{"list"}, 2, "NANGO_SECRET_KEY"},
		{"missing argument", env, []string{"token", "github"}, 2, "want 2 arguments (<provider-config-key> <connection-id>), got 1"},
		{"extra argument", env, []string{"connection", "github", "user-1", "x"}, 2, "want 2 arguments"},
		{"bad flag", env, []string{"list", "--nope"}, 2, "flag provided but not defined: -nope"},
		{"bad flag after arguments", env, []string{"token", "github", "user-1", "--nope"}, 2, "Usage: nango token [flags] <provider-config-key> <connection-id>"},
		{"flag without its value", env, []string{"list", "--integration"}, 2, "flag needs an argument"},
		{"bad duration", env, []string{"raw", "github", "user-1", "--timeout", "soon"}, 2, "invalid value"},
		{"list takes no arguments", env, []string{"list", "github"}, 2, "takes no arguments"},
		{"limit out of range", env, []string{"list", "--limit", "5000"}, 2, "--limit 5000"},
		{"negative page", env, []string{"list", "--page", "-1"}, 2, "--page -1"},
		{"page not a number", env, []string{"list", "--page", "two"}, 2, "not a whole number"},
		{"unknown command", env, []string{"frobnicate"}, 2, "unknown command"},
		{"no command", env, nil, 2, "Usage"},
		{"metadata without subcommand", env, []string{"metadata"}, 2, "want a subcommand: get, set or update"},
		{"metadata unknown subcommand", env, []string{"metadata", "drop", "github", "user-1"}, 2, `unknown subcommand "drop"`},
		{"metadata get takes no JSON", env, []string{"metadata", "get", "github", "user-1", `{"plan":"pro"}`}, 2, "want 2 arguments"},
		{"metadata set without JSON", env, []string{"metadata", "set", "github", "user-1"}, 2, "want 3 arguments"},
		{"bad metadata", env, []string{"metadata", "set", "github", "user-1", "[1]"}, 2, "not a JSON object"},
		{"null metadata", env, []string{"metadata", "update", "github", "user-1", "null"}, 2, "not a JSON object"},
		{"demo takes no arguments", env, []string{"demo", "now"}, 2, "takes no arguments"},
		{"serve bad flag", env, []string{"serve", "--port", "1"}, 2, "flag provided but not defined: -port"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := len(srv.Requests())
			code, out, errOut := runCLI(t, tc.env, tc.args...)
			if code != tc.code || !strings.Contains(errOut, tc.errText) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, errOut, tc.code, tc.errText)
			}
			// stdout is what $(nango token …) captures: nothing there.
			if out != "" {
				t.Errorf("stdout %q on an error", out)
			}
			if tc.code == 2 && len(srv.Requests()) != before {
				t.Errorf("a usage error sent %d requests", len(srv.Requests())-before)
			}
			if strings.Contains(errOut, srv.SecretKey()) {
				t.Error("the key was printed")
			}
		})
	}
}

func TestHelpAndVersion(t *testing.T) {
	if code, out, _ := runCLI(t, nil, "--version"); code != 0 || !strings.HasPrefix(out, "nango ") {
		t.Errorf("version: %d %q", code, out)
	}
	env := map[string]string{"NANGO_HOST": "http://127.0.0.1:1"}
	cases := []struct {
		args []string
		want []string // in stdout
	}{
		{[]string{"--help"}, []string{"nango token", "nango metadata   get", "--help"}},
		{[]string{"help", "token"}, []string{"Usage: nango token [flags] <provider-config-key> <connection-id>"}},
		{[]string{"token", "--help"}, []string{"Usage: nango token [flags] <provider-config-key> <connection-id>", "bare access token", "byte for byte", "<connection-id>", "--force-refresh", "--include-refresh-token", "--timeout duration", "(default 30s)", "--host URL", "(default http://127.0.0.1:1)", "NANGO_SECRET_KEY"}},
		{[]string{"token", "github", "user-1", "-h"}, []string{"Usage: nango token"}},
		{[]string{"connection", "--help"}, []string{"Usage: nango connection [flags] <provider-config-key> <connection-id>", "--force-refresh", "with its credentials"}},
		{[]string{"raw", "--help"}, []string{"Usage: nango raw [flags] <provider-config-key> <connection-id>", "raw token response"}},
		{[]string{"delete", "--help"}, []string{"Usage: nango delete [flags] <provider-config-key> <connection-id>", "cannot be undone"}},
		{[]string{"list", "--help"}, []string{"Usage: nango list [flags]\n", "--all", "every page", "--tag key=value", "repeat for more", "--limit size", "1 to 2000", "--page number", "--json", "--integration keys"}},
		{[]string{"metadata", "--help"}, []string{"nango metadata get ", "nango metadata set ", "nango metadata update ", "replace", "merge"}},
		{[]string{"metadata", "get", "--help"}, []string{"Usage: nango metadata get [flags] <provider-config-key> <connection-id>\n", "--host URL"}},
		{[]string{"metadata", "set", "--help"}, []string{"Usage: nango metadata set [flags] <provider-config-key> <connection-id> <metadata-json>", "keys not in it are removed"}},
		{[]string{"metadata", "update", "github", "user-1", "--help"}, []string{"Usage: nango metadata update [flags] <provider-config-key> <connection-id> <metadata-json>", "other keys stay"}},
		{[]string{"serve", "--help"}, []string{"Usage: nango serve [flags]", "--addr address", "(default 127.0.0.1:3003)", "--data file", "--secret-key key", "--no-validate"}},
		{[]string{"demo", "--help"}, []string{"Usage: nango demo\n", "in-process fake"}},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, out, errOut := runCLI(t, env, tc.args...)
			if code != 0 || errOut != "" {
				t.Errorf("exit %d, stderr %q", code, errOut)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("help lacks %q:\n%s", w, out)
				}
			}
			// No sentinel defaults, no Go-style "-flag type" lines, no
			// empty sections.
			for _, bad := range []string{"(default -1)", "(default 0)", "(default false)", "Flags:\n\n", "Flags:\n$"} {
				if strings.Contains(out+"$", bad) {
					t.Errorf("help contains %q:\n%s", bad, out)
				}
			}
			if goStyle := regexp.MustCompile(`\n\s+-[a-z]`); goStyle.MatchString(out) {
				t.Errorf("help lists a flag as %q:\n%s", goStyle.FindString(out), out)
			}
		})
	}
	if _, out, _ := runCLI(t, env, "demo", "--help"); strings.Contains(out, "Flags") {
		t.Errorf("demo has no flags, its help lists some:\n%s", out)
	}
}

func TestDemo(t *testing.T) {
	code, out, errOut := runCLI(t, nil, "demo")
	if code != 0 {
		t.Fatalf("demo exit %d: %s", code, errOut)
	}
	for _, want := range []string{`access token "gho_demo_access_token_1"`, `"connection_id": "org/acme@example.com"`, `"token_type":"bearer"`, "acme-mail", "ErrNotFound) = true"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "contract violation") {
		t.Errorf("demo broke the contract:\n%s", out)
	}
}

func TestServe(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut syncBuffer
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, &out, &errOut, func(string) string { return "" })
	}()
	// The server prints its address once it listens; poll the buffer.
	var addr string
	for i := 0; i < 1000 && addr == ""; i++ {
		if s := out.String(); strings.Contains(s, "secret key") {
			addr = strings.Fields(strings.SplitN(s, "\n", 2)[0])[4]
		} else {
			<-timeAfter(5)
		}
	}
	if addr == "" {
		cancel()
		t.Fatalf("serve did not start: %s %s", out.String(), errOut.String())
	}
	env := map[string]string{"NANGO_HOST": addr, "NANGO_SECRET_KEY": nangotest.DefaultSecretKey}
	if code, tok, _ := runCLI(t, env, "token", "github", "user-1"); code != 0 || tok != "gho_demo_access_token_1\n" {
		t.Errorf("token from serve: %d %q", code, tok)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("serve exit %d: %s", code, errOut.String())
	}
}

// TestFlagsAnywhere: every command takes its flags before, between or after
// its arguments, as the README writes them.
func TestFlagsAnywhere(t *testing.T) {
	srv := nangotest.Start(t)
	srv.SeedDemo()
	srv.MustPut(nangotest.OAuth2("github", "-dash", "gho_dash"))
	env := map[string]string{"NANGO_HOST": srv.URL, "NANGO_SECRET_KEY": srv.SecretKey()}
	cases := []struct {
		args     []string
		want     string // in stdout
		refresh  string // a connection of github that must have been refreshed
		requests int    // when > 0, how many requests the command must send
	}{
		{[]string{"token", "github", "user-1", "--force-refresh"}, "gho_demo_access_token_1\n", "user-1", 0},
		{[]string{"token", "github", "--force-refresh", "org/acme@example.com"}, "gho_demo_access_token_2\n", "org/acme@example.com", 0},
		{[]string{"token", "github", "--", "-dash"}, "gho_dash\n", "", 0},
		{[]string{"token", "--force-refresh", "--", "github", "-dash"}, "gho_dash\n", "-dash", 0},
		{[]string{"connection", "github", "user-1", "--force-refresh", "--timeout", "5s"}, `"connection_id": "user-1"`, "user-1", 0},
		{[]string{"raw", "github", "user-1", "--force-refresh"}, `"token_type": "bearer"`, "user-1", 0},
		{[]string{"list", "--json", "--integration", "twitter"}, `"connection_id": "user-1"`, "", 1},
		{[]string{"list", "--integration=github", "--all", "--limit", "1"}, `"connection_id": "org/acme@example.com"`, "", 4},
		{[]string{"metadata", "update", "github", "user-1", `{"seats":3}`, "--timeout", "5s"}, "metadata merged", "", 0},
		{[]string{"metadata", "get", "github", "user-1", "--timeout=5s"}, `"seats": 3`, "", 0},
		{[]string{"metadata", "--timeout", "5s", "get", "github", "user-1"}, `"plan": "pro"`, "", 0},
		{[]string{"metadata", "set", "github", "--timeout", "5s", "user-1", `{"only":true}`}, "metadata replaced", "", 0},
		{[]string{"delete", "sendgrid", "acme-mail", "--timeout", "5s"}, "deleted sendgrid / acme-mail", "", 0},
		{[]string{"delete", "github", "--timeout", "5s", "--", "-dash"}, "deleted github / -dash", "", 0},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			refreshes := srv.Refreshes("github", tc.refresh)
			before := len(srv.Requests())
			code, out, errOut := runCLI(t, env, tc.args...)
			if code != 0 || !strings.Contains(out, tc.want) {
				t.Fatalf("exit %d, stdout %q, stderr %q; want %q", code, out, errOut, tc.want)
			}
			if tc.refresh != "" && srv.Refreshes("github", tc.refresh) != refreshes+1 {
				t.Error("--force-refresh was not sent")
			}
			if n := len(srv.Requests()) - before; tc.requests > 0 && n != tc.requests {
				t.Errorf("%d requests, want %d", n, tc.requests)
			}
		})
	}
	if _, ok := srv.Connection("sendgrid", "acme-mail"); ok {
		t.Error("delete left its connection")
	}
	if _, ok := srv.Connection("github", "-dash"); ok {
		t.Error("delete left its connection")
	}
	_, out, _ := runCLI(t, env, "metadata", "get", "github", "user-1")
	if !strings.Contains(out, `"only": true`) || strings.Contains(out, "plan") {
		t.Errorf("metadata set did not replace: %s", out)
	}
}
