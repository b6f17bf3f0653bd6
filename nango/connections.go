package nango

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/nango-go/sdk/gen"
)

// Connection is one end user's connection to one integration, with its
// credentials, as GET /connections/{connectionId} returns it.
type Connection struct {
	ID                 int64             `json:"id"`
	ConnectionID       string            `json:"connection_id"`
	ProviderConfigKey  string            `json:"provider_config_key"`
	Provider           string            `json:"provider,omitempty"` // empty from servers of 2023
	Errors             []ConnectionError `json:"errors,omitempty"`
	EndUser            *EndUser          `json:"end_user,omitempty"`
	Tags               map[string]string `json:"tags,omitempty"`
	Metadata           map[string]any    `json:"metadata,omitempty"`
	ConnectionConfig   map[string]any    `json:"connection_config,omitempty"`
	WebhookURLOverride string            `json:"webhook_url_override,omitempty"`
	CreatedAt          time.Time         `json:"created_at"`
	UpdatedAt          time.Time         `json:"updated_at"`
	LastFetchedAt      *time.Time        `json:"last_fetched_at,omitempty"`
	// Credentials is nil when the connection has none (an unauthenticated
	// integration, or a secret key without the read_credentials scope).
	Credentials Credentials `json:"-"`
}

// ConnectionError is a problem Nango recorded on a connection.
type ConnectionError struct {
	Type  string `json:"type"` // "auth" or "sync"
	LogID string `json:"log_id"`
}

// EndUser is the end user a connection belongs to.
type EndUser struct {
	ID           string               `json:"id"`
	Email        string               `json:"email,omitempty"`
	DisplayName  string               `json:"display_name,omitempty"`
	Organization *EndUserOrganization `json:"organization,omitempty"`
}

// EndUserOrganization is the organization of an end user.
type EndUserOrganization struct {
	ID          string `json:"id"`
	DisplayName string `json:"display_name,omitempty"`
}

// ConnectionSummary is a connection as ListConnections returns it: no
// credentials.
type ConnectionSummary struct {
	ID                int64             `json:"id"`
	ConnectionID      string            `json:"connection_id"`
	ProviderConfigKey string            `json:"provider_config_key"`
	Provider          string            `json:"provider,omitempty"` // empty from servers of 2023
	CreatedAt         time.Time         `json:"created"`
	Metadata          map[string]any    `json:"metadata,omitempty"`
	Tags              map[string]string `json:"tags,omitempty"`
	Errors            []ConnectionError `json:"errors,omitempty"`
	EndUser           *EndUser          `json:"end_user,omitempty"`
}

// wireConnection is the JSON of a connection, today's and 2023's.
type wireConnection struct {
	ID                 int64             `json:"id"`
	ConnectionID       string            `json:"connection_id"`
	ProviderConfigKey  string            `json:"provider_config_key"`
	Provider           string            `json:"provider"`
	Errors             []ConnectionError `json:"errors"`
	EndUser            *EndUser          `json:"end_user"`
	Tags               map[string]string `json:"tags"`
	Metadata           map[string]any    `json:"metadata"`
	ConnectionConfig   map[string]any    `json:"connection_config"`
	WebhookURLOverride *string           `json:"webhook_url_override"`
	CreatedAt          flexTime          `json:"created_at"`
	UpdatedAt          flexTime          `json:"updated_at"`
	LastFetchedAt      flexTime          `json:"last_fetched_at"`
	Credentials        *wireCredentials  `json:"credentials"`
}

// connection builds the Connection; body is the JSON it was decoded from.
func (w *wireConnection) connection(body []byte) (*Connection, error) {
	var creds Credentials
	if w.Credentials != nil {
		var err error
		if creds, err = w.Credentials.typed(func() json.RawMessage { return credentialsObject(body) }); err != nil {
			return nil, err
		}
	}
	c := &Connection{
		ID: w.ID, ConnectionID: w.ConnectionID, ProviderConfigKey: w.ProviderConfigKey,
		Provider: w.Provider, Errors: w.Errors, EndUser: w.EndUser, Tags: w.Tags,
		Metadata: w.Metadata, ConnectionConfig: w.ConnectionConfig,
		CreatedAt: w.CreatedAt.t, UpdatedAt: w.UpdatedAt.t, LastFetchedAt: w.LastFetchedAt.ptr(),
		Credentials: creds,
	}
	if w.WebhookURLOverride != nil {
		c.WebhookURLOverride = *w.WebhookURLOverride
	}
	return c, nil
}

