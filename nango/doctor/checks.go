package doctor

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Route templates of the spec, per era. Checks whose operation the spec lacks
// are not run.
const (
	listRoute       = "/connections"
	getRoute        = "/connections/{connectionId}"
	legacyListRoute = "/connection"
	legacyGetRoute  = "/connection/{connectionId}"
)

// secretKeyScheme is the spec's security scheme of the secret key, the
// only credential the doctor holds.
const secretKeyScheme = "secretKey"

// doctorPrefix starts every connection id the doctor makes up.
const doctorPrefix = "nango-doctor-"

func (r *runner) routes() (list, get string) {
	if r.legacy {
		return legacyListRoute, legacyGetRoute
	}
	return listRoute, getRoute
}

// reads runs every read check. The first list decides the auth scheme and
// the route era the rest use.
func (r *runner) reads(ctx context.Context) {
	if !r.detectEra(ctx) {
		return
	}
	list, get := r.routes()
	op := r.operation(http.MethodGet, list)
	if op != nil && op.Parameters.GetByInAndName("query", "limit") != nil && op.Parameters.GetByInAndName("query", "page") != nil {
		for page := range 2 {
			r.do(ctx, probe{check: fmt.Sprintf("list, page %d of 1 item", page), method: http.MethodGet, route: list,
				query: url.Values{"limit": {"1"}, "page": {fmt.Sprint(page)}}})
		}
	}
	if r.operation(http.MethodGet, get) != nil {
		r.readConnections(ctx, get)
		r.unknowns(ctx, get)
	}
	r.malformedKey(ctx, list)
	r.remainingReads(ctx)
}

// detectEra lists connections, falling back to HTTP Basic on a 401 and to
// the /connection routes on a 404. It reports whether the key was accepted.
func (r *runner) detectEra(ctx context.Context) bool {
	res := r.do(ctx, probe{check: "list connections", method: http.MethodGet, route: listRoute})
	if res.status == http.StatusUnauthorized {
		r.basic = true
		basic := r.do(ctx, probe{check: "list connections, HTTP Basic", method: http.MethodGet, route: listRoute})
		if basic.status/100 != 2 && basic.status != http.StatusNotFound {
			r.basic = false
			r.rep.Auth = ""
			r.rep.Problems = append(r.rep.Problems, fmt.Sprintf("the server refused the secret key (%d with Bearer, %d with Basic): check the key and the host", res.status, basic.status))
			return false
		}
		r.row(res).Skipped = "the server takes HTTP Basic"
		r.hint(Hint{Era: "before July 2023: HTTP Basic auth", Option: "nango.WithBasicAuth()",
			Evidence: fmt.Sprintf("Bearer got %d, Basic got %d", res.status, basic.status)})
		res = basic
	}
	if res.status == http.StatusNotFound && r.operation(http.MethodGet, legacyListRoute) != nil {
		old := r.do(ctx, probe{check: "list connections, /connection route", method: http.MethodGet, route: legacyListRoute})
		if old.status/100 == 2 {
			r.legacy = true
			r.row(res).Skipped = "the server serves only the /connection routes"
			r.hint(Hint{Era: "before mid-2025: /connection routes", Option: "nango.WithLegacyPaths()",
				Evidence: fmt.Sprintf("GET /connections got 404, GET /connection got %d", old.status)})
			res = old
		}
	}
	if res.status/100 == 2 {
		var old bool
		r.conns, old = firstPerIntegration(res.body, r.cfg.MaxIntegrations)
		for _, c := range r.conns {
			if c.provider != "" {
				r.providers[c.key] = c.provider
			}
		}
		if old {
			r.hint(Hint{Era: "2023: list items without provider_config_key", Option: "none: the SDK reads both list shapes",
				Evidence: "list items carry only id, connection_id, provider and created"})
		}
	}
	return true
}

