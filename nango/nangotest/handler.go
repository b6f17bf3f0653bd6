package nangotest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/nango-go/sdk/gen"
)

// maxRequestBody is the body size Nango's express JSON parser takes (75mb);
// a larger body is refused with 413 before it is parsed or validated, so a
// test that streams gigabytes at the fake cannot exhaust its memory.
const maxRequestBody = 75 << 20

// handler serves one implemented operation. id is the decoded path
// parameter ({connectionId}, {uniqueKey}, {provider}), "" for operations
// without one.
type handler func(f *Fake, w http.ResponseWriter, r *http.Request, id string, body []byte)

// implemented lists the operations of openapi.yaml the fake serves, by
// their "METHOD /template" in routes.Table. Any other operation of the spec
// answers 501 not_implemented (see TestEveryOperationImplementedOr501).
func implemented() map[string]handler {
	return map[string]handler{
		"GET /connections":                          (*Fake).list,
		"GET /connection":                           (*Fake).list,
		"POST /connections":                         (*Fake).importConnection,
		"GET /connections/{connectionId}":           (*Fake).get,
		"GET /connection/{connectionId}":            (*Fake).getLegacy,
		"DELETE /connections/{connectionId}":        (*Fake).delete,
		"DELETE /connection/{connectionId}":         (*Fake).delete,
		"PATCH /connections/{connectionId}":         (*Fake).patch,
		"POST /connections/metadata":                (*Fake).metadata,
		"PATCH /connections/metadata":               (*Fake).metadata,
		"POST /connection/metadata":                 (*Fake).metadata,
		"PATCH /connection/metadata":                (*Fake).metadata,
		"POST /connection/{connectionId}/metadata":  (*Fake).metadataByID,
		"PATCH /connection/{connectionId}/metadata": (*Fake).metadataByID,
		"POST /connect/sessions":                    (*Fake).createSession,
		"POST /connect/sessions/reconnect":          (*Fake).createReconnectSession,
		"GET /connect/session":                      (*Fake).getSession,
		"DELETE /connect/session":                   (*Fake).deleteSession,
		"GET /integrations":                         (*Fake).listIntegrations,
		"GET /integrations/{uniqueKey}":             (*Fake).getIntegration,
		"GET /providers":                            (*Fake).listProviders,
		"GET /providers/{provider}":                 (*Fake).getProvider,
		// ---- records (issue 16)
		"GET /records":         (*Fake).listRecords,
		"PATCH /records/prune": (*Fake).pruneRecords,
		// ---- end of records

		// ---- syncs (issue 16)
		"POST /sync/trigger":                    (*Fake).triggerSync,
		"POST /sync/pause":                      (*Fake).pauseSync,
		"POST /sync/start":                      (*Fake).startSync,
		"GET /sync/status":                      (*Fake).syncStatus,
		"PUT /sync/update-connection-frequency": (*Fake).updateSyncFrequency,
		"POST /sync/{name}/variant/{variant}":   (*Fake).createSyncVariant,
		"DELETE /sync/{name}/variant/{variant}": (*Fake).deleteSyncVariant,
		// ---- end of syncs

		// ---- actions (issue 17)
		"POST /action/trigger": (*Fake).triggerAction,
		"GET /action/{id}":     (*Fake).getAsyncActionResult,
		// ---- end of actions

		// ---- management (issue 17)
		"GET /environment-variables":                          (*Fake).getEnvironmentVariables,
		"GET /scripts/config":                                 (*Fake).getScriptsConfig,
		"POST /integrations":                                  (*Fake).createIntegration,
		"POST /integrations/quickstart":                       (*Fake).createQuickstartIntegration,
		"PATCH /integrations/{uniqueKey}":                     (*Fake).updateIntegration,
		"DELETE /integrations/{uniqueKey}":                    (*Fake).deleteIntegration,
		"GET /integrations/{uniqueKey}/functions":             (*Fake).listFunctions,
		"GET /integrations/{uniqueKey}/functions/{name}":      (*Fake).getFunction,
		"DELETE /integrations/{uniqueKey}/functions/{name}":   (*Fake).deleteFunction,
		"GET /integrations/{uniqueKey}/functions/{name}/code": (*Fake).getFunctionCode,
		"GET /providers/{provider}/templates":                 (*Fake).getProviderTemplates,
		// ---- end of management
	}
}

