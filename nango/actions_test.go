package nango

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nango-go/sdk/nango/internal/contract"
)

// sentAction is what a test server received of one request.
type sentAction struct {
	method, path string
	header       http.Header
	body         []byte
}

// actionServer runs handler behind the contract-validating transport and
// records each request with its body.
func actionServer(t *testing.T, handler http.HandlerFunc, opts ...Option) (*Client, func() []sentAction) {
	t.Helper()
	var mu sync.Mutex
	var sent []sentAction
	h := setup(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		sent = append(sent, sentAction{r.Method, r.URL.EscapedPath(), r.Header.Clone(), b})
		mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(b))
		handler(w, r)
	}, opts...)
	return h.client, func() []sentAction {
		mu.Lock()
		defer mu.Unlock()
		return append([]sentAction(nil), sent...)
	}
}

// TestActionCaptures: for every action exchange a real Nango had, the SDK
// sends the same request (route, headers, body) and reads the answer: a
// 2xx into the output or the run's id, an error into the right *APIError,
// sentinel or *ActionError. What the server refused as invalid, the SDK
// refuses before sending.
func TestActionCaptures(t *testing.T) {
	caps, err := contract.LoadCaptures("testdata/real-nango")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range caps {
		u, _ := url.Parse(c.URL)
		if !strings.HasPrefix(u.Path, "/action/") {
			continue
		}
		n++
		t.Run(c.Name, func(t *testing.T) {
			client, sent := actionServer(t, replay(c), WithMaxRetries(0))
			ctx := context.Background()
			var req struct {
				ActionName string          `json:"action_name"`
				Input      json.RawMessage `json:"input"`
			}
			var opts []RequestOption
			if v := c.Header.Get("X-Max-Retries"); v != "" {
				n := int(v[0] - '0')
				if len(v) > 1 {
					n = 10
				}
				opts = append(opts, ActionMaxRetries(n))
			}
			var out json.RawMessage
			var async *AsyncActionResponse
			switch {
			case c.Method == http.MethodPost:
				if err := json.Unmarshal(c.Body, &req); err != nil {
					t.Fatal(err)
				}
				var input any
				if req.Input != nil {
					input = req.Input
				}
				key, id := c.Header.Get("Provider-Config-Key"), c.Header.Get("Connection-Id")
				if c.Header.Get("X-Async") == "true" {
					async, err = client.TriggerActionAsync(ctx, key, id, req.ActionName, input, opts...)
				} else {
					out, err = client.TriggerAction(ctx, key, id, req.ActionName, input, opts...)
				}
			default:
				out, err = client.GetAsyncActionResult(ctx, strings.TrimPrefix(u.Path, "/action/"))
			}

			var body struct {
				Error struct {
					Code    string          `json:"code"`
					Errors  []any           `json:"errors"`
					Payload json.RawMessage `json:"payload"`
				} `json:"error"`
			}
			_ = json.Unmarshal(c.Resp, &body)
			code := body.Error.Code
			switch {
			case code == "invalid_body" || code == "invalid_uri_params" || code == "invalid_headers":
				if !errors.Is(err, ErrInvalidArgument) {
					t.Fatalf("the server refused this request; the SDK sent it: %v", err)
				}
				if s := sent(); len(s) != 0 {
					t.Fatalf("refused locally, yet %d requests sent", len(s))
				}
				return
			case c.Status == http.StatusOK:
				if err != nil || !bytes.Equal(out, c.Resp) {
					t.Fatalf("output %.80s, %v; want the body as is", out, err)
				}
			case c.Status == http.StatusAccepted:
				var want AsyncActionResponse
				_ = json.Unmarshal(c.Resp, &want)
				if err != nil || async == nil || *async != want || want.ID == "" {
					t.Fatalf("got %+v, %v; want %+v", async, err, want)
				}
			default:
				checkActionAPIError(t, c, err, code, body.Error.Payload)
			}
			// The SDK sent what curl sent.
			s := sent()
			if len(s) != 1 {
				t.Fatalf("%d requests sent", len(s))
			}
			if s[0].method != c.Method || s[0].path != u.EscapedPath() {
				t.Errorf("sent %s %s, capture %s %s", s[0].method, s[0].path, c.Method, u.EscapedPath())
			}
			for _, h := range []string{"Connection-Id", "Provider-Config-Key", "X-Async", "X-Max-Retries"} {
				if got, want := s[0].header.Get(h), c.Header.Get(h); got != want {
					t.Errorf("%s: sent %q, capture %q", h, got, want)
				}
			}
			if c.Method == http.MethodPost && !jsonEqual(t, s[0].body, c.Body) {
				t.Errorf("body %.200s, capture %.200s", s[0].body, c.Body)
			}
		})
	}
	if n < 15 {
		t.Errorf("only %d action captures", n)
	}
}

