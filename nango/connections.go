package nango

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/nango-go/sdk/gen"
)

// Connection is one end user's connection to one integration, with its
// credentials, as GET /connections/{connectionId} returns it. Every property
// of the spec's Connection schema is a field of the embedded gen.Connection
// (ID, ConnectionID, ProviderConfigKey, Provider, EndUser, Tags, Metadata,
// CreatedAt, …), so a property added to openapi.yaml reaches users after
// `go generate` alone. Credentials is the typed view of its credentials.
//
// A Connection prints no secret under any fmt verb or in slog (the
// connection config of some kinds holds OAuth client secrets too); use
// encoding/json for the full object.
type Connection struct {
	gen.Connection
	// Credentials are the connection's credentials, typed by kind (see
	// Credentials); nil when it has none (an unauthenticated integration, a
	// secret key without the read_credentials scope, a failed refresh).
	Credentials Credentials `json:"-"`
}

// The data types of the connection API, generated from openapi.yaml.
type (
	// ConnectionSummary is a connection as ListConnections returns it: no
	// credentials. ProviderConfigKey is set for servers of 2023 too (which
	// sent it as "provider").
	ConnectionSummary = gen.ConnectionSummary
	// ConnectionError is a problem Nango recorded on a connection.
	ConnectionError = gen.ConnectionError
	// EndUser is the end user a connection belongs to.
	EndUser = gen.EndUser
	// EndUserOrganization is the organization of an end user.
	EndUserOrganization = gen.EndUserOrganization
	// EndUserInput is an end user to attach on import or patch.
	EndUserInput = gen.EndUserInput
	// Tags are a connection's tags; TagsInput are tags to write.
	Tags      = gen.Tags
	TagsInput = gen.TagsInput
	// Metadata is a connection's free-form metadata.
	Metadata = gen.Metadata
)

// String shows who the connection is, never its credentials.
func (c Connection) String() string {
	var kind CredentialsType
	if c.Credentials != nil {
		kind = CredentialsType(c.Credentials.CredentialsType())
	}
	return fmt.Sprintf("nango.Connection{id: %d, connection_id: %q, provider_config_key: %q, provider: %q, credentials: %s}",
		c.ID, c.ConnectionID, c.ProviderConfigKey, c.Provider, redactedString(kind))
}

// Format applies String to every verb, %#v included.
func (c Connection) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// LogValue keeps the credentials out of slog output (the JSON handler would
// otherwise marshal them).
func (c Connection) LogValue() slog.Value {
	var kind CredentialsType
	if c.Credentials != nil {
		kind = CredentialsType(c.Credentials.CredentialsType())
	}
	return slog.GroupValue(
		slog.Int64("id", c.ID),
		slog.String("connection_id", c.ConnectionID),
		slog.String("provider_config_key", c.ProviderConfigKey),
		slog.String("provider", c.Provider),
		slog.String("credentials", redactedString(kind)),
	)
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
	// One allocation for the call and its options: this is every token
	// read's path.
	cc := &struct {
		call
		p getParams
	}{}
	p := &cc.p
	for _, o := range opts {
		if o != nil {
			o.applyGet(p)
		}
	}
	if c.legacyPaths && p.refreshGitHubAppJWT {
		return nil, invalidArgument("RefreshGitHubAppJWT needs today's /connections routes, not WithLegacyPaths")
	}
	cl := &cc.call
	*cl = call{method: http.MethodGet, maxBody: c.maxBody, idempotent: true, op: opGetConnection, req: p.req.callConfig()}
	route := "connections/"
	if c.legacyPaths {
		cl.op, route = opGetConnectionLegacy, "connection/"
	}
	cl.url = c.connectionURL(route, providerConfigKey, connectionID, p)
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
// /connections into the generated type, then types its credentials.
func decodeConnection(r reply) (*Connection, error) {
	conn := &Connection{}
	if err := json.Unmarshal(r.body, &conn.Connection); err != nil {
		return nil, r.malformed("connection", err)
	}
	if conn.ConnectionID == "" || conn.ProviderConfigKey == "" {
		return nil, r.malformed("connection", errMissing("connection_id or provider_config_key"))
	}
	raw, err := conn.Connection.Credentials.MarshalJSON()
	if err != nil {
		return nil, r.malformed("connection", err)
	}
	if conn.Credentials, err = decodeCredentials(raw); err != nil {
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
			o.applyList(&p)
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
	var list gen.ConnectionList
	if err := json.Unmarshal(r.body, &list); err != nil {
		return nil, r.malformed("connection list", err)
	}
	if list.Connections == nil {
		return nil, r.malformed("connection list", errMissing("connections"))
	}
	for i := range list.Connections {
		s := &list.Connections[i]
		if s.ProviderConfigKey == "" {
			// Servers of 2023 put the provider config key in "provider" and
			// did not send the provider's name at all.
			s.ProviderConfigKey, s.Provider = s.Provider, ""
		}
	}
	return list.Connections, nil
}

// serverDefaultLimit is the page size of a list without limit (Nango
// answers up to 10,000 connections); maxListOffset the largest offset, page
// × limit, its server computes exactly (Number.MAX_SAFE_INTEGER).
const (
	serverDefaultLimit = 10_000
	maxListOffset      = 1<<53 - 1
)

func (c *Client) listCall(p *listParams) (*call, error) {
	if p.hasLimit && (p.limit < 1 || p.limit > 2000) {
		return nil, invalidArgument("PageSize(%d): the server takes 1 to 2000", p.limit)
	}
	if p.hasPage && p.page < 0 {
		return nil, invalidArgument("Page(%d): pages count from 0", p.page)
	}
	if p.hasPage {
		// The server skips page × limit connections, a product it computes
		// in a float64 and never checks: past 2^53 − 1 its query fails with
		// a 500 (which would be retried). Divided, not multiplied, so that
		// the check cannot overflow (int64: ints are 32 bits on some platforms).
		limit := serverDefaultLimit
		if p.hasLimit {
			limit = p.limit
		}
		if int64(p.page) > maxListOffset/int64(limit) {
			return nil, invalidArgument("Page(%d): with pages of %d the offset passes 2^53 - 1, past what Nango's server can skip", p.page, limit)
		}
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
		ConnectionID: optString(p.connectionID), Search: optString(p.search),
		EndUserID: optString(p.endUserID), EndUserOrganizationID: optString(p.endUserOrgID),
	}
	if len(p.integrationIDs) > 0 {
		s := strings.Join(p.integrationIDs, ",")
		params.IntegrationID = &s
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
	cl := &call{method: http.MethodGet, maxBody: c.maxListBody, idempotent: true, req: p.req.callConfig()}
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
