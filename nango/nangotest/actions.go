package nangotest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/nango-go/sdk/gen"
	"github.com/nango-go/sdk/nango"
)

// actionFunc is what HandleAction runs for an action.
type actionFunc = func(ctx context.Context, connectionID string, input json.RawMessage) (any, error)

// actionState is a fake environment's actions: those HandleAction
// registered, by integration then name, and the runs queued with X-Async.
// Its maps are guarded by the Fake's mu.
type actionState struct {
	handlers map[string]map[string]actionFunc
	runs     map[string]*actionRun
	// ctx ends the async runs when the server closes; bg counts them.
	ctx     context.Context
	cancel  context.CancelFunc
	stopped bool
	bg      sync.WaitGroup
}

// actionRun is an async run: pending until done, then the answer GET
// /action/{id} gives.
type actionRun struct {
	done   bool
	status int
	body   []byte
}

// HandleAction deploys an action on an integration of the fake: POST
// /action/trigger with that integration and action name runs fn with the
// connection's id and the action's input, as Nango's runner would run the
// action's script. Nango hands a falsy input (absent, null, false, 0, "")
// to the script as null; so does the fake.
//
// fn's result is the action's output, encoded with encoding/json (a
// json.RawMessage as is). An error fails the action as Nango does: an
// *ActionError (or an error wrapping one) as an action that throws Nango's
// ActionError, a 500 action_script_runtime_error carrying its Payload; any
// other error as a script that throws, a 500 script_internal_error whose
// payload holds the error's message. A panic in fn is a failure too.
//
// Synchronous runs answer with fn's result; fn gets the request's context.
// Asynchronous runs (X-Async: true) answer 202 at once and run fn in the
// background: GET /action/{id} answers 404 while it runs, then its result;
// after a failure fn runs again as many times as X-Max-Retries says. When
// the run is over, the fake sends the async_action webhook to its webhook
// URL (WithWebhookURL), as Nango does. An async fn gets a context that ends
// when the server closes (Close waits for the runs): it should return then.
//
// The action is a deployed function of the integration (declared if it
// was not): GET /integrations/{uniqueKey}/functions and GET /scripts/config
// list it, with what DeployFunction said of it, if anything.
//
// A nil fn removes the action, and its function. An action that is not
// registered answers as one Nango does not have deployed: 404 not_found
// "Action not found". The connection must exist (Put), else 400
// unknown_connection.
func (f *Fake) HandleAction(providerConfigKey, action string, fn func(ctx context.Context, connectionID string, input json.RawMessage) (any, error)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a := &f.actions
	kind := string(nango.FunctionTypeAction)
	if fn == nil {
		delete(a.handlers[providerConfigKey], action)
		f.unregisterFunctionLocked(providerConfigKey, action, kind)
		return
	}
	if f.findFunctionLocked(providerConfigKey, action, kind) == nil {
		f.registerFunctionLocked(providerConfigKey, action, kind, Function{})
	}
	if a.handlers == nil {
		a.handlers = map[string]map[string]actionFunc{}
	}
	if a.handlers[providerConfigKey] == nil {
		a.handlers[providerConfigKey] = map[string]actionFunc{}
	}
	a.handlers[providerConfigKey][action] = fn
}

// actionNamesLocked lists the actions registered on an integration, sorted
// (the functions of the integration, with its syncs). f.mu is held.
func (f *Fake) actionNamesLocked(providerConfigKey string) []string {
	return slices.Sorted(maps.Keys(f.actions.handlers[providerConfigKey]))
}

// ActionError is an error for a HandleAction function to return to fail
// the way an action fails when its script throws Nango's ActionError: the
// fake answers 500 action_script_runtime_error with Payload as the error's
// payload, which the SDK returns as nango.ActionError.Payload.
//
//	return nil, &nangotest.ActionError{Payload: map[string]any{"code": "not_found", "message": "no such repo"}}
//
// An object (a map, a struct) is the payload as is, nil is {}, and any other
// value is wrapped as {"message": value}, as Nango wraps it.
type ActionError struct {
	Payload any
}

func (e *ActionError) Error() string {
	b, _ := json.Marshal(e.Payload)
	return "nangotest: action error " + string(b)
}

// Nango's own checks of the trigger's headers and body (zod schemas of
// postTriggerAction.ts), and of a run's id (zod's uuid()).
var (
	actionNamePattern    = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)
	asyncActionIDPattern = regexp.MustCompile(`^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff)$`)
	stringBoolTrue       = []string{"true", "1", "yes", "on", "y", "enabled"}
	stringBoolFalse      = []string{"false", "0", "no", "off", "n", "disabled"}
)

// headerString checks a required header against a pattern and a length, as
// zod does for the lower-cased header name.
func (z *zod) headerString(r *http.Request, name string, pattern *regexp.Regexp, source string) string {
	path := []any{strings.ToLower(name)}
	vs, ok := r.Header[http.CanonicalHeaderKey(name)]
	if !ok {
		z.add("invalid_type", "Invalid input: expected string, received undefined", path)
		return ""
	}
	v := strings.Join(vs, ", ")
	if !pattern.MatchString(v) {
		z.add("invalid_format", "Invalid string: must match pattern /"+source+"/", path)
	}
	if n := len([]rune(v)); n > 255 {
		z.add("too_big", "Too big: expected string to have <=255 characters", path)
	}
	return v
}

