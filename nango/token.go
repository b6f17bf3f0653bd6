package nango

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/nango-go/sdk/gen"
)

// Token is what GetToken returns: the secret to authenticate with the
// provider's API, typed by the connection's kind.
//
// For OAUTH2 (and OAUTH2_CC and APP, which also carry a bearer token)
// AccessToken is set; for OAUTH1, OAuthToken and OAuthTokenSecret. For every
// kind, Credentials holds the full typed credentials. A Token never prints its
// secrets with fmt or slog.
type Token struct {
	Type             CredentialsType
	AccessToken      string
	OAuthToken       string
	OAuthTokenSecret string
	// ExpiresAt is when the access token expires, when the provider said.
	ExpiresAt   *time.Time
	Credentials Credentials
}

// String shows the kind and expiry only.
func (t Token) String() string {
	s := "nango.Token{type: " + string(t.Type) + ", secrets redacted"
	if t.ExpiresAt != nil {
		s += ", expires: " + t.ExpiresAt.UTC().Format(time.RFC3339)
	}
	return s + "}"
}

// Format applies String to every verb, %#v included.
func (t Token) Format(f fmt.State, _ rune) { io.WriteString(f, t.String()) }

// LogValue keeps the token out of slog output, whatever the handler.
func (t Token) LogValue() slog.Value { return slog.StringValue(t.String()) }

// GetToken returns a fresh token for the connection. Nango refreshes an
// expired OAuth token before answering, and the SDK keeps nothing: call it
// before each use rather than storing the result.
//
// A connection without credentials is ErrNoCredentials; an OAuth connection
// whose token is missing is an error matching ErrUnexpectedResponse. A kind of
// credentials this SDK does not know yet is returned as *UnknownCredentials
// with Type set, not as an error.
func (c *Client) GetToken(ctx context.Context, providerConfigKey, connectionID string, opts ...GetOption) (Token, error) {
	r, err := c.readConnection(ctx, providerConfigKey, connectionID, opts)
	if err != nil {
		return Token{}, err
	}
	return decodeToken(r)
}

// decodeToken reads a token from the body of GET /connections/{id}.
func decodeToken(r reply) (Token, error) {
	// Most connections are OAuth 2: check the body and find its connection
	// id and credentials in one pass (scanConnection), decode the
	// credentials alone into the generated OAuth2Credentials, and keep the
	// result when the kind says it is one. Anything else (a body
	// scanConnection leaves to encoding/json, another kind, a body neither
	// decodes) takes the general path, which also reports errors and reads
	// the kind from the exact "type" key as GetConnection does (decoding
	// into OAuth2Credentials would also take "TYPE", which scanConnection
	// therefore declines). TestDecodeTokenFastPath and FuzzDecodeToken hold
	// the answers to those of the full decode.
	oc := new(gen.OAuth2Credentials)
	fast := false
	if id, raw, ok := scanConnection(r.body); ok {
		fast = len(id) > len(`""`) && id[0] == '"' && len(raw) > 0 && raw[0] == '{' && json.Unmarshal(raw, oc) == nil
	}
	if fast && string(oc.Type) == string(TypeOAuth2) {
		if oc.AccessToken == "" {
			return tokenOf(r, *oc) // which reports it
		}
		t := Token{Type: TypeOAuth2, AccessToken: oc.AccessToken, Credentials: *oc}
		if !oc.ExpiresAt.IsZero() {
			// oc is on the heap already (Unmarshal took its address): point
			// into it rather than allocate again.
			t.ExpiresAt = &oc.ExpiresAt
		}
		return t, nil
	}
	return decodeTokenFull(r)
}

// decodeTokenFull is decodeToken's general path, and the reference its fast
// path is held to: the body by encoding/json, the credentials by
// decodeCredentials (GetConnection's reading). Only the credentials are
// needed: the rest of the connection would cost allocations on the hottest
// call of the SDK. The name is gen.Connection's (TestTokenProjection).
func decodeTokenFull(r reply) (Token, error) {
	var w struct {
		ConnectionID string          `json:"connection_id"`
		Credentials  json.RawMessage `json:"credentials"`
	}
	if err := json.Unmarshal(r.body, &w); err != nil {
		return Token{}, r.malformed("connection", err)
	}
	if w.ConnectionID == "" {
		return Token{}, r.malformed("connection", errMissing("connection_id"))
	}
	creds, err := decodeCredentials(w.Credentials)
	if err != nil {
		return Token{}, r.malformed("connection", err)
	}
	return tokenOf(r, creds)
}

