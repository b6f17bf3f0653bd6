package nango_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/nango-go/sdk/nango"
)

// One call with its own limit and headers, and what came back with it.
func ExampleCaptureResponse() {
	srv, client := fakeNango()
	defer srv.Close()

	var meta nango.ResponseMeta
	tok, err := client.GetToken(context.Background(), "github", "user-1",
		nango.ForceRefresh(),                      // a read option
		nango.RequestTimeout(2*time.Second),       // the whole call, retries included
		nango.RequestHeader("X-Trace-Id", "t-42"), // sent with this call only
		nango.CaptureResponse(&meta))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tok.AccessToken, meta.StatusCode, meta.Attempts)
	// Output: gho_token_1 200 1
}
