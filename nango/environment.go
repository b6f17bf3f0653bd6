package nango

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"

	"github.com/nango-go/sdk/gen"
)

const (
	opGetEnvironmentVariables = "GET /environment-variables"
	opGetScriptsConfig        = "GET /scripts/config"
)

// The types of the environment's variables and scripts, generated from
// openapi.yaml.
type (
	// EnvironmentVariable is a variable of the environment, as set in the
	// Nango dashboard. Its Value is often a secret: an EnvironmentVariable
	// prints redacted under every fmt verb and in slog (read its fields,
	// or encode it with encoding/json, to see them). Log a list's
	// variables one by one: slog's JSON handler encodes a slice whole
	// with encoding/json.
	EnvironmentVariable = gen.EnvironmentVariable
	// IntegrationScripts are the syncs and actions deployed for an
	// integration (GetScriptsConfig's default format).
	IntegrationScripts = gen.IntegrationScripts
	// ScriptConfig is one deployed sync or action as `nango deploy`
	// configured it.
	ScriptConfig = gen.ScriptConfig
	// ScriptEndpoint is an endpoint of a script.
	ScriptEndpoint = gen.ScriptEndpoint
	// OpenAIFunction is a sync or an action as an OpenAI function-calling
	// definition (GetScriptsConfig with ScriptsFormatOpenAI).
	OpenAIFunction = gen.OpenAIFunction
	// OpenAIFunctionParameters is the JSON Schema of an OpenAIFunction's
	// input.
	OpenAIFunctionParameters = gen.OpenAIFunctionParameters
)

// GetEnvironmentVariables returns the environment's variables (Node:
// getEnvironmentVariables), an empty list when it has none. Their values
// come in clear: see EnvironmentVariable for how they print.
func (c *Client) GetEnvironmentVariables(ctx context.Context, opts ...RequestOption) ([]EnvironmentVariable, error) {
	r, err := c.do(ctx, &call{method: http.MethodGet, op: opGetEnvironmentVariables, maxBody: c.maxBody, idempotent: true,
		url: c.server + "environment-variables", req: requestConfigOf(opts)})
	if err != nil {
		return nil, err
	}
	var out gen.EnvironmentVariableList
	if err := json.Unmarshal(r.body, &out); err != nil {
		return nil, r.malformed("environment variables", err)
	}
	for _, v := range out {
		if v.Name == "" {
			return nil, r.malformed("environment variables", errMissing("name"))
		}
	}
	if out == nil {
		out = []EnvironmentVariable{}
	}
	return out, nil
}

// ScriptsFormat is the shape GetScriptsConfig asks for.
type ScriptsFormat string

const (
	// ScriptsFormatNango is Nango's own configuration, by integration (the
	// default): ScriptsConfig.Integrations.
	ScriptsFormatNango ScriptsFormat = "nango"
	// ScriptsFormatOpenAI lists the syncs and actions as OpenAI
	// function-calling definitions: ScriptsConfig.OpenAIFunctions.
	ScriptsFormatOpenAI ScriptsFormat = "openai"
)

// ScriptsConfigOption changes GetScriptsConfig: ScriptsConfigFormat, or any
// RequestOption.
type ScriptsConfigOption interface{ applyScriptsConfig(*scriptsConfigParams) }

type scriptsConfigOption func(*scriptsConfigParams)

func (f scriptsConfigOption) applyScriptsConfig(p *scriptsConfigParams) { f(p) }

func (o RequestOption) applyScriptsConfig(p *scriptsConfigParams) { o.applyTo(&p.req) }

type scriptsConfigParams struct {
	format ScriptsFormat
	req    requestConfig
}

// ScriptsConfigFormat asks GetScriptsConfig for a format: ScriptsFormatNango
// (the default) or ScriptsFormatOpenAI. Any other value is refused with
// ErrInvalidArgument (Nango would answer it as the default).
func ScriptsConfigFormat(f ScriptsFormat) ScriptsConfigOption {
	return scriptsConfigOption(func(p *scriptsConfigParams) { p.format = f })
}

