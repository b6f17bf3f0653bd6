package nangotest

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/nango-go/sdk/nango"
)

func echoAction(_ context.Context, conn string, input json.RawMessage) (any, error) {
	return map[string]any{"conn": conn, "input": input}, nil
}

// functionNames lists an integration's functions as "kind name", in the
// listing's order; nil when the integration is unknown.
func functionNames(t *testing.T, c *nango.Client, key string) []string {
	t.Helper()
	list, err := c.ListFunctions(context.Background(), key)
	if errors.Is(err, nango.ErrNotFound) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for _, fn := range list.Data {
		out = append(out, string(fn.Type)+" "+fn.Name)
	}
	return out
}

// scripts is GET /scripts/config as "key: kind name [returns]" lines.
func scripts(t *testing.T, c *nango.Client) []string {
	t.Helper()
	cfg, err := c.GetScriptsConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, in := range cfg.Integrations {
		for _, s := range in.Syncs {
			b, _ := json.Marshal(s.Returns)
			out = append(out, in.ProviderConfigKey+": sync "+s.Name+" "+string(b))
		}
		for _, a := range in.Actions {
			out = append(out, in.ProviderConfigKey+": action "+a.Name)
		}
	}
	return out
}

func syncNames(t *testing.T, c *nango.Client, key, conn string) []string {
	t.Helper()
	st, err := c.SyncStatus(context.Background(), key, nil, nango.ForConnection(conn))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range st {
		out = append(out, s.Name)
	}
	return out
}

func recordIDs(t *testing.T, c *nango.Client, key, conn, model string) []string {
	t.Helper()
	page, err := c.ListRecords(context.Background(), key, conn, model)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range page.Records {
		out = append(out, r.ID)
	}
	return out
}

