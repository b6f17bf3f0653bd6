package nango_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nango-go/sdk/nango"
	"github.com/nango-go/sdk/nango/nangotest"
)

// actionsNango is fakeNango with a "create-issue" action deployed on the
// github integration, as a real Nango would run it with the connection's
// credentials.
func actionsNango() (*nangotest.Server, *nango.Client) {
	srv, client := fakeNango()
	srv.HandleAction("github", "create-issue", func(_ context.Context, connectionID string, input json.RawMessage) (any, error) {
		var in struct{ Title string }
		if err := json.Unmarshal(input, &in); err != nil || in.Title == "" {
			return nil, &nangotest.ActionError{Payload: map[string]string{"code": "invalid_title", "message": "an issue needs a title"}}
		}
		return map[string]any{"number": 42, "title": in.Title, "by": connectionID}, nil
	})
	return srv, client
}

func ExampleClient_TriggerAction() {
	srv, client := actionsNango()
	defer srv.Close()

	out, err := client.TriggerAction(context.Background(), "github", "user-1", "create-issue",
		map[string]string{"title": "Found a bug"})
	fmt.Println(string(out), err)
	// Output:
	// {"by":"user-1","number":42,"title":"Found a bug"} <nil>
}

func ExampleTriggerActionAs() {
	srv, client := actionsNango()
	defer srv.Close()

	type issue struct {
		Number int    `json:"number"`
		Title  string `json:"title"`
	}
	got, err := nango.TriggerActionAs[issue](context.Background(), client, "github", "user-1", "create-issue",
		map[string]string{"title": "Found a bug"})
	fmt.Printf("%+v %v\n", got, err)
	// Output:
	// {Number:42 Title:Found a bug} <nil>
}

// A failing action's own error payload comes back in an *ActionError;
// Nango's errors (an unknown action, connection or key) do not match
// ErrActionFailed.
func ExampleActionError() {
	srv, client := actionsNango()
	defer srv.Close()
	ctx := context.Background()

	_, err := client.TriggerAction(ctx, "github", "user-1", "create-issue", map[string]string{})
	var actionErr *nango.ActionError
	if errors.As(err, &actionErr) {
		var p struct{ Code, Message string }
		_ = json.Unmarshal(actionErr.Payload, &p)
		fmt.Println(actionErr.Type, p.Code, p.Message)
	}
	fmt.Println(err)

	_, err = client.TriggerAction(ctx, "github", "user-1", "close-issue", nil)
	fmt.Println(errors.Is(err, nango.ErrActionFailed), errors.Is(err, nango.ErrNotFound))
	// Output:
	// action_script_runtime_error invalid_title an issue needs a title
	// nango: action create-issue failed (500 action_script_runtime_error): an issue needs a title
	// false true
}

// An asynchronous run answers at once; its result is read once it is over.
// Nango runs a failed async action again when asked (ActionMaxRetries);
// the SDK never sends an action twice.
func ExampleClient_TriggerActionAsync() {
	srv, client := actionsNango()
	defer srv.Close()

	run, err := client.TriggerActionAsync(context.Background(), "github", "user-1", "create-issue",
		map[string]string{"title": "Later"}, nango.ActionMaxRetries(2))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(run.StatusURL == "/action/"+run.ID)

	// Wait for it, with a deadline: an id Nango does not know looks like a
	// run still going.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := client.WaitForActionResult(ctx, run.ID, nango.PollInterval(10*time.Millisecond, time.Second))
	fmt.Println(string(out), err)
	// Output:
	// true
	// {"by":"user-1","number":42,"title":"Later"} <nil>
}

// GetAsyncActionResult reads a run once: ErrNoActionResult while it is
// queued or running.
func ExampleClient_GetAsyncActionResult() {
	srv, client := actionsNango()
	defer srv.Close()
	ctx := context.Background()

	release := make(chan struct{})
	srv.HandleAction("github", "slow-report", func(context.Context, string, json.RawMessage) (any, error) {
		<-release
		return []string{"done"}, nil
	})
	run, _ := client.TriggerActionAsync(ctx, "github", "user-1", "slow-report", nil)

	_, err := client.GetAsyncActionResult(ctx, run.ID)
	fmt.Println(errors.Is(err, nango.ErrNoActionResult))

	close(release)
	for errors.Is(err, nango.ErrNoActionResult) {
		time.Sleep(10 * time.Millisecond) // or WaitForActionResult
		var out json.RawMessage
		out, err = client.GetAsyncActionResult(ctx, run.ID)
		if err == nil {
			fmt.Println(string(out))
		}
	}
	// Output:
	// true
	// ["done"]
}
