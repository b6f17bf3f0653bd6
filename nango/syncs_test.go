package nango_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nango-go/sdk/nango"
	"github.com/nango-go/sdk/nango/nangotest"
)

// syncFake is validatedFake with the sync issues (models Issue and Comment)
// deployed on github, whose connections are user-1 and org/acme@example.com.
func syncFake(t *testing.T) (*nangotest.Server, *nango.Client) {
	t.Helper()
	srv, c := validatedFake(t)
	if err := srv.PutSync("github", "issues", "Issue", "Comment"); err != nil {
		t.Fatal(err)
	}
	return srv, c
}

func oneStatus(t *testing.T, c *nango.Client, sync, conn string) nango.SyncStatus {
	t.Helper()
	st, err := c.SyncStatus(context.Background(), "github", []string{sync}, nango.ForConnection(conn))
	if err != nil || len(st) != 1 {
		t.Fatalf("SyncStatus(%s, %s): %+v %v", sync, conn, st, err)
	}
	return st[0]
}

// TestSyncLifecycle: a sync's status follows start, trigger, pause and
// the frequency, for one connection and for all, against the fake under the
// validating transport.
func TestSyncLifecycle(t *testing.T) {
	ctx := context.Background()
	_, c := syncFake(t)

	s := oneStatus(t, c, "issues", "user-1")
	if s.Name != "issues" || s.Variant != "base" || s.ConnectionID != "user-1" || s.Status != nango.SyncStatePaused ||
		s.Type != nango.SyncTypeInitial || s.NextScheduledSyncAt != nil || !s.FinishedAt.IsZero() || s.LatestResult != nil ||
		s.Frequency == nil || *s.Frequency != "every day" || len(s.RecordCount) != 2 {
		t.Fatalf("before start: %+v", s)
	}
	if err := c.StartSync(ctx, "github", []string{"issues"}, nango.ForConnection("user-1")); err != nil {
		t.Fatal(err)
	}
	s = oneStatus(t, c, "issues", "user-1")
	if s.Status != nango.SyncStateSuccess || s.LatestExecutionStatus != nango.SyncStateSuccess || s.Type != nango.SyncTypeInitial ||
		s.NextScheduledSyncAt == nil || s.FinishedAt.IsZero() || len(s.LatestResult) != 2 {
		t.Fatalf("after start: %+v", s)
	}
	if err := c.TriggerSync(ctx, "github", []string{"issues"}, nango.ForConnection("user-1")); err != nil {
		t.Fatal(err)
	}
	if s = oneStatus(t, c, "issues", "user-1"); s.Type != nango.SyncTypeIncremental || s.Status != nango.SyncStateSuccess {
		t.Fatalf("after trigger: %+v", s)
	}
	if err := c.TriggerSync(ctx, "github", nil, nango.ForConnection("user-1"), nango.SyncMode(nango.SyncModeFullRefresh)); err != nil {
		t.Fatal(err)
	}
	if s = oneStatus(t, c, "issues", "user-1"); s.Type != nango.SyncTypeInitial {
		t.Fatalf("after a full refresh: %+v", s)
	}
	if err := c.PauseSync(ctx, "github", nil, nango.ForConnection("user-1")); err != nil {
		t.Fatal(err)
	}
	if s = oneStatus(t, c, "issues", "user-1"); s.Status != nango.SyncStatePaused || s.NextScheduledSyncAt != nil || s.FinishedAt.IsZero() {
		t.Fatalf("after pause: %+v", s)
	}

	// Without ForConnection: every connection of the integration.
	if err := c.TriggerSync(ctx, "github", []string{"issues"}); err != nil {
		t.Fatal(err)
	}
	all, err := c.SyncStatus(ctx, "github", nil)
	if err != nil || len(all) != 2 {
		t.Fatalf("all: %+v %v", all, err)
	}
	for _, s := range all {
		if s.FinishedAt.IsZero() || s.Status != nango.SyncStatePaused {
			t.Errorf("%s after a trigger of all: %+v", s.ConnectionID, s)
		}
	}
	if err := c.StartSync(ctx, "github", nil); err != nil {
		t.Fatal(err)
	}
	if s = oneStatus(t, c, "issues", "org/acme@example.com"); s.Status != nango.SyncStateSuccess {
		t.Errorf("started for all: %+v", s)
	}

	// The frequency, per connection.
	got, err := c.UpdateSyncFrequency(ctx, "github", "user-1", "issues", "every 2 hours")
	if err != nil || got != "2 hours" {
		t.Fatalf("UpdateSyncFrequency: %q %v", got, err)
	}
	if s = oneStatus(t, c, "issues", "user-1"); *s.Frequency != "every 2 hours" {
		t.Errorf("frequency: %q", *s.Frequency)
	}
	if s = oneStatus(t, c, "issues", "org/acme@example.com"); *s.Frequency != "every day" {
		t.Errorf("the other connection's frequency: %q", *s.Frequency)
	}
	if got, err := c.UpdateSyncFrequency(ctx, "github", "user-1", "issues", ""); err != nil || got != "every day" {
		t.Errorf("reset: %q %v", got, err)
	}
	if s = oneStatus(t, c, "issues", "user-1"); *s.Frequency != "every day" {
		t.Errorf("frequency after reset: %q", *s.Frequency)
	}
}