// MarshalJSON writes the connection in the server's shape, credentials
// included (with their "type"), so that it can be stored or seeded again.
func (c Connection) MarshalJSON() ([]byte, error) {
	type plain Connection
	creds, err := marshalCredentials(c.Credentials)
	if err != nil {
		return nil, err
	}
	return json.Marshal(struct {
		plain
		Credentials json.RawMessage `json:"credentials"`
	}{plain(c), creds})
}

type wireSummary struct {
	ID                int64             `json:"id"`
	ConnectionID      string            `json:"connection_id"`
	ProviderConfigKey *string           `json:"provider_config_key"`
	Provider          string            `json:"provider"`
	Created           flexTime          `json:"created"`
	Metadata          map[string]any    `json:"metadata"`
	Tags              map[string]string `json:"tags"`
	Errors            []ConnectionError `json:"errors"`
	EndUser           *EndUser          `json:"end_user"`
}

func (w *wireSummary) summary() ConnectionSummary {
	s := ConnectionSummary{ID: w.ID, ConnectionID: w.ConnectionID, Provider: w.Provider,
		CreatedAt: w.Created.t, Metadata: w.Metadata, Tags: w.Tags, Errors: w.Errors, EndUser: w.EndUser}
	if w.ProviderConfigKey != nil {
		s.ProviderConfigKey = *w.ProviderConfigKey
	} else {
		// Servers of 2023 put the provider config key in "provider" and
		// did not send the provider's name at all.
		s.ProviderConfigKey, s.Provider = w.Provider, ""
	}
	return s
}

const (
	opGetConnection       = "GET /connections/{connectionId}"
	opGetConnectionLegacy = "GET /connection/{connectionId}"
	opListConnections     = "GET /connections"
	opListLegacy          = "GET /connection"
)

// connectionCall describes the read of one connection; the four helpers that
// read a connection differ only in what they decode from its body.
func (c *Client) connectionCall(providerConfigKey, connectionID string, opts []GetOption) (*call, error) {
	if err := checkKeyAndID(providerConfigKey, connectionID); err != nil {
		return nil, err
	}
	var p getParams
	for _, o := range opts {
		if o != nil {
			o(&p)
		}
	}
	if c.legacyPaths && p.refreshGitHubAppJWT {
		return nil, invalidArgument("RefreshGitHubAppJWT needs today's /connections routes, not WithLegacyPaths")
	}
	cl := &call{method: http.MethodGet, maxBody: c.maxBody, idempotent: true, op: opGetConnection}
	route := "connections/"
	if c.legacyPaths {
		cl.op, route = opGetConnectionLegacy, "connection/"
	}
	cl.url = c.connectionURL(route, providerConfigKey, connectionID, &p)
	return cl, nil
}

// connectionURL builds the URL of a connection read by concatenation: it is
// on every token read, and it equals what gen's NewGetConnectionRequest
// builds (a test holds the two together): path segment escaped with
// url.PathEscape, query values with url.QueryEscape, in the spec's order.
func (c *Client) connectionURL(route, providerConfigKey, connectionID string, p *getParams) string {
	var b strings.Builder
	id := url.PathEscape(connectionID)
	key := url.QueryEscape(providerConfigKey)
	b.Grow(len(c.server) + len(route) + len(id) + len("?provider_config_key=") + len(key) + 80)
	b.WriteString(c.server)
	b.WriteString(route)
	b.WriteString(id)
	b.WriteString("?provider_config_key=")
	b.WriteString(key)
	if p.forceRefresh {
		b.WriteString("&force_refresh=true")
	}
	if p.refreshToken {
		b.WriteString("&refresh_token=true")
	}
	if p.refreshGitHubAppJWT {
		b.WriteString("&refresh_github_app_jwt_token=true")
	}
	return b.String()
}

// optTrue sends a boolean flag only when it is set: the server's defaults are
// false, and a shorter URL is a cheaper request.
func optTrue(b bool) *bool {
	if !b {
		return nil
	}
	return &b
}

// GetConnection returns the connection with its credentials. Nango refreshes
// an expired OAuth token before answering, so the credentials are fresh; do
// not cache them.
func (c *Client) GetConnection(ctx context.Context, providerConfigKey, connectionID string, opts ...GetOption) (*Connection, error) {
	r, err := c.readConnection(ctx, providerConfigKey, connectionID, opts)
	if err != nil {
		return nil, err
	}
	return decodeConnection(r)
}

