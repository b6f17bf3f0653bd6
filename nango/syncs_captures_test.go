package nango

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/nango-go/sdk/nango/internal/contract"
)

// syncCallOf is the SDK call that sends a capture's request: its method,
// key, ids, syncs and options read back from the curl command.
func syncCallOf(t *testing.T, c contract.Capture) (run func(*Client) (any, error), sdkSendsCurlsBody bool) {
	t.Helper()
	u, _ := url.Parse(c.URL)
	var body struct {
		Key        string            `json:"provider_config_key"`
		Conn       *string           `json:"connection_id"`
		Syncs      []json.RawMessage `json:"syncs"`
		Mode       string            `json:"sync_mode"`
		SyncName   string            `json:"sync_name"`
		Variant    string            `json:"sync_variant"`
		Frequency  *string           `json:"frequency"`
		SyncsAsStr *string
	}
	if len(c.Body) > 0 {
		if err := json.Unmarshal(c.Body, &body); err != nil {
			// 523: "syncs" is a string; the SDK's []string cannot say it.
			var s struct{ Syncs string }
			if json.Unmarshal(c.Body, &s) != nil {
				t.Fatalf("capture body %s: %v", c.Body, err)
			}
			body.SyncsAsStr = &s.Syncs
		}
	}
	ctx := context.Background()
	var names []string
	var opts []SyncOption
	for _, raw := range body.Syncs {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			names = append(names, s)
			continue
		}
		var ref SyncRefForTest
		_ = json.Unmarshal(raw, &ref)
		opts = append(opts, SyncVariant(ref.Name, ref.Variant))
	}
	key := body.Key
	if h := c.Header.Get("Provider-Config-Key"); h != "" {
		key = h
	}
	conn := ""
	if body.Conn != nil {
		conn = *body.Conn
	}
	if h := c.Header.Get("Connection-Id"); h != "" {
		conn = h
	}
	if conn != "" {
		opts = append(opts, ForConnection(conn))
	}
	if body.Mode != "" {
		opts = append(opts, SyncMode(TriggerSyncMode(body.Mode)))
	}
	if body.SyncsAsStr != nil {
		t.Skip("syncs as a string: the SDK's []string cannot send it")
	}
	sameBody := len(c.Header.Values("Connection-Id")) == 0
	switch path := u.Path; {
	case c.Method == http.MethodPost && path == "/sync/trigger":
		return func(cl *Client) (any, error) { return nil, cl.TriggerSync(ctx, key, names, opts...) }, sameBody
	case c.Method == http.MethodPost && path == "/sync/pause":
		return func(cl *Client) (any, error) { return nil, cl.PauseSync(ctx, key, names, opts...) }, true
	case c.Method == http.MethodPost && path == "/sync/start":
		return func(cl *Client) (any, error) { return nil, cl.StartSync(ctx, key, names, opts...) }, true
	case c.Method == http.MethodGet && path == "/sync/status":
		q := u.Query()
		if s := q.Get("syncs"); s != "*" {
			names = strings.Split(s, ",")
		}
		if id := q.Get("connection_id"); id != "" {
			opts = append(opts, ForConnection(id))
		}
		key = q.Get("provider_config_key")
		return func(cl *Client) (any, error) { return cl.SyncStatus(ctx, key, names, opts...) }, true
	case path == "/sync/update-connection-frequency":
		sync := body.SyncName
		if body.Variant != "" {
			sync += "::" + body.Variant
		}
		freq := ""
		if body.Frequency != nil {
			freq = *body.Frequency
		}
		return func(cl *Client) (any, error) { return cl.UpdateSyncFrequency(ctx, key, conn, sync, freq) }, c.Method == http.MethodPut
	case strings.HasPrefix(path, "/sync/") && strings.Contains(path, "/variant/"):
		parts := strings.Split(path, "/") // "", "sync", name, "variant", variant
		if c.Method == http.MethodDelete {
			return func(cl *Client) (any, error) { return nil, cl.DeleteSyncVariant(ctx, key, conn, parts[2], parts[4]) }, true
		}
		return func(cl *Client) (any, error) { return cl.CreateSyncVariant(ctx, key, conn, parts[2], parts[4]) }, true
	}
	t.Fatalf("no SDK call for %s %s", c.Method, c.URL)
	return nil, false
}

// SyncRefForTest reads a {name, variant} of a capture.
type SyncRefForTest struct{ Name, Variant string }

