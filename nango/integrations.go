package nango

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/nango-go/sdk/gen"
)

const (
	opListIntegrations = "GET /integrations"
	opGetIntegration   = "GET /integrations/{uniqueKey}"
	opListProviders    = "GET /providers"
	opGetProvider      = "GET /providers/{provider}"
)

// The types of integrations and providers, generated from openapi.yaml.
type (
	// Integration is a provider configured in the environment under a
	// unique key (the provider config key of its connections). Its
	// Credentials, present only when asked for with
	// IncludeIntegrationCredentials, hold the OAuth client secret: an
	// Integration prints redacted under every fmt verb and in slog (read
	// its fields, or encode it with encoding/json, to see them). Log a
	// list's integrations one by one: slog's JSON handler encodes a slice
	// whole with encoding/json.
	Integration = gen.Integration
	// IntegrationCredentials are an integration's OAuth client (client id
	// and secret, or a GitHub App's id and private key).
	IntegrationCredentials = gen.IntegrationCredentials
	// Provider is the template of a provider Nango supports: its auth mode,
	// OAuth URLs and proxy settings. Properties the spec does not name are
	// in AdditionalProperties.
	Provider = gen.Provider
)

// IntegrationOption asks GetIntegration for more of the integration:
// IncludeWebhookURL, IncludeIntegrationCredentials, or any RequestOption.
type IntegrationOption interface{ applyIntegration(*integrationParams) }

type integrationOption func(*integrationParams)

func (f integrationOption) applyIntegration(p *integrationParams) { f(p) }

type integrationParams struct {
	webhook, credentials bool
	req                  requestConfig
}

// IncludeWebhookURL has GetIntegration return the URL the provider sends
// its webhooks to (Integration.WebhookURL).
func IncludeWebhookURL() IntegrationOption {
	return integrationOption(func(p *integrationParams) { p.webhook = true })
}

// IncludeIntegrationCredentials has GetIntegration return the integration's
// OAuth client, client secret included (Integration.Credentials).
func IncludeIntegrationCredentials() IntegrationOption {
	return integrationOption(func(p *integrationParams) { p.credentials = true })
}

// ListIntegrations lists the environment's integrations (Node:
// listIntegrations), without their credentials.
func (c *Client) ListIntegrations(ctx context.Context, opts ...RequestOption) ([]Integration, error) {
	r, err := c.do(ctx, &call{method: http.MethodGet, op: opListIntegrations, maxBody: c.maxListBody, idempotent: true,
		url: c.server + "integrations", req: requestConfigOf(opts)})
	if err != nil {
		return nil, err
	}
	var out gen.IntegrationListResponse
	if err := json.Unmarshal(r.body, &out); err != nil {
		return nil, r.malformed("integration list", err)
	}
	if out.Data == nil {
		return nil, r.malformed("integration list", errMissing("data"))
	}
	return out.Data, nil
}

// GetIntegration returns the integration with this unique key (Node:
// getIntegration); an unknown one is an error matching ErrNotFound.
func (c *Client) GetIntegration(ctx context.Context, uniqueKey string, opts ...IntegrationOption) (*Integration, error) {
	if err := checkID("integration unique key", uniqueKey); err != nil {
		return nil, err
	}
	var p integrationParams
	for _, o := range opts {
		if o != nil {
			o.applyIntegration(&p)
		}
	}
	var params gen.GetIntegrationParams
	var include []gen.GetIntegrationParamsInclude
	if p.webhook {
		include = append(include, gen.GetIntegrationParamsIncludeWebhook)
	}
	if p.credentials {
		include = append(include, gen.GetIntegrationParamsIncludeCredentials)
	}
	if include != nil {
		params.Include = &include
	}
	req, err := gen.NewGetIntegrationRequest(c.server, uniqueKey, &params)
	if err != nil {
		return nil, invalidArgument("GetIntegration: %v", err)
	}
	r, err := c.do(ctx, &call{method: http.MethodGet, op: opGetIntegration, maxBody: c.maxBody, idempotent: true,
		url: req.URL.String(), req: p.req.callConfig()})
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

// ListProviders lists every provider Nango supports, with its template.
// The list is long (hundreds of providers): it is read under the cap of a
// list page (see WithMaxResponseBytes).
func (c *Client) ListProviders(ctx context.Context, opts ...RequestOption) ([]Provider, error) {
	r, err := c.do(ctx, &call{method: http.MethodGet, op: opListProviders, maxBody: c.maxListBody, idempotent: true,
		url: c.server + "providers", req: requestConfigOf(opts)})
	if err != nil {
		return nil, err
	}
	var out gen.ProviderListResponse
	if err := json.Unmarshal(r.body, &out); err != nil {
		return nil, r.malformed("provider list", err)
	}
	if out.Data == nil {
		return nil, r.malformed("provider list", errMissing("data"))
	}
	return out.Data, nil
}

// GetProvider returns the template of one provider, such as "github"; an
// unknown one is an error matching ErrNotFound.
func (c *Client) GetProvider(ctx context.Context, name string, opts ...RequestOption) (*Provider, error) {
	if err := checkID("provider name", name); err != nil {
		return nil, err
	}
	req, err := gen.NewGetProviderRequest(c.server, name)
	if err != nil {
		return nil, invalidArgument("GetProvider: %v", err)
	}
	r, err := c.do(ctx, &call{method: http.MethodGet, op: opGetProvider, maxBody: c.maxBody, idempotent: true,
		url: req.URL.String(), req: requestConfigOf(opts)})
	if err != nil {
		return nil, err
	}
	var out gen.ProviderResponse
	if err := json.Unmarshal(r.body, &out); err != nil {
		return nil, r.malformed("provider", err)
	}
	if out.Data.Name == "" {
		return nil, r.malformed("provider", errMissing("data.name"))
	}
	return &out.Data, nil
}
