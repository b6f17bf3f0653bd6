package nango

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"golang.org/x/oauth2"
)

// ErrUnsupportedCredentials: the connection's credentials are not of a kind
// the call can use (TokenSource and HTTPClient need a bearer token: OAUTH2,
// OAUTH2_CC or APP).
var ErrUnsupportedCredentials = errors.New("nango: unsupported credentials")

// UnsupportedCredentialsError says which kind the connection had.
type UnsupportedCredentialsError struct {
	Type CredentialsType
	Want string
}

func (e *UnsupportedCredentialsError) Error() string {
	return fmt.Sprintf("nango: %s credentials cannot serve as %s", e.Type, e.Want)
}

func (e *UnsupportedCredentialsError) Is(target error) bool {
	return target == ErrUnsupportedCredentials
}

// TokenSourceMaxAge caps the Expiry of the tokens TokenSource returns. A
// wrapper that reuses tokens until they expire (oauth2.ReuseTokenSource,
// oauth2.NewClient) then asks Nango again after at most this long, even for
// a token the provider says lasts hours: Nango may have refreshed or revoked
// it in the meantime.
const TokenSourceMaxAge = 5 * time.Minute

type tokenSource struct {
	ctx     context.Context
	c       *Client
	key, id string
	opts    []GetOption
}

// TokenSource returns an oauth2.TokenSource that reads the connection's
// token from Nango on every call (Nango refreshes it), on ctx: the
// oauth2.TokenSource interface has no per-call context, so ctx bounds every
// read (use HTTPClient for reads bound by each request's context). Expiry is the token's
// expires_at capped to TokenSourceMaxAge from now. A connection whose
// credentials carry no bearer token gives an error matching
// ErrUnsupportedCredentials.
//
// The trade-off: used directly, as HTTPClient does, every request to the
// provider first asks Nango, which is Nango's advice and always current.
// Wrapped in oauth2.ReuseTokenSource, a token is reused for up to
// TokenSourceMaxAge, which saves calls to Nango but may use a token Nango
// has since replaced.
func (c *Client) TokenSource(ctx context.Context, providerConfigKey, connectionID string, opts ...GetOption) oauth2.TokenSource {
	return &tokenSource{ctx: ctx, c: c, key: providerConfigKey, id: connectionID, opts: opts}
}

// Token reads the token on the context given to TokenSource: the
// oauth2.TokenSource interface carries no context of its own.
func (s *tokenSource) Token() (*oauth2.Token, error) { return s.token(s.ctx) }

func (s *tokenSource) token(ctx context.Context) (*oauth2.Token, error) {
	tok, err := s.c.GetToken(ctx, s.key, s.id, s.opts...)
	if err != nil {
		return nil, err
	}
	switch tok.Type {
	case TypeOAuth2, TypeOAuth2CC, TypeApp:
	default:
		return nil, &UnsupportedCredentialsError{Type: tok.Type, Want: "an OAuth 2 bearer token"}
	}
	expiry := time.Now().Add(TokenSourceMaxAge)
	if tok.ExpiresAt != nil && tok.ExpiresAt.Before(expiry) {
		expiry = *tok.ExpiresAt
	}
	return &oauth2.Token{AccessToken: tok.AccessToken, TokenType: "Bearer", Expiry: expiry}, nil
}

// HTTPClient returns an *http.Client for the provider's API that sends the
// connection's current token with every request: each request first reads
// the token from Nango (concurrent requests share that read), bounded by
// that request's own context, so a request with a short deadline never waits
// longer on Nango. ctx is the client's lifetime: once it is done, requests
// fail without asking Nango. base supplies the transport (nil:
// http.DefaultTransport); its Timeout is kept.
func (c *Client) HTTPClient(ctx context.Context, providerConfigKey, connectionID string, base *http.Client, opts ...GetOption) *http.Client {
	var rt http.RoundTripper = http.DefaultTransport
	var timeout time.Duration
	if base != nil {
		if base.Transport != nil {
			rt = base.Transport
		}
		timeout = base.Timeout
	}
	return &http.Client{
		Transport: &bearerTransport{life: ctx, src: &tokenSource{c: c, key: providerConfigKey, id: connectionID, opts: opts}, base: rt},
		Timeout:   timeout,
	}
}

// bearerTransport is oauth2.Transport with one difference that matters on a
// request path: the token is read on the outgoing request's context.
type bearerTransport struct {
	life context.Context
	src  *tokenSource
	base http.RoundTripper
}

func (t *bearerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	fail := func(err error) (*http.Response, error) {
		// A RoundTripper owns the body, even when it sends nothing.
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	if t.life != nil {
		if err := t.life.Err(); err != nil {
			return fail(err)
		}
	}
	tok, err := t.src.token(req.Context())
	if err != nil {
		return fail(err)
	}
	out := req.Clone(req.Context()) // a RoundTripper must not change the caller's request
	out.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	return t.base.RoundTrip(out)
}
