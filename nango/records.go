package nango

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash/maphash"
	"iter"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/nango-go/sdk/gen"
)

// The records API: what Nango's syncs stored, read by your backend.

const (
	opListRecords  = "GET /records"
	opPruneRecords = "PATCH /records/prune"

	// maxRecordsPageSize is Nango's limit on a page of records.
	maxRecordsPageSize = 10000
	// maxRecordIDs is Nango's limit on the ids of one listing.
	maxRecordIDs = 100
	// maxRecordIDLength is Nango's limit on one id of a listing.
	maxRecordIDLength = 256
	// maxCursorLength is Nango's limit on a cursor.
	maxCursorLength = 1000
	// recordsLookback is how far back modified_after may reach: Nango
	// refuses a time more than 365 days old.
	recordsLookback = 365 * 24 * time.Hour
)

// recordsNow is the time Nango's lookback window is measured from (tests
// set it).
var recordsNow = time.Now

// The data types of the records API, generated from openapi.yaml.
type (
	// RecordMetadata is what Nango keeps about a record besides its payload
	// (its "_nango_metadata"): LastAction, Cursor, FirstSeenAt,
	// LastModifiedAt, and DeletedAt and PrunedAt (nil unless the record was
	// deleted or pruned).
	RecordMetadata = gen.RecordMetadata
	// RecordAction is the kind of a record's last change: RecordAdded,
	// RecordUpdated or RecordDeleted.
	RecordAction = gen.RecordAction
	// PruneRecordsResult is what PruneRecords did: Count records pruned,
	// and HasMore when records up to the cursor may be left.
	PruneRecordsResult = gen.PruneRecordsResult
)

// The kinds of a record's last change.
const (
	RecordAdded   = gen.RecordAdded
	RecordUpdated = gen.RecordUpdated
	RecordDeleted = gen.RecordDeleted
)

// Record is one record a sync stored: its id, Nango's metadata, and the
// record as Nango sent it. Decode reads its own fields into your type.
//
// A deleted record (Metadata.LastAction RecordDeleted, Metadata.DeletedAt
// set) and a pruned one (Metadata.PrunedAt set, see PruneRecords) carry no
// payload: only "id" and "_nango_metadata".
type Record struct {
	// ID is the record's id; a numeric id is its JSON text ("42").
	ID string
	// Metadata is the record's "_nango_metadata".
	Metadata RecordMetadata
	// Raw is the record as Nango sent it: the model's fields, "id" and
	// "_nango_metadata". It shares the memory of the page it came in:
	// keeping a few records keeps that page in memory; clone Raw
	// (bytes.Clone) to keep many records from many pages.
	Raw json.RawMessage
}

// Decode reads the record into v, as encoding/json would (the fields of v
// that match the record's properties are set, "_nango_metadata" included
// if v has a field for it). A record that does not fit v is an error that
// matches ErrUnexpectedResponse.
func (r Record) Decode(v any) error {
	if len(r.Raw) == 0 {
		return invalidArgument("Record.Decode: the record holds no JSON (a zero Record)")
	}
	if err := decodeRecord(r.Raw, v); err != nil {
		return &UnexpectedResponseError{Operation: opListRecords, StatusCode: http.StatusOK,
			Reason: fmt.Sprintf("record %q does not decode into %T", r.ID, v), Err: safeDecodeError(err)}
	}
	return nil
}

// recordDecoder is a json.Decoder kept for the next record: json.Unmarshal
// would allocate its decoding state anew for every record (five
// allocations, a third of a small record's), a Decoder reuses it. Each
// Decode is fed exactly one record, as Unmarshal would be; a decoder that
// failed is dropped, its state being undefined.
type recordDecoder struct {
	src bytes.Reader
	dec *json.Decoder
}

var recordDecoders = sync.Pool{New: func() any {
	d := &recordDecoder{}
	d.dec = json.NewDecoder(&d.src)
	return d
}}

