package nangotest

import (
	"encoding/json"
	"maps"
	"time"

	"github.com/nango-go/sdk/gen"
	"github.com/nango-go/sdk/nango"
)

// A ConnOption sets a field of a connection that Conn and the constructors
// of each credential kind build: Tags, Metadata, EndUser, Provider or
// Expires.
type ConnOption interface{ apply(*nango.Connection) }

// Tags are the connection's tags (keys are stored lower-cased, as Nango
// does).
type Tags map[string]string

// Metadata is the connection's metadata.
type Metadata map[string]any

// EndUser is the end user the connection belongs to. As on an import, its
// id, email, display name and tags are also copied into the connection's
// tags (end_user_id, end_user_email, end_user_display_name).
type EndUser nango.EndUser

// Provider is the provider of the connection's integration (default: the
// integration's, else the provider config key).
type Provider string

type optionFunc func(*nango.Connection)

func (o optionFunc) apply(c *nango.Connection) { o(c) }

func (t Tags) apply(c *nango.Connection) {
	merged := orEmpty(maps.Clone(c.Tags))
	for k, v := range t {
		merged[lowerASCII(k)] = v
	}
	c.Tags = merged
}

func (m Metadata) apply(c *nango.Connection) {
	merged := orEmpty(maps.Clone(c.Metadata))
	maps.Copy(merged, m)
	c.Metadata = merged
}

func (p Provider) apply(c *nango.Connection) { c.Provider = string(p) }

func (e EndUser) apply(c *nango.Connection) {
	eu := nango.EndUser(e)
	c.EndUser = &eu
	tags := endUserTags(&gen.EndUserInput{ID: eu.ID, Email: eu.Email, DisplayName: eu.DisplayName, Tags: eu.Tags})
	Tags(tags).apply(c)
}

// Expires sets when the credentials expire (OAUTH2 and the other kinds with
// an expires_at); without it, they never do.
func Expires(at time.Time) ConnOption {
	return optionFunc(func(c *nango.Connection) {
		switch v := c.Credentials.(type) {
		case nango.OAuth2Credentials:
			v.ExpiresAt = at
			c.Credentials = v
		case nango.OAuth2ClientCredentials:
			v.ExpiresAt = at
			c.Credentials = v
		case nango.AppCredentials:
			v.ExpiresAt = at
			c.Credentials = v
		case nango.JWTCredentials:
			v.ExpiresAt = at
			c.Credentials = v
		}
	})
}

// Conn is a connection with the given credentials (nil for an
// unauthenticated one, which reads as `"credentials": {}`), for Put.
func Conn(providerConfigKey, connectionID string, creds nango.Credentials, opts ...ConnOption) nango.Connection {
	c := nango.Connection{Connection: gen.Connection{ProviderConfigKey: providerConfigKey, ConnectionID: connectionID}, Credentials: creds}
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	// The JSON of the connection carries the credentials too, for callers
	// that encode it (seed files for `nango serve --data`).
	if c.Credentials != nil {
		if raw, err := credentialsJSON(c.Credentials); err == nil {
			_ = setCredentials(&c.Connection.Credentials, raw)
		}
	} else {
		_ = setCredentials(&c.Connection.Credentials, []byte("{}"))
	}
	return c
}

// rawOf is the provider's token response an OAuth credential carries.
func rawOf(v map[string]string) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}

// OAuth2 is an OAUTH2 connection with an access token that does not expire
// (see Expires) and no refresh token.
func OAuth2(providerConfigKey, connectionID, accessToken string, opts ...ConnOption) nango.Connection {
	creds := nango.OAuth2Credentials{Type: "OAUTH2", AccessToken: accessToken,
		Raw: rawOf(map[string]string{"access_token": accessToken, "token_type": "bearer"})}
	return Conn(providerConfigKey, connectionID, creds, opts...)
}

// ExpiredOAuth2 is an OAUTH2 connection whose access token expired (in
// 2000) and that has a refresh token: with WithRefresher, the next read
// refreshes it, as Nango would.
func ExpiredOAuth2(providerConfigKey, connectionID, accessToken, refreshToken string, opts ...ConnOption) nango.Connection {
	expired := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	creds := nango.OAuth2Credentials{Type: "OAUTH2", AccessToken: accessToken, RefreshToken: refreshToken, ExpiresAt: expired,
		Raw: rawOf(map[string]string{"access_token": accessToken, "refresh_token": refreshToken, "token_type": "bearer"})}
	return Conn(providerConfigKey, connectionID, creds, opts...)
}

// OAuth1 is an OAUTH1 connection.
func OAuth1(providerConfigKey, connectionID, token, secret string, opts ...ConnOption) nango.Connection {
	creds := nango.OAuth1Credentials{Type: "OAUTH1", OAuthToken: token, OAuthTokenSecret: secret,
		Raw: rawOf(map[string]string{"oauth_token": token, "oauth_token_secret": secret})}
	return Conn(providerConfigKey, connectionID, creds, opts...)
}