// firstPerIntegration picks the first listed connection of each integration.
// 2023 servers put the integration's key in "provider" (old reports that).
func firstPerIntegration(body []byte, max int) (out []listed, old bool) {
	var list struct {
		Connections []struct {
			ConnectionID      string `json:"connection_id"`
			ProviderConfigKey string `json:"provider_config_key"`
			Provider          string `json:"provider"`
		} `json:"connections"`
	}
	if json.Unmarshal(body, &list) != nil {
		return nil, false
	}
	seen := map[string]bool{}
	for _, c := range list.Connections {
		key, provider := c.ProviderConfigKey, c.Provider
		if key == "" {
			// 2023's items name the integration's key, not its provider.
			key, provider, old = c.Provider, "", true
		}
		if key == "" || c.ConnectionID == "" || seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, listed{key: key, id: c.ConnectionID, provider: provider})
		if len(out) == max {
			break
		}
	}
	return out, old
}

// readConnections reads one connection per integration, with and without
// refresh_token when the operation takes it.
func (r *runner) readConnections(ctx context.Context, get string) {
	op := r.operation(http.MethodGet, get)
	withRefresh := op.Parameters.GetByInAndName("query", "refresh_token") != nil
	for i, c := range r.conns {
		p := probe{check: "get connection", method: http.MethodGet, route: get,
			params: map[string]string{"connectionId": c.id}, query: url.Values{"provider_config_key": {c.key}},
			target: c.key + " " + r.showID(c.id)}
		res := r.do(ctx, p)
		if res.status/100 == 2 {
			r.conns[i].kind = credentialKind(res.body)
		}
		if withRefresh {
			p.check = "get connection, refresh token"
			p.query = url.Values{"provider_config_key": {c.key}, "refresh_token": {"true"}}
			r.do(ctx, p)
		}
	}
	if len(r.conns) == 0 {
		r.rep.Skipped = append(r.rep.Skipped, Skip{Operation: op.OperationID + " (a known connection)", Reason: "the list holds no connection"})
	}
}

func credentialKind(body []byte) string {
	var c struct {
		Credentials struct {
			Type string `json:"type"`
		} `json:"credentials"`
	}
	_ = json.Unmarshal(body, &c)
	return c.Credentials.Type
}

// unknowns reads a connection that does not exist, and one under an
// integration that does not exist, to see both error shapes.
func (r *runner) unknowns(ctx context.Context, get string) {
	key := "nango-doctor-no-integration"
	if len(r.conns) > 0 {
		key = r.conns[0].key
	}
	id := doctorPrefix + "unknown-" + randomHex()
	r.do(ctx, probe{check: "unknown connection", method: http.MethodGet, route: get,
		params: map[string]string{"connectionId": id}, query: url.Values{"provider_config_key": {key}},
		target: key + " " + doctorPrefix + "unknown-…", note: "an error is expected"})
	unknownKey := doctorPrefix + "unknown-" + randomHex()
	r.do(ctx, probe{check: "unknown integration", method: http.MethodGet, route: get,
		params: map[string]string{"connectionId": id}, query: url.Values{"provider_config_key": {unknownKey}},
		target: doctorPrefix + "unknown-…", note: "an error is expected"})
}

// malformedKey lists with a key that is not a UUID, for the 401's shape.
func (r *runner) malformedKey(ctx context.Context, list string) {
	if r.operation(http.MethodGet, list) == nil {
		return
	}
	auth := "Bearer not-a-uuid"
	if r.basic {
		auth = "Basic " + "bm90LWEtdXVpZDo=" // base64("not-a-uuid:")
	}
	res := r.do(ctx, probe{check: "malformed secret key", method: http.MethodGet, route: list, auth: auth, note: "401 expected"})
	if row := r.row(res); row.Status/100 == 2 {
		row.Conforms = false
		row.Violations = append(row.Violations, Violation{In: "response", Path: "status", Reason: "a malformed key was accepted"})
	}
}