func tokenOf(r reply, creds Credentials) (Token, error) {
	if creds == nil {
		return Token{}, fmt.Errorf("%w (an unauthenticated integration, or a secret key without the read_credentials scope)", ErrNoCredentials)
	}
	t := Token{Type: CredentialsType(creds.CredentialsType()), Credentials: creds}
	missing := ""
	switch v := creds.(type) {
	case OAuth2Credentials:
		t.AccessToken, t.ExpiresAt = v.AccessToken, timePtr(v.ExpiresAt)
		if v.AccessToken == "" {
			missing = "access_token"
		}
	case OAuth2ClientCredentials:
		t.AccessToken, t.ExpiresAt = v.Token, timePtr(v.ExpiresAt)
		if v.Token == "" {
			missing = "token"
		}
	case AppCredentials:
		t.AccessToken, t.ExpiresAt = v.AccessToken, timePtr(v.ExpiresAt)
		if v.AccessToken == "" {
			missing = "access_token"
		}
	case OAuth1Credentials:
		t.OAuthToken, t.OAuthTokenSecret = v.OAuthToken, v.OAuthTokenSecret
		if v.OAuthToken == "" || v.OAuthTokenSecret == "" {
			missing = "oauth_token or oauth_token_secret"
		}
	case TwoStepCredentials:
		t.ExpiresAt = timePtr(v.ExpiresAt)
	case JWTCredentials:
		t.ExpiresAt = timePtr(v.ExpiresAt)
	case SignatureCredentials:
		t.ExpiresAt = timePtr(v.ExpiresAt)
	case BillCredentials:
		t.ExpiresAt = timePtr(v.ExpiresAt)
	case AWSSigV4Credentials:
		t.ExpiresAt = timePtr(v.ExpiresAt)
	}
	if missing != "" {
		return Token{}, &UnexpectedResponseError{Operation: r.op, StatusCode: r.status,
			Reason: fmt.Sprintf("%s credentials without %s", t.Type, missing)}
	}
	return t, nil
}

// ErrNoRawTokenResponse: the connection's kind of credentials has no raw
// token response (API_KEY, BASIC, …).
var ErrNoRawTokenResponse = errors.New("nango: connection has no raw token response")

// GetRawTokenResponse returns the provider's raw token response (the
// credentials' "raw" object) byte for byte as Nango sent it.
func (c *Client) GetRawTokenResponse(ctx context.Context, providerConfigKey, connectionID string, opts ...GetOption) (json.RawMessage, error) {
	r, err := c.readConnection(ctx, providerConfigKey, connectionID, opts)
	if err != nil {
		return nil, err
	}
	// "raw" of whatever kind: the projection names gen's property
	// (TestTokenProjection).
	var w struct {
		Credentials *struct {
			Raw gen.RawTokenResponse `json:"raw"`
		} `json:"credentials"`
	}
	if err := json.Unmarshal(r.body, &w); err != nil {
		return nil, r.malformed("connection", err)
	}
	if w.Credentials == nil || len(nonNull(w.Credentials.Raw)) == 0 {
		return nil, ErrNoRawTokenResponse
	}
	return w.Credentials.Raw, nil
}

// timePtr turns the zero time of an absent optional timestamp into nil.
func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func errMissing(field string) error { return decodeErrorf("no %s", field) }

// MarshalJSON writes the token as the Node SDK's getToken returns it for
// kinds other than OAuth 2: the credentials object, with its "type". It is
// explicit output (the CLI's), unlike fmt and slog, which redact.
func (t Token) MarshalJSON() ([]byte, error) {
	if t.Credentials == nil {
		return []byte("{}"), nil
	}
	return json.Marshal(t.Credentials)
}
