package nango

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/nango-go/sdk/gen"
)

// Actions: functions deployed to Nango that run against a provider's API
// with a connection's credentials ("create a GitHub issue"). An action has
// side effects: a request that may have reached Nango is never sent again.
// Nango itself runs an asynchronous action again after a failure when asked
// to (ActionMaxRetries).

const (
	opTriggerAction        = "POST /action/trigger"
	opGetAsyncActionResult = "GET /action/{id}"

	// maxActionRetries is the most X-Max-Retries Nango takes.
	maxActionRetries = 5
	// defaultActionTimeout is how long TriggerAction waits for a
	// synchronous action when neither the context nor RequestTimeout
	// bounds it: Nango gives a run 30 s to start and 15 min to complete.
	defaultActionTimeout = 16 * time.Minute
	// The default polling of WaitForActionResult.
	defaultActionPollFirst = 500 * time.Millisecond
	defaultActionPollMax   = 5 * time.Second
)

// AsyncActionResponse is an action run queued by TriggerActionAsync: its ID,
// for GetAsyncActionResult and WaitForActionResult, and its StatusURL
// ("/action/<id>", relative to the server).
type AsyncActionResponse = gen.AsyncActionResponse

var (
	// ErrActionFailed: the action ran and failed. The error is an
	// *ActionError, which carries the action's own error payload.
	ErrActionFailed = errors.New("nango: action failed")
	// ErrNoActionResult: GetAsyncActionResult found no result for the id.
	// Nango answers the same 404 not_found while the run is queued or
	// running and for an id it does not know (made up, of another
	// environment, or of a run it no longer keeps), so the SDK cannot tell
	// them apart either. For an id TriggerActionAsync just returned in the
	// same environment it means "not done yet": poll again, or use
	// WaitForActionResult with a deadline. The error also matches
	// ErrNotFound and is an *APIError.
	ErrNoActionResult = errors.New("nango: no action result (yet)")
)

// ActionError is an action that ran and failed. Type is Nango's kind of
// failure:
//
//   - "action_script_runtime_error" (500): the action threw its own
//     nango.ActionError; Payload is the object it passed, as is.
//   - "script_internal_error", "script_network_error" (500): it threw
//     another exception; Payload holds its name and message.
//   - "script_http_error", "script_api_rate_limit_error" (424): a request to
//     the provider failed; Payload is the provider's answer body.
//   - "invalid_action_input", "invalid_action_output",
//     "script_output_too_large" (400), "script_aborted" (410),
//     "execution_timeout", "execution_interrupted", "function_runtime_…"
//     (500): Nango stopped it.
//
// Failures of Nango itself (an unknown connection or action, a run that
// could not be scheduled or whose result could not be fetched, 500
// action_script_failure) are *APIError values, not ActionError.
//
// errors.Is(err, ErrActionFailed) tells an action's failure from Nango's;
// errors.As(err, &actionErr) gives its details, and errors.As(err,
// &apiErr) the answer it came in. An ActionError is never retried.
type ActionError struct {
	// Type is Nango's code for the failure (see above).
	Type string
	// Message is Nango's description of the kind of failure ("The action
	// script failed with a runtime error"); the action's own message, if it
	// gave one, is in Payload.
	Message string
	// Payload is the failure's payload as Nango sent it (JSON), nil when
	// there was none. Decode it into your own type:
	//
	//	var p struct{ Code, Message string }
	//	_ = json.Unmarshal(actionErr.Payload, &p)
	Payload json.RawMessage
	// StatusCode is the HTTP status of the answer.
	StatusCode int
	// Action is the action's name, for TriggerAction; ID the run's id, for
	// GetAsyncActionResult and WaitForActionResult.
	Action, ID string

	apiErr *APIError
}

func (e *ActionError) Error() string {
	var b strings.Builder
	b.WriteString("nango: action ")
	switch {
	case e.Action != "":
		b.WriteString(e.Action)
		b.WriteString(" ")
	case e.ID != "":
		b.WriteString("run ")
		b.WriteString(e.ID)
		b.WriteString(" ")
	}
	fmt.Fprintf(&b, "failed (%d %s)", e.StatusCode, e.Type)
	msg := payloadMessage(e.Payload)
	if msg == "" {
		msg = e.Message
	}
	if msg != "" {
		b.WriteString(": ")
		b.WriteString(msg)
	}
	return b.String()
}

