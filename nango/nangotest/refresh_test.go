package nangotest

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nango-go/sdk/nango"
)

func TestRefresher(t *testing.T) {
	var calls atomic.Int32
	failing := atomic.Bool{}
	srv := Start(t, WithRefresher(func(key, id string, current map[string]any) (map[string]any, error) {
		n := calls.Add(1)
		if failing.Load() {
			return nil, errors.New("provider said invalid_grant")
		}
		return map[string]any{"access_token": fmt.Sprintf("fresh-%d", n), "refresh_token": current["refresh_token"],
			"expires_at": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)}, nil
	}))
	fresh := OAuth2("github", "fresh", "still-good")
	stale := OAuth2("github", "stale", "expired")
	stale["credentials"].(map[string]any)["expires_at"] = "2020-01-01T00:00:00.000Z"
	srv.MustPut(fresh)
	srv.MustPut(stale)
	srv.MustPut(APIKey("sendgrid", "k", "key"))
	c, err := nango.New(srv.SecretKey, nango.WithHost(srv.URL), nango.WithMaxRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	token := func(id string, opts ...nango.GetOption) string {
		t.Helper()
		tok, err := c.GetToken(ctx, "github", id, opts...)
		if err != nil {
			t.Fatal(err)
		}
		return tok.AccessToken
	}
	if got := token("fresh"); got != "still-good" || calls.Load() != 0 {
		t.Errorf("a valid token was refreshed: %q, %d calls", got, calls.Load())
	}
	if got := token("stale"); got != "fresh-1" {
		t.Errorf("an expired token was served: %q", got)
	}
	if got := token("stale"); got != "fresh-1" || calls.Load() != 1 {
		t.Errorf("the refreshed token was refreshed again: %q, %d calls", got, calls.Load())
	}
	if got := token("fresh", nango.ForceRefresh()); got != "fresh-2" {
		t.Errorf("force_refresh: %q", got)
	}
	if _, err := c.GetToken(ctx, "sendgrid", "k", nango.ForceRefresh()); err != nil || calls.Load() != 2 {
		t.Errorf("an API key went through the refresher: %v, %d calls", err, calls.Load())
	}

	failing.Store(true)
	_, err = c.GetToken(ctx, "github", "fresh", nango.ForceRefresh())
	var apiErr *nango.APIError
	if !errors.Is(err, nango.ErrInvalidCredentials) || !errors.As(err, &apiErr) || apiErr.StatusCode != 400 {
		t.Fatalf("failed refresh: %v", err)
	}
	conn, err := c.GetConnection(ctx, "github", "fresh")
	if err != nil || len(conn.Errors) != 1 || conn.Errors[0].Type != "auth" {
		t.Errorf("the failed refresh left no auth error on the connection: %+v %v", conn, err)
	}
}