func checkActionAPIError(t *testing.T, c contract.Capture, err error, code string, payload json.RawMessage) {
	t.Helper()
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != c.Status || apiErr.Code != code {
		t.Fatalf("err = %v, want a %d %s *APIError", err, c.Status, code)
	}
	var actionErr *ActionError
	isAction := errors.As(err, &actionErr)
	switch code {
	case "action_script_runtime_error":
		if !isAction || !errors.Is(err, ErrActionFailed) || actionErr.Type != code || actionErr.StatusCode != c.Status ||
			!jsonEqual(t, actionErr.Payload, payload) || errors.Is(err, ErrNotFound) {
			t.Fatalf("err = %#v, want an *ActionError with the payload %s", err, payload)
		}
		if !strings.Contains(err.Error(), "This action always fails") {
			t.Errorf("Error() = %q lacks the action's own message", err)
		}
	case "not_found":
		if isAction || errors.Is(err, ErrActionFailed) || !errors.Is(err, ErrNotFound) {
			t.Fatalf("err = %v: a Nango 404 is ErrNotFound, not an action's failure", err)
		}
		// The 404 of GET /action/{id} is "no result (yet)"; that of the
		// trigger an unknown action.
		if got, want := errors.Is(err, ErrNoActionResult), c.Method == http.MethodGet; got != want {
			t.Errorf("errors.Is(err, ErrNoActionResult) = %t", got)
		}
	case "action_script_failure":
		// Nango could not reach its orchestrator: its failure, not the
		// action's.
		if isAction || errors.Is(err, ErrActionFailed) {
			t.Fatalf("err = %v is Nango's failure, not the action's", err)
		}
	default:
		t.Fatalf("no expectation for %s", code)
	}
}

// TestTriggerActionNeverResent: an action has side effects. A failure after
// the request may have reached Nango (a 503, a 500, a cut connection) is
// returned, not retried, whatever the retry settings; a request that never
// left (refused connection) is tried again.
func TestTriggerActionNeverResent(t *testing.T) {
	ctx := context.Background()
	for _, status := range []int{http.StatusServiceUnavailable, http.StatusBadGateway, http.StatusInternalServerError} {
		for _, async := range []bool{false, true} {
			var calls atomic.Int32
			client, _ := actionServer(t, func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				jsonBody(status, `{"error":{"code":"server_error","message":"try later"}}`)(w, r)
			}, WithMaxRetries(3))
			var err error
			if async {
				_, err = client.TriggerActionAsync(ctx, "github", "user-1", "create-issue", nil, RequestMaxRetries(3))
			} else {
				_, err = client.TriggerAction(ctx, "github", "user-1", "create-issue", map[string]any{"title": "x"}, RequestMaxRetries(3))
			}
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != status {
				t.Errorf("%d: err = %v", status, err)
			}
			if n := calls.Load(); n != 1 {
				t.Errorf("%d (async %t): sent %d times, want once", status, async, n)
			}
		}
	}
	// A connection that was never made is retried: nothing reached Nango.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c, err := New(testKey, WithHost("http://"+addr), WithMaxRetries(2), WithBackoff(time.Millisecond, time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	var meta ResponseMeta
	_, err = c.TriggerAction(ctx, "github", "user-1", "create-issue", nil, CaptureResponse(&meta))
	if !errors.Is(err, ErrUnavailable) || meta.Attempts != 3 {
		t.Errorf("refused connection: %d attempts, %v; want 3 (never sent, so retried)", meta.Attempts, err)
	}
}

