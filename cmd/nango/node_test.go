package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nango-go/sdk/nango"
	"github.com/nango-go/sdk/nango/nangotest"
)

// nodeSDKDir returns a folder where @nangohq/node is installed, named by
// NANGO_NODE_SDK_DIR (.ci/run installs it there with npm), or skips: a test
// never reaches a package registry by itself.
func nodeSDKDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("NANGO_NODE_SDK_DIR")
	if dir == "" {
		t.Skip("NANGO_NODE_SDK_DIR is not set (.ci/run installs @nangohq/node and sets it)")
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node not installed")
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@nangohq", "node", "package.json")); err != nil {
		t.Skipf("@nangohq/node is not installed in %s", dir)
	}
	return dir
}

// TestNodeSDKAgainstServe: Nango's own Node SDK works unchanged against the
// fake, ids with @, :, | and spaces included, and the fake finds nothing in
// its requests that breaks the spec: the auth plane, and the data plane
// (records, syncs, actions, environment variables, scripts config,
// integration writes, functions) on what seedDataPlane deploys.
func TestNodeSDKAgainstServe(t *testing.T) {
	dir := nodeSDKDir(t)
	script, _ := filepath.Abs("testdata/node-sdk-check.mjs")
	dst := filepath.Join(dir, "node-sdk-check.mjs")
	b, _ := os.ReadFile(script)
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
	srv := nangotest.Start(t)
	srv.SeedDemo()
	ids := []string{"user@example.com", "a:b", "x|y", "spaces here"}
	for _, id := range ids {
		srv.MustPut(nangotest.OAuth2("github", id, "tok-"+id))
	}
	seedDataPlane(t, srv)
	cmd := exec.Command("node", dst, srv.URL, srv.SecretKey())
	cmd.Args = append(cmd.Args, ids...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("node: %v\n%s\n%s", err, out, stderr)
	}
	var got struct {
		Out    []map[string]any           `json:"out"`
		List   []string                   `json:"list"`
		OAuth1 map[string]any             `json:"oauth1"`
		R      map[string]json.RawMessage `json:"r"`
	}
	if err := json.Unmarshal(out, &got); err != nil || len(got.Out) != len(ids) {
		t.Fatalf("node output %s: %v", out, err)
	}
	for i, o := range got.Out {
		id := ids[i]
		if o["token"] != "tok-"+id || o["connection_id"] != id || o["type"] != "OAUTH2" {
			t.Errorf("%s: %v", id, o)
		}
		if raw, _ := o["raw"].(map[string]any); raw["access_token"] != "tok-"+id {
			t.Errorf("%s raw: %v", id, o["raw"])
		}
	}
	for _, id := range ids {
		if !slices.Contains(got.List, id) {
			t.Errorf("listConnections lacks %q: %v", id, got.List)
		}
	}
	if got.OAuth1["oAuthToken"] != "demo-oauth1-token" || got.OAuth1["oAuthTokenSecret"] != "demo-oauth1-secret" {
		t.Errorf("OAuth 1 token: %v", got.OAuth1)
	}
	checkDataPlane(t, srv, got.R)
	// What the Node SDK sent: ids as they are in the path, its explicit
	// false flags and its JSON Content-Type on a GET. Every answer is a
	// success but those the script asks for: the failing action's 500, the
	// async run's 202 and the 404s of its result while it runs.
	var paths []string
	for _, r := range srv.Requests() {
		paths = append(paths, r.Path)
		switch {
		case r.Status/100 == 2 && (r.Status != http.StatusAccepted || r.Header.Get("X-Async") == "true"):
		case r.Status == http.StatusInternalServerError && r.Path == "/action/trigger" && strings.Contains(string(r.Body), `"fail"`):
		case r.Status == http.StatusNotFound && strings.HasPrefix(r.Path, "/action/"):
		default:
			t.Errorf("%s %s answered %d", r.Method, r.EscapedPath, r.Status)
		}
	}
	for _, p := range []string{"/connections/x|y", "/connections/spaces here", "/records/", "/records/prune", "/sync/status",
		"/sync/update-connection-frequency", "/sync/issues/variant/v2", "/action/trigger", "/environment-variables", "/scripts/config",
		"/integrations/github/functions/echo/code", "/integrations/node-gh", "/integrations/quickstart"} {
		if !slices.Contains(paths, p) {
			t.Errorf("no request to %s: %v", p, paths)
		}
	}
}

