package nango_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nango-go/sdk/nango"
	"github.com/nango-go/sdk/nango/nangotest"
)

// echoAction returns its input and the connection it ran for.
func echoAction(_ context.Context, connectionID string, input json.RawMessage) (any, error) {
	return map[string]any{"echo": input, "connection": connectionID}, nil
}

// TestActionsAgainstFake runs every action call against nangotest, with the
// contract checked on both sides.
func TestActionsAgainstFake(t *testing.T) {
	srv, c := validatedFake(t)
	ctx := context.Background()
	srv.HandleAction("github", "echo", echoAction)
	srv.HandleAction("github", "fail", func(context.Context, string, json.RawMessage) (any, error) {
		return nil, &nangotest.ActionError{Payload: map[string]any{"code": "deliberate_failure", "message": "This action always fails"}}
	})
	srv.HandleAction("github", "crash", func(context.Context, string, json.RawMessage) (any, error) {
		return nil, errors.New("x is undefined")
	})

	out, err := c.TriggerAction(ctx, "github", "user-1", "echo", map[string]any{"title": "hi"})
	if err != nil || string(out) != `{"connection":"user-1","echo":{"title":"hi"}}` {
		t.Fatalf("echo: %s %v", out, err)
	}
	// Nango hands a falsy input to the script as null.
	for _, in := range []any{nil, 0, false, "", json.RawMessage("null")} {
		out, err := c.TriggerAction(ctx, "github", "user-1", "echo", in)
		if err != nil || string(out) != `{"connection":"user-1","echo":null}` {
			t.Errorf("input %#v: %s %v", in, out, err)
		}
	}
	type echoed struct {
		Echo       struct{ N int }
		Connection string
	}
	got, err := nango.TriggerActionAs[echoed](ctx, c, "github", "org/acme@example.com", "echo", map[string]int{"n": 7})
	if err != nil || got.Echo.N != 7 || got.Connection != "org/acme@example.com" {
		t.Errorf("TriggerActionAs: %+v %v", got, err)
	}

	_, err = c.TriggerAction(ctx, "github", "user-1", "fail", map[string]string{"reason": "test"})
	var ae *nango.ActionError
	if !errors.As(err, &ae) || ae.Type != "action_script_runtime_error" || ae.StatusCode != 500 || ae.Action != "fail" ||
		string(ae.Payload) != `{"code":"deliberate_failure","message":"This action always fails"}` || errors.Is(err, nango.ErrNotFound) {
		t.Errorf("failing action: %#v", err)
	}
	_, err = c.TriggerAction(ctx, "github", "user-1", "crash", nil)
	if !errors.As(err, &ae) || ae.Type != "script_internal_error" || !strings.Contains(err.Error(), "x is undefined") {
		t.Errorf("crashing action: %v", err)
	}

	// Nango's own refusals are not an action's failure.
	for _, tc := range []struct{ key, id, action, code string }{
		{"github", "user-1", "nope", "not_found"},  // not deployed
		{"twitter", "user-1", "echo", "not_found"}, // deployed on another integration
		{"github", "nobody", "echo", "unknown_connection"},
		{"nope", "user-1", "echo", "unknown_connection"},
	} {
		_, err := c.TriggerAction(ctx, tc.key, tc.id, tc.action, nil)
		var apiErr *nango.APIError
		if !errors.Is(err, nango.ErrNotFound) || errors.Is(err, nango.ErrActionFailed) || !errors.As(err, &apiErr) || apiErr.Code != tc.code {
			t.Errorf("%s/%s %s: %v, want ErrNotFound (%s)", tc.key, tc.id, tc.action, err, tc.code)
		}
	}
	srv.HandleAction("github", "echo", nil)
	if _, err := c.TriggerAction(ctx, "github", "user-1", "echo", nil); !errors.Is(err, nango.ErrNotFound) {
		t.Errorf("removed action: %v", err)
	}
}

