package nangotest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nango-go/sdk/nango"
	"github.com/nango-go/sdk/nango/internal/contract"
)

// hookRecorder is a webhook receiver that keeps the bodies it got.
type hookRecorder struct {
	mu     sync.Mutex
	bodies [][]byte
	key    string
	t      *testing.T
}

func newHookRecorder(t *testing.T, key string) (*hookRecorder, string) {
	h := &hookRecorder{key: key, t: t}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if err := nango.VerifyWebhookSignature(h.key, r.Header, b); err != nil {
			h.t.Errorf("webhook signature: %v", err)
		}
		h.mu.Lock()
		h.bodies = append(h.bodies, b)
		h.mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	return h, srv.URL
}

// take returns the bodies received since the last call.
func (h *hookRecorder) take() [][]byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := h.bodies
	h.bodies = nil
	return out
}

// TestReplaySyncCaptures sends the sync requests a real Nango answered to
// the fake, in the order they were made, with the uncaptured steps of the
// real run in between, and expects the same status, error code and
// validation issues, and answers of the same shape and state: the status
// entries' connection, sync, variant, type, status and schedule. The runs'
// webhooks have the shape of those Nango sent (604, 666).
func TestReplaySyncCaptures(t *testing.T) {
	caps, err := contract.LoadCaptures("../testdata/real-nango")
	if err != nil {
		t.Fatal(err)
	}
	var syncCaps []contract.Capture
	for _, c := range caps {
		if u, err := url.Parse(c.URL); err == nil && strings.HasPrefix(u.Path, "/sync/") {
			syncCaps = append(syncCaps, c)
		}
	}
	date := func(c contract.Capture) time.Time { d, _ := http.ParseTime(c.RespHdr.Get("Date")); return d }
	sort.SliceStable(syncCaps, func(i, j int) bool {
		if di, dj := date(syncCaps[i]), date(syncCaps[j]); !di.Equal(dj) {
			return di.Before(dj)
		}
		return numericPrefix(syncCaps[i].Name) < numericPrefix(syncCaps[j].Name)
	})

	// The fake's clock is the capture's Date, and moves on by a
	// millisecond a reading within it.
	var now atomic.Int64
	clock := func() time.Time { return time.UnixMilli(now.Add(1)).UTC() }
	now.Store(date(syncCaps[0]).UnixMilli())
	srv := Start(t, AllowInvalidRequests(), WithClock(clock))
	hooks, hookURL := newHookRecorder(t, srv.SecretKey())
	srv.SetWebhookURL(hookURL)
	// The first server (510-541): github with one connection, no sync.
	srv.AddIntegration("github", "github", "OAUTH2")
	srv.MustPut(OAuth2("github", "cap4-oauth2-full", "t"))
	// The second (600-699): the unauthenticated integration, its sync
	// issues (model Issue) and connections, h5-issues made first.
	srv.AddIntegration("unauthenticated", "unauthenticated", "NONE")
	for _, id := range []string{"h5-issues", "h4-none", "cap4-none", "h4-none-copy"} {
		srv.MustPut(Unauthenticated("unauthenticated", id))
	}
	if err := srv.PutSync("unauthenticated", "issues", "Issue"); err != nil {
		t.Fatal(err)
	}

	do := func(method, path, body string) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+srv.SecretKey())
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("%s %s %s: %d", method, path, body, resp.StatusCode)
		}
	}
	const h5 = `"provider_config_key":"unauthenticated","connection_id":"h5-issues"`
	webhooks := map[string]string{}
	for _, name := range []string{"604-webhook-sync-success-initial", "666-webhook-sync-error"} {
		raw, err := os.ReadFile("../testdata/webhooks/" + name + ".txt")
		if err != nil {
			t.Fatal(err)
		}
		_, rest, _ := bytes.Cut(raw, []byte("\n\n"))
		body, _, _ := bytes.Cut(rest, []byte("\n"))
		webhooks[name] = string(body)
	}
	errorsSeen, answersSeen := 0, 0
	for _, c := range syncCaps {
		now.Store(date(c).UnixMilli())
		// The steps of the real run that have no capture.
		switch c.Name {
		case "654-get-sync-status-after-full-refresh":
			do(http.MethodPost, "/sync/trigger", `{`+h5+`,"syncs":["issues"],"sync_mode":"full_refresh"}`) // 653
		case "672-get-sync-status-after-pause":
			do(http.MethodPost, "/sync/pause", `{`+h5+`,"syncs":["issues"]}`) // 671
		case "678-put-sync-update-connection-frequency":
			do(http.MethodPost, "/sync/start", `{`+h5+`,"syncs":["issues"]}`) // 677
		case "690-get-sync-status-after-variant-run":
			do(http.MethodPost, "/sync/trigger", `{`+h5+`,"syncs":[{"name":"issues","variant":"v2"}]}`) // 689
		case "693-err-delete-sync-variant-again":
			do(http.MethodDelete, "/sync/issues/variant/v2", `{`+h5+`}`) // 692
		case "664-post-sync-trigger-failing-run":
			if err := srv.FailNextSync("unauthenticated", "h5-issues", "issues", "deliberate sync failure (phase 99)"); err != nil {
				t.Fatal(err)
			}
		}
		hooks.take()
		t.Run(c.Name, func(t *testing.T) {
			req, err := c.Request(srv.URL, srv.SecretKey(), otherEnvKey)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if os.Getenv("NANGOTEST_SHOW") != "" {
				t.Logf("fake: %s", body)
			}
			if resp.StatusCode != c.Status {
				t.Fatalf("status %d, real Nango %d\nfake: %s\nreal: %s", resp.StatusCode, c.Status, body, c.Resp)
			}
			if strings.Contains(string(c.Resp), "<pre>Cannot ") {
				return // Nango's web framework's page for a method the route has not
			}
			var got, want map[string]any
			_ = json.Unmarshal(body, &got)
			_ = json.Unmarshal(c.Resp, &want)
			if c.Status >= 400 {
				errorsSeen++
				if g, w := errorCode(body), errorCode(c.Resp); g != w || w == "" {
					t.Errorf("code %q, real Nango %q", g, w)
				}
				if g, w := issues(body), issues(c.Resp); g != w {
					t.Errorf("validation issues:\nfake: %s\nreal: %s", g, w)
				}
				if g, w := shape(got), shape(want); g != w {
					t.Errorf("shape of the error:\nfake: %s\nreal: %s", g, w)
				}
				if gm, wm := errorMessage(got), errorMessage(want); gm != wm {
					t.Errorf("message:\nfake: %s\nreal: %s", gm, wm)
				}
				return
			}
			answersSeen++
			if g, w := shape(got), shape(want); g != w && !(len(syncEntries(want)) == 0 && len(syncEntries(got)) == 0) {
				t.Errorf("shape of the answer:\nfake: %s\nreal: %s", g, w)
			}
			if g, w := syncStates(got), syncStates(want); g != w {
				t.Errorf("state:\nfake: %s\nreal: %s", g, w)
			}
			// The runs' webhooks, shaped as Nango's.
			sent := hooks.take()
			switch c.Name {
			case "601-post-sync-start", "664-post-sync-trigger-failing-run":
				want := webhooks["604-webhook-sync-success-initial"]
				if c.Name == "664-post-sync-trigger-failing-run" {
					want = webhooks["666-webhook-sync-error"]
				}
				if len(sent) != 1 {
					t.Fatalf("%d webhooks sent, want 1", len(sent))
				}
				var g, w map[string]any
				_ = json.Unmarshal(sent[0], &g)
				_ = json.Unmarshal([]byte(want), &w)
				if shape(g) != shape(w) || fmt.Sprint(g["syncType"], g["success"], g["model"]) != fmt.Sprint(w["syncType"], w["success"], w["model"]) {
					t.Errorf("webhook:\nfake: %s\nreal: %s", sent[0], want)
				}
			case "657-post-sync-trigger-all-connections":
				if len(sent) != 4 {
					t.Errorf("%d webhooks, want one per connection (4)", len(sent))
				}
			}
		})
	}
	if errorsSeen < 15 || answersSeen < 20 {
		t.Errorf("replayed %d errors and %d answers", errorsSeen, answersSeen)
	}
}

