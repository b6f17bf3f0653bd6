package nangotest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/nango-go/sdk/gen"
)

// The integration writes: POST /integrations, POST /integrations/quickstart,
// PATCH and DELETE /integrations/{uniqueKey}.

// commonProviders are providers the fake knows beside those of its
// integrations, with their auth modes, so that an integration of them can
// be created through the API. Nango knows hundreds; the fake's catalog is a
// stub (see providerLocked).
var commonProviders = map[string]string{
	"github": "OAUTH2", "github-app": "APP", "github-app-oauth": "CUSTOM", "gitlab": "OAUTH2", "bitbucket": "OAUTH2",
	"slack": "OAUTH2", "discord": "OAUTH2", "zoom": "OAUTH2", "google": "OAUTH2", "google-calendar": "OAUTH2",
	"google-drive": "OAUTH2", "google-mail": "OAUTH2", "microsoft": "OAUTH2", "hubspot": "OAUTH2", "salesforce": "OAUTH2",
	"notion": "OAUTH2", "linear": "OAUTH2", "jira": "OAUTH2", "asana": "OAUTH2", "twitter": "OAUTH1",
	"netsuite-tba": "TBA", "sendgrid": "API_KEY", "anvil": "BASIC", "8x8": "OAUTH2_CC", "apple-app-store": "JWT",
	"unauthenticated": "NONE",
}

// providerAuthModeLocked is the auth mode of a provider the fake knows:
// one of its integrations', else a common provider's.
func (f *Fake) providerAuthModeLocked(provider string) (string, bool) {
	for _, k := range f.sortedIntegrations() {
		if in := f.integrations[k]; in.provider == provider {
			return in.authModeOf(), true
		}
	}
	mode, ok := commonProviders[provider]
	return mode, ok
}

// clientOf is an OAuth client's id or secret as GET ?include=credentials
// shows it: "" for an integration on Nango's developer app, null unset.
func (in *integration) clientOf(v string) *string {
	if in.shared {
		empty := ""
		return &empty
	}
	return nullable(v)
}

// appCredentialsJSON is the "credentials" of an APP or CUSTOM integration.
func (in *integration) appCredentialsJSON(mode string) json.RawMessage {
	var v any
	if mode == "APP" {
		v = struct {
			Type       string  `json:"type"`
			AppID      *string `json:"app_id"`
			PrivateKey *string `json:"private_key"`
			AppLink    *string `json:"app_link"`
		}{mode, in.clientOf(in.appID), in.clientOf(in.privateKey), nullable(in.appLink)}
	} else {
		v = struct {
			Type         string  `json:"type"`
			ClientID     *string `json:"client_id"`
			ClientSecret *string `json:"client_secret"`
			AppID        *string `json:"app_id"`
			AppLink      *string `json:"app_link"`
			PrivateKey   *string `json:"private_key"`
		}{mode, in.clientOf(in.clientID), in.clientOf(in.clientSecret), in.clientOf(in.appID), nullable(in.appLink), in.clientOf(in.privateKey)}
	}
	b, _ := json.Marshal(v)
	return b
}

// integrationWrite is a checked body of an integration write.
type integrationWrite struct {
	provider, uniqueKey, displayName string
	forward                          *bool
	creds                            *credentialsWrite
	config, custom                   map[string]string
}

// credentialsWrite is checked credentials; has says which optional
// properties were present.
type credentialsWrite struct {
	kind                                    string
	clientID, clientSecret, scopes, webhook string
	appID, appLink, privateKey              string
	has                                     map[string]bool
}

type integrationRoute int

const (
	routeCreate integrationRoute = iota
	routeQuickstart
	routeUpdate
)

var providerPattern = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)

// pattern checks a string against a regex and a maximum, as zod's
// string().regex().max() does (both issues when both fail).
func (z *zod) pattern(raw json.RawMessage, required bool, re *regexp.Regexp, maxLen int, path []any) (string, bool) {
	s, ok := z.str(raw, required, 0, 0, path)
	if !ok {
		return "", false
	}
	bad := false
	if !re.MatchString(s) {
		z.add("invalid_format", "Invalid string: must match pattern /"+re.String()+"/", path)
		bad = true
	}
	if len([]rune(s)) > maxLen {
		z.add("too_big", fmt.Sprintf("Too big: expected string to have <=%d characters", maxLen), path)
		bad = true
	}
	return s, !bad
}

