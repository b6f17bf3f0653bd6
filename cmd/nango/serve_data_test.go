package main

import (
	"context"
	"errors"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nango-go/sdk/nango"
	"github.com/nango-go/sdk/nango/nangotest"
)

// TestServeDataAndWebhooks: `nango serve --data` seeds connections, syncs
// and records from an object; --webhook-url receives the signed sync
// webhook of a triggered run.
func TestServeDataAndWebhooks(t *testing.T) {
	seed := filepath.Join(t.TempDir(), "seed.json")
	if err := os.WriteFile(seed, []byte(`{
	  "connections": [{"id": 1, "connection_id": "user-1", "provider_config_key": "github", "provider": "github",
	    "credentials": {"type": "OAUTH2", "access_token": "gho_seed", "raw": {}},
	    "created_at": "2026-12-01T10:00:00.000Z", "updated_at": "2026-12-01T10:00:00.000Z"}],
	  "syncs": [{"provider_config_key": "github", "name": "issues", "models": ["Issue"]}],
	  "records": [{"provider_config_key": "github", "connection_id": "user-1", "model": "Issue",
	    "records": [{"id": "1", "title": "a"}, {"id": "2", "title": "b"}]}],
	  "actions": [{"provider_config_key": "github", "name": "create-issue", "output": {"number": 42}},
	    {"provider_config_key": "github", "name": "always-fails", "error": {"code": "rate_limited"}}]
	}`), 0o600); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var hooks []nango.Webhook
	rcv := httptest.NewServer(nango.NewWebhookHandler(nangotest.DefaultSecretKey, func(_ context.Context, w nango.Webhook) error {
		mu.Lock()
		defer mu.Unlock()
		hooks = append(hooks, w)
		return nil
	}))
	defer rcv.Close()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut strings.Builder
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, []string{"--addr", addr, "--data", seed, "--webhook-url", rcv.URL}, &out, &errOut)
	}()
	c, err := nango.New(nangotest.DefaultSecretKey, nango.WithHost("http://"+addr))
	if err != nil {
		t.Fatal(err)
	}
	var page *nango.RecordsPage
	for range 100 {
		if page, err = c.ListRecords(ctx, "github", "user-1", "Issue"); !errors.Is(err, nango.ErrUnavailable) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil || len(page.Records) != 2 {
		t.Fatalf("seeded records: %+v %v", page, err)
	}
	if _, err := c.GetConnection(ctx, "github", "user-1"); err != nil {
		t.Fatalf("seeded connection: %v", err)
	}
	if err := c.TriggerSync(ctx, "github", []string{"issues"}, nango.ForConnection("user-1")); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	got := hooks
	mu.Unlock()
	if len(got) != 1 || got[0].Sync == nil || got[0].Sync.ResponseResults == nil || got[0].Sync.ResponseResults.Added != 2 {
		t.Errorf("webhooks: %v", got)
	}
	// The CLI's action command against the seeded actions: the output on
	// stdout and exit 0; a failed action exits 1 with its payload on stderr.
	env := func(k string) string {
		return map[string]string{"NANGO_HOST": "http://" + addr, "NANGO_SECRET_KEY": nangotest.DefaultSecretKey}[k]
	}
	var aout, aerr strings.Builder
	if code := run(ctx, []string{"action", "github", "user-1", "create-issue", "--input", `{"title":"x"}`}, &aout, &aerr, env); code != 0 || !strings.Contains(aout.String(), `"number": 42`) && !strings.Contains(aout.String(), `"number":42`) {
		t.Errorf("nango action: exit %d, stdout %q, stderr %q", code, aout.String(), aerr.String())
	}
	aout.Reset()
	aerr.Reset()
	if code := run(ctx, []string{"action", "github", "user-1", "always-fails"}, &aout, &aerr, env); code != 1 || !strings.Contains(aerr.String(), "rate_limited") {
		t.Errorf("nango action (failing): exit %d, stdout %q, stderr %q", code, aout.String(), aerr.String())
	}
	cancel()
	<-done
	if strings.Contains(errOut.String(), "violation") {
		t.Errorf("stderr: %s", errOut.String())
	}
}
