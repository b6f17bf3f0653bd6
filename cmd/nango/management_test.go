package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nango-go/sdk/nango"
	"github.com/nango-go/sdk/nango/nangotest"
)

func TestEnvCommand(t *testing.T) {
	srv := nangotest.Start(t)
	srv.SetEnvironmentVariable("API_BASE", "https://api.example.test")
	srv.SetEnvironmentVariable("TOKEN", "sekrit\x1b[31m")
	env := map[string]string{"NANGO_HOST": srv.URL, "NANGO_SECRET_KEY": srv.SecretKey()}

	code, out, errOut := runCLI(t, env, "env")
	var vars []map[string]string
	if code != 0 || json.Unmarshal([]byte(out), &vars) != nil || len(vars) != 2 || vars[1]["name"] != "TOKEN" || vars[1]["value"] != "sekrit\x1b[31m" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	var table bytes.Buffer
	list := []nango.EnvironmentVariable{{Name: "API_BASE", Value: "https://api.example.test"}, {Name: "TOKEN", Value: "sekrit\x1b[31m"}}
	printEnv(&table, list)
	lines := strings.Split(strings.TrimRight(table.String(), "\n"), "\n")
	if len(lines) != 3 || strings.Fields(lines[0])[0] != "NAME" || strings.Fields(lines[1])[1] != "https://api.example.test" ||
		strings.Fields(lines[2])[1] != `"sekrit\x1b[31m"` || strings.Contains(table.String(), "\x1b") {
		t.Errorf("table:\n%s", table.String())
	}

	for _, tc := range []struct {
		args   []string
		code   int
		errOut string
	}{
		{[]string{"env", "extra"}, 2, "takes no arguments"},
		{[]string{"env", "--bogus"}, 2, "bogus"},
	} {
		code, out, errOut := runCLI(t, env, tc.args...)
		if code != tc.code || out != "" || !strings.Contains(errOut, tc.errOut) || !strings.Contains(errOut, "Usage: nango env") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", tc.args, code, out, errOut)
		}
	}
	code, out, _ = runCLI(t, env, "env", "--help")
	if code != 0 || !strings.Contains(out, "printed on purpose") || !strings.Contains(out, "--json") {
		t.Errorf("help: %d %s", code, out)
	}
	if code, _, errOut := runCLI(t, map[string]string{"NANGO_HOST": srv.URL}, "env"); code != 2 || !strings.Contains(errOut, "NANGO_SECRET_KEY") {
		t.Errorf("no key: %d %s", code, errOut)
	}
}

