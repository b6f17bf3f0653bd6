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
