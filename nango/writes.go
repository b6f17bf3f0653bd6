package nango

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"

	"github.com/nango-go/sdk/gen"
)

// The write operations. None is retried once the request may have reached
// the server: only a connection that was never established is tried again.

const (
	opDeleteConnection       = "DELETE /connections/{connectionId}"
	opDeleteConnectionLegacy = "DELETE /connection/{connectionId}"
	opPatchConnection        = "PATCH /connections/{connectionId}"
	opSetMetadata            = "POST /connections/metadata"
	opUpdateMetadata         = "PATCH /connections/metadata"
	opSetMetadataLegacy      = "POST /connection/metadata"
	opUpdateMetadataLegacy   = "PATCH /connection/metadata"
	opImportConnection       = "POST /connections"
	jsonContentType          = "application/json"
)

// DeleteConnection deletes a connection. An unknown one is ErrNotFound
// (Nango answers 400 unknown_connection here, not 404).
func (c *Client) DeleteConnection(ctx context.Context, providerConfigKey, connectionID string) error {
	if err := checkKeyAndID(providerConfigKey, connectionID); err != nil {
		return err
	}
	cl := &call{method: http.MethodDelete, maxBody: c.maxBody, op: opDeleteConnection}
	if c.legacyPaths {
		cl.op = opDeleteConnectionLegacy
		params := &gen.DeleteConnectionLegacyParams{ProviderConfigKey: providerConfigKey}
		cl.build = func(server string) (*http.Request, error) {
			return gen.NewDeleteConnectionLegacyRequest(server, connectionID, params)
		}
	} else {
		params := &gen.DeleteConnectionParams{ProviderConfigKey: providerConfigKey}
		cl.build = func(server string) (*http.Request, error) {
			return gen.NewDeleteConnectionRequest(server, connectionID, params)
		}
	}
	_, err := c.do(ctx, cl)
	return err
}

// ConnectionUpdate is what PatchConnection changes; nil fields are left as
// they are.
type ConnectionUpdate struct {
	// Tags replaces the connection's tags.
	Tags map[string]string `json:"tags,omitempty"`
	// WebhookURLOverride sets the URL Nango sends this connection's webhooks
	// to; point it at "" to clear it.
	WebhookURLOverride *string `json:"webhook_url_override,omitempty"`
}

// PatchConnection updates a connection's tags or webhook URL override. It
// uses today's route, also under WithLegacyPaths: there is no older one.
func (c *Client) PatchConnection(ctx context.Context, providerConfigKey, connectionID string, update ConnectionUpdate) error {
	if err := checkKeyAndID(providerConfigKey, connectionID); err != nil {
		return err
	}
	if update.Tags == nil && update.WebhookURLOverride == nil {
		return invalidArgument("PatchConnection: nothing to update")
	}
	body, err := json.Marshal(update)
	if err != nil {
		return invalidArgument("PatchConnection: %v", err)
	}
	params := &gen.PatchConnectionParams{ProviderConfigKey: providerConfigKey}
	_, err = c.do(ctx, &call{method: http.MethodPatch, op: opPatchConnection, maxBody: c.maxBody,
		build: func(server string) (*http.Request, error) {
			return gen.NewPatchConnectionRequestWithBody(server, connectionID, params, jsonContentType, bytes.NewReader(body))
		}})
	return err
}

// SetMetadata replaces the metadata of one or more connections of an
// integration.
func (c *Client) SetMetadata(ctx context.Context, providerConfigKey string, metadata map[string]any, connectionIDs ...string) error {
	return c.writeMetadata(ctx, http.MethodPost, providerConfigKey, metadata, connectionIDs)
}

// UpdateMetadata merges metadata into the existing metadata of one or more
// connections: keys not given are kept.
func (c *Client) UpdateMetadata(ctx context.Context, providerConfigKey string, metadata map[string]any, connectionIDs ...string) error {
	return c.writeMetadata(ctx, http.MethodPatch, providerConfigKey, metadata, connectionIDs)
}

