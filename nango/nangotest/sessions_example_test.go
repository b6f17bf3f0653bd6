package nangotest_test

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"strings"

	"github.com/nango-go/sdk/nango/nangotest"
)

// The code under test creates a connect session for its user; the test then
// checks what it asked Nango for.
func ExampleFake_ConnectSessions() {
	srv, err := nangotest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	srv.AddIntegration("github", "github", "OAUTH2")

	// What your backend sends (through the SDK, or as here by hand).
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/connect/sessions",
		strings.NewReader(`{"end_user":{"id":"user-42","email":"ada@example.com"},"allowed_integrations":["github"],"tags":{"plan":"pro"}}`))
	req.Header.Set("Authorization", "Bearer "+srv.SecretKey())
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode)

	for _, s := range srv.ConnectSessions() {
		fmt.Println(s.EndUser.ID, s.EndUser.Email, s.AllowedIntegrations, (*s.Tags)["plan"], s.Reconnecting())
	}
	// Output:
	// 201
	// user-42 ada@example.com [github] pro false
}

// What GET /integrations/{uniqueKey}?include=credentials shows comes from
// AddIntegration's options.
func ExampleFake_AddIntegration() {
	srv, err := nangotest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	srv.AddIntegration("github", "github", "OAUTH2", nangotest.DisplayName("GitHub"),
		nangotest.OAuthClient{ID: "client-id", Secret: "client-secret", Scopes: []string{"repo", "user"}})

	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/integrations/github?include=credentials", nil)
	req.Header.Set("Authorization", "Bearer "+srv.SecretKey())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, strings.Contains(string(b), `"scopes":"repo,user"`), strings.Contains(string(b), `"display_name":"GitHub"`))
	// Output:
	// 200 true true
}
