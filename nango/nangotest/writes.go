package nangotest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"time"

	"github.com/nango-go/sdk/gen"
	"github.com/nango-go/sdk/nango"
)

// importKinds decodes the credentials of an import, by kind, into the
// generated request type; kinds the server does not import are absent.
var importKinds = map[string]func() any{
	"OAUTH2": func() any { return &gen.ImportOAuth2Credentials{} }, "OAUTH1": func() any { return &gen.ImportOAuth1Credentials{} },
	"OAUTH2_CC": func() any { return &gen.ImportOAuth2ClientCredentials{} }, "API_KEY": func() any { return &gen.ImportAPIKeyCredentials{} },
	"BASIC": func() any { return &gen.ImportBasicCredentials{} }, "NONE": func() any { return &gen.ImportNoneCredentials{} },
	"TBA": func() any { return &gen.ImportTBACredentials{} }, "APP": func() any { return &gen.ImportAppCredentials{} },
	"CUSTOM": func() any { return &gen.ImportCustomCredentials{} },
}

// requiredFields names, for each kind, the credentials fields an import
// must carry (not empty).
var requiredFields = map[string][]string{
	"OAUTH2": {"access_token"}, "OAUTH1": {"oauth_token", "oauth_token_secret"}, "OAUTH2_CC": {"token", "client_id", "client_secret"},
	"API_KEY": {"apiKey"}, "BASIC": {"username"}, "TBA": {"token_id", "token_secret"},
	"APP": {"app_id", "installation_id"}, "CUSTOM": {"app_id", "installation_id"},
}

// importConnection is POST /connections. APP and CUSTOM imports make the
// real server fetch an installation token from GitHub; the fake stores
// APP credentials with a made-up token instead ("ghs_nangotest_" and the
// installation id), valid for an hour, and the app and installation ids in
// connection_config as Nango does.
func (f *Fake) importConnection(w http.ResponseWriter, r *http.Request, _ string, body []byte) {
	// The server's schema for the query is an empty strict object.
	if !requireEmptyQuery(w, r) {
		return
	}
	var in gen.ImportConnectionRequest
	if !decodeBody(w, body, &in) {
		return
	}
	// null decodes as absent; the server's optional properties refuse it.
	issues := nullProperties(body, "connection_id", "metadata", "connection_config", "webhook_url_override", "end_user", "tags")
	if in.ProviderConfigKey == "" {
		issues = append(issues, issue("invalid_type", "Invalid input: expected string, received undefined", "provider_config_key"))
	}
	// Unlike the path parameter, the body's connection_id has no pattern:
	// the server imports "ünïcode".
	if len([]rune(in.ConnectionID)) > 255 {
		issues = append(issues, issue("too_big", "Too big: expected string to have <=255 characters", "connection_id"))
	}
	rawCreds, _ := in.Credentials.MarshalJSON()
	kind, _ := in.Credentials.Discriminator()
	var fields map[string]json.RawMessage
	_ = json.Unmarshal(rawCreds, &fields)
	newCreds, ok := importKinds[kind]
	switch {
	case fields == nil:
		issues = append(issues, issue("invalid_type", "Invalid input: expected object, received undefined", "credentials"))
	case !ok:
		issues = append(issues, issue("invalid_union", "Invalid input", "credentials", "type"))
	default:
		// Strict, as the server's schema: raw and other read-only fields
		// are refused.
		dec := json.NewDecoder(bytes.NewReader(rawCreds))
		dec.DisallowUnknownFields()
		if err := dec.Decode(newCreds()); err != nil {
			issues = append(issues, issue("invalid_union", "Invalid input: "+err.Error(), "credentials"))
		}
		for _, name := range requiredFields[kind] {
			var s string
			if json.Unmarshal(fields[name], &s) != nil || s == "" {
				issues = append(issues, issue("invalid_type", "Invalid input: expected string, received undefined", "credentials", name))
			}
		}
	}
	tags, bad := checkTags(in.Tags, "tags")
	issues = append(issues, bad...)
	issues = append(issues, checkWebhookURL(in.WebhookURLOverride, "webhook_url_override")...)
	issues = append(issues, checkEndUserInput(in.EndUser)...)
	if issues != nil {
		writeError(w, 400, "invalid_body", "", issues)
		return
	}

	f.mu.Lock()
	defer f.mu.Unlock()
	integ := f.integrations[in.ProviderConfigKey]
	if integ == nil {
		writeError(w, 404, "not_found", "Integration does not exist", nil)
		return
	}
	provider := integ.provider
	if mode := integ.authMode; mode != "" && mode != kind && !(mode == "APP" && kind == "CUSTOM" || mode == "CUSTOM" && kind == "APP") {
		writeError(w, 400, "invalid_body", fmt.Sprintf("Provider %s does not support %s auth", mode, kind), nil)
		return
	}
	if kind == "TBA" && !truthy(in.ConnectionConfig["accountId"]) {
		// Checked after the schema, the integration and the kind, as the
		// server does; any falsy accountId is missing to it.
		writeError(w, 400, "invalid_body", "Missing accountId in connection_config. This is required to create a TBA connection.", nil)
		return
	}
	now := f.clock().UTC()
	c := gen.Connection{ConnectionID: in.ConnectionID, ProviderConfigKey: in.ProviderConfigKey, Provider: provider,
		ConnectionConfig: maps.Clone(in.ConnectionConfig), Metadata: maps.Clone(in.Metadata), EndUser: toEndUser(in.EndUser),
		WebhookURLOverride: in.WebhookURLOverride, CreatedAt: now, UpdatedAt: now, LastFetchedAt: now}
	if c.ConnectionID == "" {
		c.ConnectionID = newUUID()
	}
	c.Tags = tags
	maps.Copy(c.Tags, endUserTags(in.EndUser))
	if prev := f.conns[connKey{c.ProviderConfigKey, c.ConnectionID}]; prev != nil {
		c.ID, c.CreatedAt = prev.conn.ID, prev.conn.CreatedAt
	}
	stored, err := importedCredentials(kind, rawCreds, fields, now)
	if err != nil {
		writeError(w, 500, "server_error", err.Error(), nil)
		return
	}
	_ = setCredentials(&c.Credentials, stored)
	switch kind {
	case "NONE":
		c.LastFetchedAt = time.Time{}
	case "APP", "CUSTOM":
		cfg := orEmpty(c.ConnectionConfig)
		for _, name := range []string{"app_id", "installation_id"} {
			var s string
			_ = json.Unmarshal(fields[name], &s)
			cfg[name] = s
		}
		c.ConnectionConfig = cfg
	}
	if err := f.putLocked(c, false); err != nil {
		writeError(w, 400, "invalid_body", err.Error(), nil)
		return
	}
	// The answer to a POST spells its timestamps with Z.
	writeJSON(w, 201, toWire(f.conns[connKey{c.ProviderConfigKey, c.ConnectionID}], true, true))
}

