package nangotest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/nango-go/sdk/gen"
)

// maxSafeOffset is the largest list offset (page × limit) the server's
// database query takes: Number.MAX_SAFE_INTEGER, 2^53 − 1.
const maxSafeOffset = 1<<53 - 1

// The server's own validation patterns (400 invalid_uri_params /
// invalid_query_params / invalid_body when a value breaks them).
var (
	connectionIDPattern = regexp.MustCompile(`^[a-zA-Z0-9,.;:=+~[\]|@${}"'\\/_ -]+$`)
	configKeyPattern    = regexp.MustCompile(`^[a-zA-Z0-9~:.@ _-]+$`)
	uuidV4Pattern       = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-4[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$`)
	tagKeyPattern       = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_\-./]*$`)
)

const (
	msgNoIntegration = "Provider does not exists"
	msgNoConnection  = "Failed to find connection"
)

type getQuery struct {
	key                                  string
	forceRefresh, refreshToken, ghAppJWT bool
}

// checkQuery applies the server's strict query schema: unknown keys, a
// missing or malformed provider_config_key and non-boolean flags are a 400.
func checkQuery(w http.ResponseWriter, q url.Values, allowed []string) (getQuery, bool) {
	var issues []gen.ValidationIssue
	for k := range q {
		if !slices.Contains(allowed, k) {
			issues = append(issues, issue("unrecognized_keys", fmt.Sprintf("Unrecognized key: %q", k)))
		}
	}
	out := getQuery{key: q.Get("provider_config_key")}
	switch {
	case !q.Has("provider_config_key"):
		issues = append(issues, issue("invalid_type", "Invalid input: expected string, received undefined", "provider_config_key"))
	case len(out.key) > 255 || !configKeyPattern.MatchString(out.key):
		issues = append(issues, issue("invalid_format", "Invalid string: must match pattern /^[a-zA-Z0-9~:.@ _-]+$/", "provider_config_key"))
	}
	for name, dst := range map[string]*bool{"force_refresh": &out.forceRefresh, "refresh_token": &out.refreshToken, "refresh_github_app_jwt_token": &out.ghAppJWT} {
		if !q.Has(name) || !slices.Contains(allowed, name) {
			continue
		}
		switch q.Get(name) {
		case "true":
			*dst = true
		case "false":
		default:
			issues = append(issues, issue("invalid_value", `Invalid input: expected "true" or "false"`, name))
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
		writeError(w, 400, "invalid_uri_params", "", []gen.ValidationIssue{issue("invalid_format", `Invalid string: must match pattern /^[a-zA-Z0-9,.;:=+~[\]|@${}"'\\/_ -]+$/`, "connectionId")})
		return false
	}
	return true
}

func (f *Fake) get(w http.ResponseWriter, r *http.Request, id string, _ []byte) {
	f.read(w, r, id, []string{"provider_config_key", "force_refresh", "refresh_token", "refresh_github_app_jwt_token"})
}

// getLegacy is GET /connection/{connectionId}: the same read, without the
// GitHub App flag.
func (f *Fake) getLegacy(w http.ResponseWriter, r *http.Request, id string, _ []byte) {
	f.read(w, r, id, []string{"provider_config_key", "force_refresh", "refresh_token"})
}

func (f *Fake) read(w http.ResponseWriter, r *http.Request, id string, allowed []string) {
	q, ok := checkQuery(w, r.URL.Query(), allowed)
	if !ok || !checkConnectionID(w, id) {
		return
	}
	k := connKey{q.key, id}
	if !f.refreshIfDue(w, r, k, q.forceRefresh) {
		return
	}
	f.mu.Lock()
	known := f.integrations[q.key] != nil
	s := f.conns[k]
	var out wireConnection
	if s != nil {
		s.conn.LastFetchedAt = f.clock().UTC()
		if q.forceRefresh {
			f.refreshes[k]++
		}
		out = toWire(s, false, q.refreshToken)
	}
	f.mu.Unlock()
	switch {
	case !known:
		writeError(w, 400, "unknown_provider_config", msgNoIntegration, nil)
	case s == nil:
		writeError(w, 404, "not_found", msgNoConnection, nil)
	default:
		writeJSON(w, 200, out)
	}
}

func (f *Fake) delete(w http.ResponseWriter, r *http.Request, id string, _ []byte) {
	q, ok := checkQuery(w, r.URL.Query(), []string{"provider_config_key"})
	if !ok || !checkConnectionID(w, id) {
		return
	}
	f.mu.Lock()
	k := connKey{q.key, id}
	_, found := f.conns[k]
	delete(f.conns, k)
	f.forgetConnectionLocked(k.key, k.id)
	f.mu.Unlock()
	if !found {
		// Deletes answer 400 unknown_connection where reads say 404, for an
		// unknown integration too.
		writeError(w, 400, "unknown_connection", "", nil)
		return
	}
	writeJSON(w, 200, gen.Success{Success: true})
}

// decodeBody decodes a JSON body strictly, as the server's zod schemas do:
// an unknown property is 400 invalid_body, bad JSON 400 invalid_json.
func decodeBody(w http.ResponseWriter, body []byte, v any) bool {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("trailing data after the JSON value")
	}
	if err == nil {
		return true
	}
	var syn *json.SyntaxError
	code := "invalid_body"
	if errors.As(err, &syn) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		code = "invalid_json"
	}
	writeError(w, 400, code, err.Error(), nil)
	return false
}

