package nango

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nango-go/sdk/gen"
	"github.com/nango-go/sdk/nango/internal/contract"
)

// captureNow is the captures' day: the lookback window of the SDK is
// measured from it in these tests, whatever day they run.
var captureNow = time.Date(2026, 12, 3, 7, 30, 0, 0, time.UTC)

func atCaptureTime(t *testing.T) {
	t.Helper()
	recordsNow = func() time.Time { return captureNow }
	t.Cleanup(func() { recordsNow = time.Now })
}

// recordsCall turns a records capture into the SDK call that sends the
// same request.
func recordsCall(c contract.Capture) func(context.Context, *Client) (any, error) {
	u, _ := url.Parse(c.URL)
	q := u.Query()
	key, conn := c.Header.Get("Provider-Config-Key"), c.Header.Get("Connection-Id")
	if u.Path == "/records/prune" {
		var body struct {
			Model       string `json:"model"`
			UntilCursor string `json:"until_cursor"`
		}
		_ = json.Unmarshal(c.Body, &body)
		return func(ctx context.Context, cl *Client) (any, error) {
			return cl.PruneRecords(ctx, key, conn, body.Model, body.UntilCursor)
		}
	}
	var opts []RecordsOption
	for k, vs := range q {
		switch k {
		case "limit":
			n, _ := strconv.Atoi(vs[0])
			opts = append(opts, PageSize(n))
		case "cursor":
			opts = append(opts, Cursor(vs[0]))
		case "variant":
			opts = append(opts, Variant(vs[0]))
		case "ids":
			opts = append(opts, FilterRecordIDs(vs...))
		case "filter":
			for _, f := range strings.Split(vs[0], ",") {
				opts = append(opts, FilterLastAction(RecordAction(strings.ToUpper(f))))
			}
		case "modified_after":
			ts, err := time.Parse(time.RFC3339Nano, vs[0])
			if err != nil {
				ts = time.Unix(1, 0) // "yesterday": the nearest bad input a time.Time can be
			}
			opts = append(opts, ModifiedAfter(ts))
		}
	}
	return func(ctx context.Context, cl *Client) (any, error) {
		return cl.ListRecords(ctx, key, conn, q.Get("model"), opts...)
	}
}

// TestRecordsCapturesDecode replays every records answer of a real server:
// the SDK sends the same request (route, query, headers) and decodes a 2xx
// into exactly what encoding/json reads from it, an error into the right
// *APIError.
func TestRecordsCapturesDecode(t *testing.T) {
	atCaptureTime(t)
	caps, err := contract.LoadCaptures("testdata/real-nango")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range caps {
		u, _ := url.Parse(c.URL)
		if !strings.HasPrefix(u.Path, "/records") {
			continue
		}
		n++
		t.Run(c.Name, func(t *testing.T) {
			h := setupRaw(t, replay(c), WithMaxRetries(0))
			got, err := recordsCall(c)(context.Background(), h.client)
			localRefusal := strings.Contains(string(c.Resp), `"invalid_headers"`) || strings.Contains(string(c.Resp), `"invalid_body"`)
			if c.Status/100 != 2 {
				if !localRefusal {
					checkAPIError(t, c, err)
				} else if !errors.Is(err, ErrInvalidArgument) {
					t.Errorf("%v, want ErrInvalidArgument for what Nango refuses as %s", err, c.Resp)
				}
			} else if err != nil {
				t.Fatalf("2xx capture: %v", err)
			}
			if errors.Is(err, ErrInvalidArgument) {
				if len(h.requests()) != 0 {
					t.Errorf("refused locally, yet sent")
				}
				return
			}
			sent := h.requests()[0]
			gotQ, _ := url.ParseQuery(sent.RawQuery)
			// The SDK sends filters in upper case (Nango takes both) and
			// leaves out variant=base (the default).
			wantQ := u.Query()
			if f := wantQ.Get("filter"); f != "" {
				wantQ.Set("filter", strings.ToUpper(f))
			}
			if wantQ.Get("variant") == "base" {
				wantQ.Del("variant")
			}
			if sent.Path != u.Path || gotQ.Encode() != wantQ.Encode() {
				t.Errorf("sent %s?%s, capture %s", sent.Path, gotQ.Encode(), u.RawQuery)
			}
			for _, hd := range []string{"Connection-Id", "Provider-Config-Key"} {
				if sent.Header.Get(hd) != c.Header.Get(hd) {
					t.Errorf("%s %q, capture %q", hd, sent.Header.Get(hd), c.Header.Get(hd))
				}
			}
			if err != nil {
				return
			}
			switch v := got.(type) {
			case *RecordsPage:
				checkRecordsPage(t, c.Resp, v)
			case *PruneRecordsResult:
				var want gen.PruneRecordsResult
				_ = json.Unmarshal(c.Resp, &want)
				if *v != want {
					t.Errorf("prune %+v, capture %+v", *v, want)
				}
			}
		})
	}
	if n < 24 {
		t.Errorf("only %d records captures", n)
	}
}

