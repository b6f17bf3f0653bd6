package nangotest

import (
	"bytes"
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/nango-go/sdk/gen"
)

// sessionTTL is how long Nango keeps a connect session.
const sessionTTL = 30 * time.Minute

// connectUIBase is where Nango's Connect UI is served by default on a
// self-hosted server; the fake has no Connect UI, so its connect links lead
// nowhere, as a self-hosted server's do without one.
const connectUIBase = "http://localhost:3009"

var sessionTokenPattern = regexp.MustCompile(`^nango_connect_session_[a-f0-9]{64}$`)

// ConnectSession is a connect session the fake holds, as the code under test
// asked for it (POST /connect/sessions or /connect/sessions/reconnect).
// Its Token is a credential: %v and slog print it redacted.
type ConnectSession struct {
	Token     string
	ExpiresAt time.Time
	// ConnectSessionRequest is what the code under test sent (for a
	// reconnect session: its properties, AllowedIntegrations holding the
	// integration); tag keys are lower-cased, as Nango stores them.
	gen.ConnectSessionRequest
	// ConnectionID and IntegrationID name the connection a reconnect
	// session re-authorizes; both are "" for other sessions.
	ConnectionID, IntegrationID string
}

// Reconnecting reports whether the session re-authorizes a connection.
func (s ConnectSession) Reconnecting() bool { return s.ConnectionID != "" }

// Format prints the session without its token.
func (s ConnectSession) Format(f fmt.State, _ rune) {
	eu := ""
	if s.EndUser != nil {
		eu = s.EndUser.ID
	}
	var tags gen.TagsInput
	if s.Tags != nil {
		tags = *s.Tags
	}
	fmt.Fprintf(f, "ConnectSession{Token: redacted, EndUser: %q, AllowedIntegrations: %q, Tags: %v, ConnectionID: %q, IntegrationID: %q, ExpiresAt: %s}",
		eu, s.AllowedIntegrations, tags, s.ConnectionID, s.IntegrationID, s.ExpiresAt.Format(time.RFC3339))
}

// LogValue keeps the token out of slog output.
func (s ConnectSession) LogValue() slog.Value { return slog.StringValue(fmt.Sprint(s)) }

func (s ConnectSession) clone() ConnectSession {
	c := s
	if s.EndUser != nil {
		eu := *s.EndUser
		eu.Tags = maps.Clone(eu.Tags)
		c.EndUser = &eu
	}
	if s.Organization != nil {
		o := *s.Organization
		c.Organization = &o
	}
	c.AllowedIntegrations = slices.Clone(s.AllowedIntegrations)
	c.IntegrationsConfigDefaults = maps.Clone(s.IntegrationsConfigDefaults)
	c.Overrides = maps.Clone(s.Overrides)
	if s.Tags != nil {
		t := maps.Clone(*s.Tags)
		c.Tags = &t
	}
	if s.WebhookURLOverride != nil {
		u := *s.WebhookURLOverride
		c.WebhookURLOverride = &u
	}
	return c
}

// session is a connect session as the fake keeps it.
type session struct {
	ConnectSession
	// seq orders sessions made at the same instant of the fake's clock.
	seq int64
	// endUser is what GET /connect/session shows: the request's, or on a
	// reconnect without one, the connection's.
	endUser *gen.EndUser
}

// ConnectSessions returns the connect sessions of this environment that
// were not deleted, oldest first, expired ones included (see ExpiresAt).
func (f *Fake) ConnectSessions() []ConnectSession {
	f.mu.Lock()
	defer f.mu.Unlock()
	all := slices.Collect(maps.Values(f.sessions))
	slices.SortFunc(all, func(a, b *session) int { return cmp.Compare(a.seq, b.seq) })
	out := make([]ConnectSession, len(all))
	for i, s := range all {
		out[i] = s.clone()
	}
	return out
}

// sessionFields are the properties both session requests share, checked
// in the order of the server's schemas.
func (z *zod) sessionFields(obj map[string]json.RawMessage) {
	z.organization(obj["organization"], []any{"organization"})
	if _, reconnect := obj["connection_id"]; !reconnect {
		z.stringArray(obj["allowed_integrations"], []any{"allowed_integrations"})
	}
	z.configDefaults(obj["integrations_config_defaults"], []any{"integrations_config_defaults"})
	z.overrides(obj["overrides"], []any{"overrides"})
	z.webhookURL(obj["webhook_url_override"], []any{"webhook_url_override"})
	if obj["tags"] != nil {
		z.tags(obj["tags"], []any{"tags"})
	}
}