// TestAsyncActionAgainstFake: queued, pending (404) while it runs, the
// async_action webhook when it is over, then its output; a failure after
// Nango's retries; runs of one environment unknown to another.
func TestAsyncActionAgainstFake(t *testing.T) {
	hooks := make(chan nango.Webhook, 4)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if err := nango.VerifyWebhookSignature(nangotest.DefaultSecretKey, r.Header, b); err != nil {
			t.Errorf("webhook signature: %v", err)
		}
		wh, err := nango.ParseWebhook(b)
		if err != nil {
			t.Errorf("webhook: %v", err)
		}
		hooks <- wh
	}))
	defer rcv.Close()
	srv, c := validatedFake(t)
	srv.SetWebhookURL(rcv.URL)
	ctx := context.Background()

	release := make(chan struct{})
	started := make(chan struct{})
	srv.HandleAction("github", "slow", func(ctx context.Context, id string, input json.RawMessage) (any, error) {
		close(started)
		select {
		case <-release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return map[string]any{"done": true, "input": input}, nil
	})
	run, err := c.TriggerActionAsync(ctx, "github", "user-1", "slow", []int{1, 2})
	if err != nil || run.StatusURL != "/action/"+run.ID {
		t.Fatalf("async: %+v %v", run, err)
	}
	<-started
	_, err = c.GetAsyncActionResult(ctx, run.ID)
	if !errors.Is(err, nango.ErrNoActionResult) || !errors.Is(err, nango.ErrNotFound) || errors.Is(err, nango.ErrActionFailed) {
		t.Fatalf("while running: %v", err)
	}
	close(release)
	wh := <-hooks
	if a := wh.AsyncAction; a == nil || a.Payload.ID != run.ID || a.Payload.StatusURL != run.StatusURL || a.ConnectionID != "user-1" || a.ProviderConfigKey != "github" {
		t.Fatalf("webhook %+v", wh)
	}
	out, err := c.GetAsyncActionResult(ctx, wh.AsyncAction.Payload.StatusURL)
	if err != nil || string(out) != `{"done":true,"input":[1,2]}` {
		t.Errorf("result: %s %v", out, err)
	}

	// Nango runs a failing async action again, X-Max-Retries times.
	var calls atomic.Int32
	srv.HandleAction("github", "flaky", func(context.Context, string, json.RawMessage) (any, error) {
		if n := calls.Add(1); n < 3 {
			return nil, &nangotest.ActionError{Payload: fmt.Sprintf("attempt %d", n)}
		}
		return "third time lucky", nil
	})
	for _, tc := range []struct {
		retries int
		out     string
		calls   int32
	}{{2, `"third time lucky"`, 3}, {1, "", 2}, {0, "", 1}} {
		calls.Store(0)
		run, err := c.TriggerActionAsync(ctx, "github", "user-1", "flaky", nil, nango.ActionMaxRetries(tc.retries))
		if err != nil {
			t.Fatal(err)
		}
		<-hooks
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		out, err := c.WaitForActionResult(wctx, run.ID, nango.PollInterval(time.Millisecond, 5*time.Millisecond))
		cancel()
		var ae *nango.ActionError
		switch {
		case tc.out != "" && (err != nil || string(out) != tc.out):
			t.Errorf("%d retries: %s %v", tc.retries, out, err)
		case tc.out == "" && (!errors.As(err, &ae) || ae.ID != run.ID || string(ae.Payload) != fmt.Sprintf(`{"message":"attempt %d"}`, tc.calls)):
			t.Errorf("%d retries: %v", tc.retries, err)
		}
		if n := calls.Load(); n != tc.calls {
			t.Errorf("%d retries: ran %d times, want %d", tc.retries, n, tc.calls)
		}
	}

	// Another environment of the account knows neither the action nor
	// the run.
	const otherKey = "33333333-3333-4333-8333-333333333333"
	other := srv.AddEnvironment(otherKey)
	other.MustPut(nangotest.OAuth2("github", "user-1", "tok"))
	oc := srv.Client()
	oc2, err := nango.New(otherKey, nango.WithHost(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := oc2.GetAsyncActionResult(ctx, run.ID); !errors.Is(err, nango.ErrNoActionResult) {
		t.Errorf("another environment's run: %v", err)
	}
	if _, err := oc2.TriggerAction(ctx, "github", "user-1", "slow", nil); !errors.Is(err, nango.ErrNotFound) {
		t.Errorf("another environment's action: %v", err)
	}
	if _, err := oc.GetAsyncActionResult(ctx, run.ID); err != nil {
		t.Errorf("this environment's run: %v", err)
	}
}

// TestActionNotResentAfterFakeFault: a 503 after the request reached the
// server is returned, and the action did not run twice.
func TestActionNotResentAfterFakeFault(t *testing.T) {
	srv, c := validatedFake(t, nango.WithMaxRetries(3), nango.WithBackoff(time.Millisecond, time.Millisecond))
	var runs atomic.Int32
	srv.HandleAction("github", "create-issue", func(context.Context, string, json.RawMessage) (any, error) {
		runs.Add(1)
		return map[string]int{"number": 1}, nil
	})
	srv.FailNext(1, nangotest.Fault{Status: http.StatusServiceUnavailable, Body: `{"error":{"code":"server_error","message":"busy"}}`})
	_, err := c.TriggerAction(context.Background(), "github", "user-1", "create-issue", nil)
	if !errors.Is(err, nango.ErrUnavailable) {
		t.Errorf("err = %v, want the 503", err)
	}
	posts := 0
	for _, r := range srv.Requests() {
		if r.Method == http.MethodPost {
			posts++
		}
	}
	if posts != 1 || runs.Load() != 0 {
		t.Errorf("%d requests, %d runs: an action was sent again after a 503", posts, runs.Load())
	}
}