// checkDataPlane checks what the Node SDK's data-plane calls returned
// (the script's "r"), each value at a path of its JSON.
func checkDataPlane(t *testing.T, srv *nangotest.Server, r map[string]json.RawMessage) {
	t.Helper()
	// at walks a decoded JSON value by keys and indexes.
	at := func(name string, path ...any) any {
		var v any
		if err := json.Unmarshal(r[name], &v); err != nil {
			t.Errorf("%s: %s: %v", name, r[name], err)
			return nil
		}
		for _, p := range path {
			switch p := p.(type) {
			case string:
				m, _ := v.(map[string]any)
				v = m[p]
			case int:
				a, _ := v.([]any)
				if p >= len(a) {
					return nil
				}
				v = a[p]
			}
		}
		return v
	}
	// list joins one field of each item of a list.
	list := func(field, name string, path ...any) string {
		var out []string
		items, _ := at(name, path...).([]any)
		for _, item := range items {
			m, _ := item.(map[string]any)
			out = append(out, fmt.Sprint(m[field]))
		}
		return strings.Join(out, ",")
	}
	for _, c := range []struct {
		name string
		path []any
		want any
	}{
		{"getEnvironmentVariables", []any{0, "value"}, "https://api.example.com"},
		{"getScriptsConfig", []any{0, "providerConfigKey"}, "github"},
		{"getScriptsConfig", []any{0, "syncs", 0, "returns", 0}, "Issue"},
		{"getScriptsConfig", []any{0, "actions", 0, "name"}, "echo"},
		{"getScriptsConfigOpenAI", []any{"data", 0, "name"}, "issues"},
		{"listFunctions", []any{"pagination", "total"}, 4.0},
		{"listFunctionsPaged", []any{"data", 0, "name"}, "echo"},
		{"listFunctionsPaged", []any{"pagination", "total"}, 1.0},
		{"getFunction", []any{"data", "returns", 0}, "Issue"},
		{"getFunctionCode", []any{"type"}, "action"},
		{"deleteFunction", []any{"data", "success"}, true},
		{"getProviderTemplates", []any{"data", 0}, nil},
		{"listRecords", []any{"records", 1, "title"}, "two"},
		{"listRecordsNext", []any{"next_cursor"}, nil},
		{"listRecordsNext", []any{"records", 0, "id"}, "3"},
		{"listRecordsFiltered", []any{"records", 1, "id"}, "3"},
		{"pruneRecords", []any{"count"}, 1.0},
		{"listRecordsAfterPrune", []any{"records", 0, "title"}, nil},
		{"startSync", []any{"data", "success"}, true},
		{"syncStatusStarted", []any{"syncs", 0, "status"}, "SUCCESS"},
		{"syncStatusStarted", []any{"syncs", 0, "latestResult", "Issue", "added"}, 4.0},
		{"triggerSync", []any{"data", "success"}, true},
		{"triggerSyncReset", []any{"data", "success"}, true},
		{"triggerSyncLegacyMode", []any{"data", "success"}, true},
		{"triggerSyncAllConnections", []any{"data", "success"}, true},
		{"pauseSync", []any{"data", "success"}, true},
		{"syncStatusAll", []any{"syncs", 0, "status"}, "PAUSED"},
		{"updateFrequency", []any{"frequency"}, "1h"},
		{"revertFrequency", []any{"frequency"}, "every day"},
		{"createSyncVariant", []any{"variant"}, "v2"},
		{"syncStatusVariant", []any{"syncs", 0, "variant"}, "v2"},
		{"startSyncVariant", []any{"data", "success"}, true},
		{"deleteSyncVariant", []any{"success"}, true},
		{"triggerAction", []any{"input", "title"}, "hello"},
		{"triggerActionNoInput", []any{"input"}, nil},
		{"triggerActionNoInput", []any{"connection"}, "user-1"},
		{"triggerActionFailing", []any{"error", "status"}, 500.0},
		{"triggerActionFailing", []any{"error", "body", "error", "code"}, "action_script_runtime_error"},
		{"triggerActionFailing", []any{"error", "body", "error", "payload", "code"}, "no_repo"},
		{"getAsyncActionResult", []any{"input", "title"}, "later"},
		{"getAsyncActionResultByURL", []any{"input", "title"}, "later"},
		{"createIntegration", []any{"data", "unique_key"}, "node-gh"},
		{"updateIntegration", []any{"data", "display_name"}, "Node GH 2"},
		{"updateIntegration", []any{"data", "forward_webhooks"}, false},
		{"getIntegration", []any{"data", "display_name"}, "Node GH 2"},
		{"createQuickstartIntegration", []any{"data", "unique_key"}, "node-quick"},
		{"deleteIntegration", []any{"data", "success"}, true},
		{"deleteQuickstart", []any{"data", "success"}, true},
		{"waitForConnection", nil, "user-1"},
		{"getProvider", []any{"data", "auth_mode"}, "OAUTH2"},
		{"setMetadata", []any{"status"}, 201.0},
		{"updateMetadata", []any{"status"}, 200.0},
		{"getMetadata", []any{"plan"}, "team"},
		{"getMetadata", []any{"seats"}, 3.0},
		{"patchConnection", []any{"success"}, true},
		{"deleteConnection", []any{"data", "success"}, true},
	} {
		if got := at(c.name, c.path...); got != c.want {
			t.Errorf("%s %v: %v, want %v (%s)", c.name, c.path, got, c.want, r[c.name])
		}
	}
	for _, c := range []struct{ got, want string }{
		{list("name", "listFunctions", "data"), "echo,fail,scratch,issues"},
		{list("type", "listFunctions", "data"), "action,action,action,sync"},
		{list("id", "listRecords", "records"), "1,2"},
		{list("id", "listRecordsNext", "records"), "3,4"},
		{list("id", "listRecordsFiltered", "records"), "1,3"},
		{list("name", "syncStatusStarted", "syncs"), "issues"},
		{list("connection_id", "syncStatusAll", "syncs"), "user-1,org/acme@example.com,user@example.com,a:b,x|y,spaces here,to-delete"},
	} {
		if c.got != c.want {
			t.Errorf("got %s, want %s", c.got, c.want)
		}
	}
	if got := at("listIntegrations"); fmt.Sprint(got) != "[github sendgrid twitter]" {
		t.Errorf("listIntegrations after the deletes: %v", got)
	}
	for _, name := range []string{"createConnectSession", "createReconnectSession"} {
		if tok, _ := at(name, "data", "token").(string); !strings.HasPrefix(tok, "nango_connect_session_") {
			t.Errorf("%s: %s", name, r[name])
		}
	}
	if got := fmt.Sprint(at("listProviders")); got != "[github sendgrid twitter]" {
		t.Errorf("listProviders: %s", got)
	}
	if at("triggerActionAsync", "id") == nil || at("triggerActionAsync", "statusUrl") != "/action/"+fmt.Sprint(at("triggerActionAsync", "id")) {
		t.Errorf("triggerActionAsync: %s", r["triggerActionAsync"])
	}
	if at("listRecordsAfterPrune", "records", 0, "_nango_metadata", "pruned_at") == nil {
		t.Errorf("the pruned record: %s", r["listRecordsAfterPrune"])
	}
	// The fake holds what the calls wrote.
	fns, err := srv.Client().ListFunctions(context.Background(), "github")
	if err != nil || len(fns.Data) != 3 {
		t.Errorf("functions after deleteFunction: %+v, %v", fns, err)
	}
	if _, ok := srv.Connection("github", "user-1"); !ok {
		t.Error("the connection is gone")
	}
	if _, ok := srv.Connection("github", "to-delete"); ok {
		t.Error("deleteConnection did not delete")
	}
	if c, _ := srv.Connection("github", "user-1"); c.Tags["team"] != "node" {
		t.Errorf("patchConnection: tags %v", c.Tags)
	}
}