// TestActionFailureNotRetried: reading a failed run's result again gives
// the same failure: it is returned at once. Nango's own 500s are retried as
// any read's.
func TestActionFailureNotRetried(t *testing.T) {
	ctx := context.Background()
	const id = "56e640e0-afcb-42c9-8755-3212f1a787d4"
	for _, tc := range []struct {
		body  string
		calls int32
	}{
		{`{"error":{"message":"The action script failed with a runtime error","code":"action_script_runtime_error","payload":{"code":"x"}}}`, 1},
		{`{"error":{"message":"An internal error occurred during the script execution","code":"script_internal_error","payload":{"name":"TypeError","message":"x is undefined"}}}`, 1},
		{`{"error":{"message":"The action script failed with an error: {}","code":"action_script_failure","payload":{}}}`, 3},
	} {
		var calls atomic.Int32
		client, _ := actionServer(t, func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			jsonBody(500, tc.body)(w, r)
		}, WithMaxRetries(2))
		_, err := client.GetAsyncActionResult(ctx, id)
		if n := calls.Load(); n != tc.calls {
			t.Errorf("%.80s: %d requests, want %d", tc.body, n, tc.calls)
		}
		var actionErr *ActionError
		if got, want := errors.As(err, &actionErr), tc.calls == 1; got != want {
			t.Errorf("%.80s: ActionError %t, want %t (%v)", tc.body, got, want, err)
		} else if got && actionErr.ID != id {
			t.Errorf("ID %q", actionErr.ID)
		}
	}
}

// TestActionBadInput: what Nango would refuse, or what cannot be sent, is
// ErrInvalidArgument before any request.
func TestActionBadInput(t *testing.T) {
	client, sent := actionServer(t, jsonBody(200, `{}`))
	ctx := context.Background()
	name256 := strings.Repeat("a", 256)
	trigger := func(key, id, action string, input any, opts ...RequestOption) func() error {
		return func() error { _, err := client.TriggerAction(ctx, key, id, action, input, opts...); return err }
	}
	async := func(key, id, action string, input any, opts ...RequestOption) func() error {
		return func() error { _, err := client.TriggerActionAsync(ctx, key, id, action, input, opts...); return err }
	}
	result := func(id string) func() error {
		return func() error { _, err := client.GetAsyncActionResult(ctx, id); return err }
	}
	cases := []struct {
		name string
		call func() error
		want string
	}{
		{"empty integration", trigger("", "u", "echo", nil), "provider config key"},
		{"empty connection id", trigger("github", "", "echo", nil), "connection id"},
		{"connection id with a newline", trigger("github", "a\nb", "echo", nil), "control character"},
		{"empty action", trigger("github", "u", "", nil), "empty action name"},
		{"action with a space", trigger("github", "u", "create issue", nil), "letters, digits"},
		{"action with a slash", async("github", "u", "a/b", nil), "letters, digits"},
		{"action of 256", trigger("github", "u", name256, nil), "over the limit"},
		{"input a channel", trigger("github", "u", "echo", make(chan int)), "does not encode as JSON"},
		{"input a func in a map", trigger("github", "u", "echo", map[string]any{"f": func() {}}), "does not encode as JSON"},
		{"input raw JSON that is not JSON", trigger("github", "u", "echo", json.RawMessage(`{"a":`)), "does not encode as JSON"},
		{"max retries 6", async("github", "u", "echo", nil, ActionMaxRetries(6)), "0 to 5"},
		{"max retries -1", async("github", "u", "echo", nil, ActionMaxRetries(-1)), "0 to 5"},
		{"max retries on a synchronous run", trigger("github", "u", "echo", nil, ActionMaxRetries(2)), "never retries a synchronous action"},
		{"id not a UUID", result("not-a-uuid"), "not a UUID"},
		{"empty id", result(""), "not a UUID"},
		{"id with a path", result("../connections"), "not a UUID"},
		{"UUID of version 0", result("7a3cf3c9-c2aa-0a40-a6bd-e8567df81a93"), "not a UUID"},
		{"wait on a bad id", func() error { _, err := client.WaitForActionResult(ctx, "x"); return err }, "not a UUID"},
		{"poll interval of 0", func() error {
			_, err := client.WaitForActionResult(ctx, "7a3cf3c9-c2aa-4a40-a6bd-e8567df81a93", PollInterval(0, time.Second))
			return err
		}, "PollInterval"},
		{"nil context", func() error {
			//lint:ignore SA1012 a nil context is the bad input under test
			_, err := client.TriggerAction(nil, "github", "u", "echo", nil) //nolint:staticcheck
			return err
		}, "nil context"},
	}
	for _, tc := range cases {
		err := tc.call()
		if !errors.Is(err, ErrInvalidArgument) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want ErrInvalidArgument mentioning %q", tc.name, err, tc.want)
		}
	}
	if s := sent(); len(s) != 0 {
		t.Errorf("%d requests sent for bad input", len(s))
	}
}

