package nangotest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// The server's own validation patterns (400 invalid_uri_params /
// invalid_query_params when a value breaks them).
var (
	connectionIDPattern = regexp.MustCompile(`^[a-zA-Z0-9,.;:=+~[\]|@${}"'\\/_ -]+$`)
	configKeyPattern    = regexp.MustCompile(`^[a-zA-Z0-9~:.@ _-]+$`)
	uuidV4Pattern       = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-4[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$`)
)

// maxRequestBody caps what the fake reads of a request body. Nango's own
// JSON parser (express.json, 75 MB on the public API) answers a larger body
// 413; the fake answers 413 as well, at a far smaller size, so that a
// runaway test fails fast instead of validating megabytes against the spec.
const maxRequestBody = 1 << 20

// maxSafeInteger is JavaScript's Number.MAX_SAFE_INTEGER: the server's query
// schema (zod's int()) refuses a larger page.
const maxSafeInteger = 1<<53 - 1

type issue struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Path    []any  `json:"path"`
}

// recorder buffers the answer so that it can be checked before it is sent.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *recorder) WriteHeader(s int)           { r.status = s }

// ServeHTTP answers one request as Nango would.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxRequestBody+1))
	if len(body) > maxRequestBody {
		// Refused before any validation or decoding, as Nango's body parser
		// does; 413 is not in the spec, so the answer is not checked.
		f.record(Request{Method: r.Method, Path: r.URL.Path, EscapedPath: r.URL.EscapedPath(),
			Query: r.URL.Query(), Header: r.Header.Clone()}, http.StatusRequestEntityTooLarge)
		w.Header().Set("Connection", "close") // the rest of the body is left unread
		writeError(w, http.StatusRequestEntityTooLarge, "payload_too_large", fmt.Sprintf("request body over %d bytes", maxRequestBody), nil)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	key := r.URL.Query().Get("provider_config_key")
	id := ""
	if seg, ok := pathID(r.URL.EscapedPath()); ok {
		id, _ = url.PathUnescape(seg)
	}
	entry := Request{Method: r.Method, Path: r.URL.Path, EscapedPath: r.URL.EscapedPath(),
		Query: r.URL.Query(), Header: r.Header.Clone(), Body: body}

	if f.validator != nil && !f.allowBadReq && knownRoute(r) {
		if _, err := f.validator.ValidateRequest(r, body, true); err != nil {
			f.report(err)
		}
	}

	if x := f.takeFault(key, id); x != nil {
		if x.Delay > 0 {
			select {
			case <-time.After(x.Delay):
			case <-r.Context().Done():
				f.record(entry, 0)
				return
			}
		}
		if x.Drop || x.Truncate {
			f.record(entry, 0)
			f.hangUp(w, x)
			return
		}
		if x.Status != 0 {
			rec := &recorder{header: http.Header{}, status: x.Status}
			maps.Copy(rec.header, x.Header)
			ct := x.ContentType
			if ct == "" {
				ct = "application/json; charset=utf-8"
			}
			rec.header.Set("Content-Type", ct)
			rec.body.WriteString(x.Body)
			f.send(w, r, rec, entry, !x.OffContract)
			return
		}
	}

	rec := &recorder{header: http.Header{}, status: http.StatusOK}
	f.route(rec, r, body)
	f.send(w, r, rec, entry, knownRoute(r))
}

// hangUp ends the connection without a complete answer.
func (f *Fake) hangUp(w http.ResponseWriter, x *Fault) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	if x.Truncate {
		body := x.Body
		if body == "" {
			body = `{"id":1,"connection_id":"truncated","credentials":{"type":"OAUTH2","access_token":"abcdef`
		}
		fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body)*2, body)
		_ = buf.Flush()
	}
}

func (f *Fake) send(w http.ResponseWriter, r *http.Request, rec *recorder, entry Request, check bool) {
	if rec.header.Get("Content-Type") == "" && rec.body.Len() > 0 {
		rec.header.Set("Content-Type", "application/json; charset=utf-8")
	}
	if check && f.validator != nil {
		if err := f.validator.ValidateResponse(r, rec.status, rec.header, rec.body.Bytes()); err != nil {
			f.report(err)
		}
	}
	f.record(entry, rec.status)
	maps.Copy(w.Header(), rec.header)
	w.Header().Set("Content-Length", strconv.Itoa(rec.body.Len()))
	w.WriteHeader(rec.status)
	_, _ = w.Write(rec.body.Bytes())
}

