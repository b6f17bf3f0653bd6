package nangotest_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/nango-go/sdk/nango"
	"github.com/nango-go/sdk/nango/nangotest"
)

// In a test, nangotest.Start(t) does the same and closes with the test.
func ExampleNewServer() {
	srv, err := nangotest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	srv.MustPut(nangotest.OAuth2("github", "user-1", "gho_test"))

	client, _ := nango.New(srv.SecretKey(), nango.WithHost(srv.URL))
	tok, err := client.GetToken(context.Background(), "github", "user-1")
	fmt.Println(tok.AccessToken, err)

	for _, r := range srv.Requests() {
		fmt.Println(r.Method, r.Path, r.Query["provider_config_key"], r.Status)
	}
	// Output:
	// gho_test <nil>
	// GET /connections/user-1 [github] 200
}

func ExampleFake_FailNext() {
	srv, err := nangotest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	srv.MustPut(nangotest.OAuth2("github", "user-1", "gho_test"))
	client, _ := nango.New(srv.SecretKey(), nango.WithHost(srv.URL), nango.WithMaxRetries(0))
	ctx := context.Background()

	srv.FailNext(1, nangotest.RateLimited(30*time.Second))
	_, err = client.GetToken(ctx, "github", "user-1")
	var apiErr *nango.APIError
	fmt.Println(errors.As(err, &apiErr), apiErr.StatusCode, apiErr.RetryAfter)

	srv.FailConnection("github", "user-1", 1, nangotest.InvalidCredentials(424))
	_, err = client.GetToken(ctx, "github", "user-1")
	fmt.Println(errors.Is(err, nango.ErrInvalidCredentials))

	_, err = client.GetToken(ctx, "github", "user-1")
	fmt.Println(err)
	// Output:
	// true 429 30s
	// true
	// <nil>
}

// An expired OAuth 2 connection with a refresh token, in one typed line: the
// next read refreshes it through the Refresher, as Nango would.
func ExampleExpiredOAuth2() {
	refresher := func(_ context.Context, key, id string, current nango.OAuth2Credentials) (nango.OAuth2Credentials, error) {
		// The provider's token endpoint, played by the test.
		return nango.OAuth2Credentials{AccessToken: "fresh-for-" + current.RefreshToken, RefreshToken: current.RefreshToken,
			ExpiresAt: time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)}, nil
	}
	srv, err := nangotest.NewServer(nangotest.WithRefresher(refresher))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	srv.MustPut(nangotest.ExpiredOAuth2("github", "user-1", "stale", "refresh-1"))
	client := srv.Client()

	tok, err := client.GetToken(context.Background(), "github", "user-1")
	fmt.Println(tok.AccessToken, tok.ExpiresAt.Year(), err)
	// Output: fresh-for-refresh-1 2031 <nil>
}

// Options set the end user, tags and metadata of a seeded connection; the
// end user's fields are copied into the tags, as Nango does on import.
func ExampleOAuth2() {
	srv, err := nangotest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	srv.MustPut(nangotest.OAuth2("github", "user-1", "gho_test",
		nangotest.Tags{"Team": "core"}, nangotest.Metadata{"plan": "pro"},
		nangotest.EndUser{ID: "eu-1", Email: "ada@example.com"}))

	conn, err := srv.Client().GetConnection(context.Background(), "github", "user-1")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(conn.EndUser.ID, conn.Metadata["plan"])
	for _, k := range []string{"team", "end_user_id", "end_user_email"} {
		fmt.Println(k, conn.Tags[k])
	}
	// Output:
	// eu-1 pro
	// team core
	// end_user_id eu-1
	// end_user_email ada@example.com
}

// Every kind of credentials has a constructor; Conn takes any.
func ExampleConn() {
	srv, err := nangotest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	srv.MustPut(nangotest.Basic("anvil", "acct-1", "user", "pass"))
	srv.MustPut(nangotest.Conn("jira", "site-1", nango.APIKeyCredentials{APIKey: "k-1"}))
	srv.MustPut(nangotest.Unauthenticated("public-api", "anon"))

	client := srv.Client()
	for _, c := range [][2]string{{"anvil", "acct-1"}, {"jira", "site-1"}, {"public-api", "anon"}} {
		conn, err := client.GetConnection(context.Background(), c[0], c[1])
		if err != nil {
			log.Fatal(err)
		}
		switch creds := conn.Credentials.(type) {
		case nango.BasicCredentials:
			fmt.Println(c[0], "basic", creds.Username)
		case nango.APIKeyCredentials:
			fmt.Println(c[0], "api key", creds.APIKey)
		case nil:
			fmt.Println(c[0], "no credentials")
		}
	}
	// Output:
	// anvil basic user
	// jira api key k-1
	// public-api no credentials
}