// TestSyncsAndActionsAreFunctions: what PutSync and HandleAction deploy is
// listed as Nango lists deployed scripts, GET …/functions and GET
// /scripts/config, with the sync's models; a redeploy replaces them, a nil
// handler removes the action.
func TestSyncsAndActionsAreFunctions(t *testing.T) {
	s := Start(t)
	c := s.Client()
	s.MustPut(OAuth2("github", "u1", "tok"))
	if err := s.PutSync("github", "issues", "Issue", "Comment"); err != nil {
		t.Fatal(err)
	}
	s.HandleAction("github", "create-issue", echoAction)
	if got, want := functionNames(t, c, "github"), []string{"action create-issue", "sync issues"}; !slices.Equal(got, want) {
		t.Errorf("functions %v, want %v", got, want)
	}
	if got, want := scripts(t, c), []string{`github: sync issues ["Issue","Comment"]`, "github: action create-issue"}; !slices.Equal(got, want) {
		t.Errorf("scripts config %v, want %v", got, want)
	}
	fn, err := c.GetFunction(context.Background(), "github", "issues", nango.FunctionOfType(nango.FunctionTypeSync))
	if err != nil || !slices.Equal(fn.Returns, []string{"Issue", "Comment"}) || fn.Runs != "every day" {
		t.Errorf("GetFunction: %+v, %v", fn, err)
	}

	// A redeploy replaces the models; a function deployed with details
	// keeps them when HandleAction gives it code.
	if err := s.PutSync("github", "issues", "Issue"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeployFunction("github", Function{Name: "close-issue", Type: nango.FunctionTypeAction, Description: "Close an issue"}); err != nil {
		t.Fatal(err)
	}
	s.HandleAction("github", "close-issue", echoAction)
	if got, want := scripts(t, c), []string{`github: sync issues ["Issue"]`, "github: action close-issue", "github: action create-issue"}; !slices.Equal(got, want) {
		t.Errorf("after redeploy: %v, want %v", got, want)
	}
	if fn, err := c.GetFunction(context.Background(), "github", "close-issue"); err != nil || fn.Description != "Close an issue" {
		t.Errorf("close-issue: %+v, %v", fn, err)
	}

	s.HandleAction("github", "create-issue", nil)
	if got, want := functionNames(t, c, "github"), []string{"action close-issue", "sync issues"}; !slices.Equal(got, want) {
		t.Errorf("after removing the action: %v, want %v", got, want)
	}
	// An action deployed on an integration without connections declares it,
	// as PutSync does.
	s.HandleAction("slack", "send-message", echoAction)
	if got := functionNames(t, c, "slack"); !slices.Equal(got, []string{"action send-message"}) {
		t.Errorf("slack: %v", got)
	}
}

// TestDeleteFunctionUndeploys: deleting a sync's function ends the sync for
// every connection and deletes its records; deleting an action's makes it
// unknown, as Nango's deleteFunction task does.
func TestDeleteFunctionUndeploys(t *testing.T) {
	s := Start(t)
	c := s.Client()
	ctx := context.Background()
	s.MustPut(OAuth2("github", "u1", "tok"))
	for _, fn := range []Function{
		{Name: "issues", Type: nango.FunctionTypeSync, Returns: []string{"Issue", "Comment"}, Runs: "every hour", Source: "standalone"},
		{Name: "labels", Type: nango.FunctionTypeSync, Returns: []string{"Label", "Comment"}, Source: "standalone"},
		{Name: "create-issue", Type: nango.FunctionTypeAction, Source: "standalone"},
	} {
		if err := s.DeployFunction("github", fn); err != nil {
			t.Fatal(err)
		}
	}
	s.HandleAction("github", "create-issue", echoAction)
	if err := s.PutRecords("github", "u1", "Issue", map[string]any{"id": "1"}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutRecords("github", "u1", "Label", map[string]any{"id": "bug"}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutRecords("github", "u1", "Comment", map[string]any{"id": "c1"}); err != nil {
		t.Fatal(err)
	}
	// A sync deployed as a function is a sync: it has a status, with its
	// frequency.
	st, err := c.SyncStatus(ctx, "github", []string{"issues"}, nango.ForConnection("u1"))
	if err != nil || len(st) != 1 || st[0].Frequency == nil || *st[0].Frequency != "every hour" {
		t.Fatalf("status of the deployed sync: %+v, %v", st, err)
	}
	if _, err := c.TriggerAction(ctx, "github", "u1", "create-issue", nil); err != nil {
		t.Fatal(err)
	}

	if err := c.DeleteFunction(ctx, "github", "issues", nango.FunctionTypeSync); err != nil {
		t.Fatal(err)
	}
	if got := syncNames(t, c, "github", "u1"); !slices.Equal(got, []string{"labels"}) {
		t.Errorf("syncs after deleting issues: %v", got)
	}
	if got := recordIDs(t, c, "github", "u1", "Issue"); len(got) != 0 {
		t.Errorf("the deleted sync's records remain: %v", got)
	}
	if got := recordIDs(t, c, "github", "u1", "Label"); !slices.Equal(got, []string{"bug"}) {
		t.Errorf("another sync's records: %v", got)
	}
	// A model another sync writes too keeps its records.
	if got := recordIDs(t, c, "github", "u1", "Comment"); !slices.Equal(got, []string{"c1"}) {
		t.Errorf("a model both syncs write: %v", got)
	}
	if err := c.TriggerSync(ctx, "github", []string{"issues"}, nango.ForConnection("u1")); err == nil {
		t.Error("a deleted sync was triggered")
	}

	if err := c.DeleteFunction(ctx, "github", "create-issue", nango.FunctionTypeAction); err != nil {
		t.Fatal(err)
	}
	if _, err := c.TriggerAction(ctx, "github", "u1", "create-issue", nil); !errors.Is(err, nango.ErrNotFound) {
		t.Errorf("a deleted action: %v, want not found", err)
	}
	if got := functionNames(t, c, "github"); !slices.Equal(got, []string{"sync labels"}) {
		t.Errorf("functions: %v", got)
	}
}

// TestDeleteIntegrationDeletesWhatItOwns: an integration deleted and made
// again, with a connection of the same id, has no syncs, records, actions
// or functions of the old one.
func TestDeleteIntegrationDeletesWhatItOwns(t *testing.T) {
	s := Start(t)
	c := s.Client()
	ctx := context.Background()
	deploy := func() {
		s.MustPut(OAuth2("github", "u1", "tok"))
		if err := s.PutSync("github", "issues", "Issue"); err != nil {
			t.Fatal(err)
		}
		if err := s.PutRecords("github", "u1", "Issue", map[string]any{"id": "1"}); err != nil {
			t.Fatal(err)
		}
		s.HandleAction("github", "create-issue", echoAction)
	}
	deploy()
	s.MustPut(OAuth2("slack", "u1", "tok"))
	if err := s.PutSync("slack", "messages", "Message"); err != nil {
		t.Fatal(err)
	}
	if err := s.PutRecords("slack", "u1", "Message", map[string]any{"id": "m"}); err != nil {
		t.Fatal(err)
	}
	if err := c.StartSync(ctx, "github", []string{"issues"}, nango.ForConnection("u1")); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteIntegration(ctx, "github"); err != nil {
		t.Fatal(err)
	}

	s.AddIntegration("github", "github", "OAUTH2")
	s.MustPut(OAuth2("github", "u1", "tok"))
	if got := syncNames(t, c, "github", "u1"); len(got) != 0 {
		t.Errorf("syncs of the deleted integration: %v", got)
	}
	if got := recordIDs(t, c, "github", "u1", "Issue"); len(got) != 0 {
		t.Errorf("records of the deleted integration: %v", got)
	}
	if _, err := c.TriggerAction(ctx, "github", "u1", "create-issue", nil); !errors.Is(err, nango.ErrNotFound) {
		t.Errorf("action of the deleted integration: %v", err)
	}
	if got := functionNames(t, c, "github"); len(got) != 0 {
		t.Errorf("functions of the deleted integration: %v", got)
	}
	// Deploying again starts from nothing: a paused sync, never run.
	deploy()
	if st := s.SyncStatuses("github", "u1"); len(st) != 1 || st[0].Status != "PAUSED" || !st[0].FinishedAt.IsZero() {
		t.Errorf("the new sync's status: %+v", st)
	}
	// The other integration keeps everything.
	if got := recordIDs(t, c, "slack", "u1", "Message"); !slices.Equal(got, []string{"m"}) {
		t.Errorf("slack's records: %v", got)
	}
	if got := syncNames(t, c, "slack", "u1"); !slices.Equal(got, []string{"messages"}) {
		t.Errorf("slack's syncs: %v", got)
	}
}

// TestDeleteConnectionDeletesItsRecords: a connection deleted and made
// again has no records nor sync runs of the old one.
func TestDeleteConnectionDeletesItsRecords(t *testing.T) {
	s := Start(t)
	c := s.Client()
	ctx := context.Background()
	for _, del := range []struct {
		name string
		fn   func()
	}{
		{"DELETE /connections/{id}", func() {
			if err := c.DeleteConnection(ctx, "github", "u1"); err != nil {
				t.Fatal(err)
			}
		}},
		{"Remove", func() { s.Remove("github", "u1") }},
	} {
		s.MustPut(OAuth2("github", "u1", "tok"))
		if err := s.PutSync("github", "issues", "Issue"); err != nil {
			t.Fatal(err)
		}
		if err := s.PutRecords("github", "u1", "Issue", map[string]any{"id": "1"}); err != nil {
			t.Fatal(err)
		}
		if err := s.RunSync("github", "u1", "issues"); err != nil {
			t.Fatal(err)
		}
		del.fn()
		s.MustPut(OAuth2("github", "u1", "tok"))
		if got := recordIDs(t, c, "github", "u1", "Issue"); len(got) != 0 {
			t.Errorf("%s: the old connection's records: %v", del.name, got)
		}
		if st := s.SyncStatuses("github", "u1"); len(st) != 1 || len(st[0].LatestResult) != 0 {
			t.Errorf("%s: the old connection's runs: %+v", del.name, st)
		}
		s.Remove("github", "u1")
	}
}

// TestRenameIntegrationMovesWhatItOwns: a renamed integration keeps its
// syncs, actions and functions under its new key; the old key has none.
func TestRenameIntegrationMovesWhatItOwns(t *testing.T) {
	s := Start(t)
	c := s.Client()
	ctx := context.Background()
	s.AddIntegration("github", "github", "OAUTH2")
	if err := s.PutSync("github", "issues", "Issue"); err != nil {
		t.Fatal(err)
	}
	s.HandleAction("github", "create-issue", echoAction)
	if _, err := c.UpdateIntegration(ctx, "github", nango.UpdateIntegrationRequest{UniqueKey: "gh"}); err != nil {
		t.Fatal(err)
	}
	s.MustPut(OAuth2("gh", "u1", "tok"))
	if got := syncNames(t, c, "gh", "u1"); !slices.Equal(got, []string{"issues"}) {
		t.Errorf("syncs under the new key: %v", got)
	}
	if out, err := c.TriggerAction(ctx, "gh", "u1", "create-issue", nil); err != nil || len(out) == 0 {
		t.Errorf("action under the new key: %s, %v", out, err)
	}
	if got := functionNames(t, c, "gh"); !slices.Equal(got, []string{"action create-issue", "sync issues"}) {
		t.Errorf("functions under the new key: %v", got)
	}
	if got := scripts(t, c); !slices.Equal(got, []string{`gh: sync issues ["Issue"]`, "gh: action create-issue"}) {
		t.Errorf("scripts config: %v", got)
	}
	s.MustPut(OAuth2("github", "u1", "tok"))
	if got := syncNames(t, c, "github", "u1"); len(got) != 0 {
		t.Errorf("syncs left under the old key: %v", got)
	}
	if _, err := c.TriggerAction(ctx, "github", "u1", "create-issue", nil); !errors.Is(err, nango.ErrNotFound) {
		t.Errorf("action left under the old key: %v", err)
	}
}

// TestTrailingSlashRoutesAsExpress: Nango's routes are Express routes,
// which are not strict: "/records/" is "/records" (the Node SDK's
// listRecords sends GET /records/?model=…), "/connections/" the list. Two
// slashes, or a slash where a parameter belongs, are no route.
func TestTrailingSlashRoutesAsExpress(t *testing.T) {
	s := Start(t)
	s.MustPut(OAuth2("github", "u1", "tok"))
	if err := s.PutRecords("github", "u1", "Issue", map[string]any{"id": "1"}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path   string
		status int
		want   string
	}{
		{"/records/?model=Issue", 200, `"id":"1"`},
		{"/connections/", 200, `"connection_id":"u1"`},
		{"/connections/u1/?provider_config_key=github", 200, `"connection_id":"u1"`},
		{"/integrations/github/", 200, `"unique_key":"github"`},
		{"/records//?model=Issue", 404, "No route"},
		{"/integrations//functions", 404, "No route"},
	} {
		req, _ := http.NewRequest("GET", s.URL+c.path, nil)
		req.Header.Set("Authorization", "Bearer "+s.SecretKey())
		req.Header.Set("Connection-Id", "u1")
		req.Header.Set("Provider-Config-Key", "github")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status || !strings.Contains(string(b), c.want) {
			t.Errorf("GET %s: %d %s, want %d with %s", c.path, resp.StatusCode, b, c.status, c.want)
		}
	}
}

func TestExpressPathKeepsEscapes(t *testing.T) {
	for in, want := range map[string]string{
		"/connections/a%2Fb/": "/connections/a%2Fb",
		"/connections/a%20b/": "/connections/a%20b",
		"/records/":           "/records",
		"/records":            "/records",
		"/":                   "/",
		"/records//":          "/records//",
	} {
		r, _ := http.NewRequest("GET", "http://h"+in, nil)
		if got := expressPath(r).URL.EscapedPath(); got != want {
			t.Errorf("%s: %s, want %s", in, got, want)
		}
		if r.URL.EscapedPath() != in {
			t.Errorf("%s: the request was changed", in)
		}
	}
}
