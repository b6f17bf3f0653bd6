package nango

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/nango-go/sdk/gen"
)

// The writes of integrations, and the provider templates. Like every write,
// none is retried once the request may have reached the server.

const (
	opCreateIntegration           = "POST /integrations"
	opCreateQuickstartIntegration = "POST /integrations/quickstart"
	opUpdateIntegration           = "PATCH /integrations/{uniqueKey}"
	opDeleteIntegration           = "DELETE /integrations/{uniqueKey}"
	opGetProviderTemplates        = "GET /providers/{provider}/templates"
)

// The request types of the integration writes, generated from openapi.yaml.
// Those that carry a client secret or private key print redacted under
// every fmt verb and in slog.
type (
	// CreateIntegrationRequest is an integration to create: its Provider
	// and UniqueKey, and for providers whose auth mode needs a client of
	// your own (OAUTH1, OAUTH2, APP, CUSTOM) its Credentials, set with a
	// From… method:
	//
	//	req := nango.CreateIntegrationRequest{UniqueKey: "github-prod", Provider: "github"}
	//	err := req.Credentials.FromIntegrationOAuthClientInput(nango.IntegrationOAuthClientInput{
	//		Type: "OAUTH2", ClientID: id, ClientSecret: secret, Scopes: "repo,user"})
	CreateIntegrationRequest = gen.CreateIntegrationRequest
	// UpdateIntegrationRequest is what UpdateIntegration changes; zero
	// fields are left as they are.
	UpdateIntegrationRequest = gen.UpdateIntegrationRequest
	// QuickstartIntegrationRequest is an integration to create with the
	// developer app Nango provides (Nango Cloud).
	QuickstartIntegrationRequest = gen.QuickstartIntegrationRequest
	// IntegrationCredentialsInput holds one kind of client credentials to
	// write: IntegrationOAuthClientInput, IntegrationAppInput or
	// IntegrationCustomAppInput.
	IntegrationCredentialsInput = gen.IntegrationCredentialsInput
	// IntegrationOAuthClientInput is the OAuth client of an OAUTH1, OAUTH2
	// or TBA integration; Type is the provider's auth mode.
	IntegrationOAuthClientInput = gen.IntegrationOAuthClientInput
	// IntegrationAppInput is the GitHub App of an APP integration.
	IntegrationAppInput = gen.IntegrationAppInput
	// IntegrationCustomAppInput is the OAuth client and GitHub App of a
	// CUSTOM integration.
	IntegrationCustomAppInput = gen.IntegrationCustomAppInput
	// FunctionTemplate is a sync or an action of Nango's catalog for a
	// provider, ready to deploy.
	FunctionTemplate = gen.FunctionTemplate
)

// The server's rules for a provider's name (and a function's), an
// integration's unique key and the scopes of an OAuth client.
var (
	namePattern      = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)
	configKeyPattern = regexp.MustCompile(`^[a-zA-Z0-9~:.@ _-]+$`)
	scopesPattern    = regexp.MustCompile(`^$|^[0-9a-zA-Z:/_.*-]+(,[0-9a-zA-Z:/_.*-]+)*$`)
)

// checkUniqueKey refuses an integration key Nango's schema refuses (or that
// cannot be sent in a URL path).
func checkUniqueKey(v string) error {
	if err := checkID("integration unique key", v); err != nil {
		return err
	}
	if !configKeyPattern.MatchString(v) {
		return invalidArgument("integration unique key %q: Nango takes letters, digits, spaces and ~:.@_- only", v)
	}
	return nil
}

// checkName refuses a provider or function name Nango's schema refuses.
func checkName(what, v string) error {
	if err := checkID(what, v); err != nil {
		return err
	}
	if !namePattern.MatchString(v) {
		return invalidArgument("%s %q: Nango takes letters, digits, _ and - only", what, v)
	}
	return nil
}

func checkLength(what, v string, minLen, maxLen int) error {
	if n := utf8.RuneCountInString(v); n < minLen || maxLen > 0 && n > maxLen {
		if maxLen == 0 {
			return invalidArgument("%s: empty", what)
		}
		return invalidArgument("%s: %d characters, want %d to %d", what, n, minLen, maxLen)
	}
	return nil
}

// lengthRule is a string field's length rule, in characters (max 0: none).
type lengthRule struct {
	name, v  string
	min, max int
}

const (
	rsaKeyBegin = "-----BEGIN RSA PRIVATE KEY----"
	rsaKeyEnd   = "-----END RSA PRIVATE KEY-----"
)