// payloadMessage is the "message" string of a payload, shortened: the
// action's own words, which say more than Nango's generic message.
func payloadMessage(p json.RawMessage) string {
	var m struct {
		Message json.RawMessage `json:"message"`
	}
	var s string
	if json.Unmarshal(p, &m) != nil || json.Unmarshal(m.Message, &s) != nil {
		return ""
	}
	const max = 200
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

// Is makes errors.Is(err, ErrActionFailed) true.
func (e *ActionError) Is(target error) bool { return target == ErrActionFailed }

// Unwrap returns the *APIError the failure came in.
func (e *ActionError) Unwrap() error { return e.apiErr }

// actionFailureCodes are the codes of an action's own failure: the script
// ran (or was started) and failed, as opposed to Nango failing to run it.
var actionFailureCodes = map[string]bool{
	"action_script_runtime_error": true,
	"script_internal_error":       true, "script_network_error": true, "script_invalid_error": true,
	"script_http_error": true, "script_api_rate_limit_error": true,
	"invalid_action_input": true, "invalid_action_output": true, "script_output_too_large": true,
	"script_aborted": true, "execution_timeout": true, "execution_interrupted": true,
	"function_runtime_out_of_memory": true, "function_runtime_timed_out": true, "function_runtime_other": true,
}

// actionFailed reports whether e is an action's own failure, which is the
// same on every try: the funnel never retries it.
func actionFailed(e *APIError) bool {
	return (e.Operation == opTriggerAction || e.Operation == opGetAsyncActionResult) && actionFailureCodes[e.Code]
}

// asActionError turns an action's failure into an *ActionError and leaves
// any other error as it is.
func asActionError(err error, action, id string) error {
	apiErr, ok := err.(*APIError)
	if !ok || !actionFailed(apiErr) {
		return err
	}
	return &ActionError{Type: apiErr.Code, Message: apiErr.Message, Payload: apiErr.Payload,
		StatusCode: apiErr.StatusCode, Action: action, ID: id, apiErr: apiErr}
}

// ActionMaxRetries has Nango run an asynchronous action (TriggerActionAsync)
// up to n more times after it failed (0 to 5; Nango's default is 0). The
// SDK itself never sends an action twice. Nango never retries a
// synchronous run, so TriggerAction refuses this option.
func ActionMaxRetries(n int) RequestOption {
	return RequestOption{func(rc *requestConfig) {
		if n < 0 || n > maxActionRetries {
			rc.err = invalidArgument("ActionMaxRetries: need 0 to %d, got %d", maxActionRetries, n)
			return
		}
		if rc.header == nil {
			rc.header = http.Header{}
		}
		rc.header.Set("X-Max-Retries", strconv.Itoa(n))
	}}
}

// actionNamePattern is Nango's rule for an action's name.
var actionNamePattern = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)

func checkActionName(action string) error {
	switch {
	case action == "":
		return invalidArgument("empty action name")
	case len(action) > maxIDLength:
		return invalidArgument("action name of %d characters, over the limit of %d", len(action), maxIDLength)
	case !actionNamePattern.MatchString(action):
		return invalidArgument("action name %q: Nango takes letters, digits, _ and - only", action)
	}
	return nil
}

// actionInput encodes an action's input; nil is no input.
func actionInput(input any) (json.RawMessage, error) {
	if input == nil {
		return nil, nil
	}
	b, err := json.Marshal(input)
	if err != nil {
		return nil, invalidArgument("action input does not encode as JSON: %v", err)
	}
	return b, nil
}

// triggerAction sends POST /action/trigger once: an action is never sent
// again once the request may have left (the funnel retries a call that is
// not idempotent only when the connection was never made).
func (c *Client) triggerAction(ctx context.Context, providerConfigKey, connectionID, action string, input any, async bool, opts []RequestOption) (reply, error) {
	if err := checkKeyAndID(providerConfigKey, connectionID); err != nil {
		return reply{}, err
	}
	if err := checkActionName(action); err != nil {
		return reply{}, err
	}
	raw, err := actionInput(input)
	if err != nil {
		return reply{}, err
	}
	rc := requestConfigOf(opts)
	if !async && rc != nil && rc.err == nil && rc.header.Get("X-Max-Retries") != "" {
		return reply{}, invalidArgument("TriggerAction: Nango never retries a synchronous action; ActionMaxRetries is for TriggerActionAsync")
	}
	body, err := json.Marshal(gen.TriggerActionRequest{ActionName: action, Input: raw})
	if err != nil {
		return reply{}, invalidArgument("action input: %v", err)
	}
	params := &gen.TriggerActionParams{ConnectionID: connectionID, ProviderConfigKey: providerConfigKey}
	if async {
		params.XAsync = new(true)
	}
	cl := &call{method: http.MethodPost, op: opTriggerAction, maxBody: c.maxListBody, req: rc,
		build: func(server string) (*http.Request, error) {
			return gen.NewTriggerActionRequestWithBody(server, params, jsonContentType, bytes.NewReader(body))
		}}
	if !async {
		// Nango waits for the action; so does the SDK, rather than give up
		// (and leave it running) after WithTimeout. The context and
		// RequestTimeout still bound it.
		cl.attemptTimeout = defaultActionTimeout
	}
	return c.do(ctx, cl)
}