// sessionBody parses a session request as the server does: invalid_json
// for bad JSON, invalid_body with zod's issues otherwise. An empty body is
// {} (express parses it so).
func sessionBody(w http.ResponseWriter, body []byte, reconnect bool) (map[string]json.RawMessage, bool) {
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	if !json.Valid(body) {
		writeError(w, 400, "invalid_json", "Unexpected end of JSON input", nil)
		return nil, false
	}
	var z zod
	obj := z.object(body, true, nil)
	if obj != nil {
		known := []string{"end_user", "organization", "integrations_config_defaults", "overrides", "webhook_url_override", "tags"}
		if reconnect {
			z.str(obj["connection_id"], true, 1, 255, []any{"connection_id"})
			z.str(obj["integration_id"], true, 1, 255, []any{"integration_id"})
			z.endUser(obj["end_user"], false, []any{"end_user"})
			known = append(known, "connection_id", "integration_id")
		} else {
			// end_user may be left out only when tags are given.
			z.endUser(obj["end_user"], obj["tags"] == nil, []any{"end_user"})
			known = append(known, "allowed_integrations")
		}
		z.sessionFields(obj)
		z.strict(obj, known, nil)
	}
	if z.issues != nil {
		writeError(w, 400, "invalid_body", "", z.issues)
		return nil, false
	}
	return obj, true
}

func (f *Fake) createSession(w http.ResponseWriter, r *http.Request, _ string, body []byte) {
	if !requireEmptyQuery(w, r) {
		return
	}
	if _, ok := sessionBody(w, body, false); !ok {
		return
	}
	var in gen.ConnectSessionRequest
	if err := json.Unmarshal(body, &in); err != nil {
		writeError(w, 400, "invalid_body", err.Error(), nil)
		return
	}
	var s ConnectSession
	s.EndUser, s.Organization, s.AllowedIntegrations = in.EndUser, in.Organization, in.AllowedIntegrations
	s.IntegrationsConfigDefaults, s.Overrides, s.Tags, s.WebhookURLOverride = in.IntegrationsConfigDefaults, in.Overrides, in.Tags, in.WebhookURLOverride
	f.mu.Lock()
	defer f.mu.Unlock()
	var z zod
	for i, key := range in.AllowedIntegrations {
		if f.integrations[key] == nil {
			z.add("custom", "Integration does not exist", []any{"allowed_integrations", i})
		}
	}
	for _, key := range slices.Sorted(maps.Keys(in.IntegrationsConfigDefaults)) {
		if f.integrations[key] == nil {
			z.add("custom", "Integration does not exist", []any{"integrations_config_defaults", key})
		}
	}
	if z.issues != nil {
		writeError(w, 400, "invalid_body", "", z.issues)
		return
	}
	f.startSessionLocked(w, s, toEndUser(in.EndUser))
}