// sessionTokenAuth are the operations the Connect UI calls, authenticated
// with a connect session's token rather than the secret key (the spec's
// connectSessionToken scheme).
var sessionTokenAuth = map[string]bool{"GET /connect/session": true, "DELETE /connect/session": true}

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
	body, err := io.ReadAll(io.LimitReader(r.Body, int64(f.maxBody)+1))
	entry := Request{Method: r.Method, Path: r.URL.Path, EscapedPath: r.URL.EscapedPath(),
		Query: r.URL.Query(), Header: r.Header.Clone(), Body: body}
	rec := &recorder{header: http.Header{}, status: http.StatusOK}
	if err != nil || len(body) > f.maxBody {
		entry.Body = nil
		status, code := http.StatusRequestEntityTooLarge, "payload_too_large"
		if err != nil {
			status, code = http.StatusBadRequest, "invalid_body"
		}
		writeError(rec, status, code, fmt.Sprintf("the request body is over Nango's limit of %d bytes, or unreadable", f.maxBody), nil)
		f.send(w, r, rec, entry, false)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))

	if strings.HasPrefix(r.URL.EscapedPath(), "/proxy/") {
		// The proxy is no operation of the spec (it relays the provider's
		// API), so no contract check: see proxy.go.
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		f.serveProxy(sw, r)
		f.record(entry, sw.status)
		return
	}

	r = expressPath(r)
	op, known := f.routes.Match(r)
	id, idOK := pathID(op, r.URL.EscapedPath())
	key := r.URL.Query().Get("provider_config_key")
	h := f.handlers[op]
	inSpec := known && idOK && h != nil

	if inSpec && f.validator != nil && !f.allowBadReq {
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
			rec.status = x.Status
			maps.Copy(rec.header, x.Header)
			ct := x.ContentType
			if ct == "" {
				ct = "application/json; charset=utf-8"
			}
			rec.header.Set("Content-Type", ct)
			rec.body.WriteString(x.Body)
			f.send(w, r, rec, entry, !x.OffContract && inSpec)
			return
		}
	}

	switch {
	case !known || !idOK:
		// Nango's answer to a path it has no route for.
		writeError(rec, http.StatusNotFound, "not_found", fmt.Sprintf("No route %s %s", r.Method, r.URL.EscapedPath()), nil)
	case h == nil:
		writeError(rec, http.StatusNotImplemented, "not_implemented", op+" is not implemented by nangotest", nil)
	case sessionTokenAuth[op]:
		if env := f.sessionAuthorized(rec, r); env != nil {
			env.serveAuthorized(rec, r, h, id, body)
		}
	default:
		if env := f.authorized(rec, r); env != nil {
			env.serveAuthorized(rec, r, h, id, body)
		}
	}
	f.send(w, r, rec, entry, inSpec)
}

// expressPath routes a path as Nango's Express router does: its routes are
// not strict, so one trailing slash is ignored ("/records/" is "/records";
// the Node SDK's listRecords sends GET /records/?model=…). The request is
// validated and served under the path without it; Requests keeps the path
// as sent.
func expressPath(r *http.Request) *http.Request {
	escaped := r.URL.EscapedPath()
	if len(escaped) < 2 || !strings.HasSuffix(escaped, "/") || strings.HasSuffix(escaped, "//") {
		return r
	}
	u := *r.URL
	u.Path, u.RawPath = strings.TrimSuffix(u.Path, "/"), ""
	if raw := strings.TrimSuffix(escaped, "/"); raw != u.EscapedPath() {
		u.RawPath = raw
	}
	r2 := r.WithContext(r.Context()) // a shallow copy
	r2.URL = &u
	return r2
}

// pathID returns the first decoded path parameter of a request to op, and
// whether the path has the operation's shape ("" for operations without a
// parameter). Every parameter must be non-empty and decode; a handler of an
// operation with two ({name} and {variant}) reads the rest with pathParams.
func pathID(op, escaped string) (string, bool) {
	if op == "" {
		return "", true
	}
	_, tmpl, _ := strings.Cut(op, " ")
	params, ok := pathParams(tmpl, escaped)
	if !ok || len(params) == 0 {
		return "", ok
	}
	return params[0], true
}