// TestActionRequestShape: ids that need no escaping in a header travel as
// they are, input is sent as encoding/json writes it (a json.RawMessage as
// is, nil as no input), the status URL is taken for an id.
func TestActionRequestShape(t *testing.T) {
	client, sent := actionServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			jsonBody(200, `"done"`)(w, r)
			return
		}
		jsonBody(200, `[1,2]`)(w, r)
	})
	ctx := context.Background()
	const id = `a b,c/"d"@e`
	type in struct {
		Title string `json:"title"`
	}
	for _, tc := range []struct {
		input any
		body  string
	}{
		{nil, `{"action_name":"create-issue"}`},
		{in{"x"}, `{"action_name":"create-issue","input":{"title":"x"}}`},
		{json.RawMessage(`{"raw": true}`), `{"action_name":"create-issue","input":{"raw":true}}`},
		{"text", `{"action_name":"create-issue","input":"text"}`},
		{0, `{"action_name":"create-issue","input":0}`},
	} {
		out, err := client.TriggerAction(ctx, "github dev", id, "create-issue", tc.input)
		if err != nil || string(out) != `[1,2]` {
			t.Fatalf("%v: %s %v", tc.input, out, err)
		}
		s := sent()
		last := s[len(s)-1]
		if last.header.Get("Connection-Id") != id || last.header.Get("Provider-Config-Key") != "github dev" || last.header.Get("X-Async") != "" {
			t.Errorf("headers %v", last.header)
		}
		if string(last.body) != tc.body {
			t.Errorf("body %s, want %s", last.body, tc.body)
		}
	}
	out, err := client.GetAsyncActionResult(ctx, "/action/7a3cf3c9-c2aa-4a40-a6bd-e8567df81a93")
	if s := sent(); err != nil || string(out) != `"done"` || s[len(s)-1].path != "/action/7a3cf3c9-c2aa-4a40-a6bd-e8567df81a93" {
		t.Errorf("by status URL: %s %v", out, err)
	}
}

