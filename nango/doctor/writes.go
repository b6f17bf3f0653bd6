package doctor

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// importKind is a credential kind the write round trip can import. The
// values are placeholders, never used against a provider; config is the
// connection_config the kind needs (TBA: an account id).
type importKind struct {
	kind   string
	creds  map[string]any
	config map[string]any
}

// importKinds are the kinds POST /connections imports without calling the
// provider, simplest first (APP and CUSTOM make Nango fetch a token from
// GitHub: see notImported).
var importKinds = []importKind{
	{kind: "API_KEY", creds: map[string]any{"type": "API_KEY", "apiKey": "nango-doctor-placeholder"}},
	{kind: "BASIC", creds: map[string]any{"type": "BASIC", "username": "nango-doctor", "password": "placeholder"}},
	{kind: "OAUTH2", creds: map[string]any{"type": "OAUTH2", "access_token": "nango-doctor-placeholder"}},
	{kind: "OAUTH1", creds: map[string]any{"type": "OAUTH1", "oauth_token": "nango-doctor-placeholder", "oauth_token_secret": "placeholder"}},
	{kind: "OAUTH2_CC", creds: map[string]any{"type": "OAUTH2_CC", "token": "nango-doctor-placeholder", "client_id": "nango-doctor", "client_secret": "placeholder"}},
	{kind: "TBA", creds: map[string]any{"type": "TBA", "token_id": "nango-doctor-placeholder", "token_secret": "placeholder"},
		config: map[string]any{"accountId": "nango-doctor"}},
	{kind: "NONE", creds: map[string]any{"type": "NONE"}},
}

// notImported says why the doctor imports no connection of an auth mode
// that is not in importKinds.
func notImported(mode string) string {
	switch mode {
	case "APP", "CUSTOM":
		return "importing a GitHub App (" + mode + ") connection makes Nango fetch an installation token from GitHub with the integration's app key, for an installation the doctor does not have"
	}
	return "Nango does not import " + mode + " connections (POST /connections takes OAUTH2, OAUTH1, OAUTH2_CC, API_KEY, BASIC, NONE, TBA, APP and CUSTOM)"
}

// cleanupTimeout bounds the delete that ends the round trip; it runs even
// after ctx is done, so that an interrupted run leaves nothing behind.
const cleanupTimeout = 30 * time.Second

// writes imports a connection of the doctor's own into integration, patches
// it, sets and merges its metadata, reads it back and deletes it. A failed
// step ends the round trip early, and the delete runs whenever the import
// may have stored something.
func (r *runner) writes(ctx context.Context, integration string) {
	mode, ok := r.authMode(ctx, integration)
	if !ok {
		return
	}
	kinds := kindsFor(mode, r.listedKind(integration))
	if len(kinds) == 0 {
		r.skipWrites(integration, notImported(mode))
		return
	}
	id := doctorPrefix + randomHex()
	list, get := r.routes()
	target := integration + " " + id
	imported, uncertain := r.importConnection(ctx, integration, id, target, kinds, mode != "")
	defer func() {
		if imported || uncertain {
			r.cleanup(ctx, integration, id, target, get, imported)
		}
	}()
	if !imported {
		return
	}
	metaRoute := list + "/metadata"
	q := url.Values{"provider_config_key": {integration}}
	steps := []probe{
		{check: "writes: patch tags", method: http.MethodPatch, route: get, params: map[string]string{"connectionId": id}, query: q,
			body: map[string]any{"tags": map[string]string{"nango-doctor": "1"}}},
		{check: "writes: set metadata", method: http.MethodPost, route: metaRoute,
			body: map[string]any{"connection_id": id, "provider_config_key": integration, "metadata": map[string]any{"nango_doctor": true}}},
		{check: "writes: update metadata", method: http.MethodPatch, route: metaRoute,
			body: map[string]any{"connection_id": id, "provider_config_key": integration, "metadata": map[string]any{"checked_by": "nango doctor"}}},
		{check: "writes: read back", method: http.MethodGet, route: get, params: map[string]string{"connectionId": id}, query: q},
	}
	for _, p := range steps {
		if r.operation(p.method, p.route) == nil {
			r.rep.Skipped = append(r.rep.Skipped, Skip{Operation: p.method + " " + p.route, Reason: "not in the spec for this server's routes"})
			continue
		}
		p.target = target
		res := r.do(ctx, p)
		if res.status/100 != 2 {
			r.rep.Problems = append(r.rep.Problems, fmt.Sprintf("%s failed (%s); the round trip stopped there", p.check, statusText(r.row(res))))
			return
		}
	}
}

// skipWrites records that the write round trip did not run, and why.
func (r *runner) skipWrites(integration, reason string) {
	r.rep.Skipped = append(r.rep.Skipped, Skip{Operation: "writes on " + integration, Reason: reason})
}

// authMode finds the auth mode of the integration: its provider from the
// reads or GET /integrations/{uniqueKey}, then the provider's auth_mode from
// GET /providers/{provider}. It returns "" when the server cannot tell (no
// such routes, an error), and ok false when the integration does not
// exist (a problem: nothing to write into).
func (r *runner) authMode(ctx context.Context, integration string) (mode string, ok bool) {
	provider := r.providers[integration]
	if provider == "" && r.operation(http.MethodGet, integrationRoute) != nil {
		res := r.do(ctx, probe{check: "writes: the integration's provider", method: http.MethodGet, route: integrationRoute,
			params: map[string]string{"uniqueKey": integration}, target: integration})
		if res.status == http.StatusNotFound {
			r.rep.Problems = append(r.rep.Problems, fmt.Sprintf("writes: the server has no integration %q (%s)", integration, statusText(r.row(res))))
			return "", false
		}
		var in struct {
			Data struct {
				Provider string `json:"provider"`
			} `json:"data"`
		}
		if res.status/100 == 2 && json.Unmarshal(res.body, &in) == nil {
			provider = in.Data.Provider
		}
	}
	if provider == "" || r.operation(http.MethodGet, providerRoute) == nil {
		return "", true
	}
	res := r.do(ctx, probe{check: "writes: the provider's auth mode", method: http.MethodGet, route: providerRoute,
		params: map[string]string{"provider": provider}, target: provider})
	var p struct {
		Data struct {
			AuthMode string `json:"auth_mode"`
		} `json:"data"`
	}
	if res.status/100 == 2 && json.Unmarshal(res.body, &p) == nil {
		mode = p.Data.AuthMode
	}
	return mode, true
}

