package nango_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nango-go/sdk/nango"
	"github.com/nango-go/sdk/nango/nangotest"
)

// TestManagementAgainstTheFake runs every management call against the fake
// with the contract-validating transport on both sides.
func TestManagementAgainstTheFake(t *testing.T) {
	srv, c := validatedFake(t)
	ctx := context.Background()

	srv.SetEnvironmentVariable("API_BASE", "https://api.example.test")
	srv.SetEnvironmentVariable("TOKEN", "sekrit-token-value")
	vars, err := c.GetEnvironmentVariables(ctx)
	if err != nil || len(vars) != 2 || vars[1].Name != "TOKEN" || vars[1].Value != "sekrit-token-value" {
		t.Fatalf("%d variables, %v", len(vars), err)
	}

	// An integration's life: create, read its client, update, rename, delete.
	req := nango.CreateIntegrationRequest{UniqueKey: "github-prod", Provider: "github", DisplayName: "GitHub"}
	if err := req.Credentials.FromIntegrationOAuthClientInput(nango.IntegrationOAuthClientInput{Type: "OAUTH2", ClientID: "cid", ClientSecret: "client-secret-1", Scopes: "repo,user"}); err != nil {
		t.Fatal(err)
	}
	in, err := c.CreateIntegration(ctx, req)
	if err != nil || in.UniqueKey != "github-prod" || in.DisplayName != "GitHub" || !in.ForwardWebhooks || in.CreatedAt.IsZero() {
		t.Fatalf("%+v %v", in, err)
	}
	if _, err := c.CreateIntegration(ctx, req); !isAPIError(err, 400, "invalid_body") {
		t.Errorf("duplicate: %v", err)
	}
	got, err := c.GetIntegration(ctx, "github-prod", nango.IncludeIntegrationCredentials())
	if err != nil || got.Credentials == nil || got.Credentials.ClientSecret != "client-secret-1" || got.Credentials.Scopes != "repo,user" {
		t.Fatalf("%+v %v", got, err)
	}
	off := false
	in, err = c.UpdateIntegration(ctx, "github-prod", nango.UpdateIntegrationRequest{UniqueKey: "github-main", ForwardWebhooks: &off})
	if err != nil || in.UniqueKey != "github-main" || in.ForwardWebhooks || in.DisplayName != "GitHub" {
		t.Fatalf("%+v %v", in, err)
	}
	if _, err := c.UpdateIntegration(ctx, "github-prod", nango.UpdateIntegrationRequest{DisplayName: "x"}); !errors.Is(err, nango.ErrNotFound) {
		t.Errorf("update of the old key: %v", err)
	}
	qs, err := c.CreateQuickstartIntegration(ctx, nango.QuickstartIntegrationRequest{UniqueKey: "slack-try", Provider: "slack"})
	if err != nil || qs.Provider != "slack" {
		t.Fatalf("%+v %v", qs, err)
	}
	if _, err := c.CreateQuickstartIntegration(ctx, nango.QuickstartIntegrationRequest{UniqueKey: "sg", Provider: "sendgrid"}); !isAPIError(err, 400, "invalid_body") {
		t.Errorf("quickstart of an API key provider: %v", err)
	}
	if err := c.DeleteIntegration(ctx, "github-main"); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteIntegration(ctx, "github-main"); !errors.Is(err, nango.ErrNotFound) {
		t.Errorf("delete again: %v", err)
	}
	list, err := c.ListIntegrations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range list {
		if in.UniqueKey == "github-main" || in.UniqueKey == "github-prod" {
			t.Errorf("still listed: %s", in.UniqueKey)
		}
	}

	// Functions.
	for i := range 5 {
		fn := nangotest.Function{Name: fmt.Sprintf("action-%d", i), Type: nango.FunctionTypeAction, Source: "catalog", Code: "export default {}"}
		if err := srv.DeployFunction("github", fn); err != nil {
			t.Fatal(err)
		}
	}
	if err := srv.DeployFunction("github", nangotest.Function{Name: "issues", Type: nango.FunctionTypeSync, Runs: "every day", Returns: []string{"Issue"}}); err != nil {
		t.Fatal(err)
	}
	page, err := c.ListFunctions(ctx, "github", nango.PageSize(2), nango.Page(1))
	if err != nil || len(page.Data) != 2 || page.Data[0].Name != "action-2" || page.Pagination.Total != 6 {
		t.Fatalf("%+v %v", page, err)
	}
	var names []string
	for fn, err := range c.AllFunctions(ctx, "github", nango.PageSize(4)) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, fn.Name)
	}
	if strings.Join(names, ",") != "action-0,action-1,action-2,action-3,action-4,issues" {
		t.Errorf("all functions: %v", names)
	}
	syncs, err := c.ListFunctions(ctx, "github", nango.FunctionOfType(nango.FunctionTypeSync))
	if err != nil || len(syncs.Data) != 1 || syncs.Data[0].Runs != "every day" {
		t.Fatalf("%+v %v", syncs, err)
	}
	fn, err := c.GetFunction(ctx, "github", "issues")
	if err != nil || fn.Type != nango.FunctionTypeSync || fn.Source != "repo" {
		t.Fatalf("%+v %v", fn, err)
	}
	code, err := c.GetFunctionCode(ctx, "github", "action-1")
	if err != nil || code.Code != "export default {}" || code.Type != nango.FunctionTypeAction {
		t.Fatalf("%+v %v", code, err)
	}
	if _, err := c.GetFunctionCode(ctx, "github", "issues"); !errors.Is(err, nango.ErrNotFound) {
		t.Errorf("code the server lacks: %v", err)
	}
	if err := c.DeleteFunction(ctx, "github", "issues", nango.FunctionTypeSync); !isAPIError(err, 400, "function_managed_by_deploy") {
		t.Errorf("delete a repo function: %v", err)
	}
	if err := c.DeleteFunction(ctx, "github", "action-1", nango.FunctionTypeAction); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetFunction(ctx, "github", "action-1"); !errors.Is(err, nango.ErrNotFound) {
		t.Errorf("deleted function: %v", err)
	}
	if _, err := c.ListFunctions(ctx, "nope"); !errors.Is(err, nango.ErrNotFound) {
		t.Errorf("unknown integration: %v", err)
	}

	// What is deployed, as scripts config.
	cfg, err := c.GetScriptsConfig(ctx)
	if err != nil || len(cfg.Integrations) != 1 || len(cfg.Integrations[0].Actions) != 4 || len(cfg.Integrations[0].Syncs) != 1 {
		t.Fatalf("%+v %v", cfg, err)
	}
	tools, err := c.GetScriptsConfig(ctx, nango.ScriptsConfigFormat(nango.ScriptsFormatOpenAI))
	if err != nil || len(tools.OpenAIFunctions) != 5 || tools.OpenAIFunctions[0].Name != "issues" {
		t.Fatalf("%+v %v", tools, err)
	}
	tpl, err := c.GetProviderTemplates(ctx, "github")
	if err != nil || tpl == nil || len(tpl) != 0 {
		t.Errorf("%v %v", tpl, err)
	}
}

