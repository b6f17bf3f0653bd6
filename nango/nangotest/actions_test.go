package nangotest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// trigger sends POST /action/trigger with the given headers (the key and
// Content-Type added) and body.
func trigger(t *testing.T, s *Server, query string, header map[string]string, body string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+"/action/trigger"+query, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+s.SecretKey())
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header[k] = []string{v}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

var triggerHeadersOK = map[string]string{"Connection-Id": "u1", "Provider-Config-Key": "github"}

func with(h map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range h {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == "-" {
			delete(out, kv[i])
		} else {
			out[kv[i]] = kv[i+1]
		}
	}
	return out
}

// TestTriggerActionRefusals: the fake refuses what Nango's route schemas
// refuse, in their order and words.
func TestTriggerActionRefusals(t *testing.T) {
	s := Start(t, AllowInvalidRequests())
	s.MustPut(OAuth2("github", "u1", "tok"))
	s.HandleAction("github", "echo", func(_ context.Context, _ string, in json.RawMessage) (any, error) { return in, nil })
	ok := `{"action_name":"echo","input":{"a":1}}`
	cases := []struct {
		name   string
		query  string
		header map[string]string
		body   string
		status int
		want   string
	}{
		{"no headers", "", nil, ok, 400, `{"error":{"code":"invalid_headers","errors":[{"code":"invalid_type","message":"Invalid input: expected string, received undefined","path":["provider-config-key"]},{"code":"invalid_type","message":"Invalid input: expected string, received undefined","path":["connection-id"]}]}}`},
		{"key with a slash", "", with(triggerHeadersOK, "Provider-Config-Key", "a/b"), ok, 400, `"code":"invalid_format","message":"Invalid string: must match pattern /^[a-zA-Z0-9~:.@ _-]+$/","path":["provider-config-key"]`},
		{"async maybe", "", with(triggerHeadersOK, "X-Async", "maybe"), ok, 400, `{"code":"invalid_value","message":"Invalid option: expected one of \"true\"|\"1\"|\"yes\"|\"on\"|\"y\"|\"enabled\"|\"false\"|\"0\"|\"no\"|\"off\"|\"n\"|\"disabled\"","path":["x-async"]}`},
		{"retries not a number", "", with(triggerHeadersOK, "X-Max-Retries", "many"), ok, 400, `"message":"Invalid input: expected number, received NaN","path":["x-max-retries"]`},
		{"retries -1", "", with(triggerHeadersOK, "X-Max-Retries", "-1"), ok, 400, `"code":"too_small","message":"Too small: expected number to be \u003e=0"`},
		{"a query", "?a=1&b=2&a=3", triggerHeadersOK, ok, 400, `{"error":{"code":"invalid_query_params","errors":[{"code":"unrecognized_keys","message":"Unrecognized keys: \"a\", \"b\"","path":[]}]}}`},
		{"not JSON", "", triggerHeadersOK, `{"action_name":`, 400, `"code":"invalid_json"`},
		{"an array", "", triggerHeadersOK, `[]`, 400, `{"error":{"code":"invalid_body","errors":[{"code":"invalid_type","message":"Invalid input: expected object, received array","path":[]}]}}`},
		{"no body", "", triggerHeadersOK, ``, 400, `"message":"Invalid input: expected object, received undefined"`},
		{"name a number", "", triggerHeadersOK, `{"action_name":5}`, 400, `"message":"Invalid input: expected string, received number","path":["action_name"]`},
		{"name with a space", "", triggerHeadersOK, `{"action_name":"a b"}`, 400, `"code":"invalid_format","message":"Invalid string: must match pattern /^[a-zA-Z0-9_-]+$/","path":["action_name"]`},
		{"name of 256", "", triggerHeadersOK, `{"action_name":"` + strings.Repeat("a", 256) + `"}`, 400, `"code":"too_big","message":"Too big: expected string to have \u003c=255 characters"`},
		{"unknown connection", "", with(triggerHeadersOK, "Connection-Id", "nobody"), ok, 400, `{"error":{"code":"unknown_connection","message":"Failed to find connection"}}`},
		{"unknown action", "", triggerHeadersOK, `{"action_name":"nope"}`, 404, `{"error":{"code":"not_found","message":"Action not found"}}`},
		// What the server takes.
		{"extra property", "", triggerHeadersOK, `{"action_name":"echo","input":[1],"extra":true}`, 200, `[1]`},
		{"retries empty is 0", "", with(triggerHeadersOK, "X-Max-Retries", ""), ok, 200, `{"a":1}`},
		{"async no", "", with(triggerHeadersOK, "X-Async", "No"), ok, 200, `{"a":1}`},
		{"async TRUE", "", with(triggerHeadersOK, "X-Async", "TRUE", "X-Max-Retries", "2.0"), ok, 202, `"statusUrl":"/action/`},
		{"async on", "", with(triggerHeadersOK, "X-Async", "on"), ok, 202, `{"id":"`},
	}
	for _, tc := range cases {
		status, _, body := trigger(t, s, tc.query, tc.header, tc.body)
		if status != tc.status || !strings.Contains(body, tc.want) {
			t.Errorf("%s: %d %s\nwant %d with %s", tc.name, status, body, tc.status, tc.want)
		}
	}
}