// readConnection sends the read of one connection; the helpers differ only
// in what they decode from its answer.
func (c *Client) readConnection(ctx context.Context, providerConfigKey, connectionID string, opts []GetOption) (reply, error) {
	cl, err := c.connectionCall(providerConfigKey, connectionID, opts)
	if err != nil {
		return reply{}, err
	}
	return c.do(ctx, cl)
}

// decodeConnection reads the body of GET /connections/{id} or POST
// /connections.
func decodeConnection(r reply) (*Connection, error) {
	var w wireConnection
	if err := json.Unmarshal(r.body, &w); err != nil {
		return nil, r.malformed("connection", err)
	}
	conn, err := w.connection(r.body)
	if err != nil {
		return nil, r.malformed("connection", err)
	}
	return conn, nil
}

// ListConnections lists the environment's connections, newest first, without
// credentials. With no options it returns the server's first page.
func (c *Client) ListConnections(ctx context.Context, opts ...ListOption) ([]ConnectionSummary, error) {
	var p listParams
	for _, o := range opts {
		if o != nil {
			o(&p)
		}
	}
	cl, err := c.listCall(&p)
	if err != nil {
		return nil, err
	}
	r, err := c.do(ctx, cl)
	if err != nil {
		return nil, err
	}
	return decodeList(r)
}

// decodeList reads the body of GET /connections.
func decodeList(r reply) ([]ConnectionSummary, error) {
	var w struct {
		Connections *[]wireSummary `json:"connections"`
	}
	if err := json.Unmarshal(r.body, &w); err != nil {
		return nil, r.malformed("connection list", err)
	}
	if w.Connections == nil {
		return nil, r.malformed("connection list", errMissing("connections"))
	}
	out := make([]ConnectionSummary, len(*w.Connections))
	for i := range *w.Connections {
		out[i] = (*w.Connections)[i].summary()
	}
	return out, nil
}

func (c *Client) listCall(p *listParams) (*call, error) {
	if p.hasLimit && (p.limit < 1 || p.limit > 2000) {
		return nil, invalidArgument("WithLimit(%d): the server takes 1 to 2000", p.limit)
	}
	if p.hasPage && p.page < 0 {
		return nil, invalidArgument("WithPage(%d): pages count from 0", p.page)
	}
	if err := checkListFilters(p); err != nil {
		return nil, err
	}
	for _, id := range p.integrationIDs {
		if err := checkID("integration id", id); err != nil {
			return nil, err
		}
		if strings.Contains(id, ",") {
			return nil, invalidArgument("integration id %q contains a comma, the list separator", id)
		}
	}
	params := gen.ListConnectionsParams{
		ConnectionId: optString(p.connectionID), Search: optString(p.search),
		EndUserId: optString(p.endUserID), EndUserOrganizationId: optString(p.endUserOrgID),
	}
	if len(p.integrationIDs) > 0 {
		s := strings.Join(p.integrationIDs, ",")
		params.IntegrationId = &s
	}
	if len(p.tags) > 0 {
		t := gen.ListTags(p.tags)
		params.Tags = &t
	}
	if p.hasLimit {
		params.Limit = &p.limit
	}
	if p.hasPage {
		params.Page = &p.page
	}
	cl := &call{method: http.MethodGet, maxBody: c.maxListBody, idempotent: true}
	if c.legacyPaths {
		legacy := gen.ListConnectionsLegacyParams(params)
		cl.op = opListLegacy
		cl.build = func(server string) (*http.Request, error) {
			return gen.NewListConnectionsLegacyRequest(server, &legacy)
		}
		return cl, nil
	}
	cl.op = opListConnections
	cl.build = func(server string) (*http.Request, error) {
		return gen.NewListConnectionsRequest(server, &params)
	}
	return cl, nil
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// LogValue keeps the credentials out of slog output (the JSON handler would
// otherwise use MarshalJSON, which writes them).
func (c Connection) LogValue() slog.Value {
	var kind CredentialsType
	if c.Credentials != nil {
		kind = c.Credentials.CredentialsType()
	}
	return slog.GroupValue(
		slog.Int64("id", c.ID),
		slog.String("connection_id", c.ConnectionID),
		slog.String("provider_config_key", c.ProviderConfigKey),
		slog.String("provider", c.Provider),
		slog.String("credentials", redactedString(kind)),
	)
}