// checkRecordsPage holds a decoded page to what encoding/json reads from
// the body, field by field (the metadata strictly, into the generated
// type).
func checkRecordsPage(t *testing.T, body []byte, page *RecordsPage) {
	t.Helper()
	var want struct {
		NextCursor *string           `json:"next_cursor"`
		Records    []json.RawMessage `json:"records"`
	}
	if err := json.Unmarshal(body, &want); err != nil {
		t.Fatal(err)
	}
	if want.NextCursor == nil && page.NextCursor != "" || want.NextCursor != nil && page.NextCursor != *want.NextCursor {
		t.Errorf("NextCursor %q, body %v", page.NextCursor, want.NextCursor)
	}
	if len(page.Records) != len(want.Records) {
		t.Fatalf("%d records, body %d", len(page.Records), len(want.Records))
	}
	for i, raw := range want.Records {
		got := page.Records[i]
		var rec struct {
			ID   any             `json:"id"`
			Meta json.RawMessage `json:"_nango_metadata"`
		}
		_ = json.Unmarshal(raw, &rec)
		var meta gen.RecordMetadata
		strictDecode(t, rec.Meta, &meta)
		if fmt.Sprint(rec.ID) != got.ID {
			t.Errorf("record %d: ID %q, body %v", i, got.ID, rec.ID)
		}
		if !metadataEqual(got.Metadata, meta) {
			t.Errorf("record %d: metadata %+v, body %+v", i, got.Metadata, meta)
		}
		if !bytes.Equal(got.Raw, raw) {
			t.Errorf("record %d: Raw %s, body %s", i, got.Raw, raw)
		}
		var viaSDK, viaJSON map[string]any
		if err := got.Decode(&viaSDK); err != nil {
			t.Fatal(err)
		}
		_ = json.Unmarshal(raw, &viaJSON)
		if fmt.Sprint(viaSDK) != fmt.Sprint(viaJSON) {
			t.Errorf("record %d: Decode %v, encoding/json %v", i, viaSDK, viaJSON)
		}
		if got.Deleted() != (meta.DeletedAt != nil) || got.Pruned() != (meta.PrunedAt != nil) {
			t.Errorf("record %d: Deleted %t Pruned %t", i, got.Deleted(), got.Pruned())
		}
	}
}

func metadataEqual(a, b RecordMetadata) bool {
	eqp := func(x, y *time.Time) bool { return x == nil && y == nil || x != nil && y != nil && x.Equal(*y) }
	return a.Cursor == b.Cursor && a.LastAction == b.LastAction && a.FirstSeenAt.Equal(b.FirstSeenAt) &&
		a.LastModifiedAt.Equal(b.LastModifiedAt) && eqp(a.DeletedAt, b.DeletedAt) && eqp(a.PrunedAt, b.PrunedAt)
}

const okPage = `{"next_cursor":null,"records":[]}`