func isAPIError(err error, status int, code string) bool {
	var apiErr *nango.APIError
	return errors.As(err, &apiErr) && apiErr.StatusCode == status && apiErr.Code == code
}

// TestWaitForConnectionAgainstTheFake: the connection appears while the
// client waits; the client's sleep is recorded, never spent.
func TestWaitForConnectionAgainstTheFake(t *testing.T) {
	srv, c := validatedFake(t)
	var mu sync.Mutex
	var waits []time.Duration
	nango.SetSleep(c, func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		waits = append(waits, d)
		n := len(waits)
		mu.Unlock()
		if n == 3 {
			// The end user finishes the Connect UI.
			srv.MustPut(nangotest.OAuth2("github", "new-user", "gho_new"))
		}
		return ctx.Err()
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := c.WaitForConnection(ctx, "github", "new-user")
	if err != nil || conn.ConnectionID != "new-user" {
		t.Fatalf("%v %v", conn, err)
	}
	if tok, ok := conn.Credentials.(nango.OAuth2Credentials); !ok || tok.AccessToken != "gho_new" {
		t.Errorf("credentials %T", conn.Credentials)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(waits) != 3 {
		t.Errorf("waits %v, want 3", waits)
	}
	var reads int
	for _, r := range srv.Requests() {
		if r.Path == "/connections/new-user" {
			reads++
		}
	}
	if reads != 4 {
		t.Errorf("%d reads, want 4", reads)
	}
	if _, err := c.WaitForConnection(ctx, "nope", "new-user"); err == nil || errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("unknown integration: %v", err)
	}
}

// TestEnvironmentVariablesInLogs: what a service logs of the variables it
// read holds no value, one variable at a time.
func TestEnvironmentVariablesInLogs(t *testing.T) {
	srv, c := validatedFake(t)
	srv.SetEnvironmentVariable("DB_PASSWORD", "hunter2-hunter2")
	vars, err := c.GetEnvironmentVariables(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(vars)
	s := fmt.Sprintf("%v %+v %#v %s", vars[0], vars[0], vars[0], vars[0])
	if strings.Contains(s, "hunter2") || !strings.Contains(string(b), "hunter2") {
		t.Errorf("printed %s; JSON %s", s, b)
	}
}