// TestSyncVariants: a variant is made, run, listed and deleted; "base"
// cannot be.
func TestSyncVariants(t *testing.T) {
	ctx := context.Background()
	_, c := syncFake(t)
	v, err := c.CreateSyncVariant(ctx, "github", "user-1", "issues", "v2")
	if err != nil || v.Name != "issues" || v.Variant != "v2" || v.ID == "" {
		t.Fatalf("create: %+v %v", v, err)
	}
	_, err = c.CreateSyncVariant(ctx, "github", "user-1", "issues", "v2")
	var apiErr *nango.APIError
	if !errors.As(err, &apiErr) || apiErr.Code != "sync_variant_already_exists" {
		t.Errorf("twice: %v", err)
	}
	all, err := c.SyncStatus(ctx, "github", nil, nango.ForConnection("user-1"))
	if err != nil || len(all) != 2 || all[0].Variant != "base" || all[1].Variant != "v2" || all[1].ID != v.ID {
		t.Fatalf("status of both: %+v %v", all, err)
	}
	if err := c.TriggerSync(ctx, "github", nil, nango.ForConnection("user-1"), nango.SyncVariant("issues", "v2")); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"issues::v2"} {
		st, err := c.SyncStatus(ctx, "github", []string{name}, nango.ForConnection("user-1"))
		if err != nil || len(st) != 1 || st[0].Variant != "v2" || st[0].FinishedAt.IsZero() || st[0].Status != nango.SyncStatePaused {
			t.Errorf("%s: %+v %v", name, st, err)
		}
	}
	if s := oneStatus(t, c, "issues", "user-1"); !s.FinishedAt.IsZero() {
		t.Errorf("the base ran with the variant: %+v", s)
	}
	st, err := c.SyncStatus(ctx, "github", nil, nango.SyncVariant("issues", "v2"))
	if err != nil || len(st) != 1 || st[0].ConnectionID != "user-1" {
		t.Errorf("SyncVariant in SyncStatus: %+v %v", st, err)
	}
	if err := c.DeleteSyncVariant(ctx, "github", "user-1", "issues", "v2"); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteSyncVariant(ctx, "github", "user-1", "issues", "v2"); !errors.Is(err, nango.ErrNotFound) {
		t.Errorf("deleted twice: %v", err)
	}
	if err := c.TriggerSync(ctx, "github", []string{"issues::v2"}, nango.ForConnection("user-1")); !errors.As(err, &apiErr) || apiErr.Code != "no_syncs_found" {
		t.Errorf("trigger of a deleted variant: %v", err)
	}
	_, err = c.CreateSyncVariant(ctx, "github", "user-1", "nope", "v2")
	if !errors.As(err, &apiErr) || apiErr.Code != "unknown_sync" {
		t.Errorf("variant of an unknown sync: %v", err)
	}
}