func decodeRecord(raw []byte, v any) error {
	d := recordDecoders.Get().(*recordDecoder)
	d.src.Reset(raw)
	start := d.dec.InputOffset() // the decoder counts across records
	err := d.dec.Decode(v)
	// Bytes after the record's object: not one JSON value. They are looked
	// at in raw, not read through the decoder: a decoder that read to the
	// end of its input may keep that end (encoding/json under
	// GOEXPERIMENT=jsonv2 does) and fail the next record.
	off := d.dec.InputOffset() - start
	if err == nil && (off < 0 || off > int64(len(raw)) || len(bytes.TrimLeft(raw[off:], " \t\r\n")) > 0) {
		err = decodeErrorf("data after the record's JSON object")
	}
	d.src.Reset(nil)
	// Only a decoder that ended exactly at the end of its record is kept:
	// trailing spaces would stay in its buffer, ahead of the next record.
	if err == nil && off == int64(len(raw)) {
		recordDecoders.Put(d)
	}
	return err
}

// Deleted reports whether the record was deleted at the provider (it has
// no payload then).
func (r Record) Deleted() bool {
	return r.Metadata.LastAction == RecordDeleted || r.Metadata.DeletedAt != nil
}

// Pruned reports whether the record's payload was pruned (PruneRecords).
func (r Record) Pruned() bool { return r.Metadata.PrunedAt != nil }

// RecordsPage is one page of ListRecords.
type RecordsPage struct {
	// Records are in the order of their last change, oldest first.
	Records []Record
	// NextCursor is the cursor of the next page (pass it to Cursor), ""
	// on the last page.
	NextCursor string
}

// RecordsOption narrows or pages ListRecords and AllRecords: ModifiedAfter,
// Cursor, FilterLastAction, FilterRecordIDs, Variant, PageSize, or any
// RequestOption. PruneRecords takes Variant, PruneLimit and RequestOptions.
type RecordsOption interface{ applyRecords(*recordsParams) }

type recordsOption func(*recordsParams)

func (f recordsOption) applyRecords(p *recordsParams) { f(p) }

func (n PageSizeOption) applyRecords(p *recordsParams) { p.limit, p.hasLimit = int(n), true }

type recordsParams struct {
	modifiedAfter time.Time
	cursor        string
	variant       string
	filter        []RecordAction
	ids           []string
	limit         int
	hasLimit      bool
	pruneLimit    int
	hasPruneLimit bool
	// listOnly names the first option given that only a listing takes.
	listOnly string
	req      requestConfig
}

// ModifiedAfter lists only the records changed at or after t (Nango reads
// it to the millisecond). It must lie within the last 12 months (Nango's
// lookback window); the zero time means no such filter. A sync webhook's
// ModifiedAfter is the value to pass when reading what a run changed.
func ModifiedAfter(t time.Time) RecordsOption {
	return recordsOption(func(p *recordsParams) { p.modifiedAfter = t; p.noteListOnly("ModifiedAfter") })
}

// Cursor resumes a listing after this cursor: a RecordsPage's NextCursor,
// or any record's Metadata.Cursor (only the records changed after it come
// back: store the last record's cursor to read the next changes). ""
// starts from the beginning. A cursor Nango cannot decode is its 500
// server_error, which ListRecords returns without retrying.
func Cursor(cursor string) RecordsOption {
	return recordsOption(func(p *recordsParams) { p.cursor = cursor; p.noteListOnly("Cursor") })
}

// FilterLastAction lists only the records whose last change is one of
// actions. Added and updated records exclude deleted ones. All three kinds
// are the same as no filter. Note that Nango v0.71 applies two kinds with
// RecordDeleted as the other kind alone (RecordUpdated+RecordDeleted lists
// the updated records only); ask for RecordDeleted on its own to read the
// deletions.
func FilterLastAction(actions ...RecordAction) RecordsOption {
	return recordsOption(func(p *recordsParams) {
		p.filter = append(p.filter, actions...)
		p.noteListOnly("FilterLastAction")
	})
}

// FilterRecordIDs lists only the records with these ids (at most 100, each
// 1 to 256 characters); unknown ids are ignored.
func FilterRecordIDs(ids ...string) RecordsOption {
	return recordsOption(func(p *recordsParams) { p.ids = append(p.ids, ids...); p.noteListOnly("FilterRecordIDs") })
}

// Variant reads (or prunes) the records of a sync variant; "" and "base"
// are the sync itself.
func Variant(variant string) RecordsOption {
	return recordsOption(func(p *recordsParams) { p.variant = variant })
}

