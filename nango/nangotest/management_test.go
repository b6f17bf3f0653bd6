package nangotest

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/nango-go/sdk/nango"
)

// step is one request of a scenario against one fake, and what its answer
// must (want) and must not (not) hold.
type step struct {
	name, method, path, body string
	status                   int
	want, not                []string
}

func runSteps(t *testing.T, s *Server, steps []step) {
	t.Helper()
	for _, c := range steps {
		status, body := send(t, s, c.method, c.path, c.body)
		if status != c.status {
			t.Errorf("%s: %d %s, want %d", c.name, status, body, c.status)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s: no %s in %s", c.name, w, body)
			}
		}
		for _, n := range c.not {
			if strings.Contains(body, n) {
				t.Errorf("%s: %s in %s", c.name, n, body)
			}
		}
	}
}

const rsaKey = "-----BEGIN RSA PRIVATE KEY-----\\nMIIfake\\n-----END RSA PRIVATE KEY-----"

func TestEnvironmentVariables(t *testing.T) {
	s := Start(t, AllowInvalidRequests())
	other := s.AddEnvironment(otherEnvKey)
	s.SetEnvironmentVariable("B", "1")
	s.SetEnvironmentVariable("A", "secret-a")
	s.SetEnvironmentVariable("B", "2") // replaced where it stands
	other.SetEnvironmentVariable("OTHER", "x")
	runSteps(t, s, []step{
		{"in the order first set", "GET", "/environment-variables", "", 200, []string{`[{"name":"B","value":"2"},{"name":"A","value":"secret-a"}]`}, []string{"OTHER"}},
		{"no query", "GET", "/environment-variables?x=1", "", 400, []string{`"code":"invalid_query_params"`, `"unrecognized_keys"`}, nil},
		{"no body", "GET", "/environment-variables", `{"a":1}`, 400, []string{`"code":"invalid_body"`}, nil},
		{"an empty body is {}", "GET", "/environment-variables", `{}`, 200, []string{`"name":"A"`}, nil},
	})
	status, body := sendAs(t, s, "Bearer "+otherEnvKey, "GET", "/environment-variables", "")
	if status != 200 || body != `[{"name":"OTHER","value":"x"}]` {
		t.Errorf("other environment: %d %s", status, body)
	}
	defer func() {
		if recover() == nil {
			t.Error("an empty name did not panic")
		}
	}()
	s.SetEnvironmentVariable("", "v")
}