// TestSyncErrors: the answers for unknown syncs, connections and
// integrations, as Nango gives them, and their sentinels.
func TestSyncErrors(t *testing.T) {
	ctx := context.Background()
	_, c := syncFake(t)
	code := func(err error) string {
		var apiErr *nango.APIError
		if !errors.As(err, &apiErr) {
			return fmt.Sprintf("not an *APIError: %v", err)
		}
		return fmt.Sprintf("%d %s", apiErr.StatusCode, apiErr.Code)
	}
	_, statusErr := c.SyncStatus(ctx, "github", nil, nango.ForConnection("nobody"))
	_, freqUnknownSync := c.UpdateSyncFrequency(ctx, "github", "user-1", "nope", "1h")
	_, freqUnknownConn := c.UpdateSyncFrequency(ctx, "github", "nobody", "issues", "1h")
	_, createUnknownConn := c.CreateSyncVariant(ctx, "github", "nobody", "issues", "v2")
	cases := []struct {
		name     string
		err      error
		code     string
		notFound bool
	}{
		{"trigger of an unknown sync", c.TriggerSync(ctx, "github", []string{"nope"}, nango.ForConnection("user-1")), "400 no_syncs_found", false},
		{"trigger of an unknown variant", c.TriggerSync(ctx, "github", nil, nango.ForConnection("user-1"), nango.SyncVariant("issues", "nope")), "400 no_syncs_found", false},
		{"trigger for an unknown connection", c.TriggerSync(ctx, "github", []string{"issues"}, nango.ForConnection("nobody")), "404 unknown_connection", true},
		{"pause for an unknown connection", c.PauseSync(ctx, "github", []string{"issues"}, nango.ForConnection("nobody")), "404 unknown_connection", true},
		{"start on an integration without syncs", c.StartSync(ctx, "sendgrid", nil), "400 no_syncs_found", false},
		{"trigger on an unknown integration", c.TriggerSync(ctx, "nope", nil), "400 unknown_provider_config", false},
		{"status for an unknown connection", statusErr, "400 invalid_body", true},
		{"frequency of an unknown sync", freqUnknownSync, "400 unknown_sync", false},
		{"frequency for an unknown connection", freqUnknownConn, "400 unknown_connection", true},
		{"variant for an unknown connection", createUnknownConn, "400 unknown_connection", true},
		{"delete of an unknown variant", c.DeleteSyncVariant(ctx, "github", "user-1", "issues", "nope"), "404 not_found", true},
	}
	for _, tc := range cases {
		if got := code(tc.err); got != tc.code {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.code)
		}
		if errors.Is(tc.err, nango.ErrNotFound) != tc.notFound {
			t.Errorf("%s: errors.Is(%v, ErrNotFound) = %t", tc.name, tc.err, !tc.notFound)
		}
	}
	if err := c.TriggerSync(ctx, "nope", nil); !errors.Is(err, nango.ErrUnknownProviderConfig) {
		t.Errorf("unknown integration: %v", err)
	}
	if st, err := c.SyncStatus(ctx, "github", []string{"nope", "other"}); err != nil || st == nil || len(st) != 0 {
		t.Errorf("unknown names: %+v %v, want an empty list", st, err)
	}
}

// TestSyncWebhooks: a run sends the signed sync webhook, one per model,
// which the SDK's handler verifies and parses; a failing run sends the
// failure webhook and turns the status to ERROR.
func TestSyncWebhooks(t *testing.T) {
	ctx := context.Background()
	srv, c := syncFake(t)
	var mu sync.Mutex
	var got []nango.WebhookSync
	rcv := httptest.NewServer(c.WebhookHandler(func(_ context.Context, w nango.Webhook) error {
		mu.Lock()
		defer mu.Unlock()
		if w.Sync == nil {
			return fmt.Errorf("not a sync webhook: %s", w.Type)
		}
		got = append(got, *w.Sync)
		return nil
	}))
	defer rcv.Close()
	srv.SetWebhookURL(rcv.URL)
	take := func() []nango.WebhookSync {
		mu.Lock()
		defer mu.Unlock()
		out := got
		got = nil
		return out
	}

	if err := c.StartSync(ctx, "github", []string{"issues"}, nango.ForConnection("user-1")); err != nil {
		t.Fatal(err)
	}
	hooks := take() // delivered before StartSync returned
	if len(hooks) != 2 || hooks[0].Model != "Issue" || hooks[1].Model != "Comment" {
		t.Fatalf("webhooks of the first run: %+v", hooks)
	}
	first := hooks[0]
	if !first.Success || first.SyncName != "issues" || first.SyncVariant != "base" || first.ConnectionID != "user-1" ||
		first.ProviderConfigKey != "github" || first.SyncType != "INITIAL" || first.ResponseResults == nil || first.ModifiedAfter.IsZero() {
		t.Errorf("first run: %+v", first)
	}
	// The next run's changes are those since the first run ended (to the
	// millisecond, as Nango's webhooks write it).
	ended := oneStatus(t, c, "issues", "user-1").FinishedAt.Truncate(time.Millisecond)
	if err := srv.RunSync("github", "user-1", "issues"); err != nil {
		t.Fatal(err)
	}
	hooks = take()
	if len(hooks) != 2 || hooks[0].SyncType != "INCREMENTAL" || !hooks[0].ModifiedAfter.Equal(ended) || hooks[0].ModifiedAfter.Before(first.ModifiedAfter) {
		t.Errorf("second run: %+v (first run ended %v)", hooks, ended)
	}

	if err := srv.FailNextSync("github", "user-1", "issues", "boom"); err != nil {
		t.Fatal(err)
	}
	if err := c.TriggerSync(ctx, "github", []string{"issues"}, nango.ForConnection("user-1")); err != nil {
		t.Fatal(err)
	}
	hooks = take()
	if len(hooks) != 2 || hooks[0].Success || hooks[0].Error == nil || hooks[0].Error.Type != "script_error" ||
		!strings.Contains(fmt.Sprint(hooks[0].Error.Payload), "boom") || hooks[0].FailedAt.IsZero() || hooks[0].StartedAt.IsZero() {
		t.Fatalf("failed run: %+v", hooks)
	}
	s := oneStatus(t, c, "issues", "user-1")
	if s.Status != nango.SyncStateError || s.LatestExecutionStatus != nango.SyncStateStopped {
		t.Errorf("after a failed run: %+v", s)
	}
	if err := srv.RunSync("github", "user-1", "issues"); err != nil {
		t.Fatal(err)
	}
	if s = oneStatus(t, c, "issues", "user-1"); s.Status != nango.SyncStateSuccess {
		t.Errorf("after the next run: %+v", s)
	}
	take()

	// A receiver's failure is RunSync's error.
	srv.SetWebhookURL(rcv.URL + "/nope")
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", 500) }))
	defer bad.Close()
	srv.SetWebhookURL(bad.URL)
	if err := srv.RunSync("github", "user-1", "issues"); err == nil || !strings.Contains(err.Error(), "500") {
		t.Errorf("receiver 500: %v", err)
	}
	if err := srv.RunSync("github", "nobody", "issues"); err == nil {
		t.Error("RunSync for an unknown connection")
	}
}