// TestRecordsBadInput: what Nango would refuse is refused before anything
// is sent, as ErrInvalidArgument.
func TestRecordsBadInput(t *testing.T) {
	h := setup(t, jsonBody(200, okPage))
	ctx := context.Background()
	long := strings.Repeat("x", 1001)
	ids := make([]string, 101)
	for i := range ids {
		ids[i] = strconv.Itoa(i)
	}
	for _, tc := range []struct {
		name             string
		key, conn, model string
		opts             []RecordsOption
	}{
		{"empty key", "", "u1", "Issue", nil},
		{"empty connection id", "github", "", "Issue", nil},
		{"empty model", "github", "u1", "", nil},
		{"lower-case model", "github", "u1", "issue", nil},
		{"one-letter model", "github", "u1", "I", nil},
		{"model with a dot", "github", "u1", "Is.sue", nil},
		{"connection id with a non-ASCII letter", "github", "usér", "Issue", nil},
		{"key with a slash", "git/hub", "u1", "Issue", nil},
		{"connection id with a newline", "github", "u\n1", "Issue", nil},
		{"page size 0", "github", "u1", "Issue", []RecordsOption{PageSize(0)}},
		{"page size 10001", "github", "u1", "Issue", []RecordsOption{PageSize(10001)}},
		{"modified after 13 months ago", "github", "u1", "Issue", []RecordsOption{ModifiedAfter(time.Now().AddDate(0, -13, 0))}},
		{"filter not an action", "github", "u1", "Issue", []RecordsOption{FilterLastAction("REMOVED")}},
		{"filter in lower case", "github", "u1", "Issue", []RecordsOption{FilterLastAction("added")}},
		{"101 ids", "github", "u1", "Issue", []RecordsOption{FilterRecordIDs(ids...)}},
		{"an empty id", "github", "u1", "Issue", []RecordsOption{FilterRecordIDs("1", "")}},
		{"an id of 257 characters", "github", "u1", "Issue", []RecordsOption{FilterRecordIDs(strings.Repeat("i", 257))}},
		{"a cursor of 1001 bytes", "github", "u1", "Issue", []RecordsOption{Cursor(long)}},
		{"a variant with a dot", "github", "u1", "Issue", []RecordsOption{Variant("v.2")}},
		{"a prune limit on a listing", "github", "u1", "Issue", []RecordsOption{PruneLimit(5)}},
		{"a bad request option", "github", "u1", "Issue", []RecordsOption{RequestTimeout(-1)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := h.client.ListRecords(ctx, tc.key, tc.conn, tc.model, tc.opts...); !errors.Is(err, ErrInvalidArgument) {
				t.Errorf("ListRecords: %v, want ErrInvalidArgument", err)
			}
			for _, err := range h.client.AllRecords(ctx, tc.key, tc.conn, tc.model, tc.opts...) {
				if !errors.Is(err, ErrInvalidArgument) {
					t.Errorf("AllRecords: %v, want ErrInvalidArgument", err)
				}
			}
		})
	}
	for _, tc := range []struct {
		name   string
		cursor string
		opts   []RecordsOption
	}{
		{"empty cursor", "", nil},
		{"cursor of 1001 bytes", long, nil},
		{"a listing option", "c", []RecordsOption{Cursor("d")}},
		{"a page size", "c", []RecordsOption{PageSize(5)}},
		{"prune limit 0", "c", []RecordsOption{PruneLimit(0)}},
		{"prune limit 10001", "c", []RecordsOption{PruneLimit(10001)}},
		{"a bad variant", "c", []RecordsOption{Variant("a b")}},
	} {
		t.Run("prune: "+tc.name, func(t *testing.T) {
			if _, err := h.client.PruneRecords(ctx, "github", "u1", "Issue", tc.cursor, tc.opts...); !errors.Is(err, ErrInvalidArgument) {
				t.Errorf("PruneRecords: %v, want ErrInvalidArgument", err)
			}
		})
	}
	if _, err := h.client.PruneRecords(ctx, "github", "u1", "issue", "c"); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("PruneRecords with a lower-case model: %v", err)
	}
	if n := len(h.requests()); n != 0 {
		t.Errorf("%d requests sent", n)
	}
	var zero Record
	if err := zero.Decode(&map[string]any{}); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("Decode of a zero Record: %v", err)
	}
}

