package nango

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nango-go/sdk/gen"
)

const connectionBody = `{"id":1,"connection_id":"u1","provider_config_key":"github","provider":"github","created_at":"2026-11-28T14:44:40.550+00:00","updated_at":"2026-11-28T14:44:40.550+00:00","credentials":{"type":"OAUTH2","access_token":"t"}}`

// TestAPIGoesThroughTheFunnel: a call of the generated client carries the
// key and user agent, is retried like a helper's read, logs its route
// template, and turns an error answer into an *APIError.
func TestAPIGoesThroughTheFunnel(t *testing.T) {
	var calls atomic.Int32
	var logs bytes.Buffer
	var mu sync.Mutex
	h := setup(t, func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			jsonBody(503, `{"error":{"code":"server_error"}}`)(w, r)
			return
		}
		jsonBody(200, connectionBody)(w, r)
	}, WithLogger(newTestLogger(&logs, &mu)))
	resp, err := h.client.API().GetConnectionWithResponse(context.Background(), "a/b c", &gen.GetConnectionParams{ProviderConfigKey: "github"})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode() != 200 || resp.JSON200 == nil || resp.JSON200.ConnectionID != "u1" {
		t.Fatalf("%d %+v", resp.StatusCode(), resp.JSON200)
	}
	reqs := h.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want a retry after the 503", len(reqs))
	}
	for _, r := range reqs {
		if r.Header.Get("Authorization") != "Bearer "+testKey || !strings.HasPrefix(r.Header.Get("User-Agent"), "nango-go/") || r.Path != "/connections/a/b c" {
			t.Errorf("request %+v", r)
		}
	}
	mu.Lock()
	out := logs.String()
	mu.Unlock()
	if !strings.Contains(out, "GET /connections/{connectionId}") || strings.Contains(out, "a/b") || strings.Contains(out, testKey) {
		t.Errorf("log: %s", out)
	}

	h2 := setup(t, jsonBody(404, `{"error":{"code":"not_found","message":"Failed to find connection"}}`))
	_, err = h2.client.API().GetConnectionWithResponse(context.Background(), "nobody", &gen.GetConnectionParams{ProviderConfigKey: "github"})
	var apiErr *APIError
	if !errors.As(err, &apiErr) || !errors.Is(err, ErrNotFound) || apiErr.Operation != "GET /connections/{connectionId}" {
		t.Errorf("err = %v", err)
	}
}

// TestAPIWritesAreNotRetriedOnceSent: a write that reached the server is not
// sent twice; its body is sent whole.
func TestAPIWritesAreNotRetriedOnceSent(t *testing.T) {
	var bodies []string
	var mu sync.Mutex
	h := setup(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		mu.Unlock()
		jsonBody(503, `{"error":{"code":"server_error"}}`)(w, r)
	})
	md := gen.MetadataRequest{ProviderConfigKey: "github", Metadata: gen.Metadata{"plan": "pro"}}
	_ = md.ConnectionID.FromConnectionIDValue("u1")
	_, err := h.client.API().SetMetadataWithResponse(context.Background(), md)
	if err == nil {
		t.Fatalf("err = %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(bodies) != 1 || !strings.Contains(bodies[0], `"plan":"pro"`) {
		t.Errorf("bodies sent: %q", bodies)
	}
}

// TestAPIRefusesOtherHosts: a request editor cannot point the key elsewhere.
func TestAPIRefusesOtherHosts(t *testing.T) {
	h := setup(t, jsonBody(200, connectionBody))
	elsewhere := func(_ context.Context, r *http.Request) error {
		r.URL.Host = "attacker.example"
		return nil
	}
	_, err := h.client.API().GetConnectionWithResponse(context.Background(), "u1", &gen.GetConnectionParams{ProviderConfigKey: "github"}, elsewhere)
	if !errors.Is(err, ErrInvalidArgument) || len(h.requests()) != 0 {
		t.Errorf("err = %v, %d requests", err, len(h.requests()))
	}
}

// TestAPIOperationNames: requests are named by the spec's route templates,
// under a base path too.
func TestAPIOperationNames(t *testing.T) {
	c, err := New(testKey, WithHost("https://example.com/nango"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ method, url, want string }{
		{"GET", "https://example.com/nango/connections/a%2Fb?provider_config_key=x", "GET /connections/{connectionId}"},
		{"PATCH", "https://example.com/nango/connections/metadata", "PATCH /connections/metadata"},
		{"GET", "https://example.com/nango/integrations/github", "GET /integrations/{uniqueKey}"},
		{"GET", "https://example.com/nango/nope", ""},
	} {
		req, _ := http.NewRequest(tc.method, tc.url, nil)
		got, _ := c.routes.Match(req)
		if got != tc.want {
			t.Errorf("%s %s: %q, want %q", tc.method, tc.url, got, tc.want)
		}
	}
}

// TestAPIMergedReadsOwnTheirHeaders: identical reads in flight share one
// answer, but each caller's *http.Response is its own: setting a header on
// one (as a caller may) neither shows in nor races with another's.
func TestAPIMergedReadsOwnTheirHeaders(t *testing.T) {
	release := make(chan struct{})
	var hits atomic.Int32
	h := setupRaw(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		<-release
		jsonBody(200, `{"data":[]}`)(w, r)
	})
	resps := make([]*http.Response, 2)
	var wg sync.WaitGroup
	for i := range resps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := h.client.API().ListIntegrationsWithResponse(context.Background())
			if err != nil {
				t.Error(err)
				return
			}
			resps[i] = r.HTTPResponse
		}()
	}
	for flightWaiters(h.client) != 2 {
		time.Sleep(time.Millisecond)
	}
	close(release)
	wg.Wait()
	if t.Failed() {
		return
	}
	if hits.Load() != 1 {
		t.Fatalf("%d requests, want the two reads merged into one", hits.Load())
	}
	resps[0].Header.Set("X-Seen-By", "first")
	if got := resps[1].Header.Get("X-Seen-By"); got != "" {
		t.Fatalf("a header set on one caller's response shows in the other's: %q", got)
	}
}
