package main

import (
	"bytes"
	"context"
	"encoding/json"
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
	env := map[string]string{"NANGO_HOST": srv.URL, "NANGO_SECRET_KEY": srv.SecretKey}

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
	env := map[string]string{"NANGO_HOST": srv.URL, "NANGO_SECRET_KEY": srv.SecretKey}
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
		{"no key", map[string]string{"NANGO_HOST": srv.URL}, []string{"list"}, 2, "NANGO_SECRET_KEY"},
		{"missing argument", env, []string{"token", "github"}, 2, "want 2 arguments"},
		{"bad flag", env, []string{"list", "--nope"}, 2, "flag provided but not defined"},
		{"unknown command", env, []string{"frobnicate"}, 2, "unknown command"},
		{"no command", env, nil, 2, "Usage"},
		{"bad metadata", env, []string{"metadata", "set", "github", "user-1", "[1]"}, 2, "not a JSON object"},
		{"dot id", env, []string{"token", "github", ".."}, 1, "dot segment"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tc.env, tc.args...)
			if code != tc.code || !strings.Contains(errOut, tc.errText) {
				t.Errorf("exit %d, stderr %q (stdout %q); want %d and %q", code, errOut, out, tc.code, tc.errText)
			}
			if strings.Contains(errOut, srv.SecretKey) {
				t.Error("the key was printed")
			}
		})
	}
}

func TestHelpAndVersion(t *testing.T) {
	if code, out, _ := runCLI(t, nil, "--version"); code != 0 || !strings.HasPrefix(out, "nango ") {
		t.Errorf("version: %d %q", code, out)
	}
	for _, cmd := range []string{"token", "connection", "raw", "list", "delete", "serve", "demo"} {
		if code, out, _ := runCLI(t, nil, cmd, "--help"); code != 0 || !strings.Contains(out, "Usage: nango "+cmd) {
			t.Errorf("%s --help: %d %q", cmd, code, out)
		}
	}
	if code, out, _ := runCLI(t, nil, "metadata", "get", "--help"); code != 0 || !strings.Contains(out, "Usage: nango metadata get") {
		t.Errorf("metadata --help: %d %q", code, out)
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