// importedCredentials is what the server stores for imported credentials:
// OAUTH2, OAUTH1 and OAUTH2_CC keep what was sent as raw; NONE is {}.
func importedCredentials(kind string, raw json.RawMessage, fields map[string]json.RawMessage, now time.Time) (json.RawMessage, error) {
	switch kind {
	case "NONE":
		return json.RawMessage("{}"), nil
	case "OAUTH2", "OAUTH1", "OAUTH2_CC":
		fields = maps.Clone(fields)
		fields["raw"] = raw
		return json.Marshal(fields)
	case "APP", "CUSTOM":
		var inst string
		_ = json.Unmarshal(fields["installation_id"], &inst)
		token := "ghs_nangotest_" + inst
		exp := now.Add(time.Hour)
		app := gen.AppCredentials{Type: "APP", AccessToken: token, ExpiresAt: exp}
		app.Raw, _ = json.Marshal(map[string]string{"token": token, "expires_at": exp.Format(time.RFC3339)})
		if kind == "APP" {
			return json.Marshal(app)
		}
		return json.Marshal(gen.CustomCredentials{Type: "CUSTOM", App: &app, Raw: app.Raw})
	}
	return raw, nil
}

// metadata is POST (replace) and PATCH (merge) of /connections/metadata and
// /connection/metadata; the answer echoes the request.
func (f *Fake) metadata(w http.ResponseWriter, r *http.Request, _ string, body []byte) {
	var in gen.MetadataRequest
	if !decodeBody(w, body, &in) {
		return
	}
	var ids []string
	if one, err := in.ConnectionID.AsConnectionIDValue(); err == nil {
		ids = []string{one}
	} else if many, err := in.ConnectionID.AsConnectionIDs1(); err == nil {
		// [] is valid to the server: it writes nothing and echoes it.
		ids = append([]string{}, many...)
	}
	var issues []gen.ValidationIssue
	if ids == nil {
		issues = append(issues, issue("invalid_type", "Invalid input", "connection_id"))
	}
	for _, id := range ids {
		if len([]rune(id)) > 255 || !connectionIDPattern.MatchString(id) {
			issues = append(issues, issue("invalid_format", "Invalid connection id", "connection_id"))
		}
	}
	if in.ProviderConfigKey == "" || !configKeyPattern.MatchString(in.ProviderConfigKey) {
		issues = append(issues, issue("invalid_type", "Invalid input", "provider_config_key"))
	}
	if in.Metadata == nil {
		issues = append(issues, issue("invalid_type", "Invalid input: expected object", "metadata"))
	}
	if issues != nil {
		writeError(w, 400, "invalid_body", "", issues)
		return
	}
	if !f.writeMetadata(w, r.Method, in.ProviderConfigKey, ids, in.Metadata) {
		return
	}
	status := http.StatusOK
	if r.Method == http.MethodPost {
		status = http.StatusCreated
	}
	writeJSON(w, status, wireMetadata{MetadataResponse: gen.MetadataResponse(in), Metadata: in.Metadata})
}