// TestActionFailures: how the fake answers a failing action, as Nango's
// runner and server do.
func TestActionFailures(t *testing.T) {
	s := Start(t)
	s.MustPut(OAuth2("github", "u1", "tok"))
	type reason struct {
		Code string `json:"code"`
	}
	for _, tc := range []struct {
		name string
		fn   actionFunc
		want string
	}{
		{"ActionError with an object", func(context.Context, string, json.RawMessage) (any, error) {
			return nil, &ActionError{Payload: reason{"x"}}
		}, `{"error":{"code":"action_script_runtime_error","message":"The action script failed with a runtime error","payload":{"code":"x"}}}`},
		{"ActionError wrapped", func(context.Context, string, json.RawMessage) (any, error) {
			return nil, fmt.Errorf("calling GitHub: %w", &ActionError{Payload: map[string]int{"n": 1}})
		}, `"code":"action_script_runtime_error","message":"The action script failed with a runtime error","payload":{"n":1}`},
		{"ActionError without payload", func(context.Context, string, json.RawMessage) (any, error) {
			return nil, &ActionError{}
		}, `"payload":{}`},
		{"ActionError with a string", func(context.Context, string, json.RawMessage) (any, error) {
			return nil, &ActionError{Payload: "no such repo"}
		}, `"payload":{"message":"no such repo"}`},
		{"ActionError with an array", func(context.Context, string, json.RawMessage) (any, error) {
			return nil, &ActionError{Payload: []int{1}}
		}, `"payload":{"message":[1]}`},
		{"another error", func(context.Context, string, json.RawMessage) (any, error) {
			return nil, errors.New("x is undefined")
		}, `{"error":{"code":"script_internal_error","message":"An internal error occurred during the script execution","payload":{"message":"x is undefined","name":"Error"}}}`},
		{"a panic", func(context.Context, string, json.RawMessage) (any, error) {
			panic("out of cheese")
		}, `"code":"script_internal_error","message":"An internal error occurred during the script execution","payload":{"message":"panic: out of cheese"`},
		{"output that is not JSON", func(context.Context, string, json.RawMessage) (any, error) {
			return make(chan int), nil
		}, `"code":"script_internal_error"`},
	} {
		s.HandleAction("github", "act", tc.fn)
		status, _, body := trigger(t, s, "", triggerHeadersOK, `{"action_name":"act"}`)
		if status != 500 || !strings.Contains(body, tc.want) {
			t.Errorf("%s: %d %s\nwant 500 with %s", tc.name, status, body, tc.want)
		}
	}
}

// TestAsyncActionRunsEndWithTheServer: Close cancels the runs still going
// and waits for them; no webhook is sent for them.
func TestAsyncActionRunsEndWithTheServer(t *testing.T) {
	var hooks atomic.Int32
	rcv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hooks.Add(1) }))
	defer rcv.Close()
	s, err := NewServer(WithWebhookURL(rcv.URL))
	if err != nil {
		t.Fatal(err)
	}
	s.MustPut(OAuth2("github", "u1", "tok"))
	started := make(chan struct{})
	ended := make(chan error, 1)
	s.HandleAction("github", "forever", func(ctx context.Context, _ string, _ json.RawMessage) (any, error) {
		close(started)
		<-ctx.Done()
		ended <- ctx.Err()
		return nil, ctx.Err()
	})
	if status, _, body := trigger(t, s, "", with(triggerHeadersOK, "X-Async", "true"), `{"action_name":"forever"}`); status != 202 {
		t.Fatalf("%d %s", status, body)
	}
	<-started
	s.Close()
	select {
	case err := <-ended:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("run ended with %v", err)
		}
	default:
		t.Fatal("Close returned before the run ended")
	}
	if n := hooks.Load(); n != 0 {
		t.Errorf("%d webhooks for a run cut short", n)
	}
}

// TestAsyncActionWebhookFailureReported: a receiver that refuses the
// async_action webhook is reported, as a test wants to know.
func TestAsyncActionWebhookFailureReported(t *testing.T) {
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(500) }))
	defer rcv.Close()
	reports := make(chan error, 1)
	s, err := NewServer(WithWebhookURL(rcv.URL), OnViolation(func(err error) { reports <- err }))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.MustPut(OAuth2("github", "u1", "tok"))
	s.HandleAction("github", "quick", func(context.Context, string, json.RawMessage) (any, error) { return 1, nil })
	if status, _, body := trigger(t, s, "", with(triggerHeadersOK, "X-Async", "true"), `{"action_name":"quick"}`); status != 202 {
		t.Fatalf("%d %s", status, body)
	}
	select {
	case err := <-reports:
		if !strings.Contains(err.Error(), "async_action webhook") || !strings.Contains(err.Error(), "500") {
			t.Errorf("report: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no report of the refused webhook")
	}
}

// TestActionNames: the registered actions of an integration, for the
// functions routes.
func TestActionNames(t *testing.T) {
	s := Start(t)
	noop := func(context.Context, string, json.RawMessage) (any, error) { return nil, nil }
	for _, n := range []string{"zeta", "alpha", "mid"} {
		s.HandleAction("github", n, noop)
	}
	s.HandleAction("slack", "post", noop)
	s.HandleAction("github", "mid", nil)
	s.mu.Lock()
	got, other, none := s.actionNamesLocked("github"), s.actionNamesLocked("slack"), s.actionNamesLocked("nope")
	s.mu.Unlock()
	if !slices.Equal(got, []string{"alpha", "zeta"}) || !slices.Equal(other, []string{"post"}) || len(none) != 0 {
		t.Errorf("names %v %v %v", got, other, none)
	}
}