// checkTags applies the server's tag rules: at most 10, keys matching
// tagKeyPattern up to 64 characters, values up to 255. It returns the tags
// with their keys lower-cased, as the server stores them.
func checkTags(tags map[string]string, path ...string) (gen.Tags, []gen.ValidationIssue) {
	var issues []gen.ValidationIssue
	if len(tags) > 10 {
		issues = append(issues, issue("too_big", "Too big: expected at most 10 tags", path...))
	}
	out := gen.Tags{}
	for k, v := range tags {
		if len(k) > 64 || !tagKeyPattern.MatchString(k) {
			issues = append(issues, issue("invalid_format", "Invalid tag key", append(slices.Clone(path), k)...))
		}
		if len(v) > 255 {
			issues = append(issues, issue("too_big", "Too big: expected at most 255 characters", append(slices.Clone(path), k)...))
		}
		out[strings.ToLower(k)] = v
	}
	return out, issues
}

// endUserTags are the tags Nango copies from an end user into the
// connection's tags on import and patch.
func endUserTags(eu *gen.EndUserInput) gen.Tags {
	out := gen.Tags{}
	if eu == nil {
		return out
	}
	maps.Copy(out, eu.Tags)
	out["end_user_id"] = eu.ID
	if eu.Email != "" {
		out["end_user_email"] = eu.Email
	}
	if eu.DisplayName != "" {
		out["end_user_display_name"] = eu.DisplayName
	}
	return out
}

func toEndUser(eu *gen.EndUserInput) *gen.EndUser {
	if eu == nil {
		return nil
	}
	return &gen.EndUser{ID: eu.ID, Email: eu.Email, DisplayName: eu.DisplayName, Tags: maps.Clone(eu.Tags)}
}

// checkWebhookURL is the server's rule for webhook_url_override: a URL, or
// "" to clear it.
func checkWebhookURL(s string, path string) []gen.ValidationIssue {
	if s == "" {
		return nil
	}
	if u, err := url.Parse(s); err != nil || u.Scheme == "" || u.Host == "" {
		return []gen.ValidationIssue{issue("invalid_format", "Invalid URL", path)}
	}
	return nil
}