// TriggerAction runs an action for a connection and returns its output,
// the JSON value the action returned, as is (Node: triggerAction). input is
// encoded with encoding/json (nil sends none; a json.RawMessage is sent as
// is). Nango waits for the action (up to about 15 minutes); so does this
// call, unless ctx or RequestTimeout ends it sooner, in which case the
// action may still run to its end.
//
// The request is never sent twice: an action has side effects, and a
// failure after the request may have reached Nango (a timeout, a 502) is
// returned, not retried. A failed action is an *ActionError (errors.Is(err,
// ErrActionFailed)); an action that is not deployed on the integration is
// ErrNotFound (404 not_found "Action not found"), an unknown connection
// too (400 unknown_connection). An empty key, connection id or action
// name, a name Nango refuses (letters, digits, _ and - only) and an input
// that does not encode as JSON are ErrInvalidArgument, before anything is
// sent.
func (c *Client) TriggerAction(ctx context.Context, providerConfigKey, connectionID, action string, input any, opts ...RequestOption) (json.RawMessage, error) {
	r, err := c.triggerAction(ctx, providerConfigKey, connectionID, action, input, false, opts)
	if err != nil {
		return nil, asActionError(err, action, "")
	}
	if r.status != http.StatusOK {
		return nil, &UnexpectedResponseError{Operation: r.op, StatusCode: r.status, Reason: "a synchronous run answered without the output"}
	}
	return actionOutput(r)
}

// TriggerActionAs runs an action as TriggerAction does and decodes its
// output into Out:
//
//	type Issue struct{ Number int; URL string `json:"url"` }
//	issue, err := nango.TriggerActionAs[Issue](ctx, client, "github", "user-1",
//		"create-issue", map[string]any{"title": "Found a bug"})
//
// An output that does not fit Out is an error matching
// ErrUnexpectedResponse (the action ran all the same).
func TriggerActionAs[Out any](ctx context.Context, c *Client, providerConfigKey, connectionID, action string, input any, opts ...RequestOption) (Out, error) {
	raw, err := c.TriggerAction(ctx, providerConfigKey, connectionID, action, input, opts...)
	if err != nil {
		var zero Out
		return zero, err
	}
	return decodeActionOutput[Out](opTriggerAction, raw)
}

// TriggerActionAsync queues an action for a connection and returns at once
// with the run's id and status URL (Node: triggerActionAsync); Nango
// answers 202. Get the result with GetAsyncActionResult or
// WaitForActionResult, or when Nango's async_action webhook arrives (sent
// if the environment asks for it; it carries the id, not the output).
// ActionMaxRetries has Nango run the action again after a failure. Like
// TriggerAction, it never sends the request twice, and refuses bad input
// with ErrInvalidArgument before sending.
func (c *Client) TriggerActionAsync(ctx context.Context, providerConfigKey, connectionID, action string, input any, opts ...RequestOption) (*AsyncActionResponse, error) {
	r, err := c.triggerAction(ctx, providerConfigKey, connectionID, action, input, true, opts)
	if err != nil {
		return nil, asActionError(err, action, "")
	}
	if r.status != http.StatusAccepted {
		return nil, &UnexpectedResponseError{Operation: r.op, StatusCode: r.status, Reason: "an asynchronous run answered without its id"}
	}
	var out AsyncActionResponse
	if err := json.Unmarshal(r.body, &out); err != nil {
		return nil, r.malformed("async action", err)
	}
	if !asyncActionIDPattern.MatchString(out.ID) {
		return nil, r.malformed("async action", decodeErrorf("id is not a UUID"))
	}
	if out.StatusURL == "" {
		return nil, r.malformed("async action", errMissing("statusUrl"))
	}
	return &out, nil
}

// asyncActionIDPattern is Nango's check of a run's id (zod's uuid()).
var asyncActionIDPattern = regexp.MustCompile(`^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff)$`)

