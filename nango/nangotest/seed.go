package nangotest

import "encoding/json"

// Conn is a connection to Put: fields in the server's JSON names.
type Conn map[string]any

// OAuth2 is an OAUTH2 connection with an access token.
func OAuth2(providerConfigKey, connectionID, accessToken string) Conn {
	creds := map[string]any{"type": "OAUTH2", "access_token": accessToken,
		"expires_at": "2030-01-01T00:00:00.000Z",
		"raw":        map[string]any{"access_token": accessToken, "token_type": "bearer", "scope": "repo,user"}}
	return Conn{"provider_config_key": providerConfigKey, "connection_id": connectionID, "credentials": creds}
}

// OAuth1 is an OAUTH1 connection.
func OAuth1(providerConfigKey, connectionID, token, secret string) Conn {
	creds := map[string]any{"type": "OAUTH1", "oauth_token": token, "oauth_token_secret": secret,
		"raw": map[string]any{"oauth_token": token, "oauth_token_secret": secret}}
	return Conn{"provider_config_key": providerConfigKey, "connection_id": connectionID, "credentials": creds}
}

// APIKey is an API_KEY connection.
func APIKey(providerConfigKey, connectionID, key string) Conn {
	return Conn{"provider_config_key": providerConfigKey, "connection_id": connectionID,
		"credentials": map[string]any{"type": "API_KEY", "apiKey": key}}
}

// With returns a copy of c with a field set (e.g. "tags", "metadata",
// "provider", "end_user").
func (c Conn) With(field string, value any) Conn {
	b, _ := json.Marshal(c)
	var out Conn
	_ = json.Unmarshal(b, &out)
	out[field] = value
	return out
}

// SeedDemo loads the demo connections `nango serve` starts with: OAuth 2,
// OAuth 1, an API key, and an id holding "/" and "@".
func (f *Fake) SeedDemo() {
	f.AddIntegration("github", "github", "OAUTH2")
	f.AddIntegration("twitter", "twitter", "OAUTH1")
	f.AddIntegration("sendgrid", "sendgrid", "API_KEY")
	f.MustPut(OAuth2("github", "user-1", "gho_demo_access_token_1").
		With("tags", map[string]any{"team": "core"}).
		With("metadata", map[string]any{"plan": "pro"}).
		With("end_user", map[string]any{"id": "eu-1", "email": "ada@example.com", "display_name": "Ada"}))
	f.MustPut(OAuth1("twitter", "user-1", "demo-oauth1-token", "demo-oauth1-secret"))
	f.MustPut(APIKey("sendgrid", "acme-mail", "SG.demo-api-key"))
	f.MustPut(OAuth2("github", "org/acme@example.com", "gho_demo_access_token_2"))
}