func (f *Fake) record(e Request, status int) {
	e.Status = status
	f.mu.Lock()
	f.log = append(f.log, e)
	f.mu.Unlock()
}

// pathID returns the escaped id segment of /connection(s)/{id}.
func pathID(escaped string) (string, bool) {
	for _, p := range []string{"/connections/", "/connection/"} {
		if seg, ok := strings.CutPrefix(escaped, p); ok && seg != "" && !strings.Contains(seg, "/") {
			return seg, true
		}
	}
	return "", false
}

func knownRoute(r *http.Request) bool {
	p := r.URL.EscapedPath()
	switch {
	case p == "/connections":
		return r.Method == http.MethodGet || r.Method == http.MethodPost
	case p == "/connection":
		return r.Method == http.MethodGet
	case (p == "/connections/metadata" || p == "/connection/metadata") && (r.Method == http.MethodPost || r.Method == http.MethodPatch):
		return true
	}
	if _, ok := pathID(p); ok {
		legacy := strings.HasPrefix(p, "/connection/")
		return r.Method == http.MethodGet || r.Method == http.MethodDelete || (r.Method == http.MethodPatch && !legacy)
	}
	return false
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, message string, issues []issue) {
	e := map[string]any{"code": code}
	if message != "" {
		e["message"] = message
	}
	if issues != nil {
		e["errors"] = issues
	}
	writeJSON(w, status, map[string]any{"error": e})
}

func (f *Fake) route(w http.ResponseWriter, r *http.Request, body []byte) {
	if !knownRoute(r) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, "<!DOCTYPE html><html><head><title>Error</title></head><body><pre>Cannot %s %s</pre></body></html>", r.Method, r.URL.EscapedPath())
		return
	}
	env := f.authorized(w, r)
	if env == nil {
		return
	}
	env.serveAuthorized(w, r, body)
}

func (f *Fake) serveAuthorized(w http.ResponseWriter, r *http.Request, body []byte) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			writeError(w, http.StatusUnsupportedMediaType, "invalid_content_type", "Content-Type header must be application/json", nil)
			return
		}
	}
	p := r.URL.EscapedPath()
	legacy := strings.HasPrefix(p, "/connection/") || p == "/connection"
	switch {
	case p == "/connections" && r.Method == http.MethodPost:
		f.importConnection(w, body)
	case p == "/connections" || p == "/connection":
		f.list(w, r.URL.Query())
	case p == "/connections/metadata" || p == "/connection/metadata":
		f.metadata(w, r.Method, body)
	default:
		seg, _ := pathID(p)
		id, err := url.PathUnescape(seg)
		if err != nil {
			writeError(w, 400, "invalid_uri_params", "", []issue{{"invalid_format", "Invalid escape", []any{"connectionId"}}})
			return
		}
		allowed := []string{"provider_config_key"}
		if r.Method == http.MethodGet {
			allowed = append(allowed, "force_refresh", "refresh_token")
			if !legacy {
				allowed = append(allowed, "refresh_github_app_jwt_token")
			}
		}
		q, ok := f.checkQuery(w, r.URL.Query(), allowed, true)
		if !ok || !checkConnectionID(w, id) {
			return
		}
		switch r.Method {
		case http.MethodGet:
			f.get(w, q, id)
		case http.MethodDelete:
			f.delete(w, q, id)
		case http.MethodPatch:
			f.patch(w, q, id, body)
		}
	}
}

