package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/nango-go/sdk/nango/nangotest"
)

// actionFake is a fake Nango with the demo connections and two actions on
// github: echo (returns its input) and fail (fails with a payload).
func actionFake(t *testing.T) (*nangotest.Server, map[string]string, *atomic.Int32) {
	t.Helper()
	srv := nangotest.Start(t)
	srv.SeedDemo()
	var runs atomic.Int32
	srv.HandleAction("github", "echo", func(_ context.Context, id string, in json.RawMessage) (any, error) {
		runs.Add(1)
		return map[string]any{"input": in, "connection": id}, nil
	})
	srv.HandleAction("github", "fail", func(context.Context, string, json.RawMessage) (any, error) {
		runs.Add(1)
		return nil, &nangotest.ActionError{Payload: map[string]string{"code": "no_repo", "message": "no such repository"}}
	})
	return srv, map[string]string{"NANGO_HOST": srv.URL, "NANGO_SECRET_KEY": srv.SecretKey()}, &runs
}

func TestActionCommand(t *testing.T) {
	file := filepath.Join(t.TempDir(), "in.json")
	if err := os.WriteFile(file, []byte(`{"from":"file"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		args   []string
		code   int
		out    string // stdout, exactly (JSON indented)
		errOut []string
		runs   int32
	}{
		{"synchronous", []string{"github", "user-1", "echo", "--input", `{"title":"x"}`}, 0,
			"{\n  \"connection\": \"user-1\",\n  \"input\": {\n    \"title\": \"x\"\n  }\n}\n", nil, 1},
		{"flags first, no input", []string{"--input", "", "github", "org/acme@example.com", "echo"}, 0,
			"{\n  \"connection\": \"org/acme@example.com\",\n  \"input\": null\n}\n", nil, 1},
		{"input from a file", []string{"github", "user-1", "echo", "--input", "@" + file}, 0,
			"{\n  \"connection\": \"user-1\",\n  \"input\": {\n    \"from\": \"file\"\n  }\n}\n", nil, 1},
		{"wait for an async run", []string{"github", "user-1", "echo", "--wait", "--input", `[1]`, "--max-retries", "2"}, 0,
			"{\n  \"connection\": \"user-1\",\n  \"input\": [\n    1\n  ]\n}\n", nil, 1},
		{"failed action", []string{"github", "user-1", "fail"}, 1, "",
			[]string{"nango action: nango: action fail failed (500 action_script_runtime_error): no such repository\npayload:\n{\n  \"code\": \"no_repo\",\n  \"message\": \"no such repository\"\n}\n"}, 1},
		{"failed async action, waited for", []string{"github", "user-1", "fail", "--wait"}, 1, "",
			[]string{"nango action: run ", "failed (500 action_script_runtime_error): no such repository", `"code": "no_repo"`}, 1},
		{"unknown action", []string{"github", "user-1", "nope"}, 1, "", []string{"404", "Action not found", "code: not_found"}, 0},
		{"unknown connection", []string{"github", "nobody", "echo"}, 1, "", []string{"unknown_connection"}, 0},
		{"input not JSON", []string{"github", "user-1", "echo", "--input", "{title"}, 2, "", []string{"--input is not JSON", "Usage: nango action"}, 0},
		{"input file missing", []string{"github", "user-1", "echo", "--input", "@/nonexistent/in.json"}, 2, "", []string{"--input: open"}, 0},
		{"bad action name", []string{"github", "user-1", "create issue"}, 2, "", []string{"letters, digits, _ and - only", "Usage: nango action"}, 0},
		{"both --async and --wait", []string{"github", "user-1", "echo", "--async", "--wait"}, 2, "", []string{"give one"}, 0},
		{"retries of a synchronous run", []string{"github", "user-1", "echo", "--max-retries", "1"}, 2, "", []string{"never retries a synchronous one"}, 0},
		{"retries out of range", []string{"github", "user-1", "echo", "--async", "--max-retries", "9"}, 2, "", []string{"0 to 5"}, 0},
		{"two arguments", []string{"github", "user-1"}, 2, "", []string{"want 3 arguments"}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, env, runs := actionFake(t)
			code, out, errOut := runCLI(t, env, append([]string{"action"}, tc.args...)...)
			if code != tc.code || out != tc.out {
				t.Fatalf("exit %d, stdout %q; want %d, %q (stderr %q)", code, out, tc.code, tc.out, errOut)
			}
			for _, s := range tc.errOut {
				if !strings.Contains(errOut, s) {
					t.Errorf("stderr %q lacks %q", errOut, s)
				}
			}
			if tc.code == 0 && errOut != "" {
				t.Errorf("stderr on success: %q", errOut)
			}
			if n := runs.Load(); n != tc.runs {
				t.Errorf("the action ran %d times, want %d", n, tc.runs)
			}
		})
	}
}

// TestActionCommandAsync: --async prints the run's id and status URL, the
// result is there for GET /action/{id}; --input @- reads stdin.
func TestActionCommandAsync(t *testing.T) {
	srv, env, _ := actionFake(t)
	var out bytes.Buffer
	err := actionCommand(context.Background(), []string{"github", "user-1", "echo", "--input", "@-", "--async"},
		strings.NewReader(`{"via":"stdin"}`), &out, &bytes.Buffer{}, func(k string) string { return env[k] })
	var run struct {
		ID        string `json:"id"`
		StatusURL string `json:"statusUrl"`
	}
	if err != nil || json.Unmarshal(out.Bytes(), &run) != nil || run.StatusURL != "/action/"+run.ID {
		t.Fatalf("%v: %s", err, out.String())
	}
	ctx := context.Background()
	res, err := srv.Client().WaitForActionResult(ctx, run.ID)
	if err != nil || string(res) != `{"connection":"user-1","input":{"via":"stdin"}}` {
		t.Errorf("result %s %v", res, err)
	}
}

func TestActionCommandHelp(t *testing.T) {
	code, out, _ := runCLI(t, nil, "action", "--help")
	for _, s := range []string{"Usage: nango action [flags] <provider-config-key> <connection-id> <action>", "--input", "@-", "--async", "--wait", "--max-retries N", "(default 16m0s)", "never sent twice"} {
		if code != 0 || !strings.Contains(out, s) {
			t.Errorf("help lacks %q: %s", s, out)
		}
	}
	code, out, _ = runCLI(t, nil, "--help")
	if code != 0 || !strings.Contains(out, "nango action") || !strings.Contains(out, "run an action for a connection") {
		t.Errorf("usage lacks the action command: %s", out)
	}
}