// PruneLimit caps how many records one PruneRecords call prunes (1 to
// 10,000; Nango's default is 1000).
func PruneLimit(n int) RecordsOption {
	return recordsOption(func(p *recordsParams) { p.pruneLimit, p.hasPruneLimit = n, true })
}

func (p *recordsParams) noteListOnly(name string) {
	if p.listOnly == "" {
		p.listOnly = name
	}
}

func recordsParamsOf(opts []RecordsOption) recordsParams {
	var p recordsParams
	for _, o := range opts {
		if o != nil {
			o.applyRecords(&p)
		}
	}
	return p
}

// checkRecordsTarget holds the integration, connection and model to what
// Nango's records routes take, so that a bad one fails here rather than as
// its 400 invalid_headers or invalid_query_params.
func checkRecordsTarget(providerConfigKey, connectionID, model string) error {
	if err := checkKeyAndID(providerConfigKey, connectionID); err != nil {
		return err
	}
	for i := 0; i < len(providerConfigKey); i++ {
		if b := providerConfigKey[i]; !(isAlnum(b) || strings.IndexByte("~:.@ _-", b) >= 0) {
			return invalidArgument("provider config key %q: the records routes take only letters, digits and ~:.@ _- in the Provider-Config-Key header", providerConfigKey)
		}
	}
	for i := 0; i < len(connectionID); i++ {
		if b := connectionID[i]; !(isAlnum(b) || strings.IndexByte(",.;:=+~[]|@${}\"'\\/_ -", b) >= 0) {
			return invalidArgument("connection id %q: the records routes take only letters, digits and ,.;:=+~[]|@${}\"'\\/_ - in the Connection-Id header", connectionID)
		}
	}
	return checkModel(model)
}

// checkModel holds a model name to Nango's rule: a capital letter, then at
// least one letter, digit, _ or -, at most 255 characters.
func checkModel(model string) error {
	if model == "" {
		return invalidArgument("empty model")
	}
	ok := len(model) >= 2 && len(model) <= maxIDLength && model[0] >= 'A' && model[0] <= 'Z'
	for i := 1; ok && i < len(model); i++ {
		b := model[i]
		ok = isAlnum(b) || b == '_' || b == '-'
	}
	if !ok {
		return invalidArgument("model %q: a model is a capital letter, then letters, digits, _ and - (2 to 255 characters)", model)
	}
	return nil
}

func checkVariant(variant string) error {
	ok := len(variant) <= maxIDLength
	for i := 0; ok && i < len(variant); i++ {
		b := variant[i]
		ok = isAlnum(b) || b == '_' || b == '-'
	}
	if !ok {
		return invalidArgument("variant %q: a variant is letters, digits, _ and - (at most 255)", variant)
	}
	return nil
}