// TestActionOutputs: the output is any JSON value, as is; no body reads as
// null; the typed helpers decode it or say it does not fit.
func TestActionOutputs(t *testing.T) {
	ctx := context.Background()
	for _, body := range []string{`{"a":1}`, `[1,"two",null]`, `"s"`, `42`, `true`, `null`, ``} {
		client := setupRaw(t, jsonBody(200, body)).client // an empty body is off the spec
		out, err := client.TriggerAction(ctx, "github", "u", "echo", nil)
		want := body
		if want == "" {
			want = "null"
		}
		if err != nil || string(out) != want {
			t.Errorf("%q: %s %v", body, out, err)
		}
	}
	client, _ := actionServer(t, jsonBody(200, `{"number":42,"url":"https://x/42"}`))
	type issue struct {
		Number int    `json:"number"`
		URL    string `json:"url"`
	}
	got, err := TriggerActionAs[issue](ctx, client, "github", "u", "create-issue", nil)
	if err != nil || got != (issue{42, "https://x/42"}) {
		t.Errorf("TriggerActionAs: %+v %v", got, err)
	}
	_, err = TriggerActionAs[[]string](ctx, client, "github", "u", "create-issue", nil)
	if !errors.Is(err, ErrUnexpectedResponse) || !strings.Contains(err.Error(), "does not fit") {
		t.Errorf("output that does not fit: %v", err)
	}
	n, err := GetAsyncActionResultAs[issue](ctx, client, "7a3cf3c9-c2aa-4a40-a6bd-e8567df81a93")
	if err != nil || n.Number != 42 {
		t.Errorf("GetAsyncActionResultAs: %+v %v", n, err)
	}
	// Not JSON, though labelled so.
	bad := setupRaw(t, jsonBody(200, `{"a":`)).client
	if _, err := bad.TriggerAction(ctx, "github", "u", "echo", nil); !errors.Is(err, ErrUnexpectedResponse) {
		t.Errorf("malformed output: %v", err)
	}
	// A 202 to a synchronous trigger is not an output.
	odd, _ := actionServer(t, jsonBody(202, `{"id":"7a3cf3c9-c2aa-4a40-a6bd-e8567df81a93","statusUrl":"/action/7a3cf3c9-c2aa-4a40-a6bd-e8567df81a93"}`))
	if _, err := odd.TriggerAction(ctx, "github", "u", "echo", nil); !errors.Is(err, ErrUnexpectedResponse) {
		t.Errorf("202 to a synchronous run: %v", err)
	}
	if _, err := odd.TriggerActionAsync(ctx, "github", "u", "echo", nil); err != nil {
		t.Errorf("202: %v", err)
	}
}