// The routes the write round trip reads the auth mode from.
const (
	integrationRoute = "/integrations/{uniqueKey}"
	providerRoute    = "/providers/{provider}"
)

// importConnection imports the doctor's connection with the first kind the
// integration takes. With the auth mode known there is one kind to try and
// a refusal is a problem; without it, each kind in turn, a refused kind
// (400 invalid_body) moving on to the next. It reports whether the
// connection was stored, and whether it may have been (no answer, a 5xx, or
// a validation run after the store).
func (r *runner) importConnection(ctx context.Context, integration, id, target string, kinds []importKind, modeKnown bool) (imported, uncertain bool) {
	if r.operation(http.MethodPost, listRoute) == nil {
		r.rep.Problems = append(r.rep.Problems, "writes: the spec has no import operation")
		return false, false
	}
	var refused []string
	for _, k := range kinds {
		body := map[string]any{"provider_config_key": integration, "connection_id": id, "credentials": k.creds}
		if k.config != nil {
			body["connection_config"] = k.config
		}
		res := r.do(ctx, probe{check: "writes: import " + k.kind, method: http.MethodPost, route: listRoute, target: target, body: body})
		code := errorCode(res.body)
		switch {
		case res.status/100 == 2:
			return true, false
		case res.status == 0 || res.status >= 500:
			r.rep.Problems = append(r.rep.Problems, fmt.Sprintf("writes: import %s failed (%s)", k.kind, statusText(r.row(res))))
			return false, true
		case res.status == http.StatusBadRequest && (code == "connection_test_failed" || code == "connection_validation_failed"):
			// The provider's own check of the credentials (a call to its
			// API) refused the placeholders: the server did its job. A
			// failed validation runs after the store: clean up.
			r.row(res).Note = "the provider's credential check refused the placeholders"
			r.skipWrites(integration, "the integration checks imported credentials against the provider's API, which refuses placeholders ("+code+")")
			return false, code == "connection_validation_failed"
		case res.status == http.StatusBadRequest && code == "invalid_body" && !modeKnown:
			r.row(res).Note = "kind refused; trying the next"
			refused = append(refused, k.kind)
		default:
			r.rep.Problems = append(r.rep.Problems, fmt.Sprintf("writes: import %s into %q failed (%s)", k.kind, integration, statusText(r.row(res))))
			return false, false
		}
	}
	// The server could not name the auth mode, and took none of the kinds
	// the doctor imports: the integration's kind is one Nango does not
	// import (JWT, BILL, …) or APP/CUSTOM.
	r.skipWrites(integration, fmt.Sprintf("the server named no auth mode for it and refused every kind the doctor imports (%v): %s", refused,
		"its kind is one Nango does not import, or a GitHub App"))
	return false, false
}

// listedKind is the credentials kind of the integration's connection read
// by the reads, "" when none was.
func (r *runner) listedKind(integration string) string {
	for _, c := range r.conns {
		if c.key == integration {
			return c.kind
		}
	}
	return ""
}

// kindsFor returns the kinds to try: the auth mode's alone when it is
// known (none when the doctor cannot import it), else every kind, the
// kind of the integration's listed connection first.
func kindsFor(mode, listed string) []importKind {
	if mode != "" {
		for _, k := range importKinds {
			if k.kind == mode {
				return []importKind{k}
			}
		}
		return nil
	}
	out := append(importKinds[:0:0], importKinds...)
	for i, k := range out {
		if k.kind == listed {
			out[0], out[i] = out[i], out[0]
		}
	}
	return out
}

// cleanup deletes the doctor's connection. After an import whose outcome is
// unknown, "no such connection" means there was nothing to clean.
func (r *runner) cleanup(ctx context.Context, integration, id, target, get string, stored bool) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	res := r.do(ctx, probe{check: "writes: delete (cleanup)", method: http.MethodDelete, route: get, target: target,
		params: map[string]string{"connectionId": id}, query: url.Values{"provider_config_key": {integration}}})
	if !stored {
		switch errorCode(res.body) {
		case "unknown_connection", "unkown_connection", "not_found":
			r.row(res).Note = "nothing was stored"
			return
		}
	}
	if res.status/100 != 2 {
		r.rep.Problems = append(r.rep.Problems, fmt.Sprintf("cleanup: could not delete connection %q of %q (%s); delete it by hand", id, integration, statusText(r.row(res))))
	}
}

func statusText(row *Row) string {
	if row.Error != "" {
		return row.Error
	}
	return fmt.Sprintf("status %d", row.Status)
}

// errorCode reads Nango's error code from either error body.
func errorCode(body []byte) string {
	var e struct {
		Error json.RawMessage `json:"error"`
		Type  string          `json:"type"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	var d struct {
		Code string `json:"code"`
	}
	if json.Unmarshal(e.Error, &d) == nil && d.Code != "" {
		return d.Code
	}
	return e.Type
}