// authorized checks the key as Nango does and returns the environment it
// opens, or nil after answering 401.
func (f *Fake) authorized(w http.ResponseWriter, r *http.Request) *Fake {
	h := r.Header.Get("Authorization")
	if h == "" {
		writeJSON(w, 401, map[string]any{"error": map[string]any{"message": "Authentication failed. The request is missing the Authorization header.", "code": "missing_auth_header", "payload": map[string]any{}}})
		return nil
	}
	key := h
	if k, ok := strings.CutPrefix(h, "Bearer "); ok {
		key = k
	} else if b, ok := strings.CutPrefix(h, "Basic "); ok && f.acceptBasic {
		if dec, err := base64.StdEncoding.DecodeString(b); err == nil {
			key, _, _ = strings.Cut(string(dec), ":")
		}
	}
	if !uuidV4Pattern.MatchString(key) {
		writeJSON(w, 401, map[string]any{"error": map[string]any{"message": "Authentication failed. The provided secret key is not a UUID v4.", "code": "invalid_secret_key_format", "payload": map[string]any{}}})
		return nil
	}
	if key == f.secretKey {
		return f
	}
	f.mu.Lock()
	env := f.envs[key]
	f.mu.Unlock()
	if env == nil {
		writeJSON(w, 401, map[string]any{"error": map[string]any{"message": "Authentication failed. The provided authorization header does not match any account.", "code": "unknown_account", "payload": map[string]any{}}})
	}
	return env
}

type getQuery struct {
	key                                  string
	forceRefresh, refreshToken, ghAppJWT bool
}

// checkQuery applies the server's strict query schema: unknown keys, a
// missing or malformed provider_config_key and non-boolean flags are a 400.
func (f *Fake) checkQuery(w http.ResponseWriter, q url.Values, allowed []string, needKey bool) (getQuery, bool) {
	var issues []issue
	for k := range q {
		if !contains(allowed, k) {
			issues = append(issues, issue{"unrecognized_keys", fmt.Sprintf("Unrecognized key: %q", k), []any{}})
		}
	}
	out := getQuery{key: q.Get("provider_config_key")}
	if needKey {
		switch {
		case !q.Has("provider_config_key"):
			issues = append(issues, issue{"invalid_type", "Invalid input: expected string, received undefined", []any{"provider_config_key"}})
		case len(out.key) > 255 || !configKeyPattern.MatchString(out.key):
			issues = append(issues, issue{"invalid_format", "Invalid string: must match pattern /^[a-zA-Z0-9~:.@ _-]+$/", []any{"provider_config_key"}})
		}
	}
	for name, dst := range map[string]*bool{"force_refresh": &out.forceRefresh, "refresh_token": &out.refreshToken, "refresh_github_app_jwt_token": &out.ghAppJWT} {
		if !q.Has(name) || !contains(allowed, name) {
			continue
		}
		switch q.Get(name) {
		case "true":
			*dst = true
		case "false":
		default:
			issues = append(issues, issue{"invalid_value", `Invalid input: expected "true" or "false"`, []any{name}})
		}
	}
	if len(issues) > 0 {
		writeError(w, 400, "invalid_query_params", "", issues)
		return out, false
	}
	return out, true
}