// TestRecordsQuery: what each option sends.
func TestRecordsQuery(t *testing.T) {
	h := setup(t, jsonBody(200, okPage))
	ctx := context.Background()
	after := time.Now().Add(-time.Hour).Truncate(time.Millisecond).Add(123456 * time.Nanosecond).In(time.FixedZone("X", 3600))
	for _, tc := range []struct {
		opts []RecordsOption
		want string
	}{
		{nil, "model=Issue"},
		{[]RecordsOption{PageSize(10000), Cursor("abc"), Variant("v2")}, "cursor=abc&limit=10000&model=Issue&variant=v2"},
		{[]RecordsOption{Variant("base"), Variant(""), Cursor("")}, "model=Issue"},
		{[]RecordsOption{ModifiedAfter(after)}, "model=Issue&modified_after=" + url.QueryEscape(after.UTC().Truncate(time.Millisecond).Format("2006-01-02T15:04:05.000Z"))},
		{[]RecordsOption{ModifiedAfter(time.Time{})}, "model=Issue"},
		{[]RecordsOption{FilterLastAction(RecordAdded, RecordUpdated, RecordAdded)}, "filter=ADDED%2CUPDATED&model=Issue"},
		{[]RecordsOption{FilterLastAction(RecordDeleted)}, "filter=DELETED&model=Issue"},
		{[]RecordsOption{FilterLastAction(RecordDeleted, RecordAdded, RecordUpdated)}, "model=Issue"},
		{[]RecordsOption{FilterRecordIDs("1", "a b"), FilterRecordIDs("x&y")}, "ids=1&ids=a+b&ids=x%26y&model=Issue"},
	} {
		before := len(h.requests())
		if _, err := h.client.ListRecords(ctx, "github dev", "user@example.com", "Issue", tc.opts...); err != nil {
			t.Fatal(err)
		}
		sent := h.requests()[before]
		q, _ := url.ParseQuery(sent.RawQuery)
		if q.Encode() != tc.want {
			t.Errorf("query %s, want %s", q.Encode(), tc.want)
		}
		if sent.Header.Get("Provider-Config-Key") != "github dev" || sent.Header.Get("Connection-Id") != "user@example.com" {
			t.Errorf("headers %v", sent.Header)
		}
	}
}

// pageServer answers GET /records from a script of bodies by cursor, and
// counts requests; past 50 it answers 400, so that a client that loops
// ends.
type pageServer struct {
	mu    sync.Mutex
	pages map[string]string
	sent  []string
}

func (s *pageServer) handler(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	cursor := r.URL.Query().Get("cursor")
	s.sent = append(s.sent, cursor)
	n := len(s.sent)
	body, ok := s.pages[cursor]
	s.mu.Unlock()
	if n > 50 || !ok {
		jsonBody(400, `{"error":{"code":"test_stop","message":"too many pages, or no page for this cursor"}}`)(w, r)
		return
	}
	jsonBody(200, body)(w, r)
}

func (s *pageServer) requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.sent...)
}

func rec(id, cursor string) string {
	return `{"id":"` + id + `","title":"t` + id + `","_nango_metadata":{"first_seen_at":"2026-12-03T07:20:24.778106+00:00","last_modified_at":"2026-12-03T07:20:24.778106+00:00","last_action":"ADDED","deleted_at":null,"pruned_at":null,"cursor":"` + cursor + `"}}`
}

func pageOf(next string, ids ...string) string {
	n := "null"
	if next != "" {
		n = `"` + next + `"`
	}
	var recs []string
	for _, id := range ids {
		recs = append(recs, rec(id, "c"+id))
	}
	return `{"next_cursor":` + n + `,"records":[` + strings.Join(recs, ",") + `]}`
}

func collect(t *testing.T, seq func(func(Record, error) bool)) (ids []string, err error) {
	t.Helper()
	for r, e := range seq {
		if e != nil {
			return ids, e
		}
		ids = append(ids, r.ID)
	}
	return ids, nil
}