// remainingReads calls every other GET of the spec once: the list and get
// of the other route era, and whatever the spec gained since this was
// written (GET /integrations, …) when it needs no parameter the doctor
// cannot fill. Reads whose parameters come from earlier answers (a model
// of a deployed sync, a listed function) run after the others.
func (r *runner) remainingReads(ctx context.Context) {
	doc := r.v.Doc()
	paths := doc.Paths.Map()
	routes := make([]string, 0, len(paths))
	for route := range paths {
		routes = append(routes, route)
	}
	sort.Strings(routes)
	var later []string
	for _, route := range routes {
		if op := paths[route].Get; op != nil && needsEarlierAnswers(route, append(paths[route].Parameters, op.Parameters...)) {
			later = append(later, route)
			continue
		}
		r.readRoute(ctx, route)
	}
	for _, route := range later {
		r.readRoute(ctx, route)
	}
}

// needsEarlierAnswers: the parameters name a model (GET /records) or a
// function (GET …/functions/{name}), which other reads of the spec list,
// or the route reads the functions of an integration, best one that GET
// /scripts/config says has some.
func needsEarlierAnswers(route string, params openapi3.Parameters) bool {
	if strings.HasPrefix(route, functionsRoute) {
		return true
	}
	for _, pr := range params {
		if prm := pr.Value; prm != nil && prm.Required && (prm.In == "query" && prm.Name == "model" || prm.In == "path" && prm.Name == "name") {
			return true
		}
	}
	return false
}

// Routes whose answers name what other reads need, and the one read the
// doctor never makes.
const (
	functionsRoute   = "/integrations/{uniqueKey}/functions"
	scriptsRoute     = "/scripts/config"
	asyncActionRoute = "/action/{id}"
)

// Why a read is skipped when what it needs was not found.
const (
	skipAsyncAction   = "needs the id of an asynchronous action run, which only triggering an action (POST /action/trigger) makes: the doctor never runs actions, they have side effects"
	skipNoModel       = "no sync that writes a model is deployed for the integration of a listed connection (GET /scripts/config), so there are no records to read"
	skipNoScripts     = "GET /scripts/config gave no list of the deployed syncs, so no model to read records of"
	skipNoConnection  = "the list holds no connection"
	skipNoFunction    = "GET /integrations/{uniqueKey}/functions listed no function to read"
	skipNoFunctionsOK = "GET /integrations/{uniqueKey}/functions gave no list (no integration to read, or an error), so no function to read"
	skipCannotFill    = "needs parameters the doctor cannot fill (or no connection or integration to read)"
)