func isAlnum(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

// listRecordsParams checks a listing's options and turns them into gen's
// parameters; now is the time the lookback window is measured from.
func listRecordsParams(providerConfigKey, connectionID, model string, p *recordsParams, now time.Time) (*gen.ListRecordsParams, error) {
	if err := checkRecordsTarget(providerConfigKey, connectionID, model); err != nil {
		return nil, err
	}
	if p.req.err != nil {
		return nil, p.req.err
	}
	if p.hasPruneLimit {
		return nil, invalidArgument("PruneLimit applies to PruneRecords, not to a listing")
	}
	params := &gen.ListRecordsParams{ConnectionID: connectionID, ProviderConfigKey: providerConfigKey, Model: model}
	if p.hasLimit {
		if p.limit < 1 || p.limit > maxRecordsPageSize {
			return nil, invalidArgument("PageSize(%d): Nango's records pages hold 1 to %d", p.limit, maxRecordsPageSize)
		}
		params.Limit = &p.limit
	}
	if p.variant != "" && p.variant != "base" {
		if err := checkVariant(p.variant); err != nil {
			return nil, err
		}
		v := p.variant
		params.Variant = &v
	}
	if !p.modifiedAfter.IsZero() {
		if p.modifiedAfter.Before(now.Add(-recordsLookback)) {
			return nil, invalidArgument("ModifiedAfter(%s): Nango reads changes of the last 12 months only", p.modifiedAfter.UTC().Format(time.RFC3339))
		}
		// Nango takes UTC with a Z only (no offset), and reads milliseconds.
		s := p.modifiedAfter.UTC().Format("2006-01-02T15:04:05.000Z")
		params.ModifiedAfter = &s
	}
	if p.cursor != "" {
		if len(p.cursor) > maxCursorLength {
			return nil, invalidArgument("Cursor: %d bytes, over Nango's limit of %d", len(p.cursor), maxCursorLength)
		}
		if err := checkText("cursor", p.cursor); err != nil {
			return nil, err
		}
		c := p.cursor
		params.Cursor = &c
	}
	if len(p.filter) > 0 {
		var seen [3]bool
		var kinds []string
		for _, a := range p.filter {
			n := slices.Index([]RecordAction{RecordAdded, RecordUpdated, RecordDeleted}, a)
			if n < 0 {
				return nil, invalidArgument("FilterLastAction(%q): want RecordAdded, RecordUpdated or RecordDeleted", string(a))
			}
			if !seen[n] {
				seen[n] = true
				kinds = append(kinds, string(a))
			}
		}
		if len(kinds) < 3 { // all three kinds: no filter at all
			f := strings.Join(kinds, ",")
			params.Filter = &f
		}
	}
	if len(p.ids) > 0 {
		if len(p.ids) > maxRecordIDs {
			return nil, invalidArgument("FilterRecordIDs: %d ids, over Nango's limit of %d", len(p.ids), maxRecordIDs)
		}
		for _, id := range p.ids {
			if id == "" || utf8.RuneCountInString(id) > maxRecordIDLength {
				return nil, invalidArgument("FilterRecordIDs: an id has 1 to %d characters, got %q", maxRecordIDLength, id)
			}
			if err := checkText("record id", id); err != nil {
				return nil, err
			}
		}
		params.Ids = append([]string(nil), p.ids...)
	}
	return params, nil
}

// ListRecords returns one page of the records a sync stored for a model of
// a connection (Node: listRecords), in the order of their last change,
// oldest first; RecordsPage.NextCursor is the next page's cursor. Without
// options it is the first page of 100 records, deleted ones included.
//
// A model no sync stores is an empty page. A connection that does not
// exist is an *APIError matching ErrNotFound (Nango's 400
// unknown_connection). A cursor Nango cannot decode is its 500
// server_error: an *APIError with Code "server_error", not retried (it
// would fail the same way). Invalid arguments (an empty or malformed key,
// connection id or model, a page size outside 1 to 10,000, a ModifiedAfter
// older than 12 months, a filter that is not a RecordAction, more than 100
// ids) match ErrInvalidArgument and send nothing. A page that is not the
// records JSON, or larger than the client's cap (32 MiB by default,
// WithMaxResponseBytes), matches ErrUnexpectedResponse.
func (c *Client) ListRecords(ctx context.Context, providerConfigKey, connectionID, model string, opts ...RecordsOption) (*RecordsPage, error) {
	p := recordsParamsOf(opts)
	return c.listRecords(ctx, providerConfigKey, connectionID, model, &p)
}

func (c *Client) listRecords(ctx context.Context, providerConfigKey, connectionID, model string, p *recordsParams) (*RecordsPage, error) {
	params, err := listRecordsParams(providerConfigKey, connectionID, model, p, recordsNow())
	if err != nil {
		return nil, err
	}
	// No url: the connection and integration are headers, so the URL alone
	// does not name the read, and reads of two connections must not merge.
	cl := &call{method: http.MethodGet, op: opListRecords, maxBody: c.maxListBody, idempotent: true, req: p.req.callConfig(),
		build: func(server string) (*http.Request, error) { return gen.NewListRecordsRequest(server, params) }}
	if p.cursor != "" && !looksLikeNangoCursor(p.cursor) {
		// Nango answers a cursor it cannot decode with a 500, the same way
		// every time: not worth the retries. (A cursor of Nango's own form
		// that meets a 500 is retried as any read.)
		cl.noRetry = isRecordsCursorFailure
	}
	r, err := c.do(ctx, cl)
	if err != nil {
		return nil, err
	}
	limit := 100
	if p.hasLimit {
		limit = p.limit
	}
	return decodeRecordsPage(r, limit)
}

// isRecordsCursorFailure recognizes the answer Nango gives to a cursor it
// cannot decode: 500 server_error "Failed to fetch records".
func isRecordsCursorFailure(err error) bool {
	apiErr, ok := err.(*APIError)
	return ok && apiErr.StatusCode == http.StatusInternalServerError && apiErr.Code == "server_error" &&
		apiErr.Message == "Failed to fetch records"
}

// looksLikeNangoCursor reports whether a cursor has the form Nango's
// records store gives its cursors (base64 of "<RFC 3339 time>||<UUID>").
// The SDK sends any cursor as given; the form only says whether a 500
// about it is worth retrying.
func looksLikeNangoCursor(cursor string) bool {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		b, err := enc.DecodeString(cursor)
		if err != nil {
			continue
		}
		sort, id, ok := strings.Cut(string(b), "||")
		if !ok || strings.Contains(id, "||") || !isUUID(id) {
			return false
		}
		_, err = time.Parse(time.RFC3339Nano, sort)
		return err == nil
	}
	return false
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return false
			}
		case !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'):
			return false
		}
	}
	return true
}