func (z *zod) boolean(raw json.RawMessage, path []any) *bool {
	if raw == nil {
		return nil
	}
	var b bool
	if kind(raw) != "boolean" || json.Unmarshal(raw, &b) != nil {
		z.wrongType("boolean", raw, path)
		return nil
	}
	return &b
}

// record checks a record of strings with a maximum length for values.
func (z *zod) record(raw json.RawMessage, maxLen int, path []any) map[string]string {
	if raw == nil {
		return nil
	}
	var obj map[string]json.RawMessage
	if kind(raw) != "object" || json.Unmarshal(raw, &obj) != nil {
		z.wrongType("record", raw, path)
		return nil
	}
	out := map[string]string{}
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		if s, ok := z.str(obj[k], true, 0, maxLen, at(path, k)); ok {
			out[k] = s
		}
	}
	return out
}

// credentials checks the server's discriminated union of integration
// credentials.
func (z *zod) credentials(raw json.RawMessage, path []any) *credentialsWrite {
	if raw == nil {
		return nil
	}
	obj := map[string]json.RawMessage{}
	if kind(raw) != "object" || json.Unmarshal(raw, &obj) != nil {
		z.add("invalid_type", "invalid credentials object", path)
		return nil
	}
	var kindOf string
	_ = json.Unmarshal(obj["type"], &kindOf)
	c := &credentialsWrite{kind: kindOf, has: map[string]bool{}}
	for k := range obj {
		c.has[k] = true
	}
	before := len(z.issues)
	var known []string
	switch kindOf {
	case "OAUTH1", "OAUTH2", "TBA":
		c.clientID, _ = z.str(obj["client_id"], true, 1, 255, at(path, "client_id"))
		c.clientSecret, _ = z.str(obj["client_secret"], true, 1, 0, at(path, "client_secret"))
		if s, ok := z.str(obj["scopes"], false, 0, 0, at(path, "scopes")); ok {
			if !scopesPattern.MatchString(s) {
				z.add("invalid_union", "Invalid input", at(path, "scopes"))
			}
			c.scopes = s
		}
		c.webhook, _ = z.str(obj["webhook_secret"], false, 0, 255, at(path, "webhook_secret"))
		known = []string{"type", "client_id", "client_secret", "scopes", "webhook_secret"}
	case "APP", "CUSTOM":
		if kindOf == "CUSTOM" {
			c.clientID, _ = z.str(obj["client_id"], true, 1, 255, at(path, "client_id"))
			c.clientSecret, _ = z.str(obj["client_secret"], true, 1, 0, at(path, "client_secret"))
			known = []string{"client_id", "client_secret"}
		}
		c.appID, _ = z.str(obj["app_id"], true, 1, 255, at(path, "app_id"))
		c.appLink, _ = z.str(obj["app_link"], true, 1, 0, at(path, "app_link"))
		if key, ok := z.str(obj["private_key"], true, 0, 0, at(path, "private_key")); ok {
			if !strings.HasPrefix(key, "-----BEGIN RSA PRIVATE KEY----") {
				z.add("invalid_format", `Invalid string: must start with "-----BEGIN RSA PRIVATE KEY----"`, at(path, "private_key"))
			}
			if !strings.HasSuffix(key, "-----END RSA PRIVATE KEY-----") {
				z.add("invalid_format", `Invalid string: must end with "-----END RSA PRIVATE KEY-----"`, at(path, "private_key"))
			}
			c.privateKey = key
		}
		known = append(known, "type", "app_id", "app_link", "private_key")
	default:
		z.add("invalid_union", "invalid credentials object", path)
		return nil
	}
	z.strict(obj, known, path)
	if len(z.issues) > before {
		return nil
	}
	return c
}

