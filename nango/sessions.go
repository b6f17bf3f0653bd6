package nango

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"unicode/utf8"

	"github.com/nango-go/sdk/gen"
)

// Connect sessions start an end user's authorization in Nango's Connect UI.
// A session is created with the secret key and read or deleted with its own
// token, as the Connect UI does.

const (
	opCreateConnectSession   = "POST /connect/sessions"
	opCreateReconnectSession = "POST /connect/sessions/reconnect"
	opGetConnectSession      = "GET /connect/session"
	opDeleteConnectSession   = "DELETE /connect/session"
)

// The types of connect sessions, generated from openapi.yaml.
type (
	// ConnectSessionRequest is a session to create: an end user, or tags
	// alone, and optionally the integrations the user may connect to.
	ConnectSessionRequest = gen.ConnectSessionRequest
	// ReconnectSessionRequest is a session that re-authorizes an existing
	// connection (ConnectionID and IntegrationID are required).
	ReconnectSessionRequest = gen.ReconnectSessionRequest
	// ConnectSession is a created session: its token for the frontend's
	// Connect UI, a link to the hosted Connect UI, and its expiry. The token
	// is a credential: a ConnectSession prints redacted under every fmt verb
	// and in slog; read the fields to hand them on.
	ConnectSession = gen.ConnectSession
	// ConnectSessionDetails is a session as the Connect UI reads it.
	ConnectSessionDetails = gen.ConnectSessionDetails
	// ConnectSessionOrganization is the organization of a session's end user.
	ConnectSessionOrganization = gen.ConnectSessionOrganization
	// IntegrationConfigDefaults are one integration's authorization
	// defaults in a session (user scopes, authorization parameters).
	IntegrationConfigDefaults = gen.IntegrationConfigDefaults
	// ConnectSessionOverride overrides the Connect UI for one integration.
	ConnectSessionOverride = gen.ConnectSessionOverride
)

// CreateConnectSession creates a connect session (Node:
// createConnectSession). Give the returned token to your frontend, which
// opens Nango's Connect UI with it, or send the end user the connect link.
// The session lasts 30 minutes.
//
// Every call makes a new session, so a failed call is never retried once
// the request may have reached Nango. A request Nango would refuse for
// certain (no end user and no tags, a bad tag, an empty end user id) is an
// error matching ErrInvalidArgument, and nothing is sent.
func (c *Client) CreateConnectSession(ctx context.Context, req ConnectSessionRequest, opts ...RequestOption) (*ConnectSession, error) {
	const what = "CreateConnectSession"
	if req.EndUser == nil && (req.Tags == nil || len(*req.Tags) == 0) {
		return nil, invalidArgument("%s: need an end user or tags", what)
	}
	if err := checkSessionCommon(what, req.EndUser, req.Organization, deref(req.Tags), deref(req.WebhookURLOverride)); err != nil {
		return nil, err
	}
	for _, key := range req.AllowedIntegrations {
		if err := checkID("allowed integration", key); err != nil {
			return nil, err
		}
	}
	body, err := json.Marshal(exportedFields(req))
	if err != nil {
		return nil, invalidArgument("%s: %v", what, err)
	}
	return c.createSession(ctx, &call{method: http.MethodPost, op: opCreateConnectSession, maxBody: c.maxBody, req: requestConfigOf(opts),
		build: func(server string) (*http.Request, error) {
			return gen.NewCreateConnectSessionRequestWithBody(server, jsonContentType, bytes.NewReader(body))
		}})
}

// CreateReconnectSession creates a session that re-authorizes an existing
// connection, for when its credentials stopped working (Node:
// createReconnectSession). Like CreateConnectSession, it is never retried
// once the request may have reached Nango. An unknown connection or
// integration is Nango's 400 invalid_body.
func (c *Client) CreateReconnectSession(ctx context.Context, req ReconnectSessionRequest, opts ...RequestOption) (*ConnectSession, error) {
	const what = "CreateReconnectSession"
	if err := checkID("connection id", req.ConnectionID); err != nil {
		return nil, err
	}
	if err := checkID("integration id", req.IntegrationID); err != nil {
		return nil, err
	}
	if err := checkSessionCommon(what, req.EndUser, req.Organization, req.Tags, deref(req.WebhookURLOverride)); err != nil {
		return nil, err
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, invalidArgument("%s: %v", what, err)
	}
	return c.createSession(ctx, &call{method: http.MethodPost, op: opCreateReconnectSession, maxBody: c.maxBody, req: requestConfigOf(opts),
		build: func(server string) (*http.Request, error) {
			return gen.NewCreateReconnectSessionRequestWithBody(server, jsonContentType, bytes.NewReader(body))
		}})
}

// createSession sends a session creation (never retried once sent: the
// call is not idempotent) and decodes the session.
func (c *Client) createSession(ctx context.Context, cl *call) (*ConnectSession, error) {
	r, err := c.do(ctx, cl)
	if err != nil {
		return nil, err
	}
	var out gen.ConnectSessionResponse
	if err := json.Unmarshal(r.body, &out); err != nil {
		return nil, r.malformed("connect session", err)
	}
	if out.Data.Token == "" || out.Data.ExpiresAt.IsZero() {
		return nil, r.malformed("connect session", errMissing("token or expires_at"))
	}
	return &out.Data, nil
}

