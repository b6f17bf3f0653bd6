package nangotest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nango-go/sdk/gen"
)

// The records a sync stored, as Nango's records store keeps and serves
// them (GET /records, PATCH /records/prune). Tests put records with
// PutRecords and DeleteRecords, the way a sync run saves them.

// recordsKey names the records of one model of one connection; a variant's
// model is "Model::variant", as in Nango's store.
type recordsKey struct{ key, conn, model string }

// fakeRecord is one stored record.
type fakeRecord struct {
	internalID string // a UUID, the tie-breaker of the order
	externalID string
	// members are the record's properties in the order they were given,
	// "id" included. A deleted or pruned record shows none of them; a
	// pruned one keeps them to tell whether a later run changed it (Nango
	// keeps the hash of the payload it pruned).
	members      []member
	firstSeen    time.Time
	lastModified time.Time
	deletedAt    *time.Time
	prunedAt     *time.Time
}

type member struct {
	key string
	val json.RawMessage
}

var (
	recordModelPattern   = regexp.MustCompile(`^[A-Z][a-zA-Z0-9_-]+$`)
	recordVariantPattern = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)
	// zod's datetime(): UTC with a Z, seconds and fractions optional.
	recordsTimePattern = regexp.MustCompile(`^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?Z$`)
	// zod's uuid().
	zodUUIDPattern = regexp.MustCompile(`^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff)$`)
)

const (
	recordsDefaultLimit = 100
	recordsLookback     = 365 * 24 * time.Hour
	// pgTime is how Postgres's to_json writes a timestamptz: microseconds
	// at most, trailing zeros dropped, "+00:00".
	pgTime = "2006-01-02T15:04:05.999999"
)

func pgTimestamp(t time.Time) string { return t.UTC().Format(pgTime) + "+00:00" }

// recordCursor is the cursor of a record: base64 of its last change and its
// internal id, as Nango's records store makes them.
func (r *fakeRecord) cursor() string {
	return base64.StdEncoding.EncodeToString([]byte(pgTimestamp(r.lastModified) + "||" + r.internalID))
}

// lastAction is the kind of the record's last change, as Nango's store
// derives it.
func (r *fakeRecord) lastAction() gen.RecordAction {
	switch {
	case r.deletedAt != nil:
		return gen.RecordDeleted
	case r.firstSeen.Equal(r.lastModified):
		return gen.RecordAdded
	}
	return gen.RecordUpdated
}

func modelKey(model, variant string) string {
	if variant != "" && variant != "base" {
		return model + "::" + variant
	}
	return model
}

// PutRecords saves records of a model for a connection, as a sync run
// does: each record is a JSON object (a struct, a map, json.RawMessage …)
// with an "id", a non-empty string or a non-zero number. A new id is
// ADDED, a known one UPDATED when its content changed (unchanged records
// keep their metadata), a deleted one ADDED anew. The records of one call
// share one modification time (the fake's clock), as the records of one
// run do. The connection must exist.
func (f *Fake) PutRecords(providerConfigKey, connectionID, model string, records ...any) error {
	return f.PutVariantRecords(providerConfigKey, connectionID, model, "", records...)
}