// checkIntegrationCredentials holds credentials to Nango's schema and
// returns the secrets they carry, to keep out of errors and logs. Unset
// credentials are none.
func checkIntegrationCredentials(what string, cr IntegrationCredentialsInput) ([]string, error) {
	raw, _ := cr.MarshalJSON()
	if len(nonNull(bytes.TrimSpace(raw))) == 0 {
		return nil, nil
	}
	var head struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return nil, invalidArgument("%s: credentials are not a JSON object (set them with a From… method)", what)
	}
	checks := func(fields ...lengthRule) error {
		for _, f := range fields {
			if err := checkLength(what+": credentials "+f.name, f.v, f.min, f.max); err != nil {
				return err
			}
		}
		return nil
	}
	checkKey := func(key string) error {
		if !strings.HasPrefix(key, rsaKeyBegin) || !strings.HasSuffix(key, rsaKeyEnd) {
			return invalidArgument("%s: credentials private_key: want a PEM RSA key (%s… %s)", what, rsaKeyBegin+"-", rsaKeyEnd)
		}
		return nil
	}
	switch head.Type {
	case "OAUTH1", "OAUTH2", "TBA":
		v, err := cr.AsIntegrationOAuthClientInput()
		if err != nil {
			return nil, invalidArgument("%s: credentials: %v", what, safeDecodeError(err))
		}
		if err := checks(lengthRule{"client_id", v.ClientID, 1, 255}, lengthRule{"client_secret", v.ClientSecret, 1, 0},
			lengthRule{"webhook_secret", v.WebhookSecret, 0, 255}); err != nil {
			return nil, err
		}
		if !scopesPattern.MatchString(v.Scopes) {
			return nil, invalidArgument("%s: credentials scopes %q: want names separated by commas, without blanks", what, v.Scopes)
		}
		return []string{v.ClientSecret, v.WebhookSecret}, nil
	case "APP":
		v, err := cr.AsIntegrationAppInput()
		if err != nil {
			return nil, invalidArgument("%s: credentials: %v", what, safeDecodeError(err))
		}
		if err := checks(lengthRule{"app_id", v.AppID, 1, 255}, lengthRule{"app_link", v.AppLink, 1, 0}); err != nil {
			return nil, err
		}
		return []string{v.PrivateKey}, checkKey(v.PrivateKey)
	case "CUSTOM":
		v, err := cr.AsIntegrationCustomAppInput()
		if err != nil {
			return nil, invalidArgument("%s: credentials: %v", what, safeDecodeError(err))
		}
		if err := checks(lengthRule{"client_id", v.ClientID, 1, 255}, lengthRule{"client_secret", v.ClientSecret, 1, 0},
			lengthRule{"app_id", v.AppID, 1, 255}, lengthRule{"app_link", v.AppLink, 1, 0}); err != nil {
			return nil, err
		}
		return []string{v.ClientSecret, v.PrivateKey}, checkKey(v.PrivateKey)
	}
	return nil, invalidArgument("%s: credentials type %q: want OAUTH1, OAUTH2, TBA, APP or CUSTOM", what, head.Type)
}

// checkIntegrationFields checks what the create and update requests share.
func checkIntegrationFields(what, displayName string, config map[string]string) error {
	if displayName != "" {
		if err := checkLength(what+": display name", displayName, 1, 255); err != nil {
			return err
		}
	}
	for k, v := range config {
		if utf8.RuneCountInString(v) > 8192 {
			return invalidArgument("%s: integration_config %q: over 8192 characters", what, k)
		}
	}
	return nil
}

// writeIntegration sends an integration write and decodes the integration
// it answers with.
func (c *Client) writeIntegration(ctx context.Context, cl *call) (*Integration, error) {
	r, err := c.do(ctx, cl)
	if err != nil {
		return nil, err
	}
	var out gen.IntegrationResponse
	if err := json.Unmarshal(r.body, &out); err != nil {
		return nil, r.malformed("integration", err)
	}
	if out.Data.UniqueKey == "" {
		return nil, r.malformed("integration", errMissing("data.unique_key"))
	}
	return &out.Data, nil
}

// CreateIntegration creates an integration (Node: createIntegration) and
// returns it. An unknown provider, a key in use, missing credentials (for
// OAUTH1, OAUTH2, APP and CUSTOM providers) and credentials of another kind
// than the provider's are Nango's 400 invalid_body. The client secret or
// private key is hidden in errors and logs, as the secret key is.
func (c *Client) CreateIntegration(ctx context.Context, req CreateIntegrationRequest, opts ...RequestOption) (*Integration, error) {
	if err := checkName("provider", req.Provider); err != nil {
		return nil, err
	}
	if err := checkUniqueKey(req.UniqueKey); err != nil {
		return nil, err
	}
	if err := checkIntegrationFields("CreateIntegration", req.DisplayName, req.IntegrationConfig); err != nil {
		return nil, err
	}
	secrets, err := checkIntegrationCredentials("CreateIntegration", req.Credentials)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, invalidArgument("CreateIntegration: %v", err)
	}
	return c.writeIntegration(ctx, &call{method: http.MethodPost, op: opCreateIntegration, maxBody: c.maxBody,
		req: requestConfigOf(opts), secrets: secrets,
		build: func(server string) (*http.Request, error) {
			return gen.NewCreateIntegrationRequestWithBody(server, jsonContentType, bytes.NewReader(body))
		}})
}

