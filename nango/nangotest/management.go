package nangotest

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nango-go/sdk/gen"
	"github.com/nango-go/sdk/nango"
)

// The management side of the fake: the environment's variables, the
// integrations' writes, the deployed functions and what is built from
// them (GET /scripts/config), and the provider templates.

// managementState is what the management routes keep, under Fake.mu.
type managementState struct {
	envVars []envVar
	// functions are the deployed functions, by provider config key.
	functions map[string][]*deployedFunction
	// seq numbers the deployed functions.
	seq int64
}

type envVar struct{ name, value string }

// SetEnvironmentVariable sets a variable of the environment, as the Nango
// dashboard does; GET /environment-variables lists the variables in the
// order they were first set. An empty name panics: Nango has none.
func (f *Fake) SetEnvironmentVariable(name, value string) {
	if name == "" {
		panic("nangotest: SetEnvironmentVariable: empty name")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.mgmt.envVars {
		if f.mgmt.envVars[i].name == name {
			f.mgmt.envVars[i].value = value
			return
		}
	}
	f.mgmt.envVars = append(f.mgmt.envVars, envVar{name, value})
}

// Function is a function deployed to the fake, as `nango deploy` deploys
// it: a sync, an action or an on-event script of an integration.
type Function struct {
	// Name is the function's name: letters, digits, _ and -.
	Name string
	// Type is nango.FunctionTypeSync, nango.FunctionTypeAction or
	// nango.FunctionTypeOnEvent.
	Type nango.FunctionType
	// Description says what it does.
	Description string
	// Scopes are the OAuth scopes it needs.
	Scopes []string
	// Input is the model of its input (an action's input, a sync's
	// metadata); Returns the models it returns.
	Input   string
	Returns []string
	// JSONSchema is the JSON Schema of its models, under "definitions"
	// (null when nil).
	JSONSchema json.RawMessage
	// Runs is a sync's frequency, such as "every day"; AutoStart and
	// TrackDeletes are a sync's settings.
	Runs         string
	AutoStart    bool
	TrackDeletes bool
	// Event is an on-event script's event, such as
	// "post-connection-creation".
	Event string
	// Source is where it was deployed from: "repo" (the default, deployed
	// with `nango deploy`, which Nango refuses to delete through its API),
	// "catalog" or "standalone".
	Source string
	// Version is the version deployed (default "1.0.0").
	Version string
	// Endpoints are its endpoints (default: GET /<name> for a sync, POST
	// /<name> for an action).
	Endpoints []nango.ScriptEndpoint
	// Code is the TypeScript source GET …/functions/{name}/code returns;
	// without it, that answers 404 as a server without the file does.
	Code string
}

// deployedFunction is a Function as the fake keeps it.
type deployedFunction struct {
	Function
	id       int64
	deployed time.Time
}

// DeployFunction deploys fn for the integration providerConfigKey (declared
// if it was not, as Put does): GET /integrations/{uniqueKey}/functions lists
// it, …/functions/{name} and …/code read it, and a sync or an action joins
// GET /scripts/config. A function of the same name and type is replaced,
// with a new id.
//
// A sync is deployed as PutSync deploys one, writing the models of its
// Returns, at the frequency of its Runs when Nango's scheduler takes it
// (else "every day"): the sync routes and GET /records know it. An action
// has no code the fake can run: until HandleAction gives it a function,
// POST /action/trigger answers as for an action Nango does not have.
// Deleting the function (DELETE …/functions/{name}, for a function whose
// Source is not "repo") undeploys the sync, with its records, or the
// action, as Nango does.
func (f *Fake) DeployFunction(providerConfigKey string, fn Function) error {
	switch {
	case providerConfigKey == "":
		return errors.New("nangotest: DeployFunction: empty provider config key")
	case fn.Name == "" || len(fn.Name) > 255 || !functionNamePattern.MatchString(fn.Name):
		return fmt.Errorf("nangotest: DeployFunction: function name %q: want letters, digits, _ and -", fn.Name)
	case !fn.Type.Valid():
		return fmt.Errorf("nangotest: DeployFunction: type %q: want sync, action or on-event", fn.Type)
	case fn.Type == nango.FunctionTypeOnEvent && fn.Event == "":
		return errors.New("nangotest: DeployFunction: an on-event script needs its Event")
	case len(fn.JSONSchema) > 0 && !json.Valid(fn.JSONSchema):
		return errors.New("nangotest: DeployFunction: JSONSchema is not JSON")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.registerFunctionLocked(providerConfigKey, fn.Name, string(fn.Type), fn)
	if fn.Type == nango.FunctionTypeSync {
		f.deploySyncLocked(providerConfigKey, fn.Name, fn.Returns, fn.Runs)
	}
	return nil
}

// registerFunctionLocked deploys a function of kind ("sync", "action",
// "on-event") named name for an integration, declaring the integration if
// it is unknown; fn gives the rest (its Name and Type are overwritten). The
// fake's PutSync and HandleAction call it too, so that what they deploy is
// listed as Nango lists it. f.mu is held.
func (f *Fake) registerFunctionLocked(providerConfigKey, name, kind string, fn Function) *deployedFunction {
	fn.Name, fn.Type = name, nango.FunctionType(kind)
	fn.Scopes, fn.Returns, fn.Endpoints = slices.Clone(fn.Scopes), slices.Clone(fn.Returns), slices.Clone(fn.Endpoints)
	fn.JSONSchema = bytes.Clone(fn.JSONSchema)
	now := f.clock().UTC()
	if f.integrations[providerConfigKey] == nil {
		f.integrations[providerConfigKey] = &integration{provider: providerConfigKey, created: now}
	}
	if f.mgmt.functions == nil {
		f.mgmt.functions = map[string][]*deployedFunction{}
	}
	list := slices.DeleteFunc(f.mgmt.functions[providerConfigKey], func(d *deployedFunction) bool {
		return d.Name == name && string(d.Type) == kind
	})
	f.mgmt.seq++
	d := &deployedFunction{Function: fn, id: f.mgmt.seq, deployed: now}
	f.mgmt.functions[providerConfigKey] = append(list, d)
	return d
}

// functionsLocked lists an integration's functions as Nango's listing
// orders them: by type, then name, then event, then id.
func (f *Fake) functionsLocked(providerConfigKey string) []*deployedFunction {
	out := slices.Clone(f.mgmt.functions[providerConfigKey])
	slices.SortFunc(out, func(a, b *deployedFunction) int {
		return cmp.Or(cmp.Compare(a.Type, b.Type), cmp.Compare(a.Name, b.Name), cmp.Compare(a.Event, b.Event), cmp.Compare(a.id, b.id))
	})
	return out
}

var (
	functionNamePattern = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)
	scopesPattern       = regexp.MustCompile(`^$|^[0-9a-zA-Z:/_.*-]+(,[0-9a-zA-Z:/_.*-]+)*$`)
)

// ---- environment variables and scripts config

func (f *Fake) getEnvironmentVariables(w http.ResponseWriter, r *http.Request, _ string, body []byte) {
	if !requireEmptyQuery(w, r) || !requireEmptyBody(w, body) {
		return
	}
	f.mu.Lock()
	out := make([]gen.EnvironmentVariable, len(f.mgmt.envVars))
	for i, v := range f.mgmt.envVars {
		out[i] = gen.EnvironmentVariable{Name: v.name, Value: v.value}
	}
	f.mu.Unlock()
	writeJSON(w, 200, out)
}

// requireEmptyBody refuses a body with properties, as the server's empty
// body schema does (a GET without one parses as {}).
func requireEmptyBody(w http.ResponseWriter, body []byte) bool {
	if len(bytes.TrimSpace(body)) == 0 {
		return true
	}
	var z zod
	if obj := z.object(body, true, nil); obj != nil {
		z.strict(obj, nil, nil)
	}
	if z.issues != nil {
		writeError(w, 400, "invalid_body", "", z.issues)
		return false
	}
	return true
}

// wireScriptConfig is a script of GET /scripts/config as the server writes
// it: the sync settings only on syncs, "input" only when set.
type wireScriptConfig struct {
	ID                   int64            `json:"id"`
	Name                 string           `json:"name"`
	Type                 string           `json:"type"`
	Returns              []string         `json:"returns"`
	Description          string           `json:"description"`
	Attributes           map[string]any   `json:"attributes"`
	Scopes               []string         `json:"scopes"`
	Version              string           `json:"version"`
	Source               string           `json:"source"`
	Endpoints            []wireEndpoint   `json:"endpoints"`
	Input                string           `json:"input,omitempty"`
	Enabled              bool             `json:"enabled"`
	LastDeployed         string           `json:"last_deployed"`
	WebhookSubscriptions []string         `json:"webhookSubscriptions"`
	JSONSchema           json.RawMessage  `json:"json_schema"`
	SDKVersion           string           `json:"sdk_version"`
	Models               []map[string]any `json:"models"`
	Features             []string         `json:"features"`
	SyncType             string           `json:"sync_type,omitempty"`
	AutoStart            *bool            `json:"auto_start,omitempty"`
	Runs                 json.RawMessage  `json:"runs,omitempty"`
	TrackDeletes         *bool            `json:"track_deletes,omitempty"`
}

type wireEndpoint struct {
	Method string  `json:"method"`
	Path   string  `json:"path"`
	Group  *string `json:"group"`
}

type wireIntegrationScripts struct {
	Actions           []wireScriptConfig `json:"actions"`
	ProviderConfigKey string             `json:"providerConfigKey"`
	Provider          string             `json:"provider"`
	Syncs             []wireScriptConfig `json:"syncs"`
	OnEvents          []wireScriptConfig `json:"on-events"`
}

// fakeSDKVersion is the sdk_version of the fake's scripts.
const fakeSDKVersion = "nangotest"

func jsonOrNull(b json.RawMessage) json.RawMessage {
	if len(bytes.TrimSpace(b)) == 0 {
		return json.RawMessage("null")
	}
	return b
}

func (d *deployedFunction) endpoints() []wireEndpoint {
	out := []wireEndpoint{}
	for _, e := range d.Endpoints {
		we := wireEndpoint{Method: e.Method, Path: e.Path}
		if e.Group != "" {
			g := e.Group
			we.Group = &g
		}
		out = append(out, we)
	}
	if len(out) == 0 {
		method := http.MethodPost
		if d.Type == nango.FunctionTypeSync {
			method = http.MethodGet
		}
		out = append(out, wireEndpoint{Method: method, Path: "/" + d.Name})
	}
	return out
}

// models lists the function's models as older deploys did: the names of
// its JSON Schema's definitions, in their order, else its input and
// returns.
func (d *deployedFunction) models() []map[string]any {
	var names []string
	var schema struct {
		Definitions json.RawMessage `json:"definitions"`
	}
	if json.Unmarshal(d.JSONSchema, &schema) == nil && len(schema.Definitions) > 0 {
		dec := json.NewDecoder(bytes.NewReader(schema.Definitions))
		if t, err := dec.Token(); err == nil && t == json.Delim('{') {
			for dec.More() {
				key, err := dec.Token()
				if err != nil {
					break
				}
				names = append(names, fmt.Sprint(key))
				var skip json.RawMessage
				if dec.Decode(&skip) != nil {
					break
				}
			}
		}
	} else {
		if d.Input != "" {
			names = append(names, d.Input)
		}
		names = append(names, d.Returns...)
	}
	out := []map[string]any{}
	for _, n := range names {
		out = append(out, map[string]any{"name": n, "fields": []any{}})
	}
	return out
}

func orEmptyStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (d *deployedFunction) scriptConfig() wireScriptConfig {
	version := d.Version
	if version == "" {
		version = "1.0.0"
	}
	c := wireScriptConfig{ID: d.id, Name: d.Name, Type: string(d.Type), Returns: orEmptyStrings(d.Returns), Description: d.Description,
		Attributes: map[string]any{}, Scopes: orEmptyStrings(d.Scopes), Version: version, Source: d.sourceOf(), Endpoints: d.endpoints(),
		Input: d.Input, Enabled: true, LastDeployed: formatTime(d.deployed, true), WebhookSubscriptions: []string{},
		JSONSchema: jsonOrNull(d.JSONSchema), SDKVersion: fakeSDKVersion, Models: d.models(), Features: []string{}}
	if d.Type == nango.FunctionTypeSync {
		c.SyncType = "full"
		c.AutoStart, c.TrackDeletes = &d.AutoStart, &d.TrackDeletes
		c.Runs = runsJSON(d.Runs)
	}
	return c
}

func runsJSON(runs string) json.RawMessage {
	if runs == "" {
		return json.RawMessage("null")
	}
	b, _ := json.Marshal(runs)
	return b
}

func (d *deployedFunction) sourceOf() string {
	if d.Source == "" {
		return "repo"
	}
	return d.Source
}

// scriptsConfigLocked builds GET /scripts/config's default answer as Nango
// does: the syncs and actions of every integration, by name, grouped by
// provider (two integrations of one provider share the entry of the first
// one met), in the order the groups are first met.
func (f *Fake) scriptsConfigLocked() []wireIntegrationScripts {
	type entry struct {
		key string
		d   *deployedFunction
	}
	var all []entry
	for key, list := range f.mgmt.functions {
		for _, d := range list {
			if d.Type == nango.FunctionTypeSync || d.Type == nango.FunctionTypeAction {
				all = append(all, entry{key, d})
			}
		}
	}
	slices.SortFunc(all, func(a, b entry) int {
		return cmp.Or(cmp.Compare(a.d.Name, b.d.Name), cmp.Compare(a.d.id, b.d.id))
	})
	var out []wireIntegrationScripts
	byProvider := map[string]int{}
	for _, e := range all {
		provider := e.key
		if in := f.integrations[e.key]; in != nil {
			provider = in.provider
		}
		i, ok := byProvider[provider]
		if !ok {
			i = len(out)
			byProvider[provider] = i
			out = append(out, wireIntegrationScripts{Actions: []wireScriptConfig{}, ProviderConfigKey: e.key, Provider: provider,
				Syncs: []wireScriptConfig{}, OnEvents: []wireScriptConfig{}})
		}
		if e.d.Type == nango.FunctionTypeSync {
			out[i].Syncs = append(out[i].Syncs, e.d.scriptConfig())
		} else {
			out[i].Actions = append(out[i].Actions, e.d.scriptConfig())
		}
	}
	return out
}

// getScriptsConfig is GET /scripts/config. The server checks nothing of
// the query: any format but openai answers as nango.
func (f *Fake) getScriptsConfig(w http.ResponseWriter, r *http.Request, _ string, _ []byte) {
	f.mu.Lock()
	configs := f.scriptsConfigLocked()
	f.mu.Unlock()
	if len(configs) == 0 {
		writeJSON(w, 200, []any{})
		return
	}
	if r.URL.Query().Get("format") == "openai" {
		writeJSON(w, 200, struct {
			Data []gen.OpenAIFunction `json:"data"`
		}{openAIFunctions(configs)})
		return
	}
	writeJSON(w, 200, configs)
}

// openAIFunctions turns the scripts into OpenAI function definitions as
// Nango does: a sync takes no parameters; an action's are the properties
// of its input model, described by the "- name: description" lines of its
// description.
func openAIFunctions(configs []wireIntegrationScripts) []gen.OpenAIFunction {
	out := []gen.OpenAIFunction{}
	for _, c := range configs {
		for _, s := range c.Syncs {
			desc := s.Description
			if desc == "" {
				desc = fmt.Sprintf("Execute the %s sync for %s", s.Name, c.Provider)
			}
			out = append(out, gen.OpenAIFunction{Name: s.Name, Description: desc,
				Parameters: gen.OpenAIFunctionParameters{Type: "object", Properties: map[string]any{}, Required: []string{}}})
		}
		for _, a := range c.Actions {
			params := gen.OpenAIFunctionParameters{Type: "object", Properties: map[string]any{}, Required: []string{}}
			var schema struct {
				Definitions map[string]struct {
					Properties map[string]any `json:"properties"`
					Required   []string       `json:"required"`
				} `json:"definitions"`
			}
			if a.Input != "" && json.Unmarshal(a.JSONSchema, &schema) == nil {
				if def, ok := schema.Definitions[a.Input]; ok {
					for k, v := range def.Properties {
						params.Properties[k] = v
					}
					if def.Required != nil {
						params.Required = def.Required
					}
				}
			}
			for _, line := range strings.Split(a.Description, "\n") {
				content, ok := strings.CutPrefix(strings.TrimSpace(line), "-")
				if !ok {
					continue
				}
				name, desc, ok := strings.Cut(strings.TrimSpace(content), ":")
				if prop, found := params.Properties[strings.TrimSpace(name)].(map[string]any); ok && found {
					prop = maps.Clone(prop)
					prop["description"] = strings.TrimSpace(desc)
					params.Properties[strings.TrimSpace(name)] = prop
				}
			}
			desc := a.Description
			if desc == "" {
				desc = fmt.Sprintf("Execute the %s action for %s", a.Name, c.Provider)
			}
			out = append(out, gen.OpenAIFunction{Name: a.Name, Description: desc, Parameters: params})
		}
	}
	return out
}

// ---- functions

// wireFunction is a deployed function as GET …/functions writes it: the
// fields of its kind only.
type wireFunction struct {
	Name         string          `json:"name"`
	Description  string          `json:"description,omitempty"`
	Scopes       []string        `json:"scopes"`
	Type         string          `json:"type"`
	Input        string          `json:"input,omitempty"`
	Returns      []string        `json:"returns,omitempty"`
	JSONSchema   json.RawMessage `json:"json_schema,omitempty"`
	Runs         json.RawMessage `json:"runs,omitempty"`
	AutoStart    *bool           `json:"auto_start,omitempty"`
	TrackDeletes *bool           `json:"track_deletes,omitempty"`
	Event        string          `json:"event,omitempty"`
	ID           int64           `json:"id"`
	Enabled      bool            `json:"enabled"`
	LastDeployed string          `json:"last_deployed"`
	Source       string          `json:"source"`
}

func (d *deployedFunction) wire() wireFunction {
	w := wireFunction{Name: d.Name, Description: d.Description, Scopes: orEmptyStrings(d.Scopes), Type: string(d.Type), Input: d.Input,
		ID: d.id, Enabled: true, LastDeployed: formatTime(d.deployed, true), Source: d.sourceOf()}
	switch d.Type {
	case nango.FunctionTypeOnEvent:
		w.Input, w.Event = "", d.Event
	case nango.FunctionTypeSync:
		w.Runs = runsJSON(d.Runs)
		w.AutoStart, w.TrackDeletes = &d.AutoStart, &d.TrackDeletes
		fallthrough
	default:
		w.Returns = orEmptyStrings(d.Returns)
		w.JSONSchema = jsonOrNull(d.JSONSchema)
	}
	return w
}

// maxSafeInteger is JavaScript's Number.MAX_SAFE_INTEGER.
const maxSafeInteger = 1<<53 - 1

// functionQuery checks the query of the function routes as their zod
// schemas do; list is the list route's (search, page, limit), required
// that type is needed (and only sync or action, as for a delete).
func functionQuery(w http.ResponseWriter, r *http.Request, list, required bool) (kind string, search string, page, limit int, ok bool) {
	var z zod
	q := r.URL.Query()
	page, limit = 0, 20
	allowed := []string{"type"}
	kinds := []string{"sync", "action", "on-event"}
	if required {
		kinds = []string{"sync", "action"}
	}
	quoted := make([]string, len(kinds))
	for i, k := range kinds {
		quoted[i] = strconv.Quote(k)
	}
	switch vs, has := q["type"]; {
	case !has && required, has && !slices.Contains(kinds, vs[len(vs)-1]):
		z.add("invalid_value", "Invalid option: expected one of "+strings.Join(quoted, "|"), []any{"type"})
	case has:
		kind = vs[len(vs)-1]
	}
	if list {
		allowed = append(allowed, "search", "page", "limit")
		if vs, has := q["search"]; has {
			search = strings.TrimSpace(vs[len(vs)-1])
			switch n := len([]rune(search)); {
			case n < 1:
				z.add("too_small", "Too small: expected string to have >=1 characters", []any{"search"})
			case n > 255:
				z.add("too_big", "Too big: expected string to have <=255 characters", []any{"search"})
			}
		}
		number := func(name string, minV, maxV int, into *int) {
			vs, has := q[name]
			if !has {
				return
			}
			n, err := strconv.ParseFloat(strings.TrimSpace(vs[len(vs)-1]), 64)
			switch {
			case err != nil:
				z.add("invalid_type", "Invalid input: expected number, received NaN", []any{name})
			case n != float64(int(n)):
				z.add("invalid_type", "Invalid input: expected int, received number", []any{name})
			case n < float64(minV):
				z.add("too_small", fmt.Sprintf("Too small: expected number to be >=%d", minV), []any{name})
			case n > maxSafeInteger:
				// zod's int() takes safe integers only.
				z.add("too_big", fmt.Sprintf("Too big: expected int to be <=%d", maxSafeInteger), []any{name})
			case maxV > 0 && n > float64(maxV):
				z.add("too_big", fmt.Sprintf("Too big: expected number to be <=%d", maxV), []any{name})
			default:
				*into = int(n)
			}
		}
		number("page", 0, 0, &page)
		number("limit", 1, 100, &limit)
	}
	var unknown []string
	for k := range q {
		if !slices.Contains(allowed, k) {
			unknown = append(unknown, k)
		}
	}
	if unknown != nil {
		is := unrecognizedKeys(unknown)
		z.add(is.Code, is.Message, nil)
	}
	if z.issues != nil {
		writeError(w, 400, "invalid_query_params", "", z.issues)
		return "", "", 0, 0, false
	}
	return kind, search, page, limit, true
}

// The routes of the functions, for functionParams.
const (
	functionsRoute    = "/integrations/{uniqueKey}/functions"
	functionRoute     = functionsRoute + "/{name}"
	functionCodeRoute = functionRoute + "/code"
)

// functionParams reads and checks the {uniqueKey} and {name} of tmpl.
func functionParams(w http.ResponseWriter, r *http.Request, tmpl string) (key, name string, ok bool) {
	withName := tmpl != functionsRoute
	params, _ := pathParams(tmpl, r.URL.EscapedPath())
	var issues []gen.ValidationIssue
	if len(params) > 0 {
		key = params[0]
		if len(key) > 255 || !configKeyPattern.MatchString(key) {
			issues = append(issues, issue("invalid_format", "Invalid string: must match pattern /^[a-zA-Z0-9~:.@ _-]+$/", "uniqueKey"))
		}
	}
	if withName && len(params) > 1 {
		name = params[1]
		if len(name) > 255 {
			issues = append(issues, issue("too_big", "Too big: expected string to have <=255 characters", "name"))
		} else if !functionNamePattern.MatchString(name) {
			issues = append(issues, issue("invalid_format", "Invalid string: must match pattern /^[a-zA-Z0-9_-]+$/", "name"))
		}
	}
	if issues != nil {
		writeError(w, 400, "invalid_uri_params", "", issues)
		return "", "", false
	}
	return key, name, true
}

func (f *Fake) listFunctions(w http.ResponseWriter, r *http.Request, _ string, _ []byte) {
	kind, search, page, limit, ok := functionQuery(w, r, true, false)
	if !ok {
		return
	}
	key, _, ok := functionParams(w, r, functionsRoute)
	if !ok {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.integrations[key] == nil {
		writeError(w, 404, "not_found", "Integration does not exist", nil)
		return
	}
	var match []wireFunction
	for _, d := range f.functionsLocked(key) {
		if (kind == "" || string(d.Type) == kind) && strings.Contains(strings.ToLower(d.Name), strings.ToLower(search)) {
			match = append(match, d.wire())
		}
	}
	type pagination struct {
		Total int `json:"total"`
		Page  int `json:"page"`
		Limit int `json:"limit"`
	}
	out := struct {
		Data       []wireFunction `json:"data"`
		Pagination pagination     `json:"pagination"`
	}{Data: []wireFunction{}, Pagination: pagination{Total: len(match), Page: page, Limit: limit}}
	if page < len(match) && page*limit < len(match) {
		start := page * limit
		out.Data = match[start:min(start+limit, len(match))]
	}
	writeJSON(w, 200, out)
}

// oneFunctionLocked finds the function that GET and DELETE
// /integrations/{uniqueKey}/functions/{name} read, or answers their 404
// (an unknown integration or function) and returns nil.
func (f *Fake) oneFunctionLocked(w http.ResponseWriter, key, name, kind string) *deployedFunction {
	if f.integrations[key] == nil {
		writeError(w, 404, "not_found", "Integration does not exist", nil)
		return nil
	}
	d := f.findFunctionLocked(key, name, kind)
	if d == nil {
		writeError(w, 404, "not_found", "Function does not exist", nil)
	}
	return d
}

// findFunctionLocked is the first function of the listing with this name
// (and kind, when given).
func (f *Fake) findFunctionLocked(key, name, kind string) *deployedFunction {
	for _, d := range f.functionsLocked(key) {
		if d.Name == name && (kind == "" || string(d.Type) == kind) {
			return d
		}
	}
	return nil
}

func (f *Fake) getFunction(w http.ResponseWriter, r *http.Request, _ string, _ []byte) {
	kind, _, _, _, ok := functionQuery(w, r, false, false)
	if !ok {
		return
	}
	key, name, ok := functionParams(w, r, functionRoute)
	if !ok {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	d := f.oneFunctionLocked(w, key, name, kind)
	if d == nil {
		return
	}
	writeJSON(w, 200, struct {
		Data wireFunction `json:"data"`
	}{d.wire()})
}

func (f *Fake) getFunctionCode(w http.ResponseWriter, r *http.Request, _ string, _ []byte) {
	// This route checks its path before its query.
	key, name, ok := functionParams(w, r, functionCodeRoute)
	if !ok {
		return
	}
	kind, _, _, _, ok := functionQuery(w, r, false, false)
	if !ok {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.integrations[key] == nil {
		writeError(w, 404, "not_found", fmt.Sprintf("Integration '%s' not found", key), nil)
		return
	}
	var matches []*deployedFunction
	for _, d := range f.functionsLocked(key) {
		if d.Name == name && (kind == "" || string(d.Type) == kind) {
			matches = append(matches, d)
		}
	}
	switch len(matches) {
	case 0:
		writeError(w, 404, "not_found", fmt.Sprintf("Function '%s' not found for integration '%s'", name, key), nil)
		return
	case 1:
	default:
		type match struct {
			Type string `json:"type"`
			Name string `json:"name"`
		}
		var payload struct {
			Matches []match `json:"matches"`
		}
		for _, d := range matches {
			payload.Matches = append(payload.Matches, match{string(d.Type), d.Name})
		}
		b, _ := json.Marshal(payload)
		writeErrorDetail(w, 409, gen.ErrorDetail{Code: "ambiguous_function", Payload: b,
			Message: fmt.Sprintf("Multiple functions named '%s' found for integration '%s'. Specify a type to disambiguate.", name, key)})
		return
	}
	d := matches[0]
	if d.Code == "" {
		writeError(w, 404, "not_found", fmt.Sprintf("Source file for '%s' not found", name), nil)
		return
	}
	writeJSON(w, 200, gen.FunctionCode{Type: d.Type, Code: d.Code})
}

func (f *Fake) deleteFunction(w http.ResponseWriter, r *http.Request, _ string, _ []byte) {
	kind, _, _, _, ok := functionQuery(w, r, false, true)
	if !ok {
		return
	}
	key, name, ok := functionParams(w, r, functionRoute)
	if !ok {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	d := f.oneFunctionLocked(w, key, name, kind)
	if d == nil {
		return
	}
	if d.sourceOf() == "repo" {
		writeError(w, 400, "function_managed_by_deploy", "repo functions are deleted through `nango deploy`, not this endpoint", nil)
		return
	}
	f.mgmt.functions[key] = slices.DeleteFunc(f.mgmt.functions[key], func(x *deployedFunction) bool { return x == d })
	// Nango deletes the sync config, and with it the syncs of every
	// connection and their records, or the action (deleteSyncConfigData).
	switch d.Type {
	case nango.FunctionTypeSync:
		f.undeploySyncLocked(key, name)
	case nango.FunctionTypeAction:
		delete(f.actions.handlers[key], name)
	}
	writeJSON(w, 200, gen.FunctionDeletedResponse{Data: gen.Success{Success: true}})
}

// ---- provider templates

// getProviderTemplates is GET /providers/{provider}/templates. The fake has
// no catalog of templates: every provider has none, as on a self-hosted
// server without Nango's catalog.
func (f *Fake) getProviderTemplates(w http.ResponseWriter, r *http.Request, _ string, _ []byte) {
	if !requireEmptyQuery(w, r) {
		return
	}
	params, _ := pathParams("/providers/{provider}/templates", r.URL.EscapedPath())
	if len(params) == 0 || len(params[0]) > 255 || !functionNamePattern.MatchString(params[0]) {
		writeError(w, 400, "invalid_uri_params", "", []gen.ValidationIssue{issue("invalid_format", "Invalid string: must match pattern /^[a-zA-Z0-9_-]+$/", "provider")})
		return
	}
	writeJSON(w, 200, gen.FunctionTemplateList{Data: []gen.FunctionTemplate{}})
}