// integrationBody parses an integration write as the route's zod schema
// does: invalid_json for bad JSON, invalid_body with the issues in the
// order of the schema's properties otherwise.
func integrationBody(w http.ResponseWriter, body []byte, route integrationRoute) (*integrationWrite, bool) {
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	if !json.Valid(body) {
		writeError(w, 400, "invalid_json", "Unexpected end of JSON input", nil)
		return nil, false
	}
	var z zod
	out := &integrationWrite{}
	if obj := z.object(body, true, nil); obj != nil {
		known := []string{"unique_key", "display_name", "forward_webhooks"}
		if route != routeUpdate {
			out.provider, _ = z.pattern(obj["provider"], true, providerPattern, 255, []any{"provider"})
			known = append(known, "provider")
		}
		out.uniqueKey, _ = z.pattern(obj["unique_key"], route != routeUpdate, configKeyPattern, 255, []any{"unique_key"})
		out.displayName, _ = z.str(obj["display_name"], false, 1, 255, []any{"display_name"})
		if route == routeUpdate {
			out.creds = z.credentials(obj["credentials"], []any{"credentials"})
			out.forward = z.boolean(obj["forward_webhooks"], []any{"forward_webhooks"})
		} else {
			out.forward = z.boolean(obj["forward_webhooks"], []any{"forward_webhooks"})
			if route == routeCreate {
				out.creds = z.credentials(obj["credentials"], []any{"credentials"})
			}
		}
		if route != routeQuickstart {
			out.config = z.record(obj["integration_config"], 8192, []any{"integration_config"})
			out.custom = z.record(obj["custom"], 0, []any{"custom"})
			known = append(known, "credentials", "integration_config", "custom")
		}
		z.strict(obj, known, nil)
	}
	if z.issues != nil {
		writeError(w, 400, "invalid_body", "", z.issues)
		return nil, false
	}
	return out, true
}

// The auth modes whose integrations need a client of their own, and those
// Nango has a developer app for (quickstart).
var (
	credentialsRequired = []string{"OAUTH1", "OAUTH2", "APP", "CUSTOM"}
	nangoAppModes       = []string{"OAUTH1", "OAUTH2", "APP"}
)

// apply writes credentials into an integration as Nango stores them:
// scopes left out stay, a webhook secret is set only when given.
func (c *credentialsWrite) apply(in *integration) {
	if c == nil {
		return
	}
	in.shared = false
	switch c.kind {
	case "OAUTH1", "OAUTH2", "TBA":
		in.clientID, in.clientSecret = c.clientID, c.clientSecret
		if c.has["scopes"] {
			in.scopes = nil
			if c.scopes != "" {
				in.scopes = strings.Split(c.scopes, ",")
			}
		}
		if c.webhook != "" {
			in.webhookSecret = c.webhook
		}
	case "APP":
		in.appID, in.privateKey, in.appLink = c.appID, c.privateKey, c.appLink
	case "CUSTOM":
		in.clientID, in.clientSecret = c.clientID, c.clientSecret
		in.appID, in.privateKey, in.appLink = c.appID, c.privateKey, c.appLink
	}
}

func (f *Fake) createIntegration(w http.ResponseWriter, r *http.Request, _ string, body []byte) {
	f.create(w, r, body, routeCreate)
}

// createQuickstartIntegration: the fake plays Nango Cloud, which has a
// developer app for every provider of the OAUTH1, OAUTH2 and APP modes.
func (f *Fake) createQuickstartIntegration(w http.ResponseWriter, r *http.Request, _ string, body []byte) {
	f.create(w, r, body, routeQuickstart)
}

