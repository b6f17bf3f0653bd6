package nango_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"

	"github.com/nango-go/sdk/nango"
)

const (
	capturedKey  = "8c5dbb2d-5a1f-4d7c-9d5e-2f2a4c3b1e00"
	exampleToken = "nango_connect_session_2e9a4f5953783273ac4284bf1625ed204d4e7e49b4de21e292a23f4113bb3350"
)

// capturedNango starts a server that answers the session and integration
// routes as a real Nango did (testdata/real-nango, captures 301-398), and a
// client for it.
func capturedNango() (*httptest.Server, *nango.Client) {
	var mu sync.Mutex
	sessions := map[string]bool{exampleToken: true}
	write := func(w http.ResponseWriter, status int, body string) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
	const unauthorized = `{"error":{"message":"Authentication failed.","code":"unknown_account","payload":{}}}`
	withKey := func(next http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer "+capturedKey {
				write(w, 401, unauthorized)
				return
			}
			next(w, r)
		}
	}
	withToken := func(next http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			ok := sessions[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
			mu.Unlock()
			if !ok {
				write(w, 401, unauthorized)
				return
			}
			next(w, r)
		}
	}
	created := `{"data":{"token":"` + exampleToken + `","connect_link":"http://localhost:3009/?session_token=` + exampleToken + `","expires_at":"2026-11-28T22:28:02.395Z"}}`
	github := `"unique_key":"github","provider":"github","display_name":"GitHub (User OAuth)","logo":"http://127.0.0.1:3003/images/template-logos/github.svg","forward_webhooks":true,"created_at":"2026-11-28T21:32:04.406Z","updated_at":"2026-11-28T21:32:04.406Z"`
	sendgrid := `"unique_key":"sendgrid","provider":"sendgrid","display_name":"SendGrid","logo":"http://127.0.0.1:3003/images/template-logos/sendgrid.svg","forward_webhooks":true,"created_at":"2026-11-28T21:32:04.765Z","updated_at":"2026-11-28T21:32:04.765Z"`
	provider := `{"display_name":"GitHub (User OAuth)","categories":["dev-tools","support","ticketing"],"auth_mode":"OAUTH2","authorization_url":"https://github.com/login/oauth/authorize","token_url":"https://github.com/login/oauth/access_token","proxy":{"base_url":"https://api.github.com"},"docs":"https://nango.dev/docs/api-integrations/github","name":"github"}`

	mux := http.NewServeMux()
	mux.HandleFunc("POST /connect/sessions", withKey(func(w http.ResponseWriter, r *http.Request) { write(w, 201, created) }))
	mux.HandleFunc("POST /connect/sessions/reconnect", withKey(func(w http.ResponseWriter, r *http.Request) { write(w, 201, created) }))
	mux.HandleFunc("GET /connect/session", withToken(func(w http.ResponseWriter, r *http.Request) {
		write(w, 200, `{"data":{"endUser":{"id":"eu-301","display_name":"End User 301","email":"eu301@example.com","tags":{"plan":"pro"},"organization":{"id":"org-301","display_name":"Org 301"}},"connectUISettings":{"showWatermark":true},"allowed_integrations":["github","sendgrid"],"websocketsPath":"/"}}`)
	}))
	mux.HandleFunc("DELETE /connect/session", withToken(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		delete(sessions, strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	mux.HandleFunc("GET /integrations", withKey(func(w http.ResponseWriter, r *http.Request) {
		write(w, 200, `{"data":[{`+github+`},{`+sendgrid+`}]}`)
	}))
	mux.HandleFunc("GET /integrations/{key}", withKey(func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("key") != "github" {
			write(w, 404, `{"error":{"code":"not_found","message":"Integration does not exist"}}`)
			return
		}
		body := github
		include := r.URL.Query()["include"]
		if slices.Contains(include, "webhook") {
			body += `,"webhook_url":"https://api.nango.dev/webhook/0e5bd5dd-0b0f-4f3d-a9fb-9d7a4e0c0b1f/github"`
		}
		if slices.Contains(include, "credentials") {
			body += `,"credentials":{"type":"OAUTH2","client_id":"fake-github-client-id","client_secret":"fake-github-client-secret","scopes":"repo,user","webhook_secret":null}`
		}
		write(w, 200, `{"data":{`+body+`}}`)
	}))
	mux.HandleFunc("GET /providers", withKey(func(w http.ResponseWriter, r *http.Request) {
		write(w, 200, `{"data":[`+provider+`,{"name":"sendgrid","display_name":"SendGrid","auth_mode":"API_KEY"}]}`)
	}))
	mux.HandleFunc("GET /providers/{name}", withKey(func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("name") != "github" {
			write(w, 404, `{"error":{"code":"not_found","message":"Unknown provider `+r.PathValue("name")+`"}}`)
			return
		}
		write(w, 200, `{"data":`+provider+`}`)
	}))
	srv := httptest.NewServer(mux)
	client, err := nango.New(capturedKey, nango.WithHost(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	return srv, client
}

func ExampleClient_CreateConnectSession() {
	srv, client := capturedNango()
	defer srv.Close()

	session, err := client.CreateConnectSession(context.Background(), nango.ConnectSessionRequest{
		EndUser:             &nango.EndUserInput{ID: "eu-301", Email: "eu301@example.com", DisplayName: "End User 301"},
		AllowedIntegrations: []string{"github", "sendgrid"},
	})
	if err != nil {
		log.Fatal(err)
	}
	// Hand session.Token to the frontend (Connect UI), or the link to the user.
	fmt.Println(strings.HasPrefix(session.Token, "nango_connect_session_"))
	fmt.Println(session.ExpiresAt)
	// The token is a credential: printing the session shows none of it.
	fmt.Println(session)

	// What Nango would refuse fails before any request.
	_, err = client.CreateConnectSession(context.Background(), nango.ConnectSessionRequest{})
	fmt.Println(errors.Is(err, nango.ErrInvalidArgument), err)
	// Output:
	// true
	// 2026-11-28 22:28:02.395 +0000 UTC
	// ConnectSession{secrets redacted}
	// true nango: invalid argument: CreateConnectSession: need an end user or tags
}

func ExampleClient_CreateReconnectSession() {
	srv, client := capturedNango()
	defer srv.Close()

	// The connection's token can no longer be refreshed: have its end user
	// authorize again, into the same connection.
	session, err := client.CreateReconnectSession(context.Background(), nango.ReconnectSessionRequest{
		ConnectionID:  "user@example.com",
		IntegrationID: "github",
		EndUser:       &nango.EndUserInput{ID: "eu-314"},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(strings.Contains(session.ConnectLink, "session_token="), session.ExpiresAt.IsZero())
	// Output:
	// true false
}

func ExampleClient_GetConnectSession() {
	srv, client := capturedNango()
	defer srv.Close()

	// The request carries the session's token, not the secret key.
	details, err := client.GetConnectSession(context.Background(), exampleToken)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(details.EndUser.ID, details.AllowedIntegrations)
	// Output:
	// eu-301 [github sendgrid]
}

func ExampleClient_DeleteConnectSession() {
	srv, client := capturedNango()
	defer srv.Close()
	ctx := context.Background()

	if err := client.DeleteConnectSession(ctx, exampleToken); err != nil {
		log.Fatal(err)
	}
	// The token no longer opens anything.
	_, err := client.GetConnectSession(ctx, exampleToken)
	fmt.Println(errors.Is(err, nango.ErrUnauthorized))
	// Output:
	// true
}

func ExampleClient_ListIntegrations() {
	srv, client := capturedNango()
	defer srv.Close()

	integrations, err := client.ListIntegrations(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	for _, in := range integrations {
		fmt.Println(in.UniqueKey, in.Provider, in.DisplayName)
	}
	// Output:
	// github github GitHub (User OAuth)
	// sendgrid sendgrid SendGrid
}

func ExampleClient_GetIntegration() {
	srv, client := capturedNango()
	defer srv.Close()
	ctx := context.Background()

	in, err := client.GetIntegration(ctx, "github", nango.IncludeWebhookURL(), nango.IncludeIntegrationCredentials())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(in.DisplayName, in.Credentials.ClientID, in.WebhookURL != "")
	// The client secret is there to read, never to print.
	fmt.Println(in.Credentials.ClientSecret != "", in)

	_, err = client.GetIntegration(ctx, "nope")
	fmt.Println(errors.Is(err, nango.ErrNotFound))
	// Output:
	// GitHub (User OAuth) fake-github-client-id true
	// true Integration{secrets redacted}
	// true
}

func ExampleClient_ListProviders() {
	srv, client := capturedNango()
	defer srv.Close()

	providers, err := client.ListProviders(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range providers {
		fmt.Println(p.Name, p.AuthMode)
	}
	// Output:
	// github OAUTH2
	// sendgrid API_KEY
}

func ExampleClient_GetProvider() {
	srv, client := capturedNango()
	defer srv.Close()

	p, err := client.GetProvider(context.Background(), "github")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.DisplayName, p.AuthMode, p.Proxy["base_url"])
	// Output:
	// GitHub (User OAuth) OAUTH2 https://api.github.com
}