func TestIntegrationWrites(t *testing.T) {
	s := Start(t, AllowInvalidRequests())
	s.AddIntegration("github", "github", "OAUTH2")
	s.MustPut(OAuth2("github", "u1", "tok"))
	if err := s.DeployFunction("github", Function{Name: "issues", Type: nango.FunctionTypeSync}); err != nil {
		t.Fatal(err)
	}
	runSteps(t, s, []step{
		{"create", "POST", "/integrations", `{"unique_key":"gh2","provider":"github","display_name":"GH 2","forward_webhooks":false,` +
			`"credentials":{"type":"OAUTH2","client_id":"cid","client_secret":"csec-long-1","scopes":"repo,user","webhook_secret":"wh"}}`, 200,
			[]string{`"unique_key":"gh2"`, `"provider":"github"`, `"display_name":"GH 2"`, `"forward_webhooks":false`}, []string{"csec", "credentials"}},
		{"read back", "GET", "/integrations/gh2?include=credentials", "", 200,
			[]string{`"credentials":{"type":"OAUTH2","client_id":"cid","client_secret":"csec-long-1","scopes":"repo,user","webhook_secret":"wh"}`}, nil},
		{"duplicate", "POST", "/integrations", `{"unique_key":"gh2","provider":"github","credentials":{"type":"OAUTH2","client_id":"c","client_secret":"s"}}`, 400,
			[]string{`{"error":{"code":"invalid_body","errors":[{"code":"invalid_string","message":"Unique key already exists","path":["uniqueKey"]}]}}`}, nil},
		{"unknown provider", "POST", "/integrations", `{"unique_key":"x","provider":"nope"}`, 400,
			[]string{`"errors":[{"code":"invalid_string","message":"Invalid provider","path":["provider"]}]`}, nil},
		{"missing credentials", "POST", "/integrations", `{"unique_key":"x","provider":"slack"}`, 400, []string{`"message":"Missing credentials"`}, nil},
		{"other kind", "POST", "/integrations", `{"unique_key":"x","provider":"slack","credentials":{"type":"OAUTH1","client_id":"c","client_secret":"s"}}`, 400,
			[]string{`incompatible credentials auth type and provider auth`}, nil},
		{"no credentials needed", "POST", "/integrations", `{"unique_key":"sg","provider":"sendgrid"}`, 200, []string{`"unique_key":"sg"`, `"forward_webhooks":true`}, nil},
		{"app", "POST", "/integrations", `{"unique_key":"app","provider":"github-app","credentials":{"type":"APP","app_id":"1","app_link":"https://github.com/apps/x","private_key":"` + rsaKey + `"}}`, 200, nil, nil},
		{"app read back", "GET", "/integrations/app?include=credentials", "", 200,
			[]string{`"credentials":{"type":"APP","app_id":"1","private_key":"-----BEGIN RSA`, `"app_link":"https://github.com/apps/x"}`}, nil},
		{"body checked", "POST", "/integrations", `{"provider":"git hub","unique_key":"a/b","display_name":"","forward_webhooks":"yes","x":1,` +
			`"credentials":{"type":"OAUTH2","client_id":"","client_secret":"s","scopes":"a b","extra":1}}`, 400,
			[]string{`"code":"invalid_body"`, `"path":["provider"]`, `"path":["unique_key"]`, `"path":["display_name"]`, `"path":["forward_webhooks"]`,
				`"path":["credentials","client_id"]`, `"path":["credentials","scopes"]`, `"path":["credentials"]`, `"Unrecognized key: \"x\""`}, nil},
		{"missing provider", "POST", "/integrations", `{"unique_key":"x"}`, 400,
			[]string{`{"error":{"code":"invalid_body","errors":[{"code":"invalid_type","message":"Invalid input: expected string, received undefined","path":["provider"]}]}}`}, nil},
		{"bad credentials type", "POST", "/integrations", `{"unique_key":"x","provider":"github","credentials":{"type":"API_KEY"}}`, 400,
			[]string{`"code":"invalid_union","message":"invalid credentials object","path":["credentials"]`}, nil},
		{"bad private key", "POST", "/integrations", `{"unique_key":"x","provider":"github-app","credentials":{"type":"APP","app_id":"1","app_link":"l","private_key":"k"}}`, 400,
			[]string{`must start with`, `must end with`}, nil},
		{"integration_config", "POST", "/integrations", `{"unique_key":"x","provider":"sendgrid","integration_config":{"a":"b"}}`, 400,
			[]string{`does not accept integration configuration`}, nil},
		{"no query", "POST", "/integrations?x=1", `{"unique_key":"x","provider":"sendgrid"}`, 400, []string{`invalid_query_params`}, nil},
		{"bad JSON", "POST", "/integrations", `{`, 400, []string{`invalid_json`}, nil},

		{"update", "PATCH", "/integrations/gh2", `{"display_name":"Renamed","credentials":{"type":"OAUTH2","client_id":"cid-2","client_secret":"csec-long-2"}}`, 200,
			[]string{`"display_name":"Renamed"`, `"forward_webhooks":false`}, []string{"csec"}},
		{"scopes and webhook secret kept", "GET", "/integrations/gh2?include=credentials", "", 200,
			[]string{`"client_id":"cid-2","client_secret":"csec-long-2","scopes":"repo,user","webhook_secret":"wh"`}, nil},
		{"webhook secret cleared", "PATCH", "/integrations/gh2", `{"credentials":{"type":"OAUTH2","client_id":"cid-2","client_secret":"csec-long-2","scopes":"","webhook_secret":""}}`, 200, nil, nil},
		{"scopes cleared too", "GET", "/integrations/gh2?include=credentials", "", 200,
			[]string{`"client_id":"cid-2","client_secret":"csec-long-2","scopes":null,"webhook_secret":null`}, nil},
		{"unknown", "PATCH", "/integrations/nope-mgmt", `{"display_name":"x"}`, 404,
			[]string{`{"error":{"code":"not_found","message":"Integration \"nope-mgmt\" does not exist"}}`}, nil},
		{"update checked", "PATCH", "/integrations/gh2", `{"provider":"github"}`, 400, []string{`Unrecognized key: \"provider\"`}, nil},
		{"update of another kind", "PATCH", "/integrations/gh2", `{"credentials":{"type":"TBA","client_id":"c","client_secret":"s"}}`, 400,
			[]string{`incompatible credentials`}, nil},
		{"rename to a key in use", "PATCH", "/integrations/gh2", `{"unique_key":"github"}`, 400, []string{`uniqueKey is already used by another integration`}, nil},
		{"rename with connections", "PATCH", "/integrations/github", `{"unique_key":"github-2"}`, 400, []string{`Can't rename an integration with active connections`}, nil},
		{"rename", "PATCH", "/integrations/gh2", `{"unique_key":"gh3"}`, 200, []string{`"unique_key":"gh3"`, `"display_name":"Renamed"`}, nil},
		{"old key gone", "GET", "/integrations/gh2", "", 404, nil, nil},

		{"quickstart", "POST", "/integrations/quickstart", `{"unique_key":"slack-try","provider":"slack"}`, 200, []string{`"unique_key":"slack-try"`}, nil},
		{"quickstart shows no client", "GET", "/integrations/slack-try?include=credentials", "", 200,
			[]string{`"credentials":{"type":"OAUTH2","client_id":"","client_secret":"","scopes":null,"webhook_secret":null}`}, nil},
		{"quickstart of an API key provider", "POST", "/integrations/quickstart", `{"unique_key":"sg2","provider":"sendgrid"}`, 400,
			[]string{`Quickstart is only available for providers that require a developer app`}, nil},
		{"quickstart takes no credentials", "POST", "/integrations/quickstart", `{"unique_key":"x","provider":"slack","credentials":{}}`, 400,
			[]string{`Unrecognized key: \"credentials\"`}, nil},

		{"delete", "DELETE", "/integrations/github", "", 200, []string{`{"success":true}`}, nil},
		{"its connections went with it", "GET", "/connections", "", 200, []string{`"connections":[]`}, nil},
		{"delete again", "DELETE", "/integrations/github", "", 404, []string{`{"error":{"code":"not_found","message":"Integration does not exist"}}`}, nil},
		{"delete a bad key", "DELETE", "/integrations/a%2Fb", "", 400, []string{`invalid_uri_params`}, nil},
	})
	s.mu.Lock()
	_, left := s.mgmt.functions["github"]
	s.mu.Unlock()
	if left {
		t.Error("the deleted integration's functions are still deployed")
	}
}

