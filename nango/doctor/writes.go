package doctor

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// importKinds are the credential kinds the write round trip tries, simplest
// first; the values are placeholders, never used against a provider. An
// integration taking none of them (OAUTH1, APP, …; NONE is not in the spec's
// import body) cannot be checked this way.
var importKinds = []struct {
	kind  string
	creds map[string]any
}{
	{"API_KEY", map[string]any{"type": "API_KEY", "apiKey": "nango-doctor-placeholder"}},
	{"BASIC", map[string]any{"type": "BASIC", "username": "nango-doctor", "password": "placeholder"}},
	{"OAUTH2", map[string]any{"type": "OAUTH2", "access_token": "nango-doctor-placeholder"}},
}

// cleanupTimeout bounds the delete that ends the round trip; it runs even
// after ctx is done, so that an interrupted run leaves nothing behind.
const cleanupTimeout = 30 * time.Second

// writes imports a connection of the doctor's own into integration, patches
// it, sets and merges its metadata, reads it back and deletes it. A failed
// step ends the round trip early, and the delete runs whenever the import
// may have stored something.
func (r *runner) writes(ctx context.Context, integration string) {
	id := doctorPrefix + randomHex()
	list, get := r.routes()
	target := integration + " " + id
	imported, uncertain := r.importConnection(ctx, integration, id, target)
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

// importConnection tries each kind until the integration takes one. It
// reports whether the connection was stored, and whether it may have been
// (no answer, or a 5xx).
func (r *runner) importConnection(ctx context.Context, integration, id, target string) (imported, uncertain bool) {
	if r.operation(http.MethodPost, listRoute) == nil {
		r.rep.Problems = append(r.rep.Problems, "writes: the spec has no import operation")
		return false, false
	}
	var refused []string
	for _, k := range r.kindsFor(integration) {
		res := r.do(ctx, probe{check: "writes: import " + k.kind, method: http.MethodPost, route: listRoute, target: target,
			body: map[string]any{"provider_config_key": integration, "connection_id": id, "credentials": k.creds}})
		switch {
		case res.status/100 == 2:
			return true, false
		case res.status == 0 || res.status >= 500:
			r.rep.Problems = append(r.rep.Problems, fmt.Sprintf("writes: import %s failed (%s)", k.kind, statusText(r.row(res))))
			return false, true
		case res.status == http.StatusBadRequest && errorCode(res.body) == "invalid_body":
			r.row(res).Note = "kind refused; trying the next"
			refused = append(refused, k.kind)
		default:
			r.rep.Problems = append(r.rep.Problems, fmt.Sprintf("writes: import into %q failed (%s)", integration, statusText(r.row(res))))
			return false, false
		}
	}
	r.rep.Problems = append(r.rep.Problems, fmt.Sprintf("writes: %q took none of %v; pick an integration that takes one of them", integration, refused))
	return false, false
}

// kindsFor puts the kind of the integration's listed connection first.
func (r *runner) kindsFor(integration string) []struct {
	kind  string
	creds map[string]any
} {
	out := append(importKinds[:0:0], importKinds...)
	for _, c := range r.conns {
		if c.key != integration {
			continue
		}
		for i, k := range out {
			if k.kind == c.kind {
				out[0], out[i] = out[i], out[0]
			}
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
