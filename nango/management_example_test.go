package nango_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/nango-go/sdk/nango"
	"github.com/nango-go/sdk/nango/nangotest"
)

func ExampleClient_GetEnvironmentVariables() {
	srv, client := fakeNango()
	defer srv.Close()
	srv.SetEnvironmentVariable("API_BASE", "https://api.example.com")
	srv.SetEnvironmentVariable("API_TOKEN", "s3cr3t-token")

	vars, err := client.GetEnvironmentVariables(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	for _, v := range vars {
		fmt.Println(v.Name, len(v.Value))
	}
	// The values are often secrets: a variable never prints its value.
	fmt.Println(vars[1])
	// Output:
	// API_BASE 23
	// API_TOKEN 12
	// EnvironmentVariable{secrets redacted}
}

func ExampleClient_GetScriptsConfig() {
	srv, client := fakeNango()
	defer srv.Close()
	// What `nango deploy` would have deployed.
	_ = srv.DeployFunction("github", nangotest.Function{Name: "issues", Type: nango.FunctionTypeSync, Runs: "every hour", Returns: []string{"Issue"}})
	_ = srv.DeployFunction("github", nangotest.Function{Name: "create-issue", Type: nango.FunctionTypeAction, Description: "Create an issue"})
	ctx := context.Background()

	cfg, err := client.GetScriptsConfig(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, in := range cfg.Integrations {
		fmt.Println(in.ProviderConfigKey, "syncs:", len(in.Syncs), "actions:", len(in.Actions))
		fmt.Println(in.Syncs[0].Name, in.Syncs[0].Runs)
	}
	tools, err := client.GetScriptsConfig(ctx, nango.ScriptsConfigFormat(nango.ScriptsFormatOpenAI))
	if err != nil {
		log.Fatal(err)
	}
	for _, fn := range tools.OpenAIFunctions {
		fmt.Printf("%s: %s\n", fn.Name, fn.Description)
	}
	// Output:
	// github syncs: 1 actions: 1
	// issues every hour
	// issues: Execute the issues sync for github
	// create-issue: Create an issue
}

func ExampleClient_CreateIntegration() {
	srv, client := fakeNango()
	defer srv.Close()
	ctx := context.Background()

	req := nango.CreateIntegrationRequest{UniqueKey: "github-prod", Provider: "github", DisplayName: "GitHub"}
	err := req.Credentials.FromIntegrationOAuthClientInput(nango.IntegrationOAuthClientInput{
		Type: "OAUTH2", ClientID: "Iv1.example", ClientSecret: "client-secret", Scopes: "repo,user"})
	if err != nil {
		log.Fatal(err)
	}
	in, err := client.CreateIntegration(ctx, req)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(in.UniqueKey, in.Provider, in.DisplayName)
	fmt.Println(req) // the request holds the client secret: it prints redacted

	// A key in use is Nango's 400 invalid_body.
	_, err = client.CreateIntegration(ctx, req)
	var apiErr *nango.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Code, apiErr.Issues[0].Message)
	}
	// Output:
	// github-prod github GitHub
	// CreateIntegrationRequest{secrets redacted}
	// 400 invalid_body Unique key already exists
}

func ExampleClient_UpdateIntegration() {
	srv, client := fakeNango()
	defer srv.Close()

	in, err := client.UpdateIntegration(context.Background(), "github", nango.UpdateIntegrationRequest{DisplayName: "GitHub (prod)"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(in.UniqueKey, in.DisplayName)
	// Output:
	// github GitHub (prod)
}

func ExampleClient_DeleteIntegration() {
	srv, client := fakeNango()
	defer srv.Close()
	ctx := context.Background()

	// Its connections go with it.
	if err := client.DeleteIntegration(ctx, "github"); err != nil {
		log.Fatal(err)
	}
	err := client.DeleteIntegration(ctx, "github")
	fmt.Println(errors.Is(err, nango.ErrNotFound))
	_, err = client.GetConnection(ctx, "github", "user-1")
	fmt.Println(err != nil)
	// Output:
	// true
	// true
}

func ExampleClient_CreateQuickstartIntegration() {
	srv, client := fakeNango()
	defer srv.Close()

	// Nango's own developer app (Nango Cloud): no client of yours needed.
	in, err := client.CreateQuickstartIntegration(context.Background(), nango.QuickstartIntegrationRequest{UniqueKey: "slack-try", Provider: "slack"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(in.UniqueKey, in.Provider)
	// Output:
	// slack-try slack
}

func ExampleClient_ListFunctions() {
	srv, client := fakeNango()
	defer srv.Close()
	for _, name := range []string{"create-issue", "close-issue", "add-label"} {
		_ = srv.DeployFunction("github", nangotest.Function{Name: name, Type: nango.FunctionTypeAction})
	}
	_ = srv.DeployFunction("github", nangotest.Function{Name: "issues", Type: nango.FunctionTypeSync, Runs: "every day"})
	ctx := context.Background()

	page, err := client.ListFunctions(ctx, "github", nango.PageSize(2))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("total:", page.Pagination.Total)
	for _, fn := range page.Data {
		fmt.Println(fn.Type, fn.Name)
	}
	// Every page:
	for fn, err := range client.AllFunctions(ctx, "github", nango.FunctionOfType(nango.FunctionTypeSync)) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(fn.Name, fn.Runs)
	}
	// Output:
	// total: 4
	// action add-label
	// action close-issue
	// issues every day
}

func ExampleClient_GetFunctionCode() {
	srv, client := fakeNango()
	defer srv.Close()
	_ = srv.DeployFunction("github", nangotest.Function{Name: "create-issue", Type: nango.FunctionTypeAction,
		Source: "standalone", Code: "export default createAction({ /* … */ });"})
	ctx := context.Background()

	fn, err := client.GetFunction(ctx, "github", "create-issue")
	if err != nil {
		log.Fatal(err)
	}
	code, err := client.GetFunctionCode(ctx, "github", "create-issue")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(fn.Type, fn.Source, code.Code)
	// Functions deployed from a repository are deleted by deploying
	// without them; others here.
	if err := client.DeleteFunction(ctx, "github", "create-issue", nango.FunctionTypeAction); err != nil {
		log.Fatal(err)
	}
	_, err = client.GetFunction(ctx, "github", "create-issue")
	fmt.Println(errors.Is(err, nango.ErrNotFound))
	// Output:
	// action standalone export default createAction({ /* … */ });
	// true
}

func ExampleClient_GetProviderTemplates() {
	srv, client := fakeNango()
	defer srv.Close()

	// The fake, like a self-hosted Nango, has no catalog of templates.
	templates, err := client.GetProviderTemplates(context.Background(), "github")
	fmt.Println(len(templates), err)
	// Output:
	// 0 <nil>
}

func ExampleClient_WaitForConnection() {
	srv, client := fakeNango()
	defer srv.Close()
	go func() {
		// The end user finishes Nango's Connect UI a moment later.
		time.Sleep(30 * time.Millisecond)
		srv.MustPut(nangotest.OAuth2("github", "new-user", "gho_new"))
	}()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := client.WaitForConnection(ctx, "github", "new-user", nango.PollInterval(10*time.Millisecond, 50*time.Millisecond))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(conn.ConnectionID, conn.Credentials.(nango.OAuth2Credentials).AccessToken)
	// Output:
	// new-user gho_new
}