// TestSyncWritesNotRetried: the writes are sent once, whatever the
// answer; the status read is retried.
func TestSyncWritesNotRetried(t *testing.T) {
	ctx := context.Background()
	writes := map[string]func(c *nango.Client) error{
		"TriggerSync": func(c *nango.Client) error { return c.TriggerSync(ctx, "github", []string{"issues"}) },
		"PauseSync":   func(c *nango.Client) error { return c.PauseSync(ctx, "github", []string{"issues"}) },
		"StartSync":   func(c *nango.Client) error { return c.StartSync(ctx, "github", []string{"issues"}) },
		"UpdateSyncFrequency": func(c *nango.Client) error {
			_, err := c.UpdateSyncFrequency(ctx, "github", "u1", "issues", "1h")
			return err
		},
		"CreateSyncVariant": func(c *nango.Client) error {
			_, err := c.CreateSyncVariant(ctx, "github", "u1", "issues", "v2")
			return err
		},
		"DeleteSyncVariant": func(c *nango.Client) error { return c.DeleteSyncVariant(ctx, "github", "u1", "issues", "v2") },
	}
	for name, write := range writes {
		t.Run(name, func(t *testing.T) {
			srv, c, _ := fakeClient(t)
			srv.FailNext(-1, nangotest.Fault{Status: 503, Body: `{"error":{"code":"server_error"}}`})
			if err := write(c); !errors.Is(err, nango.ErrUnavailable) || len(srv.Requests()) != 1 {
				t.Errorf("sent write retried: %d attempts, %v", len(srv.Requests()), err)
			}
		})
	}
	t.Run("SyncStatus", func(t *testing.T) {
		srv, c, _ := fakeClient(t)
		if err := srv.PutSync("github", "issues", "Issue"); err != nil {
			t.Fatal(err)
		}
		srv.FailNext(2, nangotest.Fault{Status: 503, Body: `{"error":{"code":"server_error"}}`})
		st, err := c.SyncStatus(ctx, "github", nil)
		if err != nil || len(st) != 1 || len(srv.Requests()) != 3 {
			t.Errorf("read: %d attempts, %+v %v", len(srv.Requests()), st, err)
		}
	})
}