// TestSyncCaptures replays every sync exchange a real Nango had: the SDK
// sends the same request (route, query, and body, property order aside)
// and reads the answer: a 2xx into the generated types, an error into the
// *APIError of its status and code, with its sentinel. What Nango refused
// as invalid the SDK refuses before sending.
func TestSyncCaptures(t *testing.T) {
	caps, err := contract.LoadCaptures("testdata/real-nango")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range caps {
		if u, _ := url.Parse(c.URL); !strings.HasPrefix(u.Path, "/sync/") {
			continue
		}
		n++
		t.Run(c.Name, func(t *testing.T) {
			var mu sync.Mutex
			var sentBody []byte
			h := setupRaw(t, func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				mu.Lock()
				sentBody = b
				mu.Unlock()
				replay(c)(w, r)
			}, WithMaxRetries(0))
			run, sameBody := syncCallOf(t, c)
			got, err := run(h.client)
			if bytes.Contains(c.Resp, []byte("<pre>Cannot ")) {
				// A method the route does not take: the SDK uses the one it does.
				if reqs := h.requests(); len(reqs) != 1 || reqs[0].Method == c.Method {
					t.Errorf("sent %+v", reqs)
				}
				return
			}
			refused := c.Status == 400 && bytes.Contains(c.Resp, []byte(`"invalid_body","errors"`)) ||
				bytes.Contains(c.Resp, []byte(`"missing_provider_config_key"`)) || bytes.Contains(c.Resp, []byte(`"invalid_variant"`))
			if refused {
				if !errors.Is(err, ErrInvalidArgument) || len(h.requests()) != 0 {
					t.Fatalf("Nango refused this request; the SDK: err %v, %d requests sent", err, len(h.requests()))
				}
				return
			}
			reqs := h.requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests (err %v)", len(reqs), err)
			}
			want, _ := url.Parse(c.URL)
			if reqs[0].Method != c.Method || reqs[0].EscapedPath != want.EscapedPath() {
				t.Errorf("sent %s %s, capture %s %s", reqs[0].Method, reqs[0].EscapedPath, c.Method, want.EscapedPath())
			}
			if gotQ, _ := url.ParseQuery(reqs[0].RawQuery); gotQ.Encode() != want.Query().Encode() {
				t.Errorf("query %q, capture %q", gotQ.Encode(), want.Query().Encode())
			}
			if sameBody {
				var g, w any
				mu.Lock()
				_ = json.Unmarshal(sentBody, &g)
				mu.Unlock()
				_ = json.Unmarshal(c.Body, &w)
				if !reflect.DeepEqual(g, w) {
					t.Errorf("body %s, capture %s", sentBody, c.Body)
				}
			}
			if c.Status/100 == 2 {
				if err != nil {
					t.Fatalf("2xx capture: %v", err)
				}
				checkSyncAnswer(t, c.Resp, got)
				return
			}
			checkAPIError(t, c, err)
			if c.Name == "669-get-sync-status-unknown-connection" && !errors.Is(err, ErrNotFound) {
				t.Errorf("unknown connection: %v does not match ErrNotFound", err)
			}
			var apiErr *APIError
			if errors.As(err, &apiErr) && apiErr.Code != "not_found" && apiErr.Code != "unknown_connection" &&
				c.Name != "669-get-sync-status-unknown-connection" && errors.Is(err, ErrNotFound) {
				t.Errorf("%v matches ErrNotFound", err)
			}
		})
	}
	if n < 40 {
		t.Errorf("%d sync captures", n)
	}
}

// checkSyncAnswer compares what the SDK decoded with the captured body.
func checkSyncAnswer(t *testing.T, body []byte, got any) {
	t.Helper()
	switch v := got.(type) {
	case nil:
	case []SyncStatus:
		var w struct {
			Syncs []map[string]any
		}
		_ = json.Unmarshal(body, &w)
		if len(v) != len(w.Syncs) {
			t.Fatalf("%d entries, body has %d", len(v), len(w.Syncs))
		}
		for i, s := range v {
			e := w.Syncs[i]
			if s.ID != e["id"] || s.Name != e["name"] || s.Variant != e["variant"] || s.ConnectionID != e["connection_id"] ||
				string(s.Status) != e["status"] || string(s.Type) != e["type"] || s.Frequency == nil || *s.Frequency != e["frequency"] {
				t.Errorf("entry %d: %+v, body %v", i, s, e)
			}
			if (s.NextScheduledSyncAt == nil) != (e["nextScheduledSyncAt"] == nil) || s.FinishedAt.IsZero() != (e["finishedAt"] == nil) ||
				string(s.LatestExecutionStatus) != strOr(e["latestExecutionStatus"]) {
				t.Errorf("entry %d schedule: %+v, body %v", i, s, e)
			}
			counts, _ := e["recordCount"].(map[string]any)
			for m, n := range counts {
				if float64(s.RecordCount[m]) != n {
					t.Errorf("recordCount[%s] = %d, body %v", m, s.RecordCount[m], n)
				}
			}
			results, _ := e["latestResult"].(map[string]any)
			for m, r := range results {
				r := r.(map[string]any)
				if g := s.LatestResult[m]; float64(g.Added) != r["added"] || float64(g.Updated) != r["updated"] || float64(g.Deleted) != r["deleted"] {
					t.Errorf("latestResult[%s] = %+v, body %v", m, g, r)
				}
			}
		}
	case string:
		var w struct{ Frequency string }
		_ = json.Unmarshal(body, &w)
		if v != w.Frequency {
			t.Errorf("frequency %q, body %q", v, w.Frequency)
		}
	case *SyncVariantResponse:
		var w SyncVariantResponse
		_ = json.Unmarshal(body, &w)
		if *v != w {
			t.Errorf("variant %+v, body %+v", *v, w)
		}
	default:
		t.Errorf("unexpected answer %T", got)
	}
}

func strOr(v any) string {
	s, _ := v.(string)
	return s
}