func (f *Fake) create(w http.ResponseWriter, r *http.Request, body []byte, route integrationRoute) {
	if !requireEmptyQuery(w, r) {
		return
	}
	req, ok := integrationBody(w, body, route)
	if !ok {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	mode, known := f.providerAuthModeLocked(req.provider)
	switch {
	case !known:
		writeError(w, 400, "invalid_body", "", []gen.ValidationIssue{issue("invalid_string", "Invalid provider", "provider")})
		return
	case route == routeCreate && req.creds != nil && req.creds.kind != mode:
		writeError(w, 400, "invalid_body", "incompatible credentials auth type and provider auth", nil)
		return
	case route == routeCreate && req.creds == nil && slices.Contains(credentialsRequired, mode):
		writeError(w, 400, "invalid_body", "Missing credentials", nil)
		return
	case route == routeQuickstart && !slices.Contains(nangoAppModes, mode):
		writeError(w, 400, "invalid_body", "Quickstart is only available for providers that require a developer app", nil)
		return
	case f.integrations[req.uniqueKey] != nil:
		writeError(w, 400, "invalid_body", "", []gen.ValidationIssue{issue("invalid_string", "Unique key already exists", "uniqueKey")})
		return
	case len(req.config) > 0:
		// No provider of the fake declares an integration_config.
		writeError(w, 400, "invalid_body", "This provider does not accept integration configuration", nil)
		return
	}
	in := &integration{provider: req.provider, authMode: mode, displayName: req.displayName, created: f.clock().UTC(),
		shared: route == routeQuickstart, custom: maps.Clone(req.custom)}
	if req.forward != nil {
		in.noForwardWebhooks = !*req.forward
	}
	req.creds.apply(in)
	f.integrations[req.uniqueKey] = in
	writeJSON(w, 200, struct {
		Data wireIntegration `json:"data"`
	}{toWireIntegration(r, req.uniqueKey, in, false, false)})
}

// integrationKeyParam reads {uniqueKey}, answering 400 invalid_uri_params
// for one the server's schema refuses.
func integrationKeyParam(w http.ResponseWriter, key string) bool {
	if len(key) > 255 || !configKeyPattern.MatchString(key) {
		writeError(w, 400, "invalid_uri_params", "", []gen.ValidationIssue{issue("invalid_format", "Invalid string: must match pattern /^[a-zA-Z0-9~:.@ _-]+$/", "uniqueKey")})
		return false
	}
	return true
}

func (f *Fake) updateIntegration(w http.ResponseWriter, r *http.Request, key string, body []byte) {
	if !requireEmptyQuery(w, r) {
		return
	}
	req, ok := integrationBody(w, body, routeUpdate)
	if !ok || !integrationKeyParam(w, key) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	old := f.integrations[key]
	if old == nil {
		writeError(w, 404, "not_found", fmt.Sprintf("Integration %q does not exist", key), nil)
		return
	}
	mode := old.authModeOf()
	if req.creds != nil && req.creds.kind != mode {
		writeError(w, 400, "invalid_body", "incompatible credentials auth type and provider auth", nil)
		return
	}
	newKey := key
	if req.uniqueKey != "" && req.uniqueKey != key {
		if f.integrations[req.uniqueKey] != nil {
			writeError(w, 400, "invalid_body", "uniqueKey is already used by another integration", nil)
			return
		}
		for k := range f.conns {
			if k.key == key {
				writeError(w, 400, "invalid_body", "Can't rename an integration with active connections", nil)
				return
			}
		}
		newKey = req.uniqueKey
	}
	if len(req.config) > 0 {
		writeError(w, 400, "invalid_body", "This provider does not accept integration configuration", nil)
		return
	}
	in := *old
	if req.displayName != "" {
		in.displayName = req.displayName
	}
	if req.forward != nil {
		in.noForwardWebhooks = !*req.forward
	}
	if len(req.custom) > 0 {
		in.custom = maps.Clone(in.custom)
		if in.custom == nil {
			in.custom = map[string]string{}
		}
		maps.Copy(in.custom, req.custom)
	}
	req.creds.apply(&in)
	if c := req.creds; c != nil && c.kind == "OAUTH2" && c.has["webhook_secret"] {
		in.webhookSecret = c.webhook
	}
	in.scopes = slices.Clone(in.scopes)
	in.updated = f.clock().UTC()
	delete(f.integrations, key)
	f.integrations[newKey] = &in
	f.renameIntegrationLocked(key, newKey)
	writeJSON(w, 200, struct {
		Data wireIntegration `json:"data"`
	}{toWireIntegration(r, newKey, &in, false, false)})
}

// deleteIntegration deletes the integration with its connections, its
// deployed functions (syncs and actions) and what they own (the syncs'
// state, the records), as Nango does.
func (f *Fake) deleteIntegration(w http.ResponseWriter, r *http.Request, key string, _ []byte) {
	if !requireEmptyQuery(w, r) || !integrationKeyParam(w, key) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.integrations[key] == nil {
		writeError(w, 404, "not_found", "Integration does not exist", nil)
		return
	}
	delete(f.integrations, key)
	f.forgetIntegrationLocked(key)
	for k := range f.conns {
		if k.key == key {
			delete(f.conns, k)
		}
	}
	writeJSON(w, 200, gen.Success{Success: true})
}