func (f *Fake) createReconnectSession(w http.ResponseWriter, r *http.Request, _ string, body []byte) {
	if !requireEmptyQuery(w, r) {
		return
	}
	if _, ok := sessionBody(w, body, true); !ok {
		return
	}
	var in gen.ReconnectSessionRequest
	if err := json.Unmarshal(body, &in); err != nil {
		writeError(w, 400, "invalid_body", err.Error(), nil)
		return
	}
	s := ConnectSession{ConnectionID: in.ConnectionID, IntegrationID: in.IntegrationID}
	s.EndUser, s.Organization, s.AllowedIntegrations = in.EndUser, in.Organization, []string{in.IntegrationID}
	s.IntegrationsConfigDefaults, s.Overrides, s.WebhookURLOverride = in.IntegrationsConfigDefaults, in.Overrides, in.WebhookURLOverride
	if in.Tags != nil {
		s.Tags = &in.Tags
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	conn := f.conns[connKey{in.IntegrationID, in.ConnectionID}]
	if conn == nil || f.integrations[in.IntegrationID] == nil {
		writeError(w, 400, "invalid_body", "ConnectionID or IntegrationId does not exists", nil)
		return
	}
	eu := toEndUser(in.EndUser)
	if eu == nil && conn.conn.EndUser != nil {
		c := *conn.conn.EndUser
		eu = &c
	}
	f.startSessionLocked(w, s, eu)
}

// startSessionLocked stores a new session and answers 201 with its token.
func (f *Fake) startSessionLocked(w http.ResponseWriter, s ConnectSession, eu *gen.EndUser) {
	var b [32]byte
	_, _ = rand.Read(b[:])
	s.Token = "nango_connect_session_" + hex.EncodeToString(b[:])
	now := f.clock().UTC()
	s.ExpiresAt = now.Add(sessionTTL).Truncate(time.Millisecond)
	if s.Tags != nil {
		lowered, _ := checkTags(*s.Tags)
		t := gen.TagsInput(lowered)
		s.Tags = &t
	}
	if eu != nil && s.Organization != nil {
		eu.Organization = &gen.EndUserOrganization{ID: s.Organization.ID, DisplayName: s.Organization.DisplayName}
	}
	f.sessionSeq++
	f.sessions[s.Token] = &session{ConnectSession: s.clone(), seq: f.sessionSeq, endUser: eu}
	out := struct {
		Data struct {
			gen.ConnectSession
			ExpiresAt string `json:"expires_at"`
		} `json:"data"`
	}{}
	out.Data.ConnectSession = gen.ConnectSession{Token: s.Token, ConnectLink: connectUIBase + "/?session_token=" + s.Token, ExpiresAt: s.ExpiresAt}
	out.Data.ExpiresAt = formatTime(s.ExpiresAt, true)
	writeJSON(w, 201, out)
}

// bearer is the token of an Authorization header: its second word, as the
// server splits it.
func bearer(r *http.Request) string {
	_, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	return tok
}

// sessionAuthorized checks a connect session token as Nango does for the
// routes the Connect UI calls, and returns the environment of its session,
// or nil after answering 401.
func (f *Fake) sessionAuthorized(w http.ResponseWriter, r *http.Request) *Fake {
	fail := func(code, message string) *Fake {
		writeErrorDetail(w, http.StatusUnauthorized, gen.ErrorDetail{Code: code, Message: message, Payload: json.RawMessage(`{}`)})
		return nil
	}
	if r.Header.Get("Authorization") == "" {
		return fail("missing_auth_header", "Authentication failed. The request is missing the Authorization header.")
	}
	tok := bearer(r)
	if !sessionTokenPattern.MatchString(tok) {
		return fail("invalid_connect_session_token_format", "Authentication failed. The provided connect session token is not following correct format: nango_connect_session_RANDOM)")
	}
	f.mu.Lock()
	envs := append([]*Fake{f}, slices.Collect(maps.Values(f.envs))...)
	f.mu.Unlock()
	for _, env := range envs {
		env.mu.Lock()
		s := env.sessions[tok]
		live := s != nil && env.clock().Before(s.ExpiresAt)
		env.mu.Unlock()
		if live {
			return env
		}
	}
	return fail("unknown_connect_session_token", "Authentication failed. The provided connect session token does not match any account.")
}

// wireSessionDetails is a gen.ConnectSessionDetails as the server writes it:
// endUser null for a session made with tags only, and every property of the
// end user and its organization present, null when unset.
type wireSessionDetails struct {
	gen.ConnectSessionDetails
	EndUser *wireSessionEndUser `json:"endUser"`
}

type wireSessionEndUser struct {
	wireEndUser
	Organization *wireOrganization `json:"organization"`
}

type wireOrganization struct {
	gen.EndUserOrganization
	DisplayName *string `json:"display_name"`
}

// connectUISettings are the defaults of a new environment.
func connectUISettings() map[string]any {
	theme := func() map[string]any { return map[string]any{"primary": "#00B2E3"} }
	return map[string]any{"showWatermark": true, "defaultTheme": "system",
		"theme": map[string]any{"light": theme(), "dark": theme()}}
}

func (f *Fake) getSession(w http.ResponseWriter, r *http.Request, _ string, _ []byte) {
	if !requireEmptyQuery(w, r) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.sessions[bearer(r)]
	if s == nil {
		// Deleted since the token was checked.
		writeErrorDetail(w, http.StatusUnauthorized, gen.ErrorDetail{Code: "unknown_connect_session_token",
			Message: "Authentication failed. The provided connect session token does not match any account.", Payload: json.RawMessage(`{}`)})
		return
	}
	var out struct {
		Data wireSessionDetails `json:"data"`
	}
	d := gen.ConnectSessionDetails{ConnectUISettings: connectUISettings(), AllowedIntegrations: slices.Clone(s.AllowedIntegrations),
		IsReconnecting: s.Reconnecting(), WebsocketsPath: "/"}
	// The server answers the defaults without user_scopes.
	for key, def := range s.IntegrationsConfigDefaults {
		m := map[string]any{}
		if def.ConnectionConfig != nil {
			m["connection_config"] = maps.Clone(def.ConnectionConfig)
		}
		if def.AuthorizationParams != nil {
			m["authorization_params"] = maps.Clone(def.AuthorizationParams)
		}
		if d.IntegrationsConfigDefaults == nil {
			d.IntegrationsConfigDefaults = map[string]map[string]any{}
		}
		d.IntegrationsConfigDefaults[key] = m
	}
	out.Data.ConnectSessionDetails = d
	if eu := s.endUser; eu != nil {
		weu := &wireSessionEndUser{wireEndUser: *toWireEndUser(eu)}
		weu.Tags = maps.Clone(eu.Tags)
		if o := eu.Organization; o != nil {
			weu.Organization = &wireOrganization{EndUserOrganization: *o, DisplayName: nullable(o.DisplayName)}
		}
		out.Data.EndUser = weu
	}
	writeJSON(w, 200, out)
}

func (f *Fake) deleteSession(w http.ResponseWriter, r *http.Request, _ string, _ []byte) {
	if !requireEmptyQuery(w, r) {
		return
	}
	f.mu.Lock()
	delete(f.sessions, bearer(r))
	f.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}