// metadataByID is the deprecated POST|PATCH /connection/{connectionId}/metadata:
// the body is the metadata itself, the key in the query or a header, and the
// answer echoes the body (201 to a POST, 200 to a PATCH), as the server's
// res.send(req.body) does.
func (f *Fake) metadataByID(w http.ResponseWriter, r *http.Request, id string, body []byte) {
	key := r.URL.Query().Get("provider_config_key")
	if key == "" {
		key = r.Header.Get("Provider-Config-Key")
	}
	if key == "" || !configKeyPattern.MatchString(key) {
		writeError(w, 400, "missing_provider_config_key", "Missing provider config key", nil)
		return
	}
	if !checkConnectionID(w, id) {
		return
	}
	var md gen.Metadata
	if !decodeBody(w, body, &md) {
		return
	}
	if md == nil {
		writeError(w, 400, "invalid_body", "", []gen.ValidationIssue{issue("invalid_type", "Invalid input: expected object")})
		return
	}
	if !f.writeMetadata(w, r.Method, key, []string{id}, md) {
		return
	}
	status := http.StatusOK
	if r.Method == http.MethodPost {
		status = http.StatusCreated
	}
	// The parsed body written back: the request's bytes without their
	// white space.
	var echo bytes.Buffer
	if err := json.Compact(&echo, body); err != nil {
		writeError(w, 500, "server_error", err.Error(), nil)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(echo.Bytes())
}

// writeMetadata replaces (POST) or merges (PATCH) the metadata of every id,
// or of none when one is unknown (404 unknown_connection).
func (f *Fake) writeMetadata(w http.ResponseWriter, method, key string, ids []string, md gen.Metadata) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, id := range ids {
		if f.conns[connKey{key, id}] == nil {
			writeError(w, 404, "unknown_connection", fmt.Sprintf("Connection with connection id %s and provider config key %s not found. Please make sure the connection exists in the Nango dashboard", id, key), nil)
			return false
		}
	}
	for _, id := range ids {
		s := f.conns[connKey{key, id}]
		s.nullMetadata = false
		c := &s.conn
		// New maps, not edits: answers already built share the old ones.
		next := map[string]any{}
		if method != http.MethodPost {
			maps.Copy(next, c.Metadata)
		}
		maps.Copy(next, deepCopy(md))
		c.Metadata = next
		c.UpdatedAt = f.clock().UTC()
	}
	return true
}

func deepCopy(m map[string]any) map[string]any {
	b, _ := json.Marshal(m)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return out
}

// refreshIfDue plays Nango's refresh of an OAUTH2 token before a read: when
// the read forces it or the token has expired, and a Refresher is set. A
// refresher's error is Nango's 400 invalid_credentials, with the connection
// (credentials emptied) in the payload. It reports whether the read goes on.
func (f *Fake) refreshIfDue(w http.ResponseWriter, r *http.Request, k connKey, force bool) bool {
	f.mu.Lock()
	s := f.conns[k]
	fn := f.refresher
	if s == nil || fn == nil || credentialsKind(s.conn.Credentials) != "OAUTH2" {
		f.mu.Unlock()
		return true
	}
	creds, err := s.conn.Credentials.AsCredentials()
	var current gen.OAuth2Credentials
	if err == nil {
		current, err = creds.AsOAuth2Credentials()
	}
	expired := !current.ExpiresAt.IsZero() && !current.ExpiresAt.After(f.clock())
	f.mu.Unlock()
	if err != nil || !force && !expired {
		return true
	}

	// The refresher is the test's code: call it without the lock, so that
	// it may use the fake.
	fresh, err := fn(context.WithoutCancel(r.Context()), k.key, k.id, current)

	f.mu.Lock()
	defer f.mu.Unlock()
	s = f.conns[k]
	if s == nil {
		return true // removed meanwhile: the read answers 404
	}
	now := f.clock().UTC()
	if err != nil {
		s.conn.Errors = []gen.ConnectionError{{Type: "auth", LogID: fmt.Sprintf("%d_refresh", now.UnixMilli())}}
		conn := toWire(s, false, false)
		conn.Credentials = json.RawMessage("{}")
		payload, _ := json.Marshal(map[string]any{"connection": conn})
		writeErrorDetail(w, 400, gen.ErrorDetail{Code: "invalid_credentials",
			Message: "The external API returned an error when trying to refresh the access token. Please try again later.",
			Payload: payload})
		return false
	}
	fresh.Type = "OAUTH2"
	raw, _ := credentialsJSON(nango.OAuth2Credentials(fresh))
	if len(fresh.Raw) == 0 {
		var obj map[string]json.RawMessage
		_ = json.Unmarshal(raw, &obj)
		obj["raw"] = raw
		raw, _ = json.Marshal(obj)
	}
	_ = setCredentials(&s.conn.Credentials, raw)
	s.conn.Errors = nil
	s.conn.UpdatedAt = now
	return true
}

// newUUID is the id Nango gives an imported connection sent without one.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