// TestAllRecordsPaging: AllRecords follows next_cursor, stops when the
// loop breaks, and ends with an error, never a loop, on a cursor that
// repeats.
func TestAllRecordsPaging(t *testing.T) {
	ctx := context.Background()
	t.Run("follows the cursors", func(t *testing.T) {
		s := &pageServer{pages: map[string]string{"": pageOf("c2", "1", "2"), "c2": pageOf("c4", "3", "4"), "c4": pageOf("", "5")}}
		h := setup(t, s.handler)
		ids, err := collect(t, h.client.AllRecords(ctx, "github", "u1", "Issue", PageSize(2)))
		if err != nil || strings.Join(ids, ",") != "1,2,3,4,5" {
			t.Fatalf("ids %v, err %v", ids, err)
		}
		if got := strings.Join(s.requests(), ","); got != ",c2,c4" {
			t.Errorf("cursors sent %q", got)
		}
	})
	t.Run("starts at Cursor", func(t *testing.T) {
		s := &pageServer{pages: map[string]string{"c2": pageOf("", "3")}}
		h := setup(t, s.handler)
		ids, err := collect(t, h.client.AllRecords(ctx, "github", "u1", "Issue", Cursor("c2")))
		if err != nil || strings.Join(ids, ",") != "3" {
			t.Fatalf("ids %v, err %v", ids, err)
		}
	})
	t.Run("break stops the reads", func(t *testing.T) {
		s := &pageServer{pages: map[string]string{"": pageOf("c2", "1", "2"), "c2": pageOf("", "3")}}
		h := setup(t, s.handler)
		for r, err := range h.client.AllRecords(ctx, "github", "u1", "Issue") {
			if err != nil || r.ID != "1" {
				t.Fatal(r.ID, err)
			}
			break
		}
		if n := len(s.requests()); n != 1 {
			t.Errorf("%d pages read after a break on the first record", n)
		}
	})
	for _, tc := range []struct {
		name  string
		pages map[string]string
		want  string
	}{
		{"the cursor just sent", map[string]string{"": pageOf("c2", "1"), "c2": pageOf("c2", "2")}, "repeats"},
		{"a cursor read before", map[string]string{"": pageOf("c2", "1"), "c2": pageOf("c3", "2"), "c3": pageOf("c2", "3")}, "repeats"},
		{"the starting cursor", map[string]string{"c0": pageOf("c1", "1"), "c1": pageOf("c0", "2")}, "repeats"},
		{"a page without records", map[string]string{"": pageOf("c2"), "c2": pageOf("c3"), "c3": pageOf("c4")}, "without records"},
	} {
		t.Run("stops on "+tc.name, func(t *testing.T) {
			s := &pageServer{pages: tc.pages}
			h := setup(t, s.handler)
			opts := []RecordsOption{}
			if _, ok := tc.pages[""]; !ok {
				opts = append(opts, Cursor("c0"))
			}
			_, err := collect(t, h.client.AllRecords(ctx, "github", "u1", "Issue", opts...))
			if !errors.Is(err, ErrUnexpectedResponse) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want ErrUnexpectedResponse saying %q", err, tc.want)
			}
			if n := len(s.requests()); n > 4 {
				t.Errorf("%d pages read", n)
			}
		})
	}
}

// TestAllRecordsRefusesServerCursor: a next_cursor that Nango itself would
// refuse as a cursor (too long, a control character) is the server's fault:
// AllRecords stops with ErrUnexpectedResponse, not with an
// ErrInvalidArgument that blames the caller, and sends nothing more.
func TestAllRecordsRefusesServerCursor(t *testing.T) {
	for name, next := range map[string]string{
		"too long":            strings.Repeat("x", maxCursorLength+1),
		"a control character": `a\u0000b`,
	} {
		t.Run(name, func(t *testing.T) {
			s := &pageServer{pages: map[string]string{"": pageOf(next, "1")}}
			h := setupRaw(t, s.handler)
			ids, err := collect(t, h.client.AllRecords(context.Background(), "github", "u1", "Issue"))
			if !errors.Is(err, ErrUnexpectedResponse) || errors.Is(err, ErrInvalidArgument) || strings.Join(ids, ",") != "1" {
				t.Fatalf("ids %v, err = %v: want record 1, then ErrUnexpectedResponse", ids, err)
			}
			if n := len(s.requests()); n != 1 {
				t.Errorf("%d pages read", n)
			}
		})
	}
}

