package nangotest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/nango-go/sdk/nango"
)

// TestSeedDataObject: the object form of a seed loads connections, syncs,
// records and variables, in that order; the array form still loads
// connections; a misspelt key or a bad item is an error naming it.
func TestSeedDataObject(t *testing.T) {
	srv := Start(t)
	err := srv.SeedJSON([]byte(`{
	  "connections": [{"id": 1, "connection_id": "user-1", "provider_config_key": "github", "provider": "github",
	    "credentials": {"type": "OAUTH2", "access_token": "gho_seed", "raw": {}},
	    "created_at": "2026-12-01T10:00:00.000Z", "updated_at": "2026-12-01T10:00:00.000Z"}],
	  "syncs": [{"provider_config_key": "github", "name": "issues", "models": ["Issue"]}],
	  "records": [
	    {"provider_config_key": "github", "connection_id": "user-1", "model": "Issue", "records": [{"id": "1", "title": "a"}, {"id": 2, "title": "b"}]},
	    {"provider_config_key": "github", "connection_id": "user-1", "model": "Issue", "variant": "v2", "records": [{"id": "9"}]}
	  ],
	  "environment_variables": {"API_URL": "https://example.com"},
	  "actions": [
	    {"provider_config_key": "github", "name": "create-issue", "output": {"number": 42}},
	    {"provider_config_key": "github", "name": "echo", "echo": true},
	    {"provider_config_key": "github", "name": "fail", "error": {"code": "rate_limited"}}
	  ]
	}`))
	if err != nil {
		t.Fatal(err)
	}
	c := srv.Client()
	ctx := context.Background()
	page, err := c.ListRecords(ctx, "github", "user-1", "Issue")
	if err != nil || len(page.Records) != 2 || page.Records[1].ID != "2" {
		t.Fatalf("records: %+v %v", page, err)
	}
	v2, err := c.ListRecords(ctx, "github", "user-1", "Issue", nango.Variant("v2"))
	if err != nil || len(v2.Records) != 1 || v2.Records[0].ID != "9" {
		t.Fatalf("variant records: %+v %v", v2, err)
	}
	st, err := c.SyncStatus(ctx, "github", nil, nango.ForConnection("user-1"))
	if err != nil || len(st) != 1 || st[0].Name != "issues" {
		t.Fatalf("syncs: %+v %v", st, err)
	}
	vars, err := c.GetEnvironmentVariables(ctx)
	if err != nil || len(vars) != 1 || vars[0].Name != "API_URL" {
		t.Fatalf("variables: %v %v", len(vars), err)
	}

	out, err := c.TriggerAction(ctx, "github", "user-1", "create-issue", map[string]string{"title": "x"})
	if err != nil || string(out) != `{"number":42}` {
		t.Fatalf("canned output: %s %v", out, err)
	}
	if out, err := c.TriggerAction(ctx, "github", "user-1", "echo", map[string]string{"title": "x"}); err != nil || string(out) != `{"title":"x"}` {
		t.Fatalf("echo: %s %v", out, err)
	}
	var ae *nango.ActionError
	if _, err := c.TriggerAction(ctx, "github", "user-1", "fail", nil); !errors.As(err, &ae) || string(ae.Payload) != `{"code":"rate_limited"}` {
		t.Fatalf("failing action: %v", err)
	}

	for _, tc := range []struct{ body, want string }{
		{`{"conections": []}`, "conections"},
		{`{"records": [{"provider_config_key": "github", "connection_id": "nobody", "model": "Issue", "records": [{"id": "1"}]}]}`, "seed records 0"},
		{`{"records": [{"provider_config_key": "github", "connection_id": "user-1", "model": "Issue", "records": [{"title": "no id"}]}]}`, "seed records 0"},
		{`{"syncs": [{"provider_config_key": "github", "name": "bad name", "models": ["Issue"]}]}`, "seed sync 0"},
		{`"neither"`, "want a JSON array"},
		{`{"actions": [{"provider_config_key": "github", "name": "bad name"}]}`, "seed action 0"},
	} {
		if err := srv.SeedJSON([]byte(tc.body)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want one naming %q", tc.body, err, tc.want)
		}
	}
	if err := srv.SeedJSON([]byte(` [ ] `)); err != nil {
		t.Errorf("an empty array: %v", err)
	}
}