// PutVariantRecords is PutRecords for the records of a sync variant (""
// and "base" are the sync itself); ListRecords reads them with
// nango.Variant.
func (f *Fake) PutVariantRecords(providerConfigKey, connectionID, model, variant string, records ...any) error {
	type parsed struct {
		id      string
		members []member
	}
	in := make([]parsed, 0, len(records))
	for i, rec := range records {
		id, members, err := recordMembers(rec)
		if err != nil {
			return fmt.Errorf("nangotest: PutRecords: record %d: %w", i, err)
		}
		in = append(in, parsed{id, members})
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	store, err := f.recordsOfLocked(providerConfigKey, connectionID, model, variant)
	if err != nil {
		return err
	}
	now := f.recordsNow()
	for _, p := range in {
		r := store[p.id]
		switch {
		case r == nil:
			f.recordSeq++
			r = &fakeRecord{internalID: fmt.Sprintf("%08x-0000-5000-8000-%012x", f.recordSeq>>48, f.recordSeq), externalID: p.id,
				members: p.members, firstSeen: now, lastModified: now}
			store[p.id] = r
		case r.deletedAt != nil:
			r.members, r.deletedAt, r.prunedAt, r.firstSeen, r.lastModified = p.members, nil, nil, now, now
		case r.prunedAt != nil:
			// A run that sees a pruned record again fills it in; its cursor
			// moves only if it changed.
			if !sameMembers(r.members, p.members) {
				r.lastModified = now
			}
			r.prunedAt, r.members = nil, p.members
		case !sameMembers(r.members, p.members):
			r.members, r.lastModified = p.members, now
		}
	}
	return nil
}

// DeleteRecords marks records of a model deleted, as a sync run that
// reports deletions does: they keep their id and metadata, lose their
// payload, and come back as DELETED. Unknown or already deleted ids are
// ignored, as Nango does.
func (f *Fake) DeleteRecords(providerConfigKey, connectionID, model string, ids ...string) error {
	return f.DeleteVariantRecords(providerConfigKey, connectionID, model, "", ids...)
}

// DeleteVariantRecords is DeleteRecords for a sync variant's records.
func (f *Fake) DeleteVariantRecords(providerConfigKey, connectionID, model, variant string, ids ...string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	store, err := f.recordsOfLocked(providerConfigKey, connectionID, model, variant)
	if err != nil {
		return err
	}
	now := f.recordsNow()
	for _, id := range ids {
		if r := store[id]; r != nil && r.deletedAt == nil {
			// Nango's deleted_at comes from a JS Date: milliseconds.
			at := now.Truncate(time.Millisecond)
			r.deletedAt, r.lastModified = &at, now
		}
	}
	return nil
}

// recordsNow is the time of a change: the fake's clock, to the microsecond
// (Postgres's precision).
func (f *Fake) recordsNow() time.Time { return f.clock().UTC().Truncate(time.Microsecond) }

// recordsOfLocked returns the records of a model, created empty; the
// connection must exist and the names be what Nango takes.
func (f *Fake) recordsOfLocked(providerConfigKey, connectionID, model, variant string) (map[string]*fakeRecord, error) {
	if f.conns[connKey{providerConfigKey, connectionID}] == nil {
		return nil, fmt.Errorf("nangotest: records of %s/%s: no such connection (Put it first)", providerConfigKey, connectionID)
	}
	if !recordModelPattern.MatchString(model) || len(model) > 255 {
		return nil, fmt.Errorf("nangotest: model %q: a model is a capital letter, then letters, digits, _ and -", model)
	}
	if variant != "" && !recordVariantPattern.MatchString(variant) {
		return nil, fmt.Errorf("nangotest: variant %q: letters, digits, _ and - only", variant)
	}
	k := recordsKey{providerConfigKey, connectionID, modelKey(model, variant)}
	if f.records == nil {
		f.records = map[recordsKey]map[string]*fakeRecord{}
	}
	store := f.records[k]
	if store == nil {
		store = map[string]*fakeRecord{}
		f.records[k] = store
	}
	return store, nil
}

// recordMembers marshals a record and checks it is an object with an id.
func recordMembers(rec any) (string, []member, error) {
	b, err := json.Marshal(rec)
	if err != nil {
		return "", nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return "", nil, errors.New("not a JSON object")
	}
	var members []member
	id := ""
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return "", nil, err
		}
		var val json.RawMessage
		if err := dec.Decode(&val); err != nil {
			return "", nil, err
		}
		key := tok.(string)
		if key == "_nango_metadata" {
			return "", nil, errors.New("_nango_metadata is Nango's, not a record's")
		}
		if key == "id" {
			var v any
			d := json.NewDecoder(bytes.NewReader(val))
			d.UseNumber()
			_ = d.Decode(&v)
			switch v := v.(type) {
			case string:
				id = v
			case json.Number:
				// JavaScript's String(n): a number that is 0 is "no id".
				if fl, err := v.Float64(); err == nil && fl != 0 {
					id = strconv.FormatFloat(fl, 'f', -1, 64)
				}
			}
			if id == "" {
				return "", nil, errors.New(`"id" must be a non-empty string or a non-zero number`)
			}
		}
		members = slices.DeleteFunc(members, func(m member) bool { return m.key == key })
		members = append(members, member{key, val})
	}
	if id == "" {
		return "", nil, errors.New(`no "id"`)
	}
	return id, members, nil
}