// TestSyncBadInput: what Nango would refuse is refused before sending.
func TestSyncBadInput(t *testing.T) {
	ctx := context.Background()
	srv, c := syncFake(t)
	many := make([]string, 257)
	for i := range many {
		many[i] = fmt.Sprintf("s%d", i)
	}
	freq := func(f string) error {
		_, err := c.UpdateSyncFrequency(ctx, "github", "user-1", "issues", f)
		return err
	}
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"empty key", c.TriggerSync(ctx, "", nil), "empty provider config key"},
		{"empty sync name", c.TriggerSync(ctx, "github", []string{"issues", ""}), "empty sync name"},
		{"sync name with a space", c.PauseSync(ctx, "github", []string{"my sync"}), `sync name "my sync"`},
		{"sync name with a comma", c.StartSync(ctx, "github", []string{"a,b"}), `"a,b"`},
		{"empty variant", c.TriggerSync(ctx, "github", []string{"issues::"}), "empty variant of sync issues"},
		{"variant without a name", c.TriggerSync(ctx, "github", []string{"::v2"}), "empty sync name"},
		{"SyncVariant with a bad variant", c.TriggerSync(ctx, "github", nil, nango.SyncVariant("issues", "v 2")), `variant of sync issues (SyncVariant) "v 2"`},
		{"sync name over 255", c.TriggerSync(ctx, "github", []string{strings.Repeat("s", 256)}), "over the limit"},
		{"empty ForConnection", c.TriggerSync(ctx, "github", nil, nango.ForConnection("")), "empty connection id (ForConnection)"},
		{"dot ForConnection", c.PauseSync(ctx, "github", nil, nango.ForConnection("..")), "dot segment"},
		{"SyncMode on PauseSync", c.PauseSync(ctx, "github", nil, nango.SyncMode(nango.SyncModeFullRefresh)), "TriggerSync only"},
		{"unknown SyncMode", c.TriggerSync(ctx, "github", nil, nango.SyncMode("full")), `SyncMode("full")`},
		{"257 syncs", c.PauseSync(ctx, "github", many), "257 syncs"},
		{"frequency not Nango's", freq("sometimes"), `frequency "sometimes"`},
		{"frequency without a unit", freq("5"), `frequency "5"`},
		{"frequency without an amount", freq("every minute"), "needs an amount"},
		{"frequency too short", freq("every 10s"), "minimum of 30s"},
		{"frequency sync with a space", freq2(c, "is sues", "1h"), `"is sues"`},
		{"create base", createVariant(c, "issues", "base"), `"base" is the sync itself`},
		{"delete BASE", c.DeleteSyncVariant(ctx, "github", "user-1", "issues", "BASE"), `"BASE" is the sync itself`},
		{"variant with a slash", createVariant(c, "issues", "a/b"), `variant "a/b"`},
		{"variant of an empty sync", createVariant(c, "", "v2"), "empty sync name"},
		{"variant for an empty connection", c.DeleteSyncVariant(ctx, "github", "", "issues", "v2"), "empty connection id"},
	}
	for _, tc := range cases {
		if !errors.Is(tc.err, nango.ErrInvalidArgument) || !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("%s: %v, want ErrInvalidArgument mentioning %q", tc.name, tc.err, tc.want)
		}
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests sent", n)
	}
	// What Nango takes: a frequency of 30s, "every day", an amount with a
	// space, a reset.
	for _, f := range []string{"30s", "every day", "every 2 hours", "every half hour", "5 minutes", "1d", ""} {
		if err := freq(f); err != nil {
			t.Errorf("frequency %q: %v", f, err)
		}
	}
}

func freq2(c *nango.Client, sync, f string) error {
	_, err := c.UpdateSyncFrequency(context.Background(), "github", "user-1", sync, f)
	return err
}

func createVariant(c *nango.Client, sync, variant string) error {
	_, err := c.CreateSyncVariant(context.Background(), "github", "user-1", sync, variant)
	return err
}

// TestSyncRequestOptions: a RequestOption is a SyncOption, and reaches the
// request.
func TestSyncRequestOptions(t *testing.T) {
	srv, c := syncFake(t)
	var meta nango.ResponseMeta
	_, err := c.SyncStatus(context.Background(), "github", nil, nango.RequestHeader("X-Trace", "t-1"), nango.CaptureResponse(&meta))
	if err != nil || meta.StatusCode != 200 {
		t.Fatalf("%v %+v", err, meta)
	}
	if err := c.TriggerSync(context.Background(), "github", nil, nango.RequestHeader("X-Trace", "t-2")); err != nil {
		t.Fatal(err)
	}
	reqs := srv.Requests()
	if len(reqs) != 2 || reqs[0].Header.Get("X-Trace") != "t-1" || reqs[1].Header.Get("X-Trace") != "t-2" {
		t.Errorf("headers not sent: %+v", reqs)
	}
	var body map[string]json.RawMessage
	if err := json.Unmarshal(reqs[1].Body, &body); err != nil || string(body["syncs"]) != "[]" {
		t.Errorf("TriggerSync(nil) sent %s, want syncs []", reqs[1].Body)
	}
}