// seedDataPlane deploys on github what the script's data-plane calls read:
// a sync with records, actions (one that fails, one to delete), functions
// with code, an environment variable, and a connection to delete.
func seedDataPlane(t *testing.T, srv *nangotest.Server) {
	t.Helper()
	if err := srv.PutSync("github", "issues", "Issue"); err != nil {
		t.Fatal(err)
	}
	for i, title := range []string{"one", "two", "three", "four"} {
		if err := srv.PutRecords("github", "user-1", "Issue", map[string]any{"id": fmt.Sprint(i + 1), "title": title}); err != nil {
			t.Fatal(err)
		}
	}
	if err := srv.DeployFunction("github", nangotest.Function{Name: "echo", Type: nango.FunctionTypeAction, Input: "EchoInput",
		Code: "export default async function runAction(nango, input) { return input; }"}); err != nil {
		t.Fatal(err)
	}
	srv.HandleAction("github", "echo", func(_ context.Context, conn string, input json.RawMessage) (any, error) {
		return map[string]any{"connection": conn, "input": input}, nil
	})
	srv.HandleAction("github", "fail", func(context.Context, string, json.RawMessage) (any, error) {
		return nil, &nangotest.ActionError{Payload: map[string]any{"code": "no_repo", "message": "no such repo"}}
	})
	if err := srv.DeployFunction("github", nangotest.Function{Name: "scratch", Type: nango.FunctionTypeAction, Source: "standalone"}); err != nil {
		t.Fatal(err)
	}
	srv.SetEnvironmentVariable("API_BASE", "https://api.example.com")
	srv.MustPut(nangotest.OAuth2("github", "to-delete", "tok"))
}