func sameMembers(a, b []member) bool {
	return slices.EqualFunc(a, b, func(x, y member) bool { return x.key == y.key && bytes.Equal(x.val, y.val) })
}

// recordChangesLocked counts the records of a model (of a variant) of a
// connection whose last change came after since, by kind, and the records
// not deleted. The syncs of the fake report them (a sync webhook's
// responseResults, the status's recordCount). f.mu must be held.
func (f *Fake) recordChangesLocked(providerConfigKey, connectionID, model, variant string, since time.Time) (added, updated, deleted, total int) {
	for _, r := range f.records[recordsKey{providerConfigKey, connectionID, modelKey(model, variant)}] {
		if r.deletedAt == nil {
			total++
		}
		if !r.lastModified.After(since) {
			continue
		}
		switch r.lastAction() {
		case gen.RecordAdded:
			added++
		case gen.RecordUpdated:
			updated++
		default:
			deleted++
		}
	}
	return added, updated, deleted, total
}

// sortedRecords lists records in Nango's order: last change, then
// internal id.
func sortedRecords(store map[string]*fakeRecord) []*fakeRecord {
	out := make([]*fakeRecord, 0, len(store))
	for _, r := range store {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b *fakeRecord) int {
		if c := a.lastModified.Compare(b.lastModified); c != 0 {
			return c
		}
		return strings.Compare(a.internalID, b.internalID)
	})
	return out
}

// after reports whether r comes after the position (t, id) in the order.
func (r *fakeRecord) after(t time.Time, id string) bool {
	if c := r.lastModified.Compare(t); c != 0 {
		return c > 0
	}
	return strings.ToLower(r.internalID) > strings.ToLower(id)
}

// decodeRecordsCursor reads a cursor as Nango's store does: base64 of
// "<ISO time with offset>||<uuid>"; ok is false for anything else.
func decodeRecordsCursor(c string) (time.Time, string, bool) {
	// Node's base64 decoder takes both alphabets, with or without padding.
	c = strings.NewReplacer("-", "+", "_", "/").Replace(strings.TrimRight(c, "="))
	b, err := base64.RawStdEncoding.DecodeString(c)
	if err != nil {
		return time.Time{}, "", false
	}
	parts := strings.Split(string(b), "||")
	if len(parts) != 2 || !zodUUIDPattern.MatchString(parts[1]) {
		return time.Time{}, "", false
	}
	t, err := time.Parse(time.RFC3339Nano, parts[0])
	if err != nil {
		return time.Time{}, "", false
	}
	return t, parts[1], true
}

// recordJSON is a record as GET /records shows it: its properties in
// their order with "id" as the external id (a string), then
// _nango_metadata; a deleted or pruned record has only those two.
func (r *fakeRecord) recordJSON(b *bytes.Buffer) {
	id, _ := json.Marshal(r.externalID)
	b.WriteByte('{')
	wroteID := false
	members := r.members
	if r.deletedAt != nil || r.prunedAt != nil {
		members = nil
	}
	for _, m := range members {
		k, _ := json.Marshal(m.key)
		b.Write(k)
		b.WriteByte(':')
		if m.key == "id" {
			b.Write(id)
			wroteID = true
		} else {
			b.Write(m.val)
		}
		b.WriteByte(',')
	}
	if !wroteID {
		b.WriteString(`"id":`)
		b.Write(id)
		b.WriteByte(',')
	}
	meta := gen.RecordMetadata{FirstSeenAt: r.firstSeen, LastModifiedAt: r.lastModified, LastAction: r.lastAction(), Cursor: r.cursor()}
	fmt.Fprintf(b, `"_nango_metadata":{"first_seen_at":%q,"last_modified_at":%q,"last_action":%q,"deleted_at":%s,"pruned_at":%s,"cursor":%q}}`,
		pgTimestamp(meta.FirstSeenAt), pgTimestamp(meta.LastModifiedAt), meta.LastAction, nullableTime(r.deletedAt), nullableTime(r.prunedAt), meta.Cursor)
}