func errorMessage(m map[string]any) string {
	e, _ := m["error"].(map[string]any)
	s, _ := e["message"].(string)
	if strings.HasPrefix(s, "Invalid input") || strings.HasPrefix(s, "Invalid string") {
		return "" // zod's, compared through the issues
	}
	return s
}

func syncEntries(m map[string]any) []any {
	l, _ := m["syncs"].([]any)
	return l
}

// syncStates summarises a sync answer: per status entry its connection,
// sync, variant, type, status, latest execution, frequency, models and
// whether it is scheduled and has run; the other answers as they are.
func syncStates(m map[string]any) string {
	if _, ok := m["syncs"]; !ok {
		delete(m, "id") // a variant's id, a UUID
		b, _ := json.Marshal(m)
		return string(b)
	}
	var parts []string
	for _, e := range syncEntries(m) {
		o, _ := e.(map[string]any)
		counts, _ := o["recordCount"].(map[string]any)
		var models []string
		for k := range counts {
			models = append(models, k)
		}
		sort.Strings(models)
		parts = append(parts, fmt.Sprintf("%v/%v::%v %v %v latest=%v freq=%v scheduled=%v finished=%v models=%v",
			o["connection_id"], o["name"], o["variant"], o["type"], o["status"], o["latestExecutionStatus"], o["frequency"],
			o["nextScheduledSyncAt"] != nil, o["finishedAt"] != nil, models))
	}
	return strings.Join(parts, "\n")
}