// TestActionErrorShape: what an *ActionError says and matches.
func TestActionErrorShape(t *testing.T) {
	body := `{"error":{"message":"The action script failed with a runtime error","code":"action_script_runtime_error","payload":{"code":"rate","message":"GitHub said no\nreally"}}}`
	client, _ := actionServer(t, jsonBody(500, body))
	_, err := client.TriggerAction(context.Background(), "github", "u", "create-issue", nil)
	var ae *ActionError
	if !errors.As(err, &ae) || ae.Action != "create-issue" || ae.Message != "The action script failed with a runtime error" {
		t.Fatalf("err = %#v", err)
	}
	if got := err.Error(); got != "nango: action create-issue failed (500 action_script_runtime_error): GitHub said no really" {
		t.Errorf("Error() = %q", got)
	}
	var p struct{ Code string }
	if json.Unmarshal(ae.Payload, &p) != nil || p.Code != "rate" {
		t.Errorf("payload %s", ae.Payload)
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 500 || !errors.Is(err, ErrActionFailed) {
		t.Errorf("the *APIError is not reachable: %v", err)
	}
	for _, s := range []error{ErrNotFound, ErrUnavailable, ErrInvalidArgument, ErrUnexpectedResponse} {
		if errors.Is(err, s) {
			t.Errorf("an action's failure matches %v", s)
		}
	}
	// Without the action's own message, Nango's.
	client, _ = actionServer(t, jsonBody(424, `{"error":{"code":"script_http_error","payload":{"documentation_url":"x"}}}`))
	_, err = client.TriggerAction(context.Background(), "github", "u", "create-issue", nil)
	if !errors.As(err, &ae) || ae.StatusCode != 424 || err.Error() != "nango: action create-issue failed (424 script_http_error)" {
		t.Errorf("424: %v", err)
	}
}

// TestWaitForActionResult: it polls with growing, jittered pauses (never
// a busy loop) until there is a result, and stops at a failure or when the
// context ends.
func TestWaitForActionResult(t *testing.T) {
	const id = "3932296a-8360-4369-b214-569579240fe2"
	pending := `{"error":{"code":"not_found","message":"No action '` + id + `' found"}}`
	answers := func(list ...func(http.ResponseWriter, *http.Request)) (http.HandlerFunc, *atomic.Int32) {
		var n atomic.Int32
		return func(w http.ResponseWriter, r *http.Request) {
			i := int(n.Add(1)) - 1
			list[min(i, len(list)-1)](w, r)
		}, &n
	}
	ctx := context.Background()

	t.Run("done after four polls", func(t *testing.T) {
		h, n := answers(jsonBody(404, pending), jsonBody(404, pending), jsonBody(503, `{"error":{"code":"server_error"}}`), jsonBody(404, pending), jsonBody(200, `{"ok":true}`))
		client, _ := actionServer(t, h, WithMaxRetries(0))
		w := &waits{}
		client.sleep = w.sleep
		out, err := client.WaitForActionResult(ctx, id, PollInterval(100*time.Millisecond, 300*time.Millisecond))
		if err != nil || string(out) != `{"ok":true}` || n.Load() != 5 {
			t.Fatalf("%s %v after %d reads", out, err, n.Load())
		}
		ceilings := []time.Duration{100, 200, 300, 300}
		got := w.all()
		if len(got) != len(ceilings) {
			t.Fatalf("waits %v", got)
		}
		for i, d := range got {
			ceil := ceilings[i] * time.Millisecond
			if d < ceil/2 || d > ceil {
				t.Errorf("wait %d = %v, want between %v and %v", i, d, ceil/2, ceil)
			}
		}
	})
	t.Run("a failure ends it", func(t *testing.T) {
		h, n := answers(jsonBody(404, pending), jsonBody(500, `{"error":{"message":"The action script failed with a runtime error","code":"action_script_runtime_error","payload":{}}}`))
		client, _ := actionServer(t, h)
		client.sleep = (&waits{}).sleep
		_, err := client.WaitForActionResult(ctx, id)
		var ae *ActionError
		if !errors.As(err, &ae) || ae.ID != id || n.Load() != 2 {
			t.Errorf("%v after %d reads", err, n.Load())
		}
	})
	t.Run("other errors end it", func(t *testing.T) {
		h, n := answers(jsonBody(401, `{"error":{"code":"unknown_account","message":"Authentication failed."}}`))
		client, _ := actionServer(t, h)
		client.sleep = (&waits{}).sleep
		if _, err := client.WaitForActionResult(ctx, id); !errors.Is(err, ErrUnauthorized) || n.Load() != 1 {
			t.Errorf("%v after %d reads", err, n.Load())
		}
	})
	t.Run("until the context ends", func(t *testing.T) {
		h, n := answers(jsonBody(404, pending))
		client, _ := actionServer(t, h)
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		var slept int
		client.sleep = func(ctx context.Context, d time.Duration) error {
			if slept++; slept == 3 {
				cancel()
			}
			return ctx.Err()
		}
		_, err := client.WaitForActionResult(ctx, id)
		if !errors.Is(err, context.Canceled) || !errors.Is(err, ErrNoActionResult) || n.Load() != 3 {
			t.Errorf("%v after %d reads", err, n.Load())
		}
	})
	t.Run("Retry-After is honoured", func(t *testing.T) {
		limited := func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "2")
			jsonBody(429, `{"error":{"code":"too_many_request","message":"Too many requests"}}`)(w, r)
		}
		h, _ := answers(limited, jsonBody(200, `1`))
		client, _ := actionServer(t, h, WithMaxRetries(0))
		w := &waits{}
		client.sleep = w.sleep
		out, err := client.WaitForActionResult(ctx, id)
		if got := w.all(); err != nil || string(out) != "1" || len(got) != 1 || got[0] != 2*time.Second {
			t.Errorf("%s %v, waits %v", out, err, got)
		}
	})
}

