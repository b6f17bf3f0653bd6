package nango

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
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
func (c *Client) DeleteConnection(ctx context.Context, providerConfigKey, connectionID string, opts ...RequestOption) error {
	if err := checkKeyAndID(providerConfigKey, connectionID); err != nil {
		return err
	}
	cl := &call{method: http.MethodDelete, maxBody: c.maxBody, op: opDeleteConnection, req: requestConfigOf(opts)}
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

// The request types of the writes, generated from openapi.yaml.
type (
	// PatchConnectionRequest is what PatchConnection changes; nil fields are
	// left as they are. A pointer to an empty TagsInput removes every tag; a
	// pointer to "" clears the webhook URL override.
	PatchConnectionRequest = gen.PatchConnectionRequest
	// ImportConnectionRequest is a connection to create from credentials
	// obtained elsewhere. Set Credentials with one of its From… methods:
	//
	//	req := nango.ImportConnectionRequest{ProviderConfigKey: "github", ConnectionID: "user-1"}
	//	err := req.Credentials.FromImportOAuth2Credentials(nango.ImportOAuth2Credentials{AccessToken: tok})
	ImportConnectionRequest = gen.ImportConnectionRequest
	// ImportCredentials holds one kind of Import…Credentials.
	ImportCredentials             = gen.ImportCredentials
	ImportOAuth2Credentials       = gen.ImportOAuth2Credentials
	ImportOAuth1Credentials       = gen.ImportOAuth1Credentials
	ImportOAuth2ClientCredentials = gen.ImportOAuth2ClientCredentials
	ImportAPIKeyCredentials       = gen.ImportAPIKeyCredentials
	ImportBasicCredentials        = gen.ImportBasicCredentials
	ImportNoneCredentials         = gen.ImportNoneCredentials
	ImportTBACredentials          = gen.ImportTBACredentials
	ImportAppCredentials          = gen.ImportAppCredentials
	ImportCustomCredentials       = gen.ImportCustomCredentials
	// ClientOverride is a per-connection OAuth client of an import.
	ClientOverride = gen.ClientOverride
)

// PatchConnection updates a connection's tags, end user or webhook URL
// override. It uses today's route, also under WithLegacyPaths: there is no
// older one.
func (c *Client) PatchConnection(ctx context.Context, providerConfigKey, connectionID string, update PatchConnectionRequest, opts ...RequestOption) error {
	if err := checkKeyAndID(providerConfigKey, connectionID); err != nil {
		return err
	}
	if update.Tags == nil && update.WebhookURLOverride == nil && update.EndUser == nil {
		return invalidArgument("PatchConnection: nothing to update")
	}
	if update.Tags != nil {
		if err := checkTags("PatchConnection", *update.Tags); err != nil {
			return err
		}
	}
	if err := checkEndUserInput("PatchConnection", update.EndUser); err != nil {
		return err
	}
	body, err := json.Marshal(update)
	if err != nil {
		return invalidArgument("PatchConnection: %v", err)
	}
	params := &gen.PatchConnectionParams{ProviderConfigKey: providerConfigKey}
	_, err = c.do(ctx, &call{method: http.MethodPatch, op: opPatchConnection, maxBody: c.maxBody, req: requestConfigOf(opts),
		build: func(server string) (*http.Request, error) {
			return gen.NewPatchConnectionRequestWithBody(server, connectionID, params, jsonContentType, bytes.NewReader(body))
		}})
	return err
}

// SetMetadata replaces the metadata of a connection (Node: setMetadata).
func (c *Client) SetMetadata(ctx context.Context, providerConfigKey, connectionID string, metadata Metadata, opts ...RequestOption) error {
	return c.writeMetadata(ctx, http.MethodPost, providerConfigKey, []string{connectionID}, metadata, opts)
}

// SetMetadataMany replaces the metadata of several connections of an
// integration in one request.
func (c *Client) SetMetadataMany(ctx context.Context, providerConfigKey string, connectionIDs []string, metadata Metadata, opts ...RequestOption) error {
	return c.writeMetadata(ctx, http.MethodPost, providerConfigKey, connectionIDs, metadata, opts)
}

// UpdateMetadata merges metadata into a connection's metadata: keys not
// given are kept (Node: updateMetadata).
func (c *Client) UpdateMetadata(ctx context.Context, providerConfigKey, connectionID string, metadata Metadata, opts ...RequestOption) error {
	return c.writeMetadata(ctx, http.MethodPatch, providerConfigKey, []string{connectionID}, metadata, opts)
}

// UpdateMetadataMany merges metadata into several connections' metadata in
// one request.
func (c *Client) UpdateMetadataMany(ctx context.Context, providerConfigKey string, connectionIDs []string, metadata Metadata, opts ...RequestOption) error {
	return c.writeMetadata(ctx, http.MethodPatch, providerConfigKey, connectionIDs, metadata, opts)
}

func (c *Client) writeMetadata(ctx context.Context, method, providerConfigKey string, ids []string, metadata Metadata, opts []RequestOption) error {
	if len(ids) == 0 {
		return invalidArgument("no connection id")
	}
	for _, id := range ids {
		if err := checkKeyAndID(providerConfigKey, id); err != nil {
			return err
		}
	}
	if metadata == nil {
		metadata = Metadata{}
	}
	req := gen.MetadataRequest{ProviderConfigKey: providerConfigKey, Metadata: metadata}
	var err error
	if len(ids) == 1 {
		err = req.ConnectionID.FromConnectionIDValue(ids[0])
	} else {
		err = req.ConnectionID.FromConnectionIDs1(ids)
	}
	if err != nil {
		return invalidArgument("metadata: %v", err)
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
	cl := &call{method: method, op: op, maxBody: c.maxBody, req: requestConfigOf(opts),
		build: func(server string) (*http.Request, error) {
			return build(server, jsonContentType, bytes.NewReader(body))
		}}
	_, err = c.do(ctx, cl)
	return err
}

// GetMetadata returns a connection's metadata (an empty map when it has
// none). Like Nango's Node SDK it reads the whole connection.
func (c *Client) GetMetadata(ctx context.Context, providerConfigKey, connectionID string, opts ...GetOption) (Metadata, error) {
	conn, err := c.GetConnection(ctx, providerConfigKey, connectionID, opts...)
	if err != nil {
		return nil, err
	}
	if conn.Metadata == nil {
		return Metadata{}, nil
	}
	return conn.Metadata, nil
}

// GetMetadataAs decodes a connection's metadata into T, as the Node SDK's
// getMetadata<T>:
//
//	type Settings struct{ Plan string `json:"plan"` }
//	s, err := nango.GetMetadataAs[Settings](ctx, client, "github", "user-1")
//
// Metadata that does not fit T is an error matching ErrUnexpectedResponse.
func GetMetadataAs[T any](ctx context.Context, c *Client, providerConfigKey, connectionID string, opts ...GetOption) (T, error) {
	var out T
	md, err := c.GetMetadata(ctx, providerConfigKey, connectionID, opts...)
	if err != nil {
		return out, err
	}
	b, err := json.Marshal(md)
	if err != nil {
		return out, err
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return out, &UnexpectedResponseError{Operation: opGetConnection, StatusCode: http.StatusOK,
			Reason: fmt.Sprintf("metadata does not decode into %T", out), Err: safeDecodeError(err)}
	}
	return out, nil
}

// ImportConnection creates (or updates, if the id exists) a connection with
// credentials obtained elsewhere, and returns it as stored. Without a
// ConnectionID, Nango makes one (a UUID).
func (c *Client) ImportConnection(ctx context.Context, req ImportConnectionRequest, opts ...RequestOption) (*Connection, error) {
	if err := checkID("provider config key", req.ProviderConfigKey); err != nil {
		return nil, err
	}
	if req.ConnectionID != "" {
		if err := checkID("connection id", req.ConnectionID); err != nil {
			return nil, err
		}
	}
	if raw, _ := req.Credentials.MarshalJSON(); len(nonNull(raw)) == 0 {
		return nil, invalidArgument("ImportConnection: no credentials (set them with req.Credentials.FromImport…Credentials)")
	}
	if err := checkTags("ImportConnection", req.Tags); err != nil {
		return nil, err
	}
	if err := checkEndUserInput("ImportConnection", req.EndUser); err != nil {
		return nil, err
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, invalidArgument("ImportConnection: %v", err)
	}
	cl := &call{method: http.MethodPost, op: opImportConnection, maxBody: c.maxBody, req: requestConfigOf(opts),
		build: func(server string) (*http.Request, error) {
			return gen.NewImportConnectionRequestWithBody(server, jsonContentType, bytes.NewReader(body))
		}}
	r, err := c.do(ctx, cl)
	if err != nil {
		return nil, err
	}
	return decodeConnection(r)
}
