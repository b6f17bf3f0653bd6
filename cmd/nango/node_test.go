package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/nango-go/sdk/nango/nangotest"
)

// installNodeSDK installs @nangohq/node into a cache folder, or skips the
// test where node or npm is missing or the registry cannot be reached.
func installNodeSDK(t *testing.T) string {
	t.Helper()
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "nango-go", "node-sdk")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@nangohq", "node", "package.json")); err == nil {
		return dir
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Skip(err)
	}
	_ = os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"name":"nango-go-node-sdk-check","private":true,"type":"module"}`), 0o644)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npm", "install", "--no-audit", "--no-fund", "--silent", "@nangohq/node@latest")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("npm install @nangohq/node failed (no registry?): %v\n%s", err, out)
	}
	return dir
}

// TestNodeSDKAgainstServe: Nango's own Node SDK works unchanged against the
// fake, ids with @, :, | and spaces included, and the fake finds nothing in
// its requests that breaks the spec.
func TestNodeSDKAgainstServe(t *testing.T) {
	dir := installNodeSDK(t)
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
	cmd := exec.Command("node", dst, srv.URL, srv.SecretKey)
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