func TestIntegrationWriteCommands(t *testing.T) {
	srv := nangotest.Start(t)
	srv.SeedDemo()
	env := map[string]string{"NANGO_HOST": srv.URL, "NANGO_SECRET_KEY": srv.SecretKey()}
	const secret = "client-secret-0123456789"
	creds := `{"type":"OAUTH2","client_id":"cid","client_secret":"` + secret + `","scopes":"repo,user"}`
	file := filepath.Join(t.TempDir(), "creds.json")
	if err := os.WriteFile(file, []byte(creds), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		args   []string
		code   int
		out    []string
		errOut string
	}{
		{"create", []string{"create", "gh-prod", "github", "--credentials", "@" + file, "--display-name", "GitHub"}, 0,
			[]string{`"unique_key": "gh-prod"`, `"display_name": "GitHub"`, `"forward_webhooks": true`}, ""},
		{"created with its client", []string{"gh-prod", "--include", "credentials"}, 0, []string{`"client_secret": "` + secret + `"`, `"scopes": "repo,user"`}, ""},
		{"duplicate", []string{"create", "gh-prod", "github", "--credentials", creds}, 1, nil, "Unique key already exists"},
		{"missing credentials", []string{"create", "x", "github"}, 1, nil, "Missing credentials"},
		{"quickstart", []string{"--quickstart", "create", "slack-try", "slack", "--forward-webhooks=false"}, 0, []string{`"unique_key": "slack-try"`, `"forward_webhooks": false`}, ""},
		{"update", []string{"update", "gh-prod", "--display-name", "GitHub (prod)", "--forward-webhooks", "false"}, 0,
			[]string{`"display_name": "GitHub (prod)"`, `"forward_webhooks": false`}, ""},
		{"rename", []string{"update", "gh-prod", "--new-key", "gh-main"}, 0, []string{`"unique_key": "gh-main"`}, ""},
		{"update unknown", []string{"update", "nope", "--display-name", "x"}, 1, nil, "404"},
		{"delete", []string{"delete", "gh-main"}, 0, []string{"deleted integration gh-main"}, ""},
		{"delete again", []string{"delete", "gh-main"}, 1, nil, "not_found"},
		{"a key named create", []string{"--", "create"}, 1, nil, "404"},
		{"still lists", nil, 0, []string{`"unique_key": "github"`, `"unique_key": "slack-try"`}, ""},
		// Usage errors: nothing sent.
		{"create without provider", []string{"create", "x"}, 2, nil, "want 2 arguments"},
		{"update without change", []string{"update", "github"}, 2, nil, "nothing to update"},
		{"credentials not JSON", []string{"create", "x", "github", "--credentials", "sekrit-not-json"}, 2, nil, "not a JSON object"},
		{"credentials and quickstart", []string{"create", "x", "github", "--quickstart", "--credentials", creds}, 2, nil, "exclude each other"},
		{"bad provider", []string{"create", "x", "git hub"}, 2, nil, "provider"},
		{"bad bool", []string{"update", "github", "--forward-webhooks", "maybe"}, 2, nil, "true or false"},
		{"new-key is update's", []string{"create", "x", "github", "--new-key", "y"}, 2, nil, "new-key"},
		{"quickstart is create's", []string{"update", "github", "--quickstart"}, 2, nil, "quickstart"},
		{"delete two", []string{"delete", "a", "b"}, 2, nil, "want 1 arguments"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := len(srv.Requests())
			code, out, errOut := runCLI(t, env, append([]string{"integrations"}, tc.args...)...)
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
			if strings.Contains(errOut, secret) || strings.Contains(errOut, "sekrit") || tc.name != "created with its client" && strings.Contains(out, secret) {
				t.Errorf("a secret printed: stdout %q, stderr %q", out, errOut)
			}
			if tc.code == 2 {
				if out != "" || !strings.Contains(errOut, "Usage: nango integrations") {
					t.Errorf("usage error: stdout %q, stderr %q", out, errOut)
				}
				if n := len(srv.Requests()) - before; n != 0 {
					t.Errorf("%d requests sent", n)
				}
			}
		})
	}
	// --credentials @- reads stdin.
	var out bytes.Buffer
	err := integrationsWrite(context.Background(), "update", []string{"github", "--credentials", "@-"}, strings.NewReader(creds), &out,
		func(k string) string { return env[k] })
	if err != nil || !strings.Contains(out.String(), `"unique_key": "github"`) {
		t.Fatalf("%v %s", err, out.String())
	}
	in, _ := srv.Client().GetIntegration(context.Background(), "github", nango.IncludeIntegrationCredentials())
	if in.Credentials == nil || in.Credentials.ClientSecret != secret {
		t.Errorf("stdin credentials not written")
	}
	for _, sub := range []string{"create", "update", "delete"} {
		code, out, _ := runCLI(t, env, "integrations", sub, "--help")
		if code != 0 || !strings.Contains(out, "Usage: nango integrations "+sub+" [flags] <unique-key>") {
			t.Errorf("%s help: %d %s", sub, code, out)
		}
	}
	if _, out, _ := runCLI(t, env, "integrations", "create", "--help"); !strings.Contains(out, "@-") || !strings.Contains(out, "--quickstart") {
		t.Errorf("create help: %s", out)
	}
}
