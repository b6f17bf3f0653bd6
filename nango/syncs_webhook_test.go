package nango

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestParseSyncWebhookVectors: the sync webhooks a real Nango sent (a run's
// success, a failed run) parse into WebhookSync with every field.
func TestParseSyncWebhookVectors(t *testing.T) {
	seen := 0
	for _, v := range loadWebhookVectors(t) {
		if !strings.Contains(v.name, "webhook-sync-") {
			continue
		}
		seen++
		w, err := ParseWebhook(v.body)
		if err != nil || w.Type != WebhookTypeSync || w.Sync == nil || w.Auth != nil {
			t.Fatalf("%s: %+v %v", v.name, w, err)
		}
		s := w.Sync
		if s.ConnectionID != "h5-issues" || s.ProviderConfigKey != "unauthenticated" || s.SyncName != "issues" ||
			s.SyncVariant != "base" || s.Model != "Issue" || s.From != "nango" {
			t.Errorf("%s: %+v", v.name, s)
		}
		switch {
		case strings.Contains(v.name, "success"):
			want := time.Date(2026, 12, 3, 7, 20, 19, 442e6, time.UTC)
			if !s.Success || s.SyncType != "INITIAL" || !s.ModifiedAfter.Equal(want) || !s.QueryTimeStamp.Equal(want) ||
				s.ResponseResults == nil || *s.ResponseResults != (WebhookSyncResults{Added: 5}) || s.Error != nil {
				t.Errorf("%s: %+v", v.name, s)
			}
		default:
			if s.Success || s.SyncType != "INCREMENTAL" || s.Error == nil || s.Error.Type != "script_error" ||
				!strings.Contains(fmt.Sprint(s.Error.Payload), "deliberate sync failure") ||
				s.StartedAt.IsZero() || !s.FailedAt.After(s.StartedAt) || s.ResponseResults != nil {
				t.Errorf("%s: %+v", v.name, s)
			}
		}
	}
	if seen != 2 {
		t.Errorf("%d sync webhook vectors, want 2 (604, 666)", seen)
	}
}