// TestRecordsCursorNotRetried: a cursor Nango cannot decode earns its 500
// once; a cursor of Nango's form that meets a 500 is retried as any read.
func TestRecordsCursorNotRetried(t *testing.T) {
	ctx := context.Background()
	var calls atomic.Int32
	h := setup(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		jsonBody(500, `{"error":{"code":"server_error","message":"Failed to fetch records"}}`)(w, r)
	}, WithMaxRetries(2), WithBackoff(0, 0))
	_, err := h.client.ListRecords(ctx, "github", "u1", "Issue", Cursor("not-a-cursor"))
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 500 || apiErr.Code != "server_error" {
		t.Fatalf("err = %v", err)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("a garbage cursor sent %d times", n)
	}
	calls.Store(0)
	valid := "MjAyNi0xMi0wM1QwNzoyMDoyNC43NzgxMDYrMDA6MDB8fGZlOWY1M2YzLWVkNTEtNTFlNS1iODJkLTAxZGVmNWE5MmZhMA=="
	_, _ = h.client.ListRecords(ctx, "github", "u1", "Issue", Cursor(valid))
	if n := calls.Load(); n != 3 {
		t.Errorf("a cursor of Nango's form sent %d times, want 3 (retried)", n)
	}
	for c, want := range map[string]bool{valid: true, strings.TrimRight(valid, "="): true, "bm9wZQ==": false, "": false, "%%%": false,
		"MjAyNi0xMi0wM1QwNzoyMDoyNC43NzgxMDYrMDA6MDB8fG5vdC1hLXV1aWQ=": false} {
		if got := looksLikeNangoCursor(c); got != want {
			t.Errorf("looksLikeNangoCursor(%q) = %t", c, got)
		}
	}
}

// TestPruneRecordsNotRetried: a prune is a write.
func TestPruneRecordsNotRetried(t *testing.T) {
	var calls atomic.Int32
	h := setup(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		jsonBody(503, `{"error":{"code":"server_error","message":"down"}}`)(w, r)
	}, WithMaxRetries(3), WithBackoff(0, 0))
	_, err := h.client.PruneRecords(context.Background(), "github", "u1", "Issue", "c", Variant("v2"), PruneLimit(10))
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("err = %v", err)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("a prune sent %d times", n)
	}
}

// TestRecordsMalformed: an answer that is not a page of records is an
// error matching ErrUnexpectedResponse, never a panic.
func TestRecordsMalformed(t *testing.T) {
	meta := `"_nango_metadata":{"first_seen_at":"2026-12-03T07:20:24.778106+00:00","last_modified_at":"2026-12-03T07:20:24.778106+00:00","last_action":"ADDED","deleted_at":null,"pruned_at":null,"cursor":"c"}`
	for _, body := range []string{
		``, `null`, `[]`, `{}`, `{"next_cursor":null}`, `{"records":{}}`, `{"records":[1]}`, `{"records":["x"]}`, `{"records":[null]}`,
		`{"records":[{"id":"1"}]}`, `{"records":[{` + meta + `}]}`, `{"records":[{"id":true,` + meta + `}]}`, `{"records":[{"id":"1","_nango_metadata":[]}]}`,
		`{"records":[{"id":"1",` + strings.Replace(meta, `"2026-12-03T07:20:24.778106+00:00"`, `"yesterday"`, 1) + `}]}`,
		`{"records":[{"id":"1",` + strings.Replace(meta, `"cursor":"c"`, `"cursor":5`, 1) + `}]}`,
		`{"records":[{"id":"1",` + strings.Replace(meta, `,"cursor":"c"`, ``, 1) + `}]}`,
		`{"records":[{"id":"1",` + strings.Replace(meta, `"first_seen_at":"2026-12-03T07:20:24.778106+00:00"`, `"first_seen_at":null`, 1) + `}]}`,
		`{"records":[]} x`, `{"records":[]`, `{"records":[{"id":"1",` + meta + `,}]}`, `{"next_cursor":5,"records":[]}`,
		`{"records":[{"id":01,` + meta + `}]}`, `{"records":[{"id":"1\u00zz",` + meta + `}]}`, `{"records":[{"id":"1","x":tru,` + meta + `}]}`, `{"records":[{"id":"1","x":trUe,` + meta + `}]}`,
		`{"records":[{"id":"1","x":"a` + "\x01" + `",` + meta + `}]}`, strings.Repeat(`[`, 20000),
	} {
		h := setupRaw(t, jsonBody(200, body))
		_, err := h.client.ListRecords(context.Background(), "github", "u1", "Issue")
		if !errors.Is(err, ErrUnexpectedResponse) {
			t.Errorf("%.80s: err = %v, want ErrUnexpectedResponse", body, err)
		}
	}
	// A record that does not fit the caller's type.
	h := setupRaw(t, jsonBody(200, `{"next_cursor":null,"records":[{"id":"1","title":5,`+meta+`}]}`))
	page, err := h.client.ListRecords(context.Background(), "github", "u1", "Issue")
	if err != nil {
		t.Fatal(err)
	}
	var v struct{ Title string }
	if err := page.Records[0].Decode(&v); !errors.Is(err, ErrUnexpectedResponse) || !strings.Contains(err.Error(), `record "1"`) {
		t.Errorf("Decode: %v", err)
	}
	// The pooled decoder that failed is dropped: the next record decodes.
	var ok struct{ ID string }
	if err := page.Records[0].Decode(&ok); err != nil || ok.ID != "1" {
		t.Errorf("Decode after a failure: %v %+v", err, ok)
	}
	if _, err := ListRecordsAs[struct{ Title string }](context.Background(), h.client, "github", "u1", "Issue"); !errors.Is(err, ErrUnexpectedResponse) {
		t.Errorf("ListRecordsAs: %v", err)
	}
}

