package nango_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/nango-go/sdk/nango"
	"github.com/nango-go/sdk/nango/nangotest"
)

// fakeNango starts a fake Nango holding a few connections, and a client for
// it. Real code passes the environment's secret key and, when self-hosted,
// nango.WithHost.
func fakeNango() (*nangotest.Server, *nango.Client) {
	srv, err := nangotest.NewServer(nangotest.OnViolation(func(err error) { log.Fatal(err) }))
	if err != nil {
		log.Fatal(err)
	}
	srv.AddIntegration("github", "github", "OAUTH2")
	expires := nangotest.Expires(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	srv.MustPut(nangotest.OAuth2("github", "user-1", "gho_token_1", expires, nangotest.Metadata{"plan": "pro"}))
	srv.MustPut(nangotest.OAuth2("github", "team/acme@example.com", "gho_token_2", expires))
	srv.MustPut(nangotest.OAuth1("twitter", "user-1", "oauth1-token", "oauth1-secret"))
	srv.MustPut(nangotest.APIKey("sendgrid", "user-1", "SG.key"))
	client, err := nango.New(srv.SecretKey(), nango.WithHost(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	return srv, client
}

func ExampleNew() {
	// Nango Cloud:
	//   client, err := nango.New(os.Getenv("NANGO_SECRET_KEY"))
	// Self-hosted:
	client, err := nango.New("8c5dbb2d-5a1f-4d7c-9d5e-2f2a4c3b1e00", nango.WithHost("http://localhost:3003"))
	fmt.Println(client, err)

	_, err = nango.New("")
	fmt.Println(errors.Is(err, nango.ErrInvalidArgument), err)
	// Output:
	// nango.Client{host: http://localhost:3003/, key: [redacted]} <nil>
	// true nango: invalid argument: empty secret key
}

func ExampleClient_GetToken() {
	srv, client := fakeNango()
	defer srv.Close()
	ctx := context.Background()

	tok, err := client.GetToken(ctx, "github", "user-1")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tok.Type, tok.AccessToken)

	tok, _ = client.GetToken(ctx, "twitter", "user-1")
	fmt.Println(tok.Type, tok.OAuthToken, tok.OAuthTokenSecret)

	tok, _ = client.GetToken(ctx, "sendgrid", "user-1")
	fmt.Println(tok.Type, tok.Credentials.(nango.APIKeyCredentials).APIKey)

	// Printing a token never shows the secret.
	fmt.Println(tok)
	// Output:
	// OAUTH2 gho_token_1
	// OAUTH1 oauth1-token oauth1-secret
	// API_KEY SG.key
	// nango.Token{type: API_KEY, secrets redacted}
}

func ExampleClient_GetConnection() {
	srv, client := fakeNango()
	defer srv.Close()

	conn, err := client.GetConnection(context.Background(), "github", "team/acme@example.com", nango.ForceRefresh())
	if err != nil {
		log.Fatal(err)
	}
	creds := conn.Credentials.(nango.OAuth2Credentials)
	fmt.Println(conn.ConnectionID, conn.ProviderConfigKey, conn.Provider, creds.AccessToken, creds.ExpiresAt.Year())
	// Output: team/acme@example.com github github gho_token_2 2030
}

func ExampleClient_GetRawTokenResponse() {
	srv, client := fakeNango()
	defer srv.Close()

	raw, err := client.GetRawTokenResponse(context.Background(), "github", "user-1")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(raw))
	// Output: {"access_token":"gho_token_1","token_type":"bearer"}
}

func ExampleClient_ListConnections() {
	srv, client := fakeNango()
	defer srv.Close()

	conns, err := client.ListConnections(context.Background(), nango.FilterIntegrations("github"))
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range conns {
		fmt.Println(c.ProviderConfigKey, c.ConnectionID)
	}
	// Output:
	// github team/acme@example.com
	// github user-1
}

func ExampleClient_AllConnections() {
	srv, client := fakeNango()
	defer srv.Close()

	n := 0
	for c, err := range client.AllConnections(context.Background(), nango.PageSize(2)) {
		if err != nil {
			log.Fatal(err)
		}
		n++
		_ = c
	}
	fmt.Println(n, "connections in pages of 2;", len(srv.Requests()), "requests")
	// Output: 4 connections in pages of 2; 3 requests
}

func ExampleClient_DeleteConnection() {
	srv, client := fakeNango()
	defer srv.Close()
	ctx := context.Background()

	fmt.Println(client.DeleteConnection(ctx, "github", "user-1"))
	err := client.DeleteConnection(ctx, "github", "user-1")
	fmt.Println(errors.Is(err, nango.ErrNotFound))
	// Output:
	// <nil>
	// true
}

func ExampleClient_PatchConnection() {
	srv, client := fakeNango()
	defer srv.Close()
	ctx := context.Background()

	err := client.PatchConnection(ctx, "github", "user-1", nango.PatchConnectionRequest{Tags: &nango.TagsInput{"team": "core"}})
	if err != nil {
		log.Fatal(err)
	}
	conns, _ := client.ListConnections(ctx, nango.FilterTag("team", "core"))
	fmt.Println(len(conns), conns[0].ConnectionID)
	// Output: 1 user-1
}

func ExampleClient_SetMetadata() {
	srv, client := fakeNango()
	defer srv.Close()
	ctx := context.Background()

	if err := client.SetMetadata(ctx, "github", "user-1", nango.Metadata{"seats": 3}); err != nil {
		log.Fatal(err)
	}
	md, _ := client.GetMetadata(ctx, "github", "user-1")
	fmt.Println(md)
	// Output: map[seats:3]
}

func ExampleClient_UpdateMetadata() {
	srv, client := fakeNango()
	defer srv.Close()
	ctx := context.Background()

	// Merge: "plan" stays.
	if err := client.UpdateMetadata(ctx, "github", "user-1", nango.Metadata{"seats": 3}); err != nil {
		log.Fatal(err)
	}
	md, _ := client.GetMetadata(ctx, "github", "user-1")
	fmt.Println(md)
	// Output: map[plan:pro seats:3]
}

func ExampleClient_GetMetadata() {
	srv, client := fakeNango()
	defer srv.Close()

	md, err := client.GetMetadata(context.Background(), "github", "user-1")
	fmt.Println(md, err)
	// Output: map[plan:pro] <nil>
}

func ExampleClient_ImportConnection() {
	srv, client := fakeNango()
	defer srv.Close()

	req := nango.ImportConnectionRequest{
		ProviderConfigKey: "github",
		ConnectionID:      "imported-1",
		Tags:              nango.TagsInput{"source": "migration"},
	}
	// The credentials are one of the Import…Credentials kinds.
	if err := req.Credentials.FromImportOAuth2Credentials(nango.ImportOAuth2Credentials{AccessToken: "gho_imported"}); err != nil {
		log.Fatal(err)
	}
	conn, err := client.ImportConnection(context.Background(), req)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(conn.ConnectionID, conn.Tags["source"], conn.Credentials.(nango.OAuth2Credentials).AccessToken)
	// Output: imported-1 migration gho_imported
}

func ExampleAPIError() {
	srv, client := fakeNango()
	defer srv.Close()

	_, err := client.GetToken(context.Background(), "github", "nobody")
	var apiErr *nango.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Code, apiErr.Message)
	}
	fmt.Println(errors.Is(err, nango.ErrNotFound))
	// Output:
	// 404 not_found Failed to find connection
	// true
}