func checkConnectionID(w http.ResponseWriter, id string) bool {
	if len([]rune(id)) > 255 || !connectionIDPattern.MatchString(id) {
		writeError(w, 400, "invalid_uri_params", "", []issue{{"invalid_format", `Invalid string: must match pattern /^[a-zA-Z0-9,.;:=+~[\]|@${}"'\\/_ -]+$/`, []any{"connectionId"}}})
		return false
	}
	return true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (f *Fake) get(w http.ResponseWriter, q getQuery, id string) {
	k := connKey{q.key, id}
	if !f.refreshIfDue(w, k, q.forceRefresh) {
		return
	}
	f.mu.Lock()
	_, known := f.integrations[q.key]
	s := f.conns[k]
	var body []byte
	if s != nil {
		s.obj["last_fetched_at"] = formatTime(f.clock(), false)
		if q.forceRefresh {
			f.refreshes[k]++
		}
		// One encoding of a shallow copy, under the lock that guards the
		// stored maps: reads are what load tests hammer.
		out := s.obj
		if creds, ok := s.obj["credentials"].(map[string]any); ok && !q.refreshToken {
			if _, has := creds["refresh_token"]; has {
				out = maps.Clone(s.obj)
				stripped := maps.Clone(creds)
				delete(stripped, "refresh_token")
				out["credentials"] = stripped
			}
		}
		body, _ = json.Marshal(out)
	}
	f.mu.Unlock()
	switch {
	case !known:
		writeError(w, 400, "unknown_provider_config", "Provider does not exists", nil)
	case s == nil:
		writeError(w, 404, "not_found", "Failed to find connection", nil)
	default:
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(200)
		_, _ = w.Write(body)
	}
}

// refreshIfDue plays Nango's refresh of an OAUTH2 token before a read: when
// the read forces it or the token has expired, and a Refresher is set. A
// refresher's error is Nango's 400 invalid_credentials, with the connection
// (credentials emptied) in the payload. It reports whether the read goes on.
func (f *Fake) refreshIfDue(w http.ResponseWriter, k connKey, force bool) bool {
	f.mu.Lock()
	s := f.conns[k]
	fn := f.refresher
	if s == nil || fn == nil {
		f.mu.Unlock()
		return true
	}
	creds, _ := s.obj["credentials"].(map[string]any)
	if kind, _ := creds["type"].(string); kind != "OAUTH2" {
		f.mu.Unlock()
		return true
	}
	expired := false
	if exp, ok := creds["expires_at"].(string); ok {
		if t, err := time.Parse(time.RFC3339Nano, exp); err == nil && !t.After(f.clock()) {
			expired = true
		}
	}
	if !force && !expired {
		f.mu.Unlock()
		return true
	}
	current := maps.Clone(creds)
	f.mu.Unlock()

	// The refresher is the test's code: call it without the lock, so that
	// it may use the fake.
	fresh, err := fn(k.key, k.id, current)

	f.mu.Lock()
	defer f.mu.Unlock()
	s = f.conns[k]
	if s == nil {
		return true // removed meanwhile: the read answers 404
	}
	if err != nil {
		logID := fmt.Sprintf("%d_refresh", f.clock().UnixMilli())
		s.obj["errors"] = []any{map[string]any{"type": "auth", "log_id": logID}}
		conn := maps.Clone(s.obj)
		conn["credentials"] = map[string]any{}
		writeJSON(w, 400, map[string]any{"error": map[string]any{
			"code":    "invalid_credentials",
			"message": "The external API returned an error when trying to refresh the access token. Please try again later.",
			"payload": map[string]any{"connection": conn},
		}})
		return false
	}
	fresh["type"] = "OAUTH2"
	if _, ok := fresh["raw"]; !ok {
		fresh["raw"] = maps.Clone(fresh)
	}
	s.obj["credentials"] = fresh
	s.obj["errors"] = []any{}
	s.obj["updated_at"] = formatTime(f.clock(), false)
	return true
}

func (f *Fake) delete(w http.ResponseWriter, q getQuery, id string) {
	f.mu.Lock()
	_, known := f.integrations[q.key]
	k := connKey{q.key, id}
	_, ok := f.conns[k]
	delete(f.conns, k)
	f.mu.Unlock()
	switch {
	case !known:
		writeError(w, 400, "unknown_provider_config", "Provider does not exists", nil)
	case !ok:
		// Deletes answer 400 unknown_connection where reads say 404.
		writeError(w, 400, "unknown_connection", "", nil)
	default:
		writeJSON(w, 200, map[string]any{"success": true})
	}
}

func (f *Fake) patch(w http.ResponseWriter, q getQuery, id string, body []byte) {
	var in struct {
		Tags               map[string]string `json:"tags"`
		WebhookURLOverride *string           `json:"webhook_url_override"`
	}
	if !decodeBody(w, body, &in) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.conns[connKey{q.key, id}]
	if s == nil {
		writeError(w, 404, "not_found", "Failed to find connection", nil)
		return
	}
	if in.Tags != nil {
		tags := map[string]any{}
		for k, v := range in.Tags {
			tags[k] = v
		}
		s.obj["tags"] = tags
	}
	if in.WebhookURLOverride != nil {
		s.obj["webhook_url_override"] = *in.WebhookURLOverride
	}
	s.obj["updated_at"] = formatTime(f.clock(), false)
	writeJSON(w, 200, map[string]any{"success": true})
}

func decodeBody(w http.ResponseWriter, body []byte, v any) bool {
	err := json.Unmarshal(body, v)
	if err == nil {
		return true
	}
	var syn *json.SyntaxError
	code := "invalid_body"
	if len(bytes.TrimSpace(body)) == 0 || errors.As(err, &syn) {
		code = "invalid_json"
	}
	writeError(w, 400, code, err.Error(), nil)
	return false
}

// requiredFields names, for each kind, the fields an import must carry.
var requiredFields = map[string][]string{
	"OAUTH2": {"access_token"}, "OAUTH1": {"oauth_token", "oauth_token_secret"}, "OAUTH2_CC": {"token"},
	"API_KEY": {"apiKey"}, "BASIC": {"username"}, "APP": {"access_token"}, "TBA": {"token_id", "token_secret"},
	"SIGNATURE": {"username", "password"}, "BILL": {"username", "password", "organization_id", "dev_key"},
	"AWS_SIGV4": {"access_key_id", "secret_access_key"},
}

func (f *Fake) importConnection(w http.ResponseWriter, body []byte) {
	obj, err := toObject(body)
	if err != nil {
		writeError(w, 400, "invalid_json", "Unexpected token in JSON", nil)
		return
	}
	var issues []issue
	for _, field := range []string{"provider_config_key", "connection_id"} {
		if s, ok := obj[field].(string); !ok || s == "" {
			issues = append(issues, issue{"invalid_type", "Invalid input: expected string, received undefined", []any{field}})
		}
	}
	creds, ok := obj["credentials"].(map[string]any)
	if !ok {
		issues = append(issues, issue{"invalid_type", "Invalid input: expected object, received undefined", []any{"credentials"}})
	} else {
		kind, _ := creds["type"].(string)
		for _, field := range requiredFields[kind] {
			if s, ok := creds[field].(string); !ok || s == "" {
				issues = append(issues, issue{"invalid_type", "Invalid input: expected string, received undefined", []any{"credentials", field}})
			}
		}
	}
	if issues != nil {
		writeError(w, 400, "invalid_body", "", issues)
		return
	}
	key := obj["provider_config_key"].(string)
	kind, _ := creds["type"].(string)
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.integrations[key]; !ok {
		writeError(w, 404, "not_found", "Integration does not exist", nil)
		return
	}
	if mode := f.authModes[key]; mode != "" && mode != kind {
		writeError(w, 400, "invalid_body", fmt.Sprintf("Provider %s does not support %s auth", mode, kind), nil)
		return
	}
	if kind == "OAUTH2" || kind == "OAUTH1" {
		if _, ok := creds["raw"]; !ok {
			creds["raw"] = deepCopy(creds)
		}
	}
	now := f.clock()
	delete(obj, "id")
	obj["created_at"], obj["updated_at"], obj["last_fetched_at"] = formatTime(now, false), formatTime(now, false), formatTime(now, false)
	if err := f.putLocked(obj, false); err != nil {
		writeError(w, 400, "invalid_body", err.Error(), nil)
		return
	}
	// The answer to a POST spells its timestamps with Z.
	out := deepCopy(obj)
	for _, k := range []string{"created_at", "updated_at", "last_fetched_at"} {
		out[k] = formatTime(now, true)
	}
	writeJSON(w, 201, out)
}

func (f *Fake) metadata(w http.ResponseWriter, method string, body []byte) {
	var in struct {
		ConnectionID      json.RawMessage `json:"connection_id"`
		ProviderConfigKey string          `json:"provider_config_key"`
		Metadata          map[string]any  `json:"metadata"`
	}
	if !decodeBody(w, body, &in) {
		return
	}
	var ids []string
	var one string
	if json.Unmarshal(in.ConnectionID, &one) == nil {
		ids = []string{one}
	} else if json.Unmarshal(in.ConnectionID, &ids) != nil || len(ids) == 0 {
		writeError(w, 400, "invalid_body", "", []issue{{"invalid_type", "Invalid input", []any{"connection_id"}}})
		return
	}
	if in.ProviderConfigKey == "" || in.Metadata == nil {
		writeError(w, 400, "invalid_body", "", []issue{{"invalid_type", "Invalid input", []any{"metadata"}}})
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, id := range ids {
		if f.conns[connKey{in.ProviderConfigKey, id}] == nil {
			writeError(w, 404, "not_found", "Failed to find connection", nil)
			return
		}
	}
	for _, id := range ids {
		s := f.conns[connKey{in.ProviderConfigKey, id}]
		if method == http.MethodPost {
			s.obj["metadata"] = deepCopy(in.Metadata)
		} else {
			merged, _ := s.obj["metadata"].(map[string]any)
			if merged == nil {
				merged = map[string]any{}
			}
			maps.Copy(merged, deepCopy(in.Metadata))
			s.obj["metadata"] = merged
		}
	}
	status := 200
	if method == http.MethodPost {
		status = 201
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func (f *Fake) list(w http.ResponseWriter, q url.Values) {
	allowed := []string{"connectionId", "search", "endUserId", "endUserOrganizationId", "integrationId", "limit", "page"}
	tags := map[string]string{}
	var issues []issue
	for k := range q {
		if inner, ok := strings.CutPrefix(k, "tags["); ok && strings.HasSuffix(inner, "]") {
			tags[strings.TrimSuffix(inner, "]")] = q.Get(k)
		} else if !contains(allowed, k) {
			issues = append(issues, issue{"unrecognized_keys", fmt.Sprintf("Unrecognized key: %q", k), []any{}})
		}
	}
	limit, page := 1000, 0
	if q.Has("limit") {
		n, err := strconv.Atoi(q.Get("limit"))
		if err != nil || n < 1 || n > 2000 {
			issues = append(issues, issue{"too_big", "Invalid input: expected number between 1 and 2000", []any{"limit"}})
		}
		limit = n
	}
	if q.Has("page") {
		n, err := strconv.Atoi(q.Get("page"))
		switch {
		case err != nil && !errors.Is(err, strconv.ErrRange), err == nil && n < 0:
			issues = append(issues, issue{"too_small", "Invalid input: expected number >= 0", []any{"page"}})
		case err != nil, n > maxSafeInteger:
			issues = append(issues, issue{"too_big", "Invalid input: expected int, received number", []any{"page"}})
		}
		page = n
	}
	if issues != nil {
		writeError(w, 400, "invalid_query_params", "", issues)
		return
	}
	var integrations []string
	if s := q.Get("integrationId"); s != "" {
		integrations = strings.Split(s, ",")
	}
	f.mu.Lock()
	var items []map[string]any
	for _, s := range f.sortedConns() {
		o := s.obj
		str := func(k string) string { v, _ := o[k].(string); return v }
		if c := q.Get("connectionId"); c != "" && str("connection_id") != c {
			continue
		}
		if sr := q.Get("search"); sr != "" && !strings.Contains(lower(str("connection_id")), lower(sr)) {
			continue
		}
		if integrations != nil && !contains(integrations, str("provider_config_key")) {
			continue
		}
		eu, _ := o["end_user"].(map[string]any)
		if v := q.Get("endUserId"); v != "" && (eu == nil || eu["id"] != v) {
			continue
		}
		if v := q.Get("endUserOrganizationId"); v != "" {
			org, _ := eu["organization"].(map[string]any)
			if org == nil || org["id"] != v {
				continue
			}
		}
		ct, _ := o["tags"].(map[string]any)
		match := true
		for k, v := range tags {
			if ct[k] != v {
				match = false
			}
		}
		if !match {
			continue
		}
		items = append(items, deepCopy(map[string]any{
			"id": o["id"], "connection_id": o["connection_id"], "provider_config_key": o["provider_config_key"],
			"provider": o["provider"], "errors": o["errors"], "end_user": o["end_user"], "tags": o["tags"],
			"metadata": o["metadata"], "created": o["created_at"],
		}))
	}
	f.mu.Unlock()
	// page*limit can overflow an int: compare by division first.
	start := len(items)
	if page <= len(items)/limit {
		start = min(page*limit, len(items))
	}
	end := min(start+limit, len(items))
	writeJSON(w, 200, map[string]any{"connections": nonNil(items[start:end])})
}

func nonNil(s []map[string]any) []map[string]any {
	if s == nil {
		return []map[string]any{}
	}
	return s
}

func deepCopy(m map[string]any) map[string]any {
	b, _ := json.Marshal(m)
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out map[string]any
	_ = dec.Decode(&out)
	return out
}
