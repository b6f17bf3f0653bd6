package nangotest_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"

	"github.com/nango-go/sdk/nango"
	"github.com/nango-go/sdk/nango/nangotest"
)

// A test of the service's webhook endpoint: the fake signs with its key, the
// client built with that key verifies.
func ExampleFake_SendWebhook() {
	srv, err := nangotest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, _ := nango.New(srv.SecretKey(), nango.WithHost(srv.URL))

	endpoint := httptest.NewServer(client.WebhookHandler(func(_ context.Context, w nango.Webhook) error {
		fmt.Println("handled:", w)
		return nil
	}))
	defer endpoint.Close()

	resp, err := srv.SendWebhook(context.Background(), endpoint.URL, nango.WebhookAuth{
		Type: "auth", From: "nango", Operation: nango.WebhookAuthCreation, Success: true,
		AuthMode: "OAUTH2", ConnectionID: "user-1", ProviderConfigKey: "github", Provider: "github", Environment: "dev",
	})
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	fmt.Println(resp.Status)
	// Output:
	// handled: auth creation github/user-1 success=true
	// 204 No Content
}