// triggerHeaders reads the trigger's headers: what the server takes, or
// the issues of its 400 invalid_headers.
func triggerHeaders(r *http.Request) (key, connID string, async bool, retries int, issues []gen.ValidationIssue) {
	var z zod
	key = z.headerString(r, "Provider-Config-Key", configKeyPattern, `^[a-zA-Z0-9~:.@ _-]+$`)
	connID = z.headerString(r, "Connection-Id", connectionIDPattern, `^[a-zA-Z0-9,.;:=+~[\]|@${}"'\\/_ -]+$`)
	if v, ok := r.Header["X-Async"]; ok {
		s := strings.ToLower(strings.Join(v, ", "))
		switch {
		case slices.Contains(stringBoolTrue, s):
			async = true
		case slices.Contains(stringBoolFalse, s):
		default:
			quoted := make([]string, 0, len(stringBoolTrue)+len(stringBoolFalse))
			for _, o := range slices.Concat(stringBoolTrue, stringBoolFalse) {
				quoted = append(quoted, strconv.Quote(o))
			}
			z.add("invalid_value", "Invalid option: expected one of "+strings.Join(quoted, "|"), []any{"x-async"})
		}
	}
	if v, ok := r.Header["X-Max-Retries"]; ok {
		// z.coerce.number(): Number(value), so "" is 0 and "2.0" is 2.
		s := strings.TrimSpace(strings.Join(v, ", "))
		n, err := strconv.ParseFloat(s, 64)
		if s == "" {
			n, err = 0, nil
		}
		switch {
		case err != nil || n != n:
			z.add("invalid_type", "Invalid input: expected number, received NaN", []any{"x-max-retries"})
		case n > 5:
			z.add("too_big", "Too big: expected number to be <=5", []any{"x-max-retries"})
		case n < 0:
			z.add("too_small", "Too small: expected number to be >=0", []any{"x-max-retries"})
		default:
			retries = int(n)
		}
	}
	return key, connID, async, retries, z.issues
}

// triggerAction is POST /action/trigger, checked in the server's order:
// headers, query, body, connection, action.
func (f *Fake) triggerAction(w http.ResponseWriter, r *http.Request, _ string, body []byte) {
	key, connID, async, retries, issues := triggerHeaders(r)
	if issues != nil {
		writeError(w, 400, "invalid_headers", "", issues)
		return
	}
	if q := queryKeys(r.URL.RawQuery); len(q) > 0 {
		writeError(w, 400, "invalid_query_params", "", []gen.ValidationIssue{unrecognizedKeys(q)})
		return
	}
	if !json.Valid(body) && len(strings.TrimSpace(string(body))) > 0 {
		writeError(w, 400, "invalid_json", "Unexpected end of JSON input", nil)
		return
	}
	var z zod
	var name string
	var input json.RawMessage
	if obj := z.object(body, true, nil); obj != nil {
		if s, ok := z.str(obj["action_name"], true, 0, 0, []any{"action_name"}); ok {
			name = s
			if !actionNamePattern.MatchString(s) {
				z.add("invalid_format", "Invalid string: must match pattern /^[a-zA-Z0-9_-]+$/", []any{"action_name"})
			}
			if len([]rune(s)) > 255 {
				z.add("too_big", "Too big: expected string to have <=255 characters", []any{"action_name"})
			}
		}
		// Other properties are stripped, as z.object does.
		input = obj["input"]
	}
	if z.issues != nil {
		writeError(w, 400, "invalid_body", "", z.issues)
		return
	}

	f.mu.Lock()
	_, known := f.conns[connKey{key, connID}]
	fn := f.actions.handlers[key][name]
	f.mu.Unlock()
	switch {
	case !known:
		writeError(w, 400, "unknown_connection", msgNoConnection, nil)
		return
	case fn == nil:
		writeError(w, 404, "not_found", "Action not found", nil)
		return
	}
	input = scriptInput(input)
	if !async {
		status, answer := runAction(r.Context(), fn, connID, input)
		writeAnswer(w, status, answer)
		return
	}
	id := newUUID()
	f.mu.Lock()
	a := &f.actions
	if a.stopped {
		f.mu.Unlock()
		writeError(w, 503, "server_error", "nangotest: the server is closing", nil)
		return
	}
	if a.ctx == nil {
		a.ctx, a.cancel = context.WithCancel(context.Background())
	}
	if a.runs == nil {
		a.runs = map[string]*actionRun{}
	}
	a.runs[id] = &actionRun{}
	a.bg.Add(1)
	ctx := a.ctx
	f.mu.Unlock()
	go f.runAsync(ctx, fn, key, connID, id, input, retries)

	statusURL := "/action/" + id
	w.Header().Set("Location", statusURL)
	writeJSON(w, http.StatusAccepted, gen.AsyncActionResponse{ID: id, StatusURL: statusURL})
}

