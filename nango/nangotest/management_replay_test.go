package nangotest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/nango-go/sdk/nango"
	"github.com/nango-go/sdk/nango/internal/contract"
)

// deployCapturedFunctions deploys the functions a capture shows: the data
// of GET …/functions (for the integration "unauthenticated"), or the
// syncs and actions of GET /scripts/config.
func deployCapturedFunctions(t *testing.T, f *Fake, body []byte) {
	t.Helper()
	type captured struct {
		Name         string                 `json:"name"`
		Type         nango.FunctionType     `json:"type"`
		Description  string                 `json:"description"`
		Scopes       []string               `json:"scopes"`
		Input        string                 `json:"input"`
		Returns      []string               `json:"returns"`
		JSONSchema   json.RawMessage        `json:"json_schema"`
		Runs         string                 `json:"runs"`
		AutoStart    bool                   `json:"auto_start"`
		TrackDeletes bool                   `json:"track_deletes"`
		Source       string                 `json:"source"`
		Version      string                 `json:"version"`
		Endpoints    []nango.ScriptEndpoint `json:"endpoints"`
	}
	deploy := func(key string, fns []captured) {
		for _, c := range fns {
			fn := Function{Name: c.Name, Type: c.Type, Description: c.Description, Scopes: c.Scopes, Input: c.Input,
				Returns: c.Returns, JSONSchema: c.JSONSchema, Runs: c.Runs, AutoStart: c.AutoStart, TrackDeletes: c.TrackDeletes,
				Source: c.Source, Version: c.Version, Endpoints: c.Endpoints}
			if err := f.DeployFunction(key, fn); err != nil {
				t.Fatal(err)
			}
		}
	}
	var list struct {
		Data []captured `json:"data"`
	}
	if json.Unmarshal(body, &list) == nil && list.Data != nil {
		deploy("unauthenticated", list.Data)
		return
	}
	var configs []struct {
		ProviderConfigKey string     `json:"providerConfigKey"`
		Syncs             []captured `json:"syncs"`
		Actions           []captured `json:"actions"`
	}
	if err := json.Unmarshal(body, &configs); err != nil {
		t.Fatal(err)
	}
	for _, c := range configs {
		for i := range c.Syncs {
			c.Syncs[i].Type = nango.FunctionTypeSync
		}
		for i := range c.Actions {
			c.Actions[i].Type = nango.FunctionTypeAction
		}
		deploy(c.ProviderConfigKey, append(c.Syncs, c.Actions...))
	}
}

// TestReplayManagementCaptures replays the captures of the environment's
// variables and scripts config (routes TestReplayCaptures leaves out) on a
// fake holding what the real server held: the same status, and the same
// answer (its shape, and its names in order).
func TestReplayManagementCaptures(t *testing.T) {
	caps, err := contract.LoadCaptures("../testdata/real-nango")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range caps {
		u, err := url.Parse(c.URL)
		if err != nil || u.Path != "/environment-variables" && u.Path != "/scripts/config" {
			continue
		}
		n++
		t.Run(c.Name, func(t *testing.T) {
			srv := Start(t)
			srv.AddEnvironment(otherEnvKey)
			switch c.Name {
			case "696-get-environment-variables":
				// Set in the dashboard before 696 (see its notes).
				var vars []struct{ Name, Value string }
				if err := json.Unmarshal(c.Resp, &vars); err != nil || len(vars) == 0 {
					t.Fatalf("capture: %v", err)
				}
				for _, v := range vars {
					srv.SetEnvironmentVariable(v.Name, v.Value)
				}
			case "697-get-scripts-config":
				deployCapturedFunctions(t, srv.Fake, c.Resp)
			}
			req, err := c.Request(srv.URL, srv.SecretKey(), otherEnvKey)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != c.Status {
				t.Fatalf("status %d, real Nango %d\nfake: %s\nreal: %s", resp.StatusCode, c.Status, body, c.Resp)
			}
			var got, want any
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatal(err)
			}
			_ = json.Unmarshal(c.Resp, &want)
			if g, w := shapeAll(got), shapeAll(want); g != w {
				t.Errorf("shape of the answer:\nfake: %s\nreal: %s", g, w)
			}
			if g, w := names(got), names(want); g != w {
				t.Errorf("fake answered %s\nreal Nango %s", g, w)
			}
		})
	}
	if n < 6 {
		t.Errorf("only %d captures of /environment-variables and /scripts/config", n)
	}
}

// shapeAll is shape for any JSON value, arrays of objects included.
func shapeAll(v any) string {
	if m, ok := v.(map[string]any); ok {
		return shape(m)
	}
	return shape(map[string]any{"": v})
}

// names lists the names a value holds, in order: the variables' names and
// values, the integrations' keys and their scripts' names.
func names(v any) string {
	var parts []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case []any:
			for _, it := range v {
				walk(it)
			}
		case map[string]any:
			for _, k := range []string{"providerConfigKey", "provider", "name", "value"} {
				if s, ok := v[k].(string); ok {
					parts = append(parts, k+"="+s)
				}
			}
			for _, k := range []string{"syncs", "actions", "on-events", "data"} {
				if list, ok := v[k]; ok {
					parts = append(parts, k+":")
					walk(list)
				}
			}
		}
	}
	walk(v)
	return strings.Join(parts, " ")
}