// pathParams returns the decoded path parameters of escaped for the
// template tmpl ("/sync/{name}/variant/{variant}"), in order, and whether
// the path has the template's shape with every parameter non-empty.
func pathParams(tmpl, escaped string) ([]string, bool) {
	want, got := strings.Split(tmpl, "/"), strings.Split(escaped, "/")
	if len(want) != len(got) {
		// Routes may sit under a prefix: compare the tails.
		if len(got) < len(want) {
			return nil, false
		}
		got = got[len(got)-len(want):]
	}
	var out []string
	for i, seg := range want {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			v, err := url.PathUnescape(got[i])
			if err != nil || v == "" {
				return nil, false
			}
			out = append(out, v)
		}
	}
	return out, true
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

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// Only a value the fake built itself gets here: a bug of the fake.
		status, b = http.StatusInternalServerError, []byte(`{"error":{"code":"server_error","message":"nangotest: encoding the answer failed"}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeError writes Nango's error envelope, built from gen.Error.
func writeError(w http.ResponseWriter, status int, code, message string, issues []gen.ValidationIssue) {
	writeErrorDetail(w, status, gen.ErrorDetail{Code: code, Message: message, Errors: issues})
}

func writeErrorDetail(w http.ResponseWriter, status int, d gen.ErrorDetail) {
	var e gen.Error
	_ = e.Error.FromErrorDetail(d)
	if d.Errors != nil {
		// zod writes every issue's path, [] for the body itself.
		wd := wireErrorDetail{ErrorDetail: d}
		for _, is := range d.Errors {
			wd.Errors = append(wd.Errors, wireIssue{ValidationIssue: is, Path: orEmptySlice(is.Path)})
		}
		b, _ := json.Marshal(wd)
		_ = e.Error.UnmarshalJSON(b)
	}
	writeJSON(w, status, e)
}

type wireErrorDetail struct {
	gen.ErrorDetail
	Errors []wireIssue `json:"errors"`
}

type wireIssue struct {
	gen.ValidationIssue
	Path []gen.ValidationIssue_Path_Item `json:"path"`
}

func orEmptySlice[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// issue is one entry of a 400's "errors", as the server's zod schemas
// report it.
func issue(code, message string, path ...string) gen.ValidationIssue {
	is := gen.ValidationIssue{Code: code, Message: message}
	for _, p := range path {
		var item gen.ValidationIssue_Path_Item
		_ = item.FromValidationIssuePath0(p)
		is.Path = append(is.Path, item)
	}
	return is
}

func (f *Fake) serveAuthorized(w http.ResponseWriter, r *http.Request, h handler, id string, body []byte) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			writeError(w, http.StatusUnsupportedMediaType, "invalid_content_type", "Content-Type header must be application/json", nil)
			return
		}
	}
	h(f, w, r, id, body)
}

// authorized checks the key as Nango does and returns the environment it
// opens, or nil after answering 401.
func (f *Fake) authorized(w http.ResponseWriter, r *http.Request) *Fake {
	fail := func(code, message string) *Fake {
		writeErrorDetail(w, http.StatusUnauthorized, gen.ErrorDetail{Code: code, Message: message, Payload: json.RawMessage(`{}`)})
		return nil
	}
	h := r.Header.Get("Authorization")
	if h == "" {
		return fail("missing_auth_header", "Authentication failed. The request is missing the Authorization header.")
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
		return fail("invalid_secret_key_format", "Authentication failed. The provided secret key is not a UUID v4.")
	}
	if key == f.secretKey {
		return f
	}
	f.mu.Lock()
	env := f.envs[key]
	f.mu.Unlock()
	if env == nil {
		return fail("unknown_account", "Authentication failed. The provided authorization header does not match any account.")
	}
	return env
}

// statusWriter remembers the status written through it.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(status int) {
	s.status = status
	s.ResponseWriter.WriteHeader(status)
}