func TestFunctions(t *testing.T) {
	s := Start(t, AllowInvalidRequests())
	s.AddIntegration("gh", "github", "OAUTH2")
	schema := json.RawMessage(`{"definitions":{"In":{"type":"object","properties":{"title":{"type":"string"}},"required":["title"]},"Issue":{}}}`)
	for _, fn := range []Function{
		{Name: "issues", Type: nango.FunctionTypeSync, Description: "Issues", Returns: []string{"Issue"}, Runs: "every hour", AutoStart: true, JSONSchema: schema},
		{Name: "create-issue", Type: nango.FunctionTypeAction, Description: "Create\n- title: The title", Input: "In", Returns: []string{"Issue"}, JSONSchema: schema, Source: "catalog", Code: "export default 1;"},
		{Name: "issues", Type: nango.FunctionTypeAction, Source: "standalone"},
		{Name: "welcome", Type: nango.FunctionTypeOnEvent, Event: "post-connection-creation"},
		{Name: "code", Type: nango.FunctionTypeAction, Source: "catalog", Code: "// code"},
	} {
		if err := s.DeployFunction("gh", fn); err != nil {
			t.Fatal(err)
		}
	}
	for _, bad := range []Function{{Name: "a.b", Type: nango.FunctionTypeSync}, {Name: "x", Type: "job"}, {Name: "x", Type: nango.FunctionTypeOnEvent}} {
		if err := s.DeployFunction("gh", bad); err == nil {
			t.Errorf("deployed %+v", bad)
		}
	}
	runSteps(t, s, []step{
		{"by type then name", "GET", "/integrations/gh/functions", "", 200,
			[]string{`"data":[{"name":"code"`, `"pagination":{"total":5,"page":0,"limit":20}`}, nil},
		{"a function named code", "GET", "/integrations/gh/functions/code", "", 200, []string{`"data":{"name":"code"`}, nil},
		{"its code", "GET", "/integrations/gh/functions/code/code", "", 200, []string{`"code":"// code"`}, nil},
		{"sync fields on syncs", "GET", "/integrations/gh/functions?type=sync", "", 200,
			[]string{`"runs":"every hour","auto_start":true,"track_deletes":false`, `"total":1`}, []string{`"event"`}},
		{"event on on-event scripts", "GET", "/integrations/gh/functions?type=on-event", "", 200,
			[]string{`"event":"post-connection-creation"`}, []string{`"returns"`, `"json_schema"`}},
		{"search", "GET", "/integrations/gh/functions?search=%20ISSUE%20", "", 200, []string{`"total":3`}, []string{"welcome"}},
		{"page", "GET", "/integrations/gh/functions?limit=3&page=1", "", 200, []string{`"data":[{"name":"welcome"`, `{"name":"issues","description":"Issues","scopes":[],"type":"sync"`, `"total":5,"page":1,"limit":3`}, nil},
		{"page past the end", "GET", "/integrations/gh/functions?limit=3&page=5", "", 200, []string{`"data":[]`, `"total":5`}, nil},
		{"query checked", "GET", "/integrations/gh/functions?type=job&limit=101&page=-1&search=%20&x=1", "", 400,
			[]string{`"invalid_query_params"`, `"path":["type"]`, `"path":["limit"]`, `"path":["page"]`, `"path":["search"]`, `Unrecognized key: \"x\"`}, nil},
		{"unknown integration", "GET", "/integrations/nope/functions", "", 404, []string{`"message":"Integration does not exist"`}, nil},
		{"one: the action first", "GET", "/integrations/gh/functions/issues", "", 200, []string{`"type":"action"`, `"source":"standalone"`}, nil},
		{"one of a type", "GET", "/integrations/gh/functions/issues?type=sync", "", 200, []string{`"type":"sync"`}, nil},
		{"unknown function", "GET", "/integrations/gh/functions/nope", "", 404, []string{`{"error":{"code":"not_found","message":"Function does not exist"}}`}, nil},
		{"bad name", "GET", "/integrations/gh/functions/a.b", "", 400, []string{`"invalid_uri_params"`, `"path":["name"]`}, nil},
		{"code", "GET", "/integrations/gh/functions/create-issue/code", "", 200, []string{`{"code":"export default 1;","type":"action"}`}, nil},
		{"ambiguous code", "GET", "/integrations/gh/functions/issues/code", "", 409,
			[]string{`"code":"ambiguous_function"`, `"payload":{"matches":[{"type":"action","name":"issues"},{"type":"sync","name":"issues"}]}`}, nil},
		{"no source", "GET", "/integrations/gh/functions/issues/code?type=sync", "", 404, []string{`Source file for 'issues' not found`}, nil},
		{"code of an unknown integration", "GET", "/integrations/nope/functions/x/code", "", 404, []string{`Integration 'nope' not found`}, nil},
		{"delete needs a type", "DELETE", "/integrations/gh/functions/issues", "", 400, []string{`"invalid_query_params"`, `"path":["type"]`}, nil},
		{"delete of an on-event script", "DELETE", "/integrations/gh/functions/welcome?type=on-event", "", 400, []string{`"invalid_query_params"`}, nil},
		{"repo functions are deploy's", "DELETE", "/integrations/gh/functions/issues?type=sync", "", 400, []string{`"code":"function_managed_by_deploy"`}, nil},
		{"delete", "DELETE", "/integrations/gh/functions/create-issue?type=action", "", 200, []string{`{"data":{"success":true}}`}, nil},
		{"deleted", "GET", "/integrations/gh/functions/create-issue", "", 404, nil, nil},
		{"delete again", "DELETE", "/integrations/gh/functions/create-issue?type=action", "", 404, []string{`Function does not exist`}, nil},
		{"templates", "GET", "/providers/github/templates", "", 200, []string{`{"data":[]}`}, nil},
		{"templates of an unknown provider", "GET", "/providers/nope/templates", "", 200, []string{`{"data":[]}`}, nil},
		{"templates: bad provider", "GET", "/providers/a.b/templates", "", 400, []string{`"invalid_uri_params"`}, nil},
		{"templates: no query", "GET", "/providers/github/templates?x=1", "", 400, []string{`"invalid_query_params"`}, nil},
	})
}

