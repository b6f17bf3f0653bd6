package contract

import (
	"net/http"
	"strings"
	"testing"
)

// TestActionRequestsBothWays holds the spec of the action routes to the
// server's route schemas (postTriggerAction.ts, getAsyncActionResult.ts in
// Nango v0.71.4) beyond the captures: what the server refuses, the spec
// refuses; what it takes, the spec takes.
func TestActionRequestsBothWays(t *testing.T) {
	v, caps := loadAll(t)
	byName := map[string]Capture{}
	for _, c := range caps {
		byName[c.Name] = c
	}
	trigger := byName["636-post-action-trigger-echo"]
	result := byName["640-get-action-result-async-pending"]
	if trigger.Name == "" || result.Name == "" {
		t.Fatal("the action captures are missing")
	}
	cases := []struct {
		name   string
		c      Capture
		path   string            // replaces the capture's path when set
		header map[string]string // "" deletes the header
		body   string
		ok     bool
	}{
		{name: "no input", c: trigger, body: `{"action_name":"echo"}`, ok: true},
		{name: "input null", c: trigger, body: `{"action_name":"echo","input":null}`, ok: true},
		{name: "input a string", c: trigger, body: `{"action_name":"echo","input":"x"}`, ok: true},
		{name: "input an array", c: trigger, body: `{"action_name":"echo","input":[1,{"a":null}]}`, ok: true},
		// z.object strips unknown keys: the server takes them.
		{name: "unknown property", c: trigger, body: `{"action_name":"echo","extra":1}`, ok: true},
		{name: "async", c: trigger, header: map[string]string{"X-Async": "true", "X-Max-Retries": "5"}, body: `{"action_name":"echo"}`, ok: true},
		{name: "async false, no retries", c: trigger, header: map[string]string{"X-Async": "false", "X-Max-Retries": "0"}, body: `{"action_name":"echo"}`, ok: true},
		{name: "name with - and _", c: trigger, body: `{"action_name":"create-issue_v2"}`, ok: true},
		{name: "name of 255", c: trigger, body: `{"action_name":"` + strings.Repeat("a", 255) + `"}`, ok: true},

		{name: "no action_name", c: trigger, body: `{"input":{}}`},
		{name: "empty action_name", c: trigger, body: `{"action_name":""}`},
		{name: "action_name with a space", c: trigger, body: `{"action_name":"create issue"}`},
		{name: "action_name with a dot", c: trigger, body: `{"action_name":"a.b"}`},
		{name: "action_name of 256", c: trigger, body: `{"action_name":"` + strings.Repeat("a", 256) + `"}`},
		{name: "action_name a number", c: trigger, body: `{"action_name":5}`},
		{name: "body an array", c: trigger, body: `[]`},
		{name: "max retries 6", c: trigger, header: map[string]string{"X-Max-Retries": "6"}, body: `{"action_name":"echo"}`},
		{name: "max retries -1", c: trigger, header: map[string]string{"X-Max-Retries": "-1"}, body: `{"action_name":"echo"}`},
		{name: "max retries not a number", c: trigger, header: map[string]string{"X-Max-Retries": "many"}, body: `{"action_name":"echo"}`},
		{name: "async not a boolean", c: trigger, header: map[string]string{"X-Async": "maybe"}, body: `{"action_name":"echo"}`},
		{name: "no Connection-Id", c: trigger, header: map[string]string{"Connection-Id": ""}, body: `{"action_name":"echo"}`},
		{name: "no Provider-Config-Key", c: trigger, header: map[string]string{"Provider-Config-Key": ""}, body: `{"action_name":"echo"}`},
		{name: "Provider-Config-Key with a slash", c: trigger, header: map[string]string{"Provider-Config-Key": "a/b"}, body: `{"action_name":"echo"}`},

		{name: "uuid v7", c: result, path: "/action/01890a5d-ac96-774b-bcce-b302099a8057", ok: true},
		{name: "nil uuid", c: result, path: "/action/00000000-0000-0000-0000-000000000000", ok: true},
		{name: "upper-case uuid", c: result, path: "/action/7A3CF3C9-C2AA-4A40-A6BD-E8567DF81A93", ok: true},
		{name: "uuid of version 0", c: result, path: "/action/7a3cf3c9-c2aa-0a40-a6bd-e8567df81a93"},
		{name: "uuid of variant c", c: result, path: "/action/7a3cf3c9-c2aa-4a40-c6bd-e8567df81a93"},
		{name: "uuid without dashes", c: result, path: "/action/7a3cf3c9c2aa4a40a6bde8567df81a93"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, err := tc.c.Request("http://127.0.0.1:3003", testKey, testKey)
			if err != nil {
				t.Fatal(err)
			}
			if tc.path != "" {
				req.URL.Path, req.URL.RawPath = tc.path, ""
			}
			for k, val := range tc.header {
				if val == "" {
					req.Header.Del(k)
				} else {
					req.Header.Set(k, val)
				}
			}
			var body []byte
			if req.Method == http.MethodPost {
				body = []byte(tc.body)
			}
			_, err = v.ValidateRequest(req, body, false)
			if tc.ok && err != nil {
				t.Errorf("the server takes this request, the spec refuses it: %v", err)
			}
			if !tc.ok && err == nil {
				t.Errorf("the server refuses this request, the spec takes it")
			}
		})
	}
}

// TestActionAnswersAnyJSON: an action's output is any JSON value, null
// included, for both routes; an error answer still needs Nango's envelope.
func TestActionAnswersAnyJSON(t *testing.T) {
	v, caps := loadAll(t)
	for _, c := range caps {
		if c.Name != "636-post-action-trigger-echo" && c.Name != "640-get-action-result-async-pending" {
			continue
		}
		req, _ := c.Request("http://127.0.0.1:3003", testKey, testKey)
		hdr := http.Header{"Content-Type": {"application/json; charset=utf-8"}}
		for _, out := range []string{`{}`, `[1,"two"]`, `[1,null,[null,{"a":null}]]`, `"done"`, `42`, `-0.5`, `true`, `null`} {
			if err := v.ValidateResponse(req, 200, hdr, []byte(out)); err != nil {
				t.Errorf("%s: output %s: %v", c.Name, out, err)
			}
		}
		for _, bad := range []string{`{"message":"boom"}`, `{"error":{"message":"no code"}}`} {
			if err := v.ValidateResponse(req, 500, hdr, []byte(bad)); err == nil {
				t.Errorf("%s: 500 %s validated", c.Name, bad)
			}
		}
	}
}