func nullableTime(t *time.Time) string {
	if t == nil {
		return "null"
	}
	return strconv.Quote(pgTimestamp(*t))
}

// recordsQuery is a checked GET /records query.
type recordsQuery struct {
	model         string
	modifiedAfter time.Time
	filter        string
	cursor        string
	ids           []string
	limit         int
}

// checkRecordsQuery applies the server's strict query schema.
func (f *Fake) checkRecordsQuery(q url.Values) (recordsQuery, []gen.ValidationIssue) {
	var issues []gen.ValidationIssue
	known := []string{"model", "variant", "delta", "modified_after", "limit", "filter", "cursor", "ids"}
	var unknown []string
	for k := range q {
		if !slices.Contains(known, k) {
			unknown = append(unknown, k)
		}
	}
	out := recordsQuery{limit: recordsDefaultLimit}
	single := func(name string) (string, bool) {
		vs, ok := q[name]
		if !ok {
			return "", false
		}
		if len(vs) > 1 {
			issues = append(issues, issue("invalid_type", "Invalid input: expected string, received array", name))
			return "", false
		}
		return vs[0], true
	}
	model, ok := single("model")
	switch {
	case !ok && !q.Has("model"):
		issues = append(issues, issue("invalid_type", "Invalid input: expected string, received undefined", "model"))
	case ok && !recordModelPattern.MatchString(model):
		issues = append(issues, issue("invalid_format", "Invalid string: must match pattern /^[A-Z][a-zA-Z0-9_-]+$/", "model"))
	case ok && len(model) > 255:
		issues = append(issues, issue("too_big", "Too big: expected string to have <=255 characters", "model"))
	}
	variant, ok := single("variant")
	if ok && (!recordVariantPattern.MatchString(variant) || len(variant) > 255) {
		issues = append(issues, issue("invalid_format", "Invalid string: must match pattern /^[a-zA-Z0-9_-]+$/", "variant"))
	}
	out.model = modelKey(model, variant)
	for _, name := range []string{"modified_after", "delta"} {
		v, ok := single(name)
		if !ok {
			continue
		}
		if !recordsTimePattern.MatchString(v) {
			issues = append(issues, issue("invalid_format", "Invalid ISO datetime", name))
		}
		t, err := parseRecordsTime(v)
		if err != nil || t.Before(f.clock().Add(-recordsLookback)) {
			issues = append(issues, issue("custom", "must be within the last 12 months", name))
			continue
		}
		// delta wins: the server reads `delta || modified_after`.
		if name == "delta" || out.modifiedAfter.IsZero() {
			out.modifiedAfter = t
		}
	}
	if v, ok := single("limit"); ok {
		n, err := strconv.ParseFloat(v, 64)
		switch {
		case err != nil && v != "":
			issues = append(issues, issue("invalid_type", "Invalid input: expected number, received NaN", "limit"))
		case n < 1:
			issues = append(issues, issue("too_small", "Too small: expected number to be >=1", "limit"))
		case n > 10000:
			issues = append(issues, issue("too_big", "Too big: expected number to be <=10000", "limit"))
		default:
			out.limit = int(n)
		}
	}
	if v, ok := single("filter"); ok {
		for i, item := range strings.Split(v, ",") {
			if !slices.Contains([]string{"added", "updated", "deleted", "ADDED", "UPDATED", "DELETED"}, item) {
				issues = append(issues, issue("invalid_value", `Invalid option: expected one of "added"|"updated"|"deleted"|"ADDED"|"UPDATED"|"DELETED"`, "filter", strconv.Itoa(i)))
			}
		}
		out.filter = strings.ToUpper(v)
	}
	if v, ok := single("cursor"); ok {
		switch n := len([]rune(v)); {
		case n < 1:
			issues = append(issues, issue("too_small", "Too small: expected string to have >=1 characters", "cursor"))
		case n > 1000:
			issues = append(issues, issue("too_big", "Too big: expected string to have <=1000 characters", "cursor"))
		}
		out.cursor = v
	}
	if ids, ok := q["ids"]; ok {
		if len(ids) > 100 {
			issues = append(issues, issue("too_big", "Too big: expected array to have <=100 items", "ids"))
		}
		for i, id := range ids {
			if n := len([]rune(id)); n < 1 || n > 256 {
				issues = append(issues, issue("too_small", "Too small: expected string to have >=1 characters", "ids", strconv.Itoa(i)))
			}
		}
		out.ids = ids
	}
	if len(unknown) > 0 {
		issues = append(issues, unrecognizedKeys(unknown))
	}
	return out, issues
}

