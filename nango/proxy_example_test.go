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

	"github.com/nango-go/sdk/nango"
)

// proxyStandIn plays Nango's /proxy for the example: it knows one
// connection, adds its token, and answers as the provider (GitHub) would.
func proxyStandIn() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Connection-Id") != "user-1" {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"error":{"code":"server_error","message":"Failed to get connection"}}`)
			return
		}
		upstreamAuth := "Bearer gho_token_1" // the connection's token, added by Nango
		if a := r.Header.Get("Nango-Proxy-Authorization"); a != "" {
			upstreamAuth = a
		}
		w.Header().Set("Content-Type", "application/json")
		switch path := strings.TrimPrefix(r.URL.Path, "/proxy"); {
		case path == "/user" && upstreamAuth == "Bearer gho_token_1":
			io.WriteString(w, `{"login":"octocat"}`)
		default:
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"message":"Not Found"}`)
		}
	}))
}

func ExampleClient_ProxyClient() {
	nangoSrv := proxyStandIn() // real code: your Nango host
	defer nangoSrv.Close()
	client, err := nango.New("11111111-1111-4111-8111-111111111111", nango.WithHost(nangoSrv.URL))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	// An *http.Client that calls GitHub as the connection's user: Nango adds
	// the token. Only the path and query of the URL count.
	gh := client.ProxyClient("github", "user-1", nango.ProxyRetries(2))
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://api.github.com/user", nil)
	resp, err := gh.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, string(body))

	// The provider's errors are answers, not errors.
	resp, err = gh.Get("https://api.github.com/no-such-thing")
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode)

	// Nango's own errors are: here an unknown connection.
	_, err = client.ProxyClient("github", "nobody").Get("https://api.github.com/user")
	fmt.Println(errors.Is(err, nango.ErrProxy), errors.Is(err, nango.ErrNotFound))
	// Output:
	// 200 {"login":"octocat"}
	// 404
	// true true
}