// GetConnectSession reads the session of a session token, as the Connect
// UI does: the request carries the token, not the secret key. Nango
// refuses the token of an expired or deleted session; the error is the
// *APIError of its answer.
func (c *Client) GetConnectSession(ctx context.Context, sessionToken string, opts ...RequestOption) (*ConnectSessionDetails, error) {
	auth, err := sessionAuth(sessionToken)
	if err != nil {
		return nil, err
	}
	// build, not url: reads of different tokens share one URL and must not
	// be merged.
	r, err := c.do(ctx, &call{method: http.MethodGet, op: opGetConnectSession, maxBody: c.maxBody, idempotent: true, auth: auth, req: requestConfigOf(opts),
		build: func(server string) (*http.Request, error) { return gen.NewGetConnectSessionRequest(server) }})
	if err != nil {
		return nil, err
	}
	var out struct {
		Data *ConnectSessionDetails `json:"data"`
	}
	if err := json.Unmarshal(r.body, &out); err != nil {
		return nil, r.malformed("connect session", err)
	}
	if out.Data == nil {
		return nil, r.malformed("connect session", errMissing("data"))
	}
	return out.Data, nil
}

// DeleteConnectSession ends the session of a session token before it
// expires, so that the token can no longer start an authorization. The
// request carries the token, not the secret key.
func (c *Client) DeleteConnectSession(ctx context.Context, sessionToken string, opts ...RequestOption) error {
	auth, err := sessionAuth(sessionToken)
	if err != nil {
		return err
	}
	_, err = c.do(ctx, &call{method: http.MethodDelete, op: opDeleteConnectSession, maxBody: c.maxBody, anyBody: true, auth: auth, req: requestConfigOf(opts),
		build: func(server string) (*http.Request, error) { return gen.NewDeleteConnectSessionRequest(server) }})
	return err
}

// sessionAuth is the Authorization header of a session token. The error
// never quotes the token.
func sessionAuth(token string) ([]string, error) {
	if token == "" {
		return nil, invalidArgument("empty session token")
	}
	for i := 0; i < len(token); i++ {
		if b := token[i]; b <= ' ' || b >= 0x7f {
			return nil, invalidArgument("session token holds a byte (%#x at %d) no token has", b, i)
		}
	}
	return []string{"Bearer " + token}, nil
}

// exportedFields copies the exported fields of a generated struct into a
// fresh value. The generated ConnectSessionRequest (a union, for the spec's
// "end_user or tags" rule) keeps the JSON it was decoded from and sends it
// again under the fields: a field the caller cleared after decoding would
// come back.
func exportedFields[T any](v T) T {
	var out T
	src, dst := reflect.ValueOf(v), reflect.ValueOf(&out).Elem()
	for i := range src.NumField() {
		if src.Type().Field(i).IsExported() {
			dst.Field(i).Set(src.Field(i))
		}
	}
	return out
}

// deref is the value of an optional field, or its zero value.
func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// webhookURLPattern is the spec's WebhookURLOverride: a scheme, "://" and
// no white space.
var webhookURLPattern = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*://[^\s]+$`)

// checkEndUserInput checks an end user of a session, an import or a patch
// (nil: none) to the rules of Nango's schema for it.
func checkEndUserInput(what string, endUser *gen.EndUserInput) error {
	if endUser == nil {
		return nil
	}
	switch n := utf8.RuneCountInString(endUser.ID); {
	case endUser.ID == "":
		return invalidArgument("%s: empty end user id", what)
	case n > maxIDLength:
		return invalidArgument("%s: end user id of %d characters, over the limit of %d", what, n, maxIDLength)
	}
	if n := utf8.RuneCountInString(endUser.DisplayName); n > maxIDLength {
		return invalidArgument("%s: end user display name of %d characters, over the limit of %d", what, n, maxIDLength)
	}
	return checkTags(what+": end user", endUser.Tags)
}

// checkSessionCommon checks what both kinds of session hold, to the rules
// Nango's schema states.
func checkSessionCommon(what string, endUser *gen.EndUserInput, org *gen.ConnectSessionOrganization, tags gen.TagsInput, webhookURL string) error {
	if err := checkEndUserInput(what, endUser); err != nil {
		return err
	}
	if org != nil {
		if n := utf8.RuneCountInString(org.ID); n > maxIDLength {
			return invalidArgument("%s: organization id of %d characters, over the limit of %d", what, n, maxIDLength)
		}
		if n := utf8.RuneCountInString(org.DisplayName); n > maxIDLength {
			return invalidArgument("%s: organization display name of %d characters, over the limit of %d", what, n, maxIDLength)
		}
	}
	if err := checkTags(what, tags); err != nil {
		return err
	}
	if webhookURL != "" && !webhookURLPattern.MatchString(webhookURL) {
		return invalidArgument("%s: webhook URL override %q is not an absolute URL", what, webhookURL)
	}
	return nil
}
