package nango

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"
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
	// Only the credentials are needed, decoded in the same pass that reads
	// the body: the rest of the connection would cost allocations on the
	// hottest call of the SDK.
	var w struct {
		Credentials *wireCredentials `json:"credentials"`
	}
	if err := json.Unmarshal(r.body, &w); err != nil {
		return Token{}, r.malformed("connection", err)
	}
	var creds Credentials
	if w.Credentials != nil {
		if creds, err = w.Credentials.typed(func() json.RawMessage { return credentialsObject(r.body) }); err != nil {
			return Token{}, r.malformed("connection", err)
		}
	}
	return tokenOf(r, creds)
}

func tokenOf(r reply, creds Credentials) (Token, error) {
	if creds == nil {
		return Token{}, fmt.Errorf("%w (an unauthenticated integration, or a secret key without the read_credentials scope)", ErrNoCredentials)
	}
	t := Token{Type: creds.CredentialsType(), Credentials: creds}
	missing := ""
	switch v := creds.(type) {
	case *OAuth2Credentials:
		t.AccessToken, t.ExpiresAt = v.AccessToken, v.ExpiresAt
		if v.AccessToken == "" {
			missing = "access_token"
		}
	case *OAuth2ClientCredentials:
		t.AccessToken, t.ExpiresAt = v.Token, v.ExpiresAt
		if v.Token == "" {
			missing = "token"
		}
	case *AppCredentials:
		t.AccessToken, t.ExpiresAt = v.AccessToken, v.ExpiresAt
		if v.AccessToken == "" {
			missing = "access_token"
		}
	case *OAuth1Credentials:
		t.OAuthToken, t.OAuthTokenSecret = v.OAuthToken, v.OAuthTokenSecret
		if v.OAuthToken == "" || v.OAuthTokenSecret == "" {
			missing = "oauth_token or oauth_token_secret"
		}
	case *TwoStepCredentials:
		t.ExpiresAt = v.ExpiresAt
	case *JWTCredentials:
		t.ExpiresAt = v.ExpiresAt
	case *SignatureCredentials:
		t.ExpiresAt = v.ExpiresAt
	case *BillCredentials:
		t.ExpiresAt = v.ExpiresAt
	case *AWSSigV4Credentials:
		t.ExpiresAt = v.ExpiresAt
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
	var w struct {
		Credentials *struct {
			Raw json.RawMessage `json:"raw"`
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

func errMissing(field string) error { return fmt.Errorf("no %q field", field) }

// MarshalJSON writes the token as the Node SDK's getToken returns it for
// kinds other than OAuth 2: the credentials object, with its "type". It is
// explicit output (the CLI's), unlike fmt and slog, which redact.
func (t Token) MarshalJSON() ([]byte, error) {
	return marshalCredentials(t.Credentials)
}