// AllRecords walks every page of ListRecords lazily (1000 records a page
// unless PageSize says otherwise), following each page's next cursor; only
// one page is in memory at a time, and breaking out of the loop stops it.
// Options apply as for ListRecords; Cursor sets where to start. It stops at
// the first error, which it yields; a next cursor that repeats one already
// read is such an error (ErrUnexpectedResponse), never an endless loop.
//
//	for rec, err := range client.AllRecords(ctx, "github", "user-1", "Issue", nango.Cursor(last)) {
//		if err != nil { return err }
//		var issue Issue
//		if err := rec.Decode(&issue); err != nil { return err }
//		last = rec.Metadata.Cursor
//	}
func (c *Client) AllRecords(ctx context.Context, providerConfigKey, connectionID, model string, opts ...RecordsOption) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		p := recordsParamsOf(opts)
		if !p.hasLimit {
			p.limit, p.hasLimit = defaultPageSize, true
		}
		// The cursors sent so far, as hashes: a server that hands one back
		// again would otherwise loop forever. 8 bytes a page.
		seed := maphash.MakeSeed()
		seen := map[uint64]struct{}{}
		for {
			if p.cursor != "" {
				seen[maphash.String(seed, p.cursor)] = struct{}{}
			}
			page, err := c.listRecords(ctx, providerConfigKey, connectionID, model, &p)
			if err != nil {
				yield(Record{}, err)
				return
			}
			for _, rec := range page.Records {
				if !yield(rec, nil) {
					return
				}
			}
			next, n := page.NextCursor, len(page.Records)
			page = nil // the page may go before the next one comes
			if next == "" {
				return
			}
			_, repeated := seen[maphash.String(seed, next)]
			switch {
			case repeated:
				yield(Record{}, &UnexpectedResponseError{Operation: opListRecords, StatusCode: http.StatusOK,
					Reason: "next_cursor repeats a cursor already read: stopping rather than reading the same pages again"})
				return
			case n == 0:
				yield(Record{}, &UnexpectedResponseError{Operation: opListRecords, StatusCode: http.StatusOK,
					Reason: "a page without records has a next_cursor: stopping"})
				return
			case len(next) > maxCursorLength || checkText("cursor", next) != nil:
				// Sending it would fail as the caller's ErrInvalidArgument;
				// it is the server's answer that is wrong.
				yield(Record{}, &UnexpectedResponseError{Operation: opListRecords, StatusCode: http.StatusOK,
					Reason: "next_cursor is not a cursor Nango takes (over 1000 bytes, or a control character): stopping"})
				return
			}
			p.cursor = next
		}
	}
}

// TypedRecord is a record with its payload decoded into T (by
// ListRecordsAs and AllRecordsAs). A deleted or pruned record has only its
// id in Data.
type TypedRecord[T any] struct {
	Record
	Data T
}

// TypedRecordsPage is one page of ListRecordsAs.
type TypedRecordsPage[T any] struct {
	Records    []TypedRecord[T]
	NextCursor string
}