// An OAuth 2 client for the provider's API, built from a Nango connection:
// each request reads the current token from Nango, so a token Nango refreshes
// between two calls is used at once.
func ExampleClient_HTTPClient() {
	srv, client := fakeNango()
	defer srv.Close()

	// A stand-in for the provider's API: it echoes the token it received.
	provider := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
	}))
	defer provider.Close()

	hc := client.HTTPClient(context.Background(), "github", "user-1", nil)
	call := func() string {
		resp, err := hc.Get(provider.URL + "/user")
		if err != nil {
			log.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	fmt.Println("first call:", call())
	// Nango refreshes the token (here the fake plays that part).
	srv.MustPut(nangotest.OAuth2("github", "user-1", "gho_token_refreshed"))
	fmt.Println("second call:", call())

	// A connection without a bearer token cannot make such a client work.
	_, err := client.TokenSource(context.Background(), "sendgrid", "user-1").Token()
	fmt.Println(errors.Is(err, nango.ErrUnsupportedCredentials), err)
	// Output:
	// first call: gho_token_1
	// second call: gho_token_refreshed
	// true nango: API_KEY credentials cannot serve as an OAuth 2 bearer token
}

func ExampleClient_TokenSource() {
	srv, client := fakeNango()
	defer srv.Close()

	ts := client.TokenSource(context.Background(), "github", "user-1")
	tok, err := ts.Token()
	if err != nil {
		log.Fatal(err)
	}
	// The provider says 2030; the source caps Expiry at a few minutes.
	fmt.Println(tok.AccessToken, tok.TokenType, tok.Expiry.Year() < 2030)
	// Output: gho_token_1 Bearer true
}
