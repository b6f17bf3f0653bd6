package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

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
// its requests that breaks the spec.
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
		Out    []map[string]any `json:"out"`
		List   []string         `json:"list"`
		OAuth1 map[string]any   `json:"oauth1"`
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
	// What the Node SDK sent: ids as they are in the path, its explicit
	// false flags and its JSON Content-Type on a GET.
	var paths []string
	for _, r := range srv.Requests() {
		paths = append(paths, r.Path)
		if r.Status != 200 {
			t.Errorf("%s %s answered %d", r.Method, r.EscapedPath, r.Status)
		}
	}
	if !slices.Contains(paths, "/connections/x|y") || !slices.Contains(paths, "/connections/spaces here") {
		t.Errorf("paths seen: %v", paths)
	}
}