// OAuth2CC is an OAUTH2_CC (client credentials) connection.
func OAuth2CC(providerConfigKey, connectionID, token, clientID, clientSecret string, opts ...ConnOption) nango.Connection {
	creds := nango.OAuth2ClientCredentials{Type: "OAUTH2_CC", Token: token, ClientID: clientID, ClientSecret: clientSecret}
	return Conn(providerConfigKey, connectionID, creds, opts...)
}

// APIKey is an API_KEY connection.
func APIKey(providerConfigKey, connectionID, apiKey string, opts ...ConnOption) nango.Connection {
	return Conn(providerConfigKey, connectionID, nango.APIKeyCredentials{Type: "API_KEY", APIKey: apiKey}, opts...)
}

// Basic is a BASIC connection.
func Basic(providerConfigKey, connectionID, username, password string, opts ...ConnOption) nango.Connection {
	return Conn(providerConfigKey, connectionID, nango.BasicCredentials{Type: "BASIC", Username: username, Password: password}, opts...)
}

// App is an APP (GitHub App installation) connection with its token.
func App(providerConfigKey, connectionID, accessToken string, opts ...ConnOption) nango.Connection {
	return Conn(providerConfigKey, connectionID, nango.AppCredentials{Type: "APP", AccessToken: accessToken}, opts...)
}

// Custom is a CUSTOM connection (a GitHub App with a user token): the
// installation token, and the user's OAuth 2 token ("" for none).
func Custom(providerConfigKey, connectionID, appToken, userToken string, opts ...ConnOption) nango.Connection {
	creds := nango.CustomCredentials{Type: "CUSTOM", App: &nango.AppCredentials{Type: "APP", AccessToken: appToken}}
	if userToken != "" {
		creds.User = &nango.OAuth2Credentials{Type: "OAUTH2", AccessToken: userToken}
	}
	return Conn(providerConfigKey, connectionID, creds, opts...)
}

// JWT is a JWT connection.
func JWT(providerConfigKey, connectionID, token string, opts ...ConnOption) nango.Connection {
	return Conn(providerConfigKey, connectionID, nango.JWTCredentials{Type: "JWT", Token: token}, opts...)
}

// TBA is a TBA (NetSuite token-based auth) connection.
func TBA(providerConfigKey, connectionID, tokenID, tokenSecret string, opts ...ConnOption) nango.Connection {
	return Conn(providerConfigKey, connectionID, nango.TBACredentials{Type: "TBA", TokenID: tokenID, TokenSecret: tokenSecret}, opts...)
}

// TwoStep is a TWO_STEP connection.
func TwoStep(providerConfigKey, connectionID, token string, opts ...ConnOption) nango.Connection {
	return Conn(providerConfigKey, connectionID, nango.TwoStepCredentials{Type: "TWO_STEP", Token: token}, opts...)
}

// Signature is a SIGNATURE connection.
func Signature(providerConfigKey, connectionID, username, password string, opts ...ConnOption) nango.Connection {
	return Conn(providerConfigKey, connectionID, nango.SignatureCredentials{Type: "SIGNATURE", Username: username, Password: password}, opts...)
}

// Bill is a BILL connection.
func Bill(providerConfigKey, connectionID, username, password, organizationID, devKey string, opts ...ConnOption) nango.Connection {
	creds := nango.BillCredentials{Type: "BILL", Username: username, Password: password, OrganizationID: organizationID, DevKey: devKey}
	return Conn(providerConfigKey, connectionID, creds, opts...)
}

// AWSSigV4 is an AWS_SIGV4 connection.
func AWSSigV4(providerConfigKey, connectionID, accessKeyID, secretAccessKey string, opts ...ConnOption) nango.Connection {
	creds := nango.AWSSigV4Credentials{Type: "AWS_SIGV4", AccessKeyID: accessKeyID, SecretAccessKey: secretAccessKey}
	return Conn(providerConfigKey, connectionID, creds, opts...)
}

// Unauthenticated is a connection of an integration without auth (NONE):
// it reads as `"credentials": {}`.
func Unauthenticated(providerConfigKey, connectionID string, opts ...ConnOption) nango.Connection {
	return Conn(providerConfigKey, connectionID, nil, opts...)
}

func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// SeedDemo loads the demo connections `nango serve` starts with: OAuth 2,
// OAuth 1, an API key, and an id holding "/" and "@".
func (f *Fake) SeedDemo() {
	f.AddIntegration("github", "github", "OAUTH2")
	f.AddIntegration("twitter", "twitter", "OAUTH1")
	f.AddIntegration("sendgrid", "sendgrid", "API_KEY")
	f.MustPut(OAuth2("github", "user-1", "gho_demo_access_token_1",
		Tags{"team": "core"}, Metadata{"plan": "pro"},
		EndUser{ID: "eu-1", Email: "ada@example.com", DisplayName: "Ada"}))
	f.MustPut(OAuth1("twitter", "user-1", "demo-oauth1-token", "demo-oauth1-secret"))
	f.MustPut(APIKey("sendgrid", "acme-mail", "SG.demo-api-key"))
	f.MustPut(OAuth2("github", "org/acme@example.com", "gho_demo_access_token_2"))
}