// ListRecordsAs is ListRecords with each record decoded into T, as the
// Node SDK's listRecords<T>:
//
//	type Issue struct{ ID, Title string }
//	page, err := nango.ListRecordsAs[Issue](ctx, client, "github", "user-1", "Issue")
//
// A record that does not fit T fails the call with an error matching
// ErrUnexpectedResponse.
func ListRecordsAs[T any](ctx context.Context, c *Client, providerConfigKey, connectionID, model string, opts ...RecordsOption) (*TypedRecordsPage[T], error) {
	page, err := c.ListRecords(ctx, providerConfigKey, connectionID, model, opts...)
	if err != nil {
		return nil, err
	}
	out := &TypedRecordsPage[T]{NextCursor: page.NextCursor, Records: make([]TypedRecord[T], len(page.Records))}
	for i, rec := range page.Records {
		out.Records[i].Record = rec
		if err := rec.Decode(&out.Records[i].Data); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// AllRecordsAs is AllRecords with each record decoded into T. A record
// that does not fit T is yielded with its error (and its Record); the walk
// goes on if the loop does.
func AllRecordsAs[T any](ctx context.Context, c *Client, providerConfigKey, connectionID, model string, opts ...RecordsOption) iter.Seq2[TypedRecord[T], error] {
	return func(yield func(TypedRecord[T], error) bool) {
		for rec, err := range c.AllRecords(ctx, providerConfigKey, connectionID, model, opts...) {
			if err != nil {
				yield(TypedRecord[T]{}, err)
				return
			}
			tr := TypedRecord[T]{Record: rec}
			if !yield(tr, rec.Decode(&tr.Data)) {
				return
			}
		}
	}
}

// PruneRecords empties the payload of a model's records up to and
// including the one whose cursor is untilCursor (Node: pruneRecords), to
// free Nango's storage once you have copied them: the records keep their
// id and metadata (Metadata.PrunedAt is set) and a later sync run that
// sees them again fills them in. Nango prunes at most 1000 records a call
// (PruneLimit changes it); call again while HasMore is true. Variant
// selects a sync variant. It is a write: never retried once it may have
// reached Nango.
func (c *Client) PruneRecords(ctx context.Context, providerConfigKey, connectionID, model, untilCursor string, opts ...RecordsOption) (*PruneRecordsResult, error) {
	if err := checkRecordsTarget(providerConfigKey, connectionID, model); err != nil {
		return nil, err
	}
	p := recordsParamsOf(opts)
	if p.req.err != nil {
		return nil, p.req.err
	}
	if p.listOnly != "" || p.hasLimit {
		name := p.listOnly
		if name == "" {
			name = "PageSize"
		}
		return nil, invalidArgument("PruneRecords takes Variant, PruneLimit and RequestOptions, not %s", name)
	}
	if untilCursor == "" || len(untilCursor) > maxCursorLength {
		return nil, invalidArgument("PruneRecords: the cursor has 1 to %d bytes, got %d", maxCursorLength, len(untilCursor))
	}
	if err := checkText("cursor", untilCursor); err != nil {
		return nil, err
	}
	req := gen.PruneRecordsRequest{Model: model, UntilCursor: untilCursor}
	if p.variant != "" && p.variant != "base" {
		if err := checkVariant(p.variant); err != nil {
			return nil, err
		}
		req.Variant = p.variant
	}
	if p.hasPruneLimit {
		if p.pruneLimit < 1 || p.pruneLimit > maxRecordsPageSize {
			return nil, invalidArgument("PruneLimit(%d): Nango prunes 1 to %d records a call", p.pruneLimit, maxRecordsPageSize)
		}
		req.Limit = p.pruneLimit
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, invalidArgument("PruneRecords: %v", err)
	}
	params := &gen.PruneRecordsParams{ConnectionID: connectionID, ProviderConfigKey: providerConfigKey}
	r, err := c.do(ctx, &call{method: http.MethodPatch, op: opPruneRecords, maxBody: c.maxBody, req: p.req.callConfig(),
		build: func(server string) (*http.Request, error) {
			return gen.NewPruneRecordsRequestWithBody(server, params, jsonContentType, bytes.NewReader(body))
		}})
	if err != nil {
		return nil, err
	}
	var res PruneRecordsResult
	if err := json.Unmarshal(r.body, &res); err != nil {
		return nil, r.malformed("prune result", err)
	}
	var present map[string]json.RawMessage
	_ = json.Unmarshal(r.body, &present)
	if present["count"] == nil || present["has_more"] == nil {
		return nil, r.malformed("prune result", errMissing("count or has_more"))
	}
	return &res, nil
}