// readRoute calls the GET of route once, with parameters the doctor
// knows, or records why it cannot.
func (r *runner) readRoute(ctx context.Context, route string) {
	doc := r.v.Doc()
	item := doc.Paths.Value(route)
	op := item.Get
	if op == nil || r.done[op.OperationID] {
		return
	}
	skip := func(reason string) {
		r.rep.Skipped = append(r.rep.Skipped, Skip{Operation: op.OperationID, Reason: reason})
	}
	if r.legacy && !op.Deprecated && strings.HasPrefix(route, "/connections") {
		skip("the server serves only the /connection routes")
		return
	}
	if scheme := foreignScheme(op, doc); scheme != "" {
		skip("needs a " + scheme + " credential, not the secret key: the doctor is read-only and never creates one (a connect session)")
		return
	}
	if route == asyncActionRoute {
		skip(skipAsyncAction)
		return
	}
	check := "other read of the spec"
	if op.Deprecated {
		check = "deprecated route"
	}
	p := probe{check: check, method: http.MethodGet, route: route, params: map[string]string{}, query: url.Values{}, header: map[string]string{}}
	params := append(item.Parameters, op.Parameters...)
	// The subject: the connection and integration the parameters name,
	// one and the same for all of them.
	key := r.someIntegration()
	var conn *listed
	if len(r.conns) > 0 {
		conn = &r.conns[0]
	}
	var model string
	var fn *listedFunction
	if route == functionsRoute || op.Parameters.GetByInAndName("query", "syncs") != nil {
		// The functions or syncs of an integration that has some.
		key = r.scriptedIntegration()
	}
	if needsEarlierAnswers(route, params) {
		for _, pr := range params {
			prm := pr.Value
			switch {
			case prm == nil || !prm.Required:
			case prm.In == "query" && prm.Name == "model":
				c, m := r.deployedModel()
				switch {
				case len(r.conns) == 0:
					skip(skipNoConnection)
					return
				case r.models == nil:
					skip(skipNoScripts)
					return
				case c == nil:
					skip(skipNoModel)
					return
				}
				conn, key, model = c, c.key, m
				p.check = "records of a deployed sync"
			case prm.In == "path" && prm.Name == "name":
				switch {
				case !r.functionsListed:
					skip(skipNoFunctionsOK)
					return
				case len(r.functions) == 0:
					skip(skipNoFunction)
					return
				}
				fn = &r.functions[0]
				key = fn.key
				p.check = "a listed function"
				if op.Parameters.GetByInAndName("query", "type") != nil && fn.kind != "" {
					// A sync and an action may share the name.
					p.query.Set("type", fn.kind)
				}
			}
		}
	}
	for _, pr := range params {
		prm := pr.Value
		if prm == nil || !prm.Required {
			continue
		}
		switch {
		case prm.In == "path" && prm.Name == "connectionId" && conn != nil:
			p.params["connectionId"] = conn.id
			p.target = conn.key + " " + r.showID(conn.id)
		case prm.In == "header" && prm.Name == "Connection-Id" && conn != nil:
			p.header[prm.Name] = conn.id
			p.target = conn.key + " " + r.showID(conn.id)
		case prm.In == "query" && prm.Name == "provider_config_key" && key != "":
			p.query.Set(prm.Name, key)
			if p.target == "" {
				p.target = key
			}
		case prm.In == "header" && prm.Name == "Provider-Config-Key" && key != "":
			p.header[prm.Name] = key
		case prm.In == "query" && prm.Name == "model" && model != "":
			p.query.Set("model", model)
			if op.Parameters.GetByInAndName("query", "limit") != nil {
				p.query.Set("limit", "10") // a few records, not a sync's whole output
			}
		case prm.In == "query" && prm.Name == "syncs":
			p.query.Set("syncs", "*") // every sync
		case prm.In == "path" && prm.Name == "uniqueKey" && key != "":
			// The integration of a listed connection, or a listed
			// integration, exists.
			p.params["uniqueKey"] = key
			p.target = key
		case prm.In == "path" && prm.Name == "name" && fn != nil:
			p.params["name"] = fn.name
		case prm.In == "path" && prm.Name == "provider" && r.someProvider() != "":
			// Every integration names its provider.
			p.params["provider"] = r.someProvider()
			p.target = p.params["provider"]
		default:
			skip(skipCannotFill)
			return
		}
	}
	if fn != nil {
		p.target = fn.key + " " + fn.name
	}
	res := r.do(ctx, p)
	switch {
	case res.status/100 != 2:
		if fn != nil && res.status == http.StatusNotFound && strings.HasSuffix(route, "/code") {
			r.row(res).Note = "the server keeps no source for it"
		}
	case route == integrationsRoute:
		r.learnIntegrations(res.body)
	case route == functionsRoute:
		r.learnFunctions(key, res.body)
	case route == scriptsRoute:
		r.learnModels(res.body)
	}
}

// deployedModel is the first listed connection whose integration has a
// sync that writes a model (GET /scripts/config), and that model.
func (r *runner) deployedModel() (*listed, string) {
	for i := range r.conns {
		if models := r.models[r.conns[i].key]; len(models) > 0 {
			return &r.conns[i], models[0]
		}
	}
	return nil, ""
}