func (f *Fake) patch(w http.ResponseWriter, r *http.Request, id string, body []byte) {
	q, ok := checkQuery(w, r.URL.Query(), []string{"provider_config_key"})
	if !ok || !checkConnectionID(w, id) {
		return
	}
	var in gen.PatchConnectionRequest
	if !decodeBody(w, body, &in) {
		return
	}
	// null decodes as absent; the server's optional properties refuse it.
	issues := nullProperties(body, "tags", "webhook_url_override", "end_user")
	var tags gen.Tags
	if in.Tags != nil {
		var bad []gen.ValidationIssue
		tags, bad = checkTags(*in.Tags, "tags")
		issues = append(issues, bad...)
	}
	if in.WebhookURLOverride != nil {
		issues = append(issues, checkWebhookURL(*in.WebhookURLOverride, "webhook_url_override")...)
	}
	issues = append(issues, checkEndUserInput(in.EndUser)...)
	if issues != nil {
		writeError(w, 400, "invalid_body", "", issues)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.integrations[q.key] == nil {
		writeError(w, 400, "unknown_provider_config", msgNoIntegration, nil)
		return
	}
	s := f.conns[connKey{q.key, id}]
	if s == nil {
		writeError(w, 404, "not_found", msgNoConnection, nil)
		return
	}
	c := &s.conn
	if in.Tags != nil {
		c.Tags = tags
	}
	if in.EndUser != nil {
		c.EndUser = toEndUser(in.EndUser)
		// A new map, not an edit: answers already built share the old one.
		merged := orEmpty(maps.Clone(c.Tags))
		maps.Copy(merged, endUserTags(in.EndUser))
		c.Tags = merged
	}
	if in.WebhookURLOverride != nil {
		c.WebhookURLOverride = *in.WebhookURLOverride // "" clears it to null
	}
	c.UpdatedAt = f.clock().UTC()
	writeJSON(w, 200, gen.Success{Success: true})
}

func (f *Fake) list(w http.ResponseWriter, r *http.Request, _ string, _ []byte) {
	q := r.URL.Query()
	allowed := []string{"connectionId", "search", "endUserId", "endUserOrganizationId", "integrationId", "limit", "page"}
	tags := map[string]string{}
	var issues []gen.ValidationIssue
	for k := range q {
		if inner, ok := strings.CutPrefix(k, "tags["); ok && strings.HasSuffix(inner, "]") {
			name := strings.TrimSuffix(inner, "]")
			if q.Get(k) == "" {
				issues = append(issues, issue("too_small", "Too small: expected string to have >=1 characters", "tags", name))
			}
			tags[strings.ToLower(name)] = q.Get(k)
		} else if !slices.Contains(allowed, k) {
			issues = append(issues, issue("unrecognized_keys", fmt.Sprintf("Unrecognized key: %q", k)))
		}
	}
	for _, name := range []string{"connectionId", "search"} {
		if q.Has(name) && q.Get(name) == "" {
			issues = append(issues, issue("too_small", "Too small: expected string to have >=1 characters", name))
		}
	}
	// With no limit the server answers up to 10,000 items.
	limit, page := 10000, 0
	if q.Has("limit") {
		n, err := strconv.Atoi(q.Get("limit"))
		if err != nil || n < 1 || n > 2000 {
			issues = append(issues, issue("too_small", "Too small: expected number to be >=1 and <=2000", "limit"))
		}
		limit = n
	}
	pastSafeOffset := false
	if q.Has("page") {
		n, err := strconv.ParseInt(q.Get("page"), 10, 64)
		switch {
		case errors.Is(err, strconv.ErrRange) && !strings.HasPrefix(q.Get("page"), "-"):
			// A page of more digits than an int64 holds: the server's
			// validation takes any number >= 0.
			pastSafeOffset = true
		case err != nil || n < 0:
			issues = append(issues, issue("too_small", "Invalid input: expected an integer >= 0", "page"))
		default:
			page = int(n)
			// The server skips page × limit rows without checking the
			// product (see pastSafeOffset below); divided, not multiplied,
			// so that the check itself cannot overflow.
			pastSafeOffset = limit > 0 && n > maxSafeOffset/int64(limit)
		}
	}
	if issues != nil {
		writeError(w, 400, "invalid_query_params", "", issues)
		return
	}
	if pastSafeOffset {
		// The server's validation takes any page >= 0 and computes the
		// offset, page × limit, in a float64: past 2^53 − 1 the query to
		// its database fails, and Nango answers its catch-all 500, with
		// the id of the error report as the payload.
		id := newUUID()
		payload, _ := json.Marshal(id)
		writeErrorDetail(w, http.StatusInternalServerError, gen.ErrorDetail{Code: "generic_error_support",
			Message: "An error occurred. Please contact support with this unique id: " + string(payload), Payload: payload})
		return
	}
	var integrations []string
	if s := q.Get("integrationId"); s != "" {
		integrations = strings.Split(s, ",")
	}
	out := wireList{Connections: []wireSummary{}}
	skip := 0
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range f.sortedConns() {
		c := s.conn
		if v := q.Get("connectionId"); v != "" && c.ConnectionID != v {
			continue
		}
		if v := q.Get("search"); v != "" && !strings.Contains(strings.ToLower(c.ConnectionID), strings.ToLower(v)) {
			continue
		}
		if integrations != nil && !slices.Contains(integrations, c.ProviderConfigKey) {
			continue
		}
		if v := q.Get("endUserId"); v != "" && (c.EndUser == nil || c.EndUser.ID != v) {
			continue
		}
		if v := q.Get("endUserOrganizationId"); v != "" && (c.EndUser == nil || c.EndUser.Organization == nil || c.EndUser.Organization.ID != v) {
			continue
		}
		match := true
		for k, v := range tags {
			if c.Tags[k] != v {
				match = false
			}
		}
		if !match {
			continue
		}
		// Pages are counted without multiplying page by limit, which could
		// overflow.
		if skip/limit < page {
			skip++
			continue
		}
		if len(out.Connections) == limit {
			break
		}
		out.Connections = append(out.Connections, toWireSummary(s))
	}
	writeJSON(w, 200, out)
}

// checkEndUserInput holds an end user of an import or patch to the server's
// rules: an id, and tags as the connection's.
func checkEndUserInput(eu *gen.EndUserInput) []gen.ValidationIssue {
	if eu == nil {
		return nil
	}
	var issues []gen.ValidationIssue
	if eu.ID == "" {
		issues = append(issues, issue("too_small", "Too small: expected string to have >=1 characters", "end_user", "id"))
	}
	_, bad := checkTags(eu.Tags, "end_user", "tags")
	return append(issues, bad...)
}