// TestRecordsPageCap: a page over the cap is refused, not read whole.
func TestRecordsPageCap(t *testing.T) {
	big := pageOf("", strings.Split(strings.Repeat("x,", 100)+"x", ",")...)
	h := setup(t, jsonBody(200, big), WithMaxResponseBytes(int64(len(big)-1)))
	_, err := h.client.ListRecords(context.Background(), "github", "u1", "Issue")
	if !errors.Is(err, ErrUnexpectedResponse) || !strings.Contains(err.Error(), "cap") {
		t.Fatalf("err = %v", err)
	}
	h = setup(t, jsonBody(200, big), WithMaxResponseBytes(int64(len(big))))
	if page, err := h.client.ListRecords(context.Background(), "github", "u1", "Issue"); err != nil || len(page.Records) != 101 {
		t.Fatalf("at the cap: %v", err)
	}
}

// TestRecordsNotMerged: two connections' reads of one model are two
// requests (the connection is a header: the URL alone does not name the
// read, so it must not be merged with another in flight).
func TestRecordsNotMerged(t *testing.T) {
	arrived := make(chan struct{}, 2)
	release := make(chan struct{})
	h := setup(t, func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		select {
		case <-release:
		case <-time.After(5 * time.Second):
		}
		jsonBody(200, pageOf("", r.Header.Get("Connection-Id")))(w, r)
	})
	var wg sync.WaitGroup
	got := make([]string, 2)
	for i, conn := range []string{"a", "b"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			page, err := h.client.ListRecords(context.Background(), "github", conn, "Issue")
			if err == nil && len(page.Records) == 1 {
				got[i] = page.Records[0].ID
			}
		}()
	}
	<-arrived
	select {
	case <-arrived:
	case <-time.After(5 * time.Second):
	}
	close(release)
	wg.Wait()
	if got[0] != "a" || got[1] != "b" {
		t.Errorf("connection a read %q, b read %q", got[0], got[1])
	}
}

