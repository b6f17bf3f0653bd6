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
	srv := Start(t, WithRefresher(func(_ context.Context, key, id string, current nango.OAuth2Credentials) (nango.OAuth2Credentials, error) {
		n := calls.Add(1)
		if failing.Load() {
			return nango.OAuth2Credentials{}, errors.New("provider said invalid_grant")
		}
		if key != "github" || current.RefreshToken != "rt-"+id {
			t.Errorf("refresher got %s/%s with refresh token %q", key, id, current.RefreshToken)
		}
		return nango.OAuth2Credentials{AccessToken: fmt.Sprintf("fresh-%d", n), RefreshToken: current.RefreshToken,
			ExpiresAt: time.Now().Add(time.Hour)}, nil
	}))
	srv.MustPut(OAuth2("github", "fresh", "still-good", Expires(time.Now().Add(time.Hour))))
	srv.MustPut(ExpiredOAuth2("github", "stale", "expired", "rt-stale"))
	srv.MustPut(APIKey("sendgrid", "k", "key"))
	c := srv.Client(nango.WithMaxRetries(0))
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
	if got := token("stale", nango.ForceRefresh()); got != "fresh-2" {
		t.Errorf("force_refresh: %q", got)
	}
	if _, err := c.GetToken(ctx, "sendgrid", "k", nango.ForceRefresh()); err != nil || calls.Load() != 2 {
		t.Errorf("an API key went through the refresher: %v, %d calls", err, calls.Load())
	}

	failing.Store(true)
	_, err := c.GetToken(ctx, "github", "fresh", nango.ForceRefresh())
	var apiErr *nango.APIError
	if !errors.Is(err, nango.ErrInvalidCredentials) || !errors.As(err, &apiErr) || apiErr.StatusCode != 400 {
		t.Fatalf("failed refresh: %v", err)
	}
	conn, err := c.GetConnection(ctx, "github", "fresh")
	if err != nil || len(conn.Errors) != 1 || conn.Errors[0].Type != "auth" {
		t.Errorf("the failed refresh left no auth error on the connection: %+v %v", conn, err)
	}
}