func (c *Client) writeMetadata(ctx context.Context, method, providerConfigKey string, metadata map[string]any, ids []string) error {
	if len(ids) == 0 {
		return invalidArgument("no connection id")
	}
	for _, id := range ids {
		if err := checkKeyAndID(providerConfigKey, id); err != nil {
			return err
		}
	}
	if metadata == nil {
		metadata = map[string]any{}
	}
	req := struct {
		ConnectionID      any            `json:"connection_id"`
		ProviderConfigKey string         `json:"provider_config_key"`
		Metadata          map[string]any `json:"metadata"`
	}{ids, providerConfigKey, metadata}
	if len(ids) == 1 {
		req.ConnectionID = ids[0]
	}
	body, err := json.Marshal(req)
	if err != nil {
		return invalidArgument("metadata: %v", err)
	}
	type builder func(server, contentType string, body io.Reader) (*http.Request, error)
	op, build := opSetMetadata, builder(gen.NewSetMetadataRequestWithBody)
	switch {
	case method == http.MethodPost && c.legacyPaths:
		op, build = opSetMetadataLegacy, gen.NewSetMetadataLegacyRequestWithBody
	case method == http.MethodPatch && c.legacyPaths:
		op, build = opUpdateMetadataLegacy, gen.NewUpdateMetadataLegacyRequestWithBody
	case method == http.MethodPatch:
		op, build = opUpdateMetadata, gen.NewUpdateMetadataRequestWithBody
	}
	cl := &call{method: method, op: op, maxBody: c.maxBody,
		build: func(server string) (*http.Request, error) {
			return build(server, jsonContentType, bytes.NewReader(body))
		}}
	_, err = c.do(ctx, cl)
	return err
}

// GetMetadata returns a connection's metadata (an empty map when it has
// none). Like Nango's Node SDK it reads the whole connection.
func (c *Client) GetMetadata(ctx context.Context, providerConfigKey, connectionID string) (map[string]any, error) {
	conn, err := c.GetConnection(ctx, providerConfigKey, connectionID)
	if err != nil {
		return nil, err
	}
	if conn.Metadata == nil {
		return map[string]any{}, nil
	}
	return conn.Metadata, nil
}

// Import describes a connection to create from credentials obtained
// elsewhere (ImportConnection).
type Import struct {
	ProviderConfigKey string
	ConnectionID      string
	Credentials       Credentials
	Metadata          map[string]any
	Tags              map[string]string
	ConnectionConfig  map[string]any
}

// ImportConnection creates (or replaces) a connection with existing
// credentials, and returns it as stored.
func (c *Client) ImportConnection(ctx context.Context, in Import) (*Connection, error) {
	if err := checkKeyAndID(in.ProviderConfigKey, in.ConnectionID); err != nil {
		return nil, err
	}
	if in.Credentials == nil {
		return nil, invalidArgument("ImportConnection: no credentials")
	}
	creds, err := marshalCredentials(in.Credentials)
	if err != nil {
		return nil, invalidArgument("ImportConnection: %v", err)
	}
	body, err := json.Marshal(struct {
		ProviderConfigKey string            `json:"provider_config_key"`
		ConnectionID      string            `json:"connection_id"`
		Credentials       json.RawMessage   `json:"credentials"`
		Metadata          map[string]any    `json:"metadata,omitempty"`
		Tags              map[string]string `json:"tags,omitempty"`
		ConnectionConfig  map[string]any    `json:"connection_config,omitempty"`
	}{in.ProviderConfigKey, in.ConnectionID, creds, in.Metadata, in.Tags, in.ConnectionConfig})
	if err != nil {
		return nil, invalidArgument("ImportConnection: %v", err)
	}
	cl := &call{method: http.MethodPost, op: opImportConnection, maxBody: c.maxBody,
		build: func(server string) (*http.Request, error) {
			return gen.NewImportConnectionRequestWithBody(server, jsonContentType, bytes.NewReader(body))
		}}
	r, err := c.do(ctx, cl)
	if err != nil {
		return nil, err
	}
	return decodeConnection(r)
}