// parseRecordsTime reads a time as the server's dayjs does: to the
// millisecond.
func parseRecordsTime(v string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.Truncate(time.Millisecond), nil
		}
	}
	return time.Time{}, errors.New("not a time")
}

// checkRecordsHeaders applies the server's header schema.
func checkRecordsHeaders(w http.ResponseWriter, r *http.Request) (key, conn string, ok bool) {
	var issues []gen.ValidationIssue
	conn, key = r.Header.Get("Connection-Id"), r.Header.Get("Provider-Config-Key")
	for _, h := range []struct {
		name, v string
		re      *regexp.Regexp
		src     string
	}{{"connection-id", conn, connectionIDPattern, `/^[a-zA-Z0-9,.;:=+~[\]|@${}"'\\/_ -]+$/`}, {"provider-config-key", key, configKeyPattern, `/^[a-zA-Z0-9~:.@ _-]+$/`}} {
		switch {
		case len(r.Header.Values(h.name)) == 0:
			issues = append(issues, issue("invalid_type", "Invalid input: expected string, received undefined", h.name))
		case !h.re.MatchString(h.v):
			issues = append(issues, issue("invalid_format", "Invalid string: must match pattern "+h.src, h.name))
		case len(h.v) > 255:
			issues = append(issues, issue("too_big", "Too big: expected string to have <=255 characters", h.name))
		}
	}
	if len(issues) > 0 {
		writeError(w, http.StatusBadRequest, "invalid_headers", "", issues)
		return "", "", false
	}
	return key, conn, true
}

const msgUnknownRecordsConnection = "Provided ConnectionId and ProviderConfigKey does not match a valid connection"

// listRecords serves GET /records.
func (f *Fake) listRecords(w http.ResponseWriter, r *http.Request, _ string, _ []byte) {
	q, issues := f.checkRecordsQuery(r.URL.Query())
	if len(issues) > 0 {
		writeError(w, http.StatusBadRequest, "invalid_query_params", "", issues)
		return
	}
	key, conn, ok := checkRecordsHeaders(w, r)
	if !ok {
		return
	}
	f.mu.Lock()
	if f.conns[connKey{key, conn}] == nil {
		f.mu.Unlock()
		writeError(w, http.StatusBadRequest, "unknown_connection", msgUnknownRecordsConnection, nil)
		return
	}
	var cursorTime time.Time
	var cursorID string
	if q.cursor != "" {
		if cursorTime, cursorID, ok = decodeRecordsCursor(q.cursor); !ok {
			f.mu.Unlock()
			writeError(w, http.StatusInternalServerError, "server_error", "Failed to fetch records", nil)
			return
		}
	}
	var b bytes.Buffer
	b.WriteString(`{"next_cursor":`)
	var page []*fakeRecord
	more := false
	for _, rec := range sortedRecords(f.records[recordsKey{key, conn, q.model}]) {
		if q.cursor != "" && !rec.after(cursorTime, cursorID) ||
			!q.modifiedAfter.IsZero() && rec.lastModified.Before(q.modifiedAfter) ||
			q.ids != nil && !slices.Contains(q.ids, rec.externalID) ||
			!matchesFilter(rec, q.filter) {
			continue
		}
		if len(page) == q.limit {
			more = true
			break
		}
		page = append(page, rec)
	}
	if more {
		fmt.Fprintf(&b, "%q", page[len(page)-1].cursor())
	} else {
		b.WriteString("null")
	}
	b.WriteString(`,"records":[`)
	for i, rec := range page {
		if i > 0 {
			b.WriteByte(',')
		}
		rec.recordJSON(&b)
	}
	b.WriteString("]}")
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b.Bytes())
}