// queryKeys lists the keys of a query in order, once each.
func queryKeys(raw string) []string {
	var keys []string
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		k, _, _ := strings.Cut(part, "=")
		if u, err := url.QueryUnescape(k); err == nil {
			k = u
		}
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	return keys
}

// scriptInput is the input as Nango hands it to the script: a falsy value
// becomes null.
func scriptInput(raw json.RawMessage) json.RawMessage {
	switch s := strings.TrimSpace(string(raw)); s {
	case "", "null", "false", `""`:
		return json.RawMessage("null")
	default:
		if n, err := strconv.ParseFloat(s, 64); err == nil && n == 0 {
			return json.RawMessage("null")
		}
		return json.RawMessage(s)
	}
}

// runAsync runs an async action, with Nango's retries, keeps its answer for
// GET /action/{id} and sends the async_action webhook.
func (f *Fake) runAsync(ctx context.Context, fn actionFunc, key, connID, id string, input json.RawMessage, retries int) {
	defer f.actions.bg.Done()
	var status int
	var answer []byte
	for attempt := 0; attempt <= retries && ctx.Err() == nil; attempt++ {
		if status, answer = runAction(ctx, fn, connID, input); status == http.StatusOK {
			break
		}
	}
	f.mu.Lock()
	if run := f.actions.runs[id]; run != nil {
		run.done, run.status, run.body = true, status, answer
	}
	f.mu.Unlock()
	if ctx.Err() != nil {
		return // the server is closing
	}
	hook := nango.WebhookAsyncAction{Type: gen.WebhookAsyncActionTypeAsyncAction, From: "nango",
		ConnectionID: connID, ProviderConfigKey: key}
	hook.Payload.ID, hook.Payload.StatusURL = id, "/action/"+id
	if err := f.deliverWebhook(ctx, hook); err != nil && ctx.Err() == nil && f.report != nil {
		f.report(fmt.Errorf("async_action webhook of run %s: %w", id, err))
	}
}

// runAction runs fn once and returns Nango's answer to it.
func runAction(ctx context.Context, fn actionFunc, connID string, input json.RawMessage) (status int, answer []byte) {
	out, err := func() (out any, err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("panic: %v", p)
			}
		}()
		return fn(ctx, connID, input)
	}()
	if err != nil {
		return actionFailure(err)
	}
	b, err := json.Marshal(out)
	if err != nil {
		return actionFailure(fmt.Errorf("the action's output does not encode as JSON: %w", err))
	}
	return http.StatusOK, b
}

// actionFailure is Nango's answer to a failed run: the runner's error, as
// the server relays it.
func actionFailure(err error) (int, []byte) {
	d := gen.ErrorDetail{Code: "script_internal_error", Message: "An internal error occurred during the script execution"}
	var ae *ActionError
	if errors.As(err, &ae) {
		d.Code, d.Message = "action_script_runtime_error", "The action script failed with a runtime error"
		d.Payload = actionErrorPayload(ae.Payload)
	} else {
		d.Payload, _ = json.Marshal(map[string]string{"name": "Error", "message": err.Error()})
	}
	var e gen.Error
	_ = e.Error.FromErrorDetail(d)
	b, _ := json.Marshal(e)
	return http.StatusInternalServerError, b
}

// actionErrorPayload is an ActionError's payload as Nango's runner sends
// it: an object as is, nothing as {}, anything else as {"message": value}.
func actionErrorPayload(p any) json.RawMessage {
	b, err := json.Marshal(p)
	if err != nil {
		b, _ = json.Marshal(map[string]string{"message": fmt.Sprintf("nangotest: ActionError payload does not encode as JSON: %v", err)})
		return b
	}
	switch kind(b) {
	case "object":
		return b
	case "null":
		return json.RawMessage("{}")
	}
	wrapped, _ := json.Marshal(map[string]json.RawMessage{"message": b})
	return wrapped
}

func writeAnswer(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// getAsyncActionResult is GET /action/{id}: 404 until the run is over (and
// for an id the environment does not know), then its answer.
func (f *Fake) getAsyncActionResult(w http.ResponseWriter, _ *http.Request, id string, _ []byte) {
	if !asyncActionIDPattern.MatchString(id) {
		writeError(w, 400, "invalid_uri_params", "", []gen.ValidationIssue{issue("invalid_format", "Invalid UUID", "id")})
		return
	}
	f.mu.Lock()
	var run actionRun
	if r := f.actions.runs[id]; r != nil {
		run = *r
	}
	f.mu.Unlock()
	if !run.done {
		writeError(w, 404, "not_found", fmt.Sprintf("No action '%s' found", id), nil)
		return
	}
	writeAnswer(w, run.status, run.body)
}

// stopActions ends the async runs of the fake and its other environments
// and waits for them.
func (f *Fake) stopActions() {
	f.mu.Lock()
	fakes := append([]*Fake{f}, slices.Collect(maps.Values(f.envs))...)
	f.mu.Unlock()
	for _, env := range fakes {
		env.mu.Lock()
		env.actions.stopped = true
		if env.actions.cancel != nil {
			env.actions.cancel()
		}
		env.mu.Unlock()
		env.actions.bg.Wait()
	}
}