func TestScriptsConfig(t *testing.T) {
	s := Start(t)
	for _, f := range []string{"", "?format=openai", "?format=xml"} {
		if status, body := send(t, s, "GET", "/scripts/config"+f, ""); status != 200 || body != "[]" {
			t.Errorf("nothing deployed, %q: %d %s", f, status, body)
		}
	}
	s.AddIntegration("gh-a", "github", "OAUTH2")
	s.AddIntegration("gh-b", "github", "OAUTH2")
	s.AddIntegration("sg", "sendgrid", "API_KEY")
	schema := json.RawMessage(`{"definitions":{"In":{"type":"object","properties":{"title":{"type":"string"},"body":{"type":"string"}},"required":["title"]}}}`)
	for key, fns := range map[string][]Function{
		"gh-a": {{Name: "zeta", Type: nango.FunctionTypeSync, Runs: "every day"}},
		"gh-b": {{Name: "create-issue", Type: nango.FunctionTypeAction, Input: "In", JSONSchema: schema,
			Description: "Creates an issue\n- title: The issue's title\n- nope: not a property"}},
		"sg": {{Name: "send", Type: nango.FunctionTypeAction}, {Name: "welcome", Type: nango.FunctionTypeOnEvent, Event: "post-connection-creation"}},
	} {
		for _, fn := range fns {
			if err := s.DeployFunction(key, fn); err != nil {
				t.Fatal(err)
			}
		}
	}
	status, body := send(t, s, "GET", "/scripts/config", "")
	var configs []nango.IntegrationScripts
	if status != 200 || json.Unmarshal([]byte(body), &configs) != nil {
		t.Fatalf("%d %s", status, body)
	}
	// By name across integrations, grouped by provider: gh-a's sync joins
	// the github entry gh-b's action opened, under gh-b's key.
	var got []string
	for _, c := range configs {
		var fns []string
		for _, x := range append(c.Syncs, c.Actions...) {
			fns = append(fns, x.Name)
		}
		got = append(got, c.ProviderConfigKey+"/"+c.Provider+":"+strings.Join(fns, ",")+"/"+string(rune('0'+len(c.OnEvents))))
	}
	if strings.Join(got, " ") != "gh-b/github:zeta,create-issue/0 sg/sendgrid:send/0" {
		t.Errorf("scripts config %v\n%s", got, body)
	}
	if !strings.Contains(body, `"runs":"every day"`) || !strings.Contains(body, `"sync_type":"full"`) || strings.Contains(body, `"event"`) {
		t.Errorf("%s", body)
	}
	status, body = send(t, s, "GET", "/scripts/config?format=openai", "")
	var fns struct{ Data []nango.OpenAIFunction }
	if status != 200 || json.Unmarshal([]byte(body), &fns) != nil || len(fns.Data) != 3 {
		t.Fatalf("%d %s", status, body)
	}
	want := map[string]string{"zeta": "Execute the zeta sync for github", "create-issue": "Creates an issue\n- title: The issue's title\n- nope: not a property",
		"send": "Execute the send action for sendgrid"}
	for _, fn := range fns.Data {
		if fn.Description != want[fn.Name] || fn.Parameters.Type != "object" {
			t.Errorf("%+v", fn)
		}
	}
	ci := fns.Data[1].Parameters
	if title, _ := ci.Properties["title"].(map[string]any); title["description"] != "The issue's title" || title["type"] != "string" ||
		len(ci.Required) != 1 || ci.Required[0] != "title" || ci.Properties["nope"] != nil || ci.Properties["body"] == nil {
		t.Errorf("create-issue's parameters: %+v", ci)
	}
}
