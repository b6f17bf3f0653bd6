package nango_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/nango-go/sdk/gen"
	"github.com/nango-go/sdk/nango"
)

// Every operation of openapi.yaml is callable through API(), typed, over the
// client's key, retries, caps and logging: an operation added to the spec is
// there after `go generate`, before any helper wraps it.
func ExampleClient_API() {
	srv, client := fakeNango()
	defer srv.Close()
	ctx := context.Background()

	resp, err := client.API().ListConnectionsWithResponse(ctx, &gen.ListConnectionsParams{IntegrationID: ptr("github")})
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range resp.JSON200.Connections {
		fmt.Println(resp.StatusCode(), c.ProviderConfigKey, c.ConnectionID)
	}

	// An answer outside 2xx is the error, as with the helpers.
	_, err = client.API().GetConnectionWithResponse(ctx, "nobody", &gen.GetConnectionParams{ProviderConfigKey: "github"})
	var apiErr *nango.APIError
	fmt.Println(errors.Is(err, nango.ErrNotFound), errors.As(err, &apiErr) && apiErr.Operation == "GET /connections/{connectionId}")
	// Unordered output:
	// 200 github user-1
	// 200 github team/acme@example.com
	// true true
}

func ptr[T any](v T) *T { return &v }