// ScriptsConfig is the configuration of the deployed scripts, in the format
// asked for: Integrations for ScriptsFormatNango, OpenAIFunctions for
// ScriptsFormatOpenAI. The other is nil; with nothing deployed, the one
// asked for is empty.
type ScriptsConfig struct {
	// Format is the format asked for.
	Format ScriptsFormat
	// Integrations are the deployed scripts by integration. Nango groups
	// them by provider: two integrations of one provider share an entry,
	// under the first one's key.
	Integrations []IntegrationScripts
	// OpenAIFunctions are the syncs and actions as OpenAI function
	// definitions.
	OpenAIFunctions []OpenAIFunction
}

// GetScriptsConfig returns the configuration of the syncs and actions
// deployed in the environment (Node: getScriptsConfig), by default grouped
// by integration:
//
//	cfg, err := client.GetScriptsConfig(ctx)
//	for _, in := range cfg.Integrations { … in.Syncs, in.Actions … }
//	tools, err := client.GetScriptsConfig(ctx, nango.ScriptsConfigFormat(nango.ScriptsFormatOpenAI))
//	for _, fn := range tools.OpenAIFunctions { … }
func (c *Client) GetScriptsConfig(ctx context.Context, opts ...ScriptsConfigOption) (*ScriptsConfig, error) {
	p := scriptsConfigParams{format: ScriptsFormatNango}
	for _, o := range opts {
		if o != nil {
			o.applyScriptsConfig(&p)
		}
	}
	if p.format != ScriptsFormatNango && p.format != ScriptsFormatOpenAI {
		return nil, invalidArgument("ScriptsConfigFormat %q: want %q or %q", p.format, ScriptsFormatNango, ScriptsFormatOpenAI)
	}
	format := string(p.format)
	req, err := gen.NewGetScriptsConfigRequest(c.server, &gen.GetScriptsConfigParams{Format: &format})
	if err != nil {
		return nil, invalidArgument("GetScriptsConfig: %v", err)
	}
	r, err := c.do(ctx, &call{method: http.MethodGet, op: opGetScriptsConfig, maxBody: c.maxListBody, idempotent: true,
		url: req.URL.String(), req: p.req.callConfig()})
	if err != nil {
		return nil, err
	}
	out := &ScriptsConfig{Format: p.format}
	body := bytes.TrimSpace(r.body)
	switch {
	case len(body) > 0 && body[0] == '[':
		var list gen.IntegrationScriptsList
		if err := json.Unmarshal(body, &list); err != nil {
			return nil, r.malformed("scripts config", err)
		}
		if p.format == ScriptsFormatOpenAI {
			// Nango answers [] in every format when nothing is deployed.
			if len(list) > 0 {
				return nil, r.malformed("scripts config", decodeErrorf("a list of integrations, asked for the openai format"))
			}
			out.OpenAIFunctions = []OpenAIFunction{}
			return out, nil
		}
		for _, in := range list {
			if in.ProviderConfigKey == "" {
				return nil, r.malformed("scripts config", errMissing("providerConfigKey"))
			}
		}
		out.Integrations = list
		if out.Integrations == nil {
			out.Integrations = []IntegrationScripts{}
		}
	case p.format == ScriptsFormatOpenAI && len(body) > 0 && body[0] == '{':
		var fns gen.OpenAIFunctionList
		if err := json.Unmarshal(body, &fns); err != nil {
			return nil, r.malformed("scripts config", err)
		}
		if fns.Data == nil {
			return nil, r.malformed("scripts config", errMissing("data"))
		}
		out.OpenAIFunctions = fns.Data
	default:
		return nil, r.malformed("scripts config", decodeErrorf("want a JSON array"))
	}
	return out, nil
}