// CreateQuickstartIntegration creates an integration that uses the OAuth
// app Nango provides for the provider (Nango Cloud; Node:
// createQuickstartIntegration), so that no client of your own is needed.
// A provider without such an app is Nango's 400 invalid_body.
func (c *Client) CreateQuickstartIntegration(ctx context.Context, req QuickstartIntegrationRequest, opts ...RequestOption) (*Integration, error) {
	if err := checkName("provider", req.Provider); err != nil {
		return nil, err
	}
	if err := checkUniqueKey(req.UniqueKey); err != nil {
		return nil, err
	}
	if err := checkIntegrationFields("CreateQuickstartIntegration", req.DisplayName, nil); err != nil {
		return nil, err
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, invalidArgument("CreateQuickstartIntegration: %v", err)
	}
	return c.writeIntegration(ctx, &call{method: http.MethodPost, op: opCreateQuickstartIntegration, maxBody: c.maxBody,
		req: requestConfigOf(opts),
		build: func(server string) (*http.Request, error) {
			return gen.NewCreateQuickstartIntegrationRequestWithBody(server, jsonContentType, bytes.NewReader(body))
		}})
}

// UpdateIntegration changes an integration (Node: updateIntegration) and
// returns it as it now is; zero fields of update are left as they are. An
// unknown integration is an error matching ErrNotFound. A new UniqueKey is
// refused by Nango while the integration has connections.
func (c *Client) UpdateIntegration(ctx context.Context, uniqueKey string, update UpdateIntegrationRequest, opts ...RequestOption) (*Integration, error) {
	if err := checkID("integration unique key", uniqueKey); err != nil {
		return nil, err
	}
	if update.UniqueKey != "" {
		if err := checkUniqueKey(update.UniqueKey); err != nil {
			return nil, err
		}
	}
	if err := checkIntegrationFields("UpdateIntegration", update.DisplayName, update.IntegrationConfig); err != nil {
		return nil, err
	}
	secrets, err := checkIntegrationCredentials("UpdateIntegration", update.Credentials)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(update)
	if err != nil {
		return nil, invalidArgument("UpdateIntegration: %v", err)
	}
	if string(body) == "{}" {
		return nil, invalidArgument("UpdateIntegration: nothing to update")
	}
	return c.writeIntegration(ctx, &call{method: http.MethodPatch, op: opUpdateIntegration, maxBody: c.maxBody,
		req: requestConfigOf(opts), secrets: secrets,
		build: func(server string) (*http.Request, error) {
			return gen.NewUpdateIntegrationRequestWithBody(server, uniqueKey, jsonContentType, bytes.NewReader(body))
		}})
}

// DeleteIntegration deletes an integration (Node: deleteIntegration), and
// with it its connections and deployed functions. An unknown one is an
// error matching ErrNotFound.
func (c *Client) DeleteIntegration(ctx context.Context, uniqueKey string, opts ...RequestOption) error {
	if err := checkID("integration unique key", uniqueKey); err != nil {
		return err
	}
	_, err := c.do(ctx, &call{method: http.MethodDelete, op: opDeleteIntegration, maxBody: c.maxBody, req: requestConfigOf(opts),
		build: func(server string) (*http.Request, error) { return gen.NewDeleteIntegrationRequest(server, uniqueKey) }})
	return err
}

// GetProviderTemplates lists the syncs and actions of Nango's catalog for a
// provider, such as "github" (Node: getProviderTemplates). A provider
// without templates, or unknown, has none: an empty list.
func (c *Client) GetProviderTemplates(ctx context.Context, provider string, opts ...RequestOption) ([]FunctionTemplate, error) {
	if err := checkName("provider", provider); err != nil {
		return nil, err
	}
	req, err := gen.NewGetProviderTemplatesRequest(c.server, provider)
	if err != nil {
		return nil, invalidArgument("GetProviderTemplates: %v", err)
	}
	r, err := c.do(ctx, &call{method: http.MethodGet, op: opGetProviderTemplates, maxBody: c.maxListBody, idempotent: true,
		url: req.URL.String(), req: requestConfigOf(opts)})
	if err != nil {
		return nil, err
	}
	var out gen.FunctionTemplateList
	if err := json.Unmarshal(r.body, &out); err != nil {
		return nil, r.malformed("provider templates", err)
	}
	if out.Data == nil {
		return nil, r.malformed("provider templates", errMissing("data"))
	}
	return out.Data, nil
}