// GetAsyncActionResult reads the result of a run TriggerActionAsync queued
// (Node: getAsyncActionResult). id is the run's ID, or its StatusURL
// ("/action/<id>"). The three answers:
//
//   - done: the output, as TriggerAction returns it;
//   - failed (after the retries ActionMaxRetries asked for): an
//     *ActionError, as TriggerAction returns it;
//   - no result: an error matching ErrNoActionResult (and ErrNotFound).
//     Nango gives it while the run is queued or running and for an id it
//     does not know alike; see ErrNoActionResult.
//
// An id that is not a UUID is ErrInvalidArgument, before anything is sent.
// Reading a result has no side effect: failures of the request itself are
// retried as any read's.
func (c *Client) GetAsyncActionResult(ctx context.Context, id string, opts ...RequestOption) (json.RawMessage, error) {
	id = strings.TrimPrefix(id, "/action/")
	if !asyncActionIDPattern.MatchString(id) {
		return nil, invalidArgument("async action id %q is not a UUID", id)
	}
	r, err := c.do(ctx, &call{method: http.MethodGet, op: opGetAsyncActionResult, maxBody: c.maxListBody, idempotent: true,
		url: c.server + "action/" + id, req: requestConfigOf(opts)})
	if err != nil {
		if apiErr, ok := err.(*APIError); ok && apiErr.StatusCode == http.StatusNotFound && apiErr.Code == "not_found" {
			// A copy: merged reads share the error.
			cp := *apiErr
			cp.also = append(slices.Clip(apiErr.also), ErrNoActionResult)
			return nil, &cp
		}
		return nil, asActionError(err, "", id)
	}
	return actionOutput(r)
}

// GetAsyncActionResultAs is GetAsyncActionResult decoding the output into
// Out (Node: getAsyncActionResult<Out>).
func GetAsyncActionResultAs[Out any](ctx context.Context, c *Client, id string, opts ...RequestOption) (Out, error) {
	raw, err := c.GetAsyncActionResult(ctx, id, opts...)
	if err != nil {
		var zero Out
		return zero, err
	}
	return decodeActionOutput[Out](opGetAsyncActionResult, raw)
}

// WaitForActionResult reads the result of a run TriggerActionAsync queued
// until there is one, and returns it as GetAsyncActionResult does: the
// output, or the *ActionError of a failed run. While Nango has no result
// (ErrNoActionResult), or cannot answer for a moment (ErrUnavailable,
// ErrRateLimited, after the client's own retries), it waits with jittered,
// growing pauses (PollInterval; defaults 500ms, then up to 5s) and asks again, until ctx ends: then
// the error matches ctx's error and the last answer's (ErrNoActionResult
// for a run still going). Give ctx a deadline: an id Nango does not know
// looks like a run that is still going, forever. Any other error (a failed
// action, ErrUnauthorized, a malformed id) is returned at once.
func (c *Client) WaitForActionResult(ctx context.Context, id string, opts ...WaitOption) (json.RawMessage, error) {
	w, err := waitParamsOf(defaultActionPollFirst, defaultActionPollMax, opts)
	if err != nil {
		return nil, err
	}
	if ctx == nil {
		return nil, invalidArgument("nil context")
	}
	for attempt := 1; ; attempt++ {
		out, err := c.GetAsyncActionResult(ctx, id, w.reqOpts...)
		if err == nil {
			return out, nil
		}
		if !errors.Is(err, ErrNoActionResult) && !errors.Is(err, ErrUnavailable) && !errors.Is(err, ErrRateLimited) {
			return nil, err
		}
		if ctx.Err() != nil {
			return nil, errors.Join(ctx.Err(), err)
		}
		wait := w.pollWait(attempt)
		var apiErr *APIError
		if errors.As(err, &apiErr) && apiErr.RetryAfter > wait {
			wait = apiErr.RetryAfter
		}
		if serr := c.sleep(ctx, wait); serr != nil {
			return nil, errors.Join(serr, err)
		}
	}
}

// WaitForActionResultAs is WaitForActionResult decoding the output into
// Out.
func WaitForActionResultAs[Out any](ctx context.Context, c *Client, id string, opts ...WaitOption) (Out, error) {
	raw, err := c.WaitForActionResult(ctx, id, opts...)
	if err != nil {
		var zero Out
		return zero, err
	}
	return decodeActionOutput[Out](opGetAsyncActionResult, raw)
}

// actionOutput is the output of a 200: its body as is. An empty body (what
// express sends for an undefined value) reads as null.
func actionOutput(r reply) (json.RawMessage, error) {
	if len(bytes.TrimSpace(r.body)) == 0 {
		return json.RawMessage("null"), nil
	}
	if !json.Valid(r.body) {
		var v any
		return nil, r.malformed("action output", json.Unmarshal(r.body, &v))
	}
	return json.RawMessage(r.body), nil
}

func decodeActionOutput[Out any](op string, raw json.RawMessage) (Out, error) {
	var out Out
	if err := json.Unmarshal(raw, &out); err != nil {
		var zero Out
		return zero, &UnexpectedResponseError{Operation: op, StatusCode: http.StatusOK,
			Reason: fmt.Sprintf("the action's output does not fit %T", out), Err: safeDecodeError(err)}
	}
	return out, nil
}