// FuzzRecordsPage: the page scanner never panics, takes only what
// encoding/json takes, and reads what encoding/json reads.
func FuzzRecordsPage(f *testing.F) {
	caps, _ := contract.LoadCaptures("testdata/real-nango")
	for _, c := range caps {
		if strings.Contains(c.URL, "/records") && c.Status == 200 {
			f.Add(c.Resp)
		}
	}
	f.Add([]byte(pageOf("n", "1", "2")))
	f.Add([]byte(`{"records":[{"id":-1.5e3,"_nango_metadata":{"first_seen_at":"2026-12-03T07:20:24Z","last_modified_at":"2026-12-03T07:20:24Z","last_action":"X","cursor":"\u0041\n"},"a":[{},[],true,null]}],"next_cursor":"\"x"}`))
	f.Add([]byte("{\"records\":[{\"id\":\"\xff\xfe\",\"_nango_metadata\":{\"first_seen_at\":\"2026-12-03T07:20:24Z\",\"last_modified_at\":\"2026-12-03T07:20:24Z\",\"last_action\":\"ADDED\",\"cursor\":\"\xc3\"}}]}"))
	// A NUL byte after the page is not JSON (the scanner once took it for
	// the end of the input).
	f.Add([]byte("{\"records\":[]}\x00"))
	f.Fuzz(func(t *testing.T, body []byte) {
		page, err := parseRecordsPage(body, 100)
		if err != nil {
			return
		}
		if !json.Valid(body) {
			t.Fatalf("scanner took invalid JSON %q", body)
		}
		var want struct {
			NextCursor *string           `json:"next_cursor"`
			Records    []json.RawMessage `json:"records"`
		}
		if err := json.Unmarshal(body, &want); err != nil {
			t.Fatalf("encoding/json refuses what the scanner took: %v", err)
		}
		if len(want.Records) != len(page.Records) {
			t.Fatalf("%d records, encoding/json %d", len(page.Records), len(want.Records))
		}
		for i, raw := range want.Records {
			var m struct {
				ID   json.RawMessage `json:"id"`
				Meta struct {
					Cursor     string    `json:"cursor"`
					LastAction string    `json:"last_action"`
					FirstSeen  time.Time `json:"first_seen_at"`
				} `json:"_nango_metadata"`
			}
			if err := json.Unmarshal(raw, &m); err != nil {
				t.Fatalf("record %d: %v", i, err)
			}
			var id any
			_ = json.Unmarshal(m.ID, &id)
			if s, ok := id.(string); ok && s != page.Records[i].ID || !ok && string(m.ID) != page.Records[i].ID {
				t.Fatalf("record %d: id %q, encoding/json %s", i, page.Records[i].ID, m.ID)
			}
			got := page.Records[i].Metadata
			if got.Cursor != m.Meta.Cursor || string(got.LastAction) != m.Meta.LastAction || !got.FirstSeenAt.Equal(m.Meta.FirstSeen) {
				t.Fatalf("record %d: metadata %+v, encoding/json %+v", i, got, m.Meta)
			}
			var a, b any
			if err := page.Records[i].Decode(&a); err != nil {
				t.Fatal(err)
			}
			_ = json.Unmarshal(raw, &b)
			if fmt.Sprint(a) != fmt.Sprint(b) {
				t.Fatalf("record %d decodes to %v, encoding/json %v", i, a, b)
			}
		}
	})
}

// TestRecordsOptionsCoverGenParams: every query parameter of GET /records
// is set by a RecordsOption (delta, the old name of modified_after, aside),
// and every header parameter by an argument. A parameter added to the
// spec fails here, by name, until it has an option.
func TestRecordsOptionsCoverGenParams(t *testing.T) {
	atCaptureTime(t)
	p := recordsParamsOf([]RecordsOption{ModifiedAfter(captureNow.Add(-time.Hour)), Cursor("c"), FilterLastAction(RecordAdded),
		FilterRecordIDs("1"), Variant("v2"), PageSize(5)})
	params, err := listRecordsParams("github", "u1", "Issue", &p, captureNow)
	if err != nil {
		t.Fatal(err)
	}
	req, err := gen.NewListRecordsRequest("http://127.0.0.1:3003/", params)
	if err != nil {
		t.Fatal(err)
	}
	q := req.URL.Query()
	typ := reflect.TypeFor[gen.ListRecordsParams]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("form"), ",")
		if name == "" {
			name, _, _ = strings.Cut(f.Tag.Get("json"), ",")
			if req.Header.Get(name) == "" {
				t.Errorf("header parameter %s (gen.ListRecordsParams.%s) is not sent", name, f.Name)
			}
			continue
		}
		if name != "delta" && !q.Has(name) {
			t.Errorf("query parameter %s (gen.ListRecordsParams.%s) is not set by any RecordsOption: %s", name, f.Name, req.URL.RawQuery)
		}
	}
}