// scriptedIntegration is an integration with deployed syncs or actions
// (GET /scripts/config), that of a listed connection first, else any
// integration known to exist.
func (r *runner) scriptedIntegration() string {
	for _, c := range r.conns {
		if slices.Contains(r.scripted, c.key) {
			return c.key
		}
	}
	for _, k := range r.scripted {
		if _, known := r.providers[k]; known {
			return k
		}
	}
	return r.someIntegration()
}

// learnFunctions keeps the functions GET …/functions listed for key.
func (r *runner) learnFunctions(key string, body []byte) {
	var list struct {
		Data []struct {
			Name string `json:"name"`
			Type string `json:"type"`
		} `json:"data"`
	}
	if json.Unmarshal(body, &list) != nil {
		return
	}
	r.functionsListed = true
	for _, fn := range list.Data {
		if fn.Name != "" {
			r.functions = append(r.functions, listedFunction{key: key, name: fn.Name, kind: fn.Type})
		}
	}
}

// learnModels keeps the models the deployed syncs of each integration
// write, from GET /scripts/config's default (nango) format.
func (r *runner) learnModels(body []byte) {
	var list []struct {
		ProviderConfigKey string `json:"providerConfigKey"`
		Syncs             []struct {
			Returns []string `json:"returns"`
		} `json:"syncs"`
		Actions []json.RawMessage `json:"actions"`
	}
	if json.Unmarshal(body, &list) != nil {
		return
	}
	r.models = map[string][]string{}
	for _, in := range list {
		if len(in.Syncs)+len(in.Actions) > 0 && !slices.Contains(r.scripted, in.ProviderConfigKey) {
			r.scripted = append(r.scripted, in.ProviderConfigKey)
		}
		for _, s := range in.Syncs {
			for _, m := range s.Returns {
				if m != "" && !slices.Contains(r.models[in.ProviderConfigKey], m) {
					r.models[in.ProviderConfigKey] = append(r.models[in.ProviderConfigKey], m)
				}
			}
		}
	}
}

// integrationsRoute lists the integrations, each with its provider.
const integrationsRoute = "/integrations"

// learnIntegrations keeps the provider of each integration GET
// /integrations lists.
func (r *runner) learnIntegrations(body []byte) {
	var list struct {
		Data []struct {
			UniqueKey string `json:"unique_key"`
			Provider  string `json:"provider"`
		} `json:"data"`
	}
	if json.Unmarshal(body, &list) != nil {
		return
	}
	for _, in := range list.Data {
		if in.UniqueKey == "" || in.Provider == "" {
			continue
		}
		if _, ok := r.providers[in.UniqueKey]; !ok {
			r.integrationKeys = append(r.integrationKeys, in.UniqueKey)
		}
		r.providers[in.UniqueKey] = in.Provider
	}
}

// someProvider is the provider of an integration known to exist ("" if
// none is known).
func (r *runner) someProvider() string {
	if p := r.providers[r.someIntegration()]; p != "" {
		return p
	}
	for _, k := range r.integrationKeys {
		if p := r.providers[k]; p != "" {
			return p
		}
	}
	return ""
}

// someIntegration is an integration known to exist: that of the first
// listed connection, else the first listed integration ("" if none).
func (r *runner) someIntegration() string {
	if len(r.conns) > 0 {
		return r.conns[0].key
	}
	if len(r.integrationKeys) > 0 {
		return r.integrationKeys[0]
	}
	return ""
}

// foreignScheme names the security scheme an operation needs when it is not
// the secret key (the connect session token of GET /connect/session), ""
// when the secret key opens it.
func foreignScheme(op *openapi3.Operation, doc *openapi3.T) string {
	reqs := doc.Security
	if op.Security != nil {
		reqs = *op.Security
	}
	var other string
	for _, req := range reqs {
		if len(req) == 0 {
			return ""
		}
		for name := range req {
			if name == secretKeyScheme {
				return ""
			}
			other = name
		}
	}
	return other
}

func randomHex() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func jsonBody(v any) ([]byte, error) { return json.Marshal(v) }