// TestActionTimeout: a synchronous action is waited for longer than the
// client's per-attempt timeout (Nango waits up to 15 minutes for it); the
// caller's deadline still rules.
func TestActionTimeout(t *testing.T) {
	slow := func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(150 * time.Millisecond):
		case <-r.Context().Done():
		}
		jsonBody(200, `{"slow":true}`)(w, r)
	}
	client, _ := actionServer(t, slow, WithTimeout(20*time.Millisecond))
	if out, err := client.TriggerAction(context.Background(), "github", "u", "echo", nil); err != nil || string(out) != `{"slow":true}` {
		t.Errorf("TriggerAction gave up at the per-attempt timeout: %s %v", out, err)
	}
	// Under a caller's far deadline too: WithTimeout bounds a read's
	// attempts, not an action's one.
	far, cancelFar := context.WithTimeout(context.Background(), time.Minute)
	defer cancelFar()
	if out, err := client.TriggerAction(far, "github", "u", "echo", nil); err != nil || string(out) != `{"slow":true}` {
		t.Errorf("TriggerAction under a far deadline gave up at the per-attempt timeout: %s %v", out, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := client.TriggerAction(ctx, "github", "u", "echo", nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("the caller's deadline: %v", err)
	}
}

// TestAsyncActionWebhookVector: the async_action webhook a real Nango sent
// when the run 637 queued was over (signature checked with the other
// vectors) parses into WebhookAsyncAction, and names that run.
func TestAsyncActionWebhookVector(t *testing.T) {
	var found bool
	for _, v := range loadWebhookVectors(t) {
		if !strings.HasPrefix(v.name, "642-") {
			continue
		}
		found = true
		w, err := ParseWebhook(v.body)
		if err != nil || w.Type != WebhookTypeAsyncAction || w.AsyncAction == nil || w.Auth != nil || w.Sync != nil {
			t.Fatalf("%+v %v", w, err)
		}
		a := w.AsyncAction
		if a.Payload.ID != "7a3cf3c9-c2aa-4a40-a6bd-e8567df81a93" || a.Payload.StatusURL != "/action/"+a.Payload.ID ||
			a.ConnectionID != "h5-issues" || a.ProviderConfigKey != "unauthenticated" || a.From != "nango" {
			t.Errorf("%+v", a)
		}
		if got := fmt.Sprint(w); got != "async_action 7a3cf3c9-c2aa-4a40-a6bd-e8567df81a93 unauthenticated/h5-issues" {
			t.Errorf("String = %q", got)
		}
		// The run 637 queued.
		caps, _ := contract.LoadCaptures("testdata/real-nango")
		for _, c := range caps {
			if c.Name == "637-post-action-trigger-echo-async" && !strings.Contains(string(c.Resp), a.Payload.ID) {
				t.Errorf("637 queued another run: %s", c.Resp)
			}
		}
	}
	if !found {
		t.Fatal("no 642 vector")
	}
}

// TestPollWait: the ceiling doubles from first to max, each wait is between
// half the ceiling and the ceiling, and huge settings do not overflow.
func TestPollWait(t *testing.T) {
	for _, tc := range []struct {
		n          int
		first, max time.Duration
		ceiling    time.Duration
	}{
		{1, 100, 300, 100}, {2, 100, 300, 200}, {3, 100, 300, 300}, {50, 100, 300, 300},
		{1, 7, 7, 7}, {1000, time.Second, 5 * time.Second, 5 * time.Second},
		{3, math.MaxInt64 / 3, math.MaxInt64, math.MaxInt64}, {200, 1, math.MaxInt64, math.MaxInt64},
	} {
		for range 20 {
			if d := (&waitParams{first: tc.first, max: tc.max}).pollWait(tc.n); d < tc.ceiling/2 || d > tc.ceiling {
				t.Fatalf("pollWait(%d, %d, %d) = %d, want between %d and %d", tc.n, tc.first, tc.max, d, tc.ceiling/2, tc.ceiling)
			}
		}
	}
}