// matchesFilter applies a filter as Nango v0.71's store does, quirks
// included: two kinds with DELETED select the other kind alone, and all
// three select ADDED and UPDATED.
func matchesFilter(r *fakeRecord, filter string) bool {
	if filter == "" {
		return true
	}
	has := func(k string) bool { return slices.Contains(strings.Split(filter, ","), k) }
	created := r.firstSeen.Equal(r.lastModified)
	live := r.deletedAt == nil
	switch {
	case has("ADDED") && has("UPDATED"):
		return live
	case has("UPDATED") && has("DELETED"):
		return live && !created
	case has("ADDED") && has("DELETED"):
		return live && created
	case has("ADDED"):
		return live && created
	case has("UPDATED"):
		return live && !created
	}
	return !live
}

// pruneRecords serves PATCH /records/prune.
func (f *Fake) pruneRecords(w http.ResponseWriter, r *http.Request, _ string, body []byte) {
	if !requireEmptyQuery(w, r) {
		return
	}
	var z zod
	obj := z.object(body, true, nil)
	var model, variant, until string
	limit := 1000
	if obj != nil {
		if s, ok := z.str(obj["model"], true, 0, 255, []any{"model"}); ok {
			if !recordModelPattern.MatchString(s) {
				z.add("invalid_format", "Invalid string: must match pattern /^[A-Z][a-zA-Z0-9_-]+$/", []any{"model"})
			}
			model = s
		}
		if s, ok := z.str(obj["variant"], false, 0, 255, []any{"variant"}); ok {
			if !recordVariantPattern.MatchString(s) {
				z.add("invalid_format", "Invalid string: must match pattern /^[a-zA-Z0-9_-]+$/", []any{"variant"})
			}
			variant = s
		}
		until, _ = z.str(obj["until_cursor"], true, 1, 1000, []any{"until_cursor"})
		if raw, ok := obj["limit"]; ok {
			var n float64
			if err := json.Unmarshal(raw, &n); err != nil {
				z.wrongType("number", raw, []any{"limit"})
			} else if n < 1 {
				z.add("too_small", "Too small: expected number to be >=1", []any{"limit"})
			} else if n > 10000 {
				z.add("too_big", "Too big: expected number to be <=10000", []any{"limit"})
			} else {
				limit = int(n)
			}
		}
		z.strict(obj, []string{"model", "variant", "until_cursor", "limit"}, nil)
	}
	if len(z.issues) > 0 {
		writeError(w, http.StatusBadRequest, "invalid_body", "", z.issues)
		return
	}
	key, conn, ok := checkRecordsHeaders(w, r)
	if !ok {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.conns[connKey{key, conn}] == nil {
		writeError(w, http.StatusBadRequest, "unknown_connection", msgUnknownRecordsConnection, nil)
		return
	}
	untilTime, untilID, ok := decodeRecordsCursor(until)
	if !ok {
		writeError(w, http.StatusInternalServerError, "server_error", "Failed to prune records", nil)
		return
	}
	now := f.recordsNow()
	count, last := 0, ""
	for _, rec := range sortedRecords(f.records[recordsKey{key, conn, modelKey(model, variant)}]) {
		if count == limit || rec.after(untilTime, untilID) {
			break
		}
		if rec.prunedAt != nil {
			continue
		}
		rec.prunedAt = new(now)
		count++
		last = rec.cursor()
	}
	// As Nango: when the cursor's own record was not the last pruned (it
	// changed since, or the limit stopped first), more may be left.
	writeJSON(w, http.StatusOK, gen.PruneRecordsResult{Count: count, HasMore: count > 0 && until != last})
}
