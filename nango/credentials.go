package nango

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"time"
)

// CredentialsType is the kind of a connection's credentials, as Nango names it.
type CredentialsType string

// The credential kinds Nango sends today. New kinds appear over time; they
// decode as *UnknownCredentials.
const (
	TypeOAuth2       CredentialsType = "OAUTH2"
	TypeOAuth1       CredentialsType = "OAUTH1"
	TypeOAuth2CC     CredentialsType = "OAUTH2_CC"
	TypeAPIKey       CredentialsType = "API_KEY"
	TypeBasic        CredentialsType = "BASIC"
	TypeApp          CredentialsType = "APP"
	TypeJWT          CredentialsType = "JWT"
	TypeTBA          CredentialsType = "TBA"
	TypeTwoStep      CredentialsType = "TWO_STEP"
	TypeSignature    CredentialsType = "SIGNATURE"
	TypeBill         CredentialsType = "BILL"
	TypeAWSSigV4     CredentialsType = "AWS_SIGV4"
	TypeCustom       CredentialsType = "CUSTOM"
	TypeUnauthorized CredentialsType = "" // no credentials ({}), see ErrNoCredentials
)

// Credentials is one of the concrete *XxxCredentials types of this package;
// switch on the type to read it. None of them prints its secrets with fmt or
// slog; encoding/json writes them out in full.
type Credentials interface {
	CredentialsType() CredentialsType
	isCredentials()
}

// OAuth2Credentials are the credentials of an OAUTH2 connection.
type OAuth2Credentials struct {
	AccessToken  string     `json:"access_token"`
	RefreshToken string     `json:"refresh_token,omitempty"` // only with IncludeRefreshToken
	ExpiresAt    *time.Time `json:"expires_at,omitempty"`
	// ConfigOverride holds per-connection OAuth client settings, if any.
	ConfigOverride map[string]any `json:"config_override,omitempty"`
	// Raw is the provider's token response, byte for byte.
	Raw json.RawMessage `json:"raw,omitempty"`
}

// OAuth1Credentials are the credentials of an OAUTH1 connection.
type OAuth1Credentials struct {
	OAuthToken       string          `json:"oauth_token"`
	OAuthTokenSecret string          `json:"oauth_token_secret"`
	Raw              json.RawMessage `json:"raw,omitempty"`
}

// OAuth2ClientCredentials are the credentials of an OAUTH2_CC (client
// credentials grant) connection.
type OAuth2ClientCredentials struct {
	Token        string          `json:"token"`
	ExpiresAt    *time.Time      `json:"expires_at,omitempty"`
	ClientID     string          `json:"client_id"`
	ClientSecret string          `json:"client_secret"`
	Raw          json.RawMessage `json:"raw,omitempty"`
}

// APIKeyCredentials are the credentials of an API_KEY connection.
type APIKeyCredentials struct {
	APIKey string `json:"apiKey"`
}

// BasicCredentials are the credentials of a BASIC connection.
type BasicCredentials struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// AppCredentials are the credentials of an APP (GitHub App) connection.
type AppCredentials struct {
	AccessToken string          `json:"access_token"`
	ExpiresAt   *time.Time      `json:"expires_at,omitempty"`
	JWTToken    string          `json:"jwtToken,omitempty"`
	Raw         json.RawMessage `json:"raw,omitempty"`
}

// JWTCredentials are the credentials of a JWT connection.
type JWTCredentials struct {
	Token     string     `json:"token,omitempty"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	// Object is the whole credentials object: JWT connections carry fields
	// that depend on the provider.
	Object json.RawMessage `json:"-"`
}

// TBACredentials are the credentials of a TBA (token-based auth) connection.
type TBACredentials struct {
	TokenID        string         `json:"token_id"`
	TokenSecret    string         `json:"token_secret"`
	ConfigOverride map[string]any `json:"config_override,omitempty"`
}

// TwoStepCredentials are the credentials of a TWO_STEP connection.
type TwoStepCredentials struct {
	Token        string          `json:"token,omitempty"`
	RefreshToken string          `json:"refresh_token,omitempty"`
	ExpiresAt    *time.Time      `json:"expires_at,omitempty"`
	Raw          json.RawMessage `json:"raw,omitempty"`
}

// SignatureCredentials are the credentials of a SIGNATURE connection.
type SignatureCredentials struct {
	Username  string     `json:"username"`
	Password  string     `json:"password"`
	Token     string     `json:"token,omitempty"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

// BillCredentials are the credentials of a BILL connection.
type BillCredentials struct {
	Username       string          `json:"username"`
	Password       string          `json:"password"`
	OrganizationID string          `json:"organization_id"`
	DevKey         string          `json:"dev_key"`
	SessionID      string          `json:"session_id,omitempty"`
	UserID         string          `json:"user_id,omitempty"`
	ExpiresAt      *time.Time      `json:"expires_at,omitempty"`
	Raw            json.RawMessage `json:"raw,omitempty"`
}

// AWSSigV4Credentials are the credentials of an AWS_SIGV4 connection.
type AWSSigV4Credentials struct {
	RoleARN         string          `json:"role_arn"`
	Region          string          `json:"region"`
	Service         string          `json:"service"`
	AccessKeyID     string          `json:"access_key_id"`
	SecretAccessKey string          `json:"secret_access_key"`
	SessionToken    string          `json:"session_token"`
	ExpiresAt       *time.Time      `json:"expires_at,omitempty"`
	Raw             json.RawMessage `json:"raw,omitempty"`
}

// CustomCredentials are the credentials of a CUSTOM connection.
type CustomCredentials struct {
	Raw json.RawMessage `json:"raw,omitempty"`
}

// UnknownCredentials holds credentials of a kind this SDK version does not
// know yet.
type UnknownCredentials struct {
	Type CredentialsType
	// Object is the whole credentials object as sent.
	Object json.RawMessage
}

func (*OAuth2Credentials) CredentialsType() CredentialsType       { return TypeOAuth2 }
func (*OAuth1Credentials) CredentialsType() CredentialsType       { return TypeOAuth1 }
func (*OAuth2ClientCredentials) CredentialsType() CredentialsType { return TypeOAuth2CC }
func (*APIKeyCredentials) CredentialsType() CredentialsType       { return TypeAPIKey }
func (*BasicCredentials) CredentialsType() CredentialsType        { return TypeBasic }
func (*AppCredentials) CredentialsType() CredentialsType          { return TypeApp }
func (*JWTCredentials) CredentialsType() CredentialsType          { return TypeJWT }
func (*TBACredentials) CredentialsType() CredentialsType          { return TypeTBA }
func (*TwoStepCredentials) CredentialsType() CredentialsType      { return TypeTwoStep }
func (*SignatureCredentials) CredentialsType() CredentialsType    { return TypeSignature }
func (*BillCredentials) CredentialsType() CredentialsType         { return TypeBill }
func (*AWSSigV4Credentials) CredentialsType() CredentialsType     { return TypeAWSSigV4 }
func (*CustomCredentials) CredentialsType() CredentialsType       { return TypeCustom }
func (u *UnknownCredentials) CredentialsType() CredentialsType    { return u.Type }

func (*OAuth2Credentials) isCredentials()       {}
func (*OAuth1Credentials) isCredentials()       {}
func (*OAuth2ClientCredentials) isCredentials() {}
func (*APIKeyCredentials) isCredentials()       {}
func (*BasicCredentials) isCredentials()        {}
func (*AppCredentials) isCredentials()          {}
func (*JWTCredentials) isCredentials()          {}
func (*TBACredentials) isCredentials()          {}
func (*TwoStepCredentials) isCredentials()      {}
func (*SignatureCredentials) isCredentials()    {}
func (*BillCredentials) isCredentials()         {}
func (*AWSSigV4Credentials) isCredentials()     {}
func (*CustomCredentials) isCredentials()       {}
func (*UnknownCredentials) isCredentials()      {}

// Every credentials type prints as its kind only, under every fmt verb and in
// slog: a token in a log line is a leaked token.
func (c OAuth2Credentials) Format(f fmt.State, _ rune)       { redacted(f, TypeOAuth2) }
func (c OAuth1Credentials) Format(f fmt.State, _ rune)       { redacted(f, TypeOAuth1) }
func (c OAuth2ClientCredentials) Format(f fmt.State, _ rune) { redacted(f, TypeOAuth2CC) }
func (c APIKeyCredentials) Format(f fmt.State, _ rune)       { redacted(f, TypeAPIKey) }
func (c BasicCredentials) Format(f fmt.State, _ rune)        { redacted(f, TypeBasic) }
func (c AppCredentials) Format(f fmt.State, _ rune)          { redacted(f, TypeApp) }
func (c JWTCredentials) Format(f fmt.State, _ rune)          { redacted(f, TypeJWT) }
func (c TBACredentials) Format(f fmt.State, _ rune)          { redacted(f, TypeTBA) }
func (c TwoStepCredentials) Format(f fmt.State, _ rune)      { redacted(f, TypeTwoStep) }
func (c SignatureCredentials) Format(f fmt.State, _ rune)    { redacted(f, TypeSignature) }
func (c BillCredentials) Format(f fmt.State, _ rune)         { redacted(f, TypeBill) }
func (c AWSSigV4Credentials) Format(f fmt.State, _ rune)     { redacted(f, TypeAWSSigV4) }
func (c CustomCredentials) Format(f fmt.State, _ rune)       { redacted(f, TypeCustom) }
func (c UnknownCredentials) Format(f fmt.State, _ rune)      { redacted(f, c.Type) }

func (c OAuth2Credentials) LogValue() slog.Value       { return redactedValue(TypeOAuth2) }
func (c OAuth1Credentials) LogValue() slog.Value       { return redactedValue(TypeOAuth1) }
func (c OAuth2ClientCredentials) LogValue() slog.Value { return redactedValue(TypeOAuth2CC) }
func (c APIKeyCredentials) LogValue() slog.Value       { return redactedValue(TypeAPIKey) }
func (c BasicCredentials) LogValue() slog.Value        { return redactedValue(TypeBasic) }
func (c AppCredentials) LogValue() slog.Value          { return redactedValue(TypeApp) }
func (c JWTCredentials) LogValue() slog.Value          { return redactedValue(TypeJWT) }
func (c TBACredentials) LogValue() slog.Value          { return redactedValue(TypeTBA) }
func (c TwoStepCredentials) LogValue() slog.Value      { return redactedValue(TypeTwoStep) }
func (c SignatureCredentials) LogValue() slog.Value    { return redactedValue(TypeSignature) }
func (c BillCredentials) LogValue() slog.Value         { return redactedValue(TypeBill) }
func (c AWSSigV4Credentials) LogValue() slog.Value     { return redactedValue(TypeAWSSigV4) }
func (c CustomCredentials) LogValue() slog.Value       { return redactedValue(TypeCustom) }
func (c UnknownCredentials) LogValue() slog.Value      { return redactedValue(c.Type) }

func redactedString(t CredentialsType) string {
	if t == "" {
		return "nango.Credentials{none}"
	}
	return "nango.Credentials{type: " + string(t) + ", secrets redacted}"
}

func redacted(f fmt.State, t CredentialsType) { io.WriteString(f, redactedString(t)) }

func redactedValue(t CredentialsType) slog.Value { return slog.StringValue(redactedString(t)) }

// wireCredentials reads the fields of every kind at once: one pass over the
// object, then the kind picks the fields that belong to it.
type wireCredentials struct {
	Type            *string         `json:"type"`
	AccessToken     string          `json:"access_token"`
	RefreshToken    string          `json:"refresh_token"`
	ExpiresAt       flexTime        `json:"expires_at"`
	ConfigOverride  map[string]any  `json:"config_override"`
	Raw             json.RawMessage `json:"raw"`
	OAuthToken      string          `json:"oauth_token"`
	OAuthSecret     string          `json:"oauth_token_secret"`
	Token           string          `json:"token"`
	ClientID        string          `json:"client_id"`
	ClientSecret    string          `json:"client_secret"`
	APIKey          string          `json:"apiKey"`
	Username        string          `json:"username"`
	Password        string          `json:"password"`
	JWTToken        string          `json:"jwtToken"`
	TokenID         string          `json:"token_id"`
	TokenSecret     string          `json:"token_secret"`
	OrganizationID  string          `json:"organization_id"`
	DevKey          string          `json:"dev_key"`
	SessionID       string          `json:"session_id"`
	UserID          string          `json:"user_id"`
	RoleARN         string          `json:"role_arn"`
	Region          string          `json:"region"`
	Service         string          `json:"service"`
	AccessKeyID     string          `json:"access_key_id"`
	SecretAccessKey string          `json:"secret_access_key"`
	SessionToken    string          `json:"session_token"`
}

// decodeCredentials turns a credentials object into its typed value. It
// returns nil for an empty object or null (no credentials). Fields of the
// wrong JSON type are an error; a missing field is left empty.
func decodeCredentials(b json.RawMessage) (Credentials, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		return nil, nil
	}
	var w wireCredentials
	if err := json.Unmarshal(b, &w); err != nil {
		return nil, fmt.Errorf("credentials: %w", err)
	}
	return w.typed(func() json.RawMessage { return bytes.Clone(b) })
}

// credentialsObject extracts the credentials object of a connection body,
// for the kinds that keep it whole (JWT, unknown kinds): a second pass that
// the common kinds never pay for.
func credentialsObject(body []byte) json.RawMessage {
	var w struct {
		Credentials json.RawMessage `json:"credentials"`
	}
	_ = json.Unmarshal(body, &w)
	return w.Credentials
}

// typed picks the fields that belong to the kind. object returns the whole
// credentials object, called only for the kinds that keep it.
func (w *wireCredentials) typed(object func() json.RawMessage) (Credentials, error) {
	if w.Type == nil {
		if w.empty() {
			return nil, nil
		}
		return nil, fmt.Errorf("credentials: object without a \"type\"")
	}
	raw := nonNull(w.Raw)
	exp := w.ExpiresAt.ptr()
	switch t := CredentialsType(*w.Type); t {
	case TypeOAuth2:
		return &OAuth2Credentials{AccessToken: w.AccessToken, RefreshToken: w.RefreshToken, ExpiresAt: exp, ConfigOverride: w.ConfigOverride, Raw: raw}, nil
	case TypeOAuth1:
		return &OAuth1Credentials{OAuthToken: w.OAuthToken, OAuthTokenSecret: w.OAuthSecret, Raw: raw}, nil
	case TypeOAuth2CC:
		return &OAuth2ClientCredentials{Token: w.Token, ExpiresAt: exp, ClientID: w.ClientID, ClientSecret: w.ClientSecret, Raw: raw}, nil
	case TypeAPIKey:
		return &APIKeyCredentials{APIKey: w.APIKey}, nil
	case TypeBasic:
		return &BasicCredentials{Username: w.Username, Password: w.Password}, nil
	case TypeApp:
		return &AppCredentials{AccessToken: w.AccessToken, ExpiresAt: exp, JWTToken: w.JWTToken, Raw: raw}, nil
	case TypeJWT:
		return &JWTCredentials{Token: w.Token, ExpiresAt: exp, Object: object()}, nil
	case TypeTBA:
		return &TBACredentials{TokenID: w.TokenID, TokenSecret: w.TokenSecret, ConfigOverride: w.ConfigOverride}, nil
	case TypeTwoStep:
		return &TwoStepCredentials{Token: w.Token, RefreshToken: w.RefreshToken, ExpiresAt: exp, Raw: raw}, nil
	case TypeSignature:
		return &SignatureCredentials{Username: w.Username, Password: w.Password, Token: w.Token, ExpiresAt: exp}, nil
	case TypeBill:
		return &BillCredentials{Username: w.Username, Password: w.Password, OrganizationID: w.OrganizationID, DevKey: w.DevKey,
			SessionID: w.SessionID, UserID: w.UserID, ExpiresAt: exp, Raw: raw}, nil
	case TypeAWSSigV4:
		return &AWSSigV4Credentials{RoleARN: w.RoleARN, Region: w.Region, Service: w.Service, AccessKeyID: w.AccessKeyID,
			SecretAccessKey: w.SecretAccessKey, SessionToken: w.SessionToken, ExpiresAt: exp, Raw: raw}, nil
	case TypeCustom:
		return &CustomCredentials{Raw: raw}, nil
	default:
		return &UnknownCredentials{Type: t, Object: object()}, nil
	}
}

// empty reports whether no field of any kind was set: the {} Nango sends for
// a connection without credentials.
func (w *wireCredentials) empty() bool {
	strs := [...]string{w.AccessToken, w.RefreshToken, w.OAuthToken, w.OAuthSecret, w.Token, w.ClientID, w.ClientSecret,
		w.APIKey, w.Username, w.Password, w.JWTToken, w.TokenID, w.TokenSecret, w.OrganizationID, w.DevKey, w.SessionID,
		w.UserID, w.RoleARN, w.Region, w.Service, w.AccessKeyID, w.SecretAccessKey, w.SessionToken}
	for _, s := range strs {
		if s != "" {
			return false
		}
	}
	return len(w.Raw) == 0 && w.ConfigOverride == nil && w.ExpiresAt.t.IsZero()
}

// flexTime reads a timestamp without failing the whole response over it:
// a token is worth more than a well-formed updated_at. Unreadable values and
// null decode as the zero time.
type flexTime struct{ t time.Time }

func (f *flexTime) UnmarshalJSON(b []byte) error {
	if len(b) < 2 || b[0] != '"' {
		if string(b) == "null" {
			return nil
		}
		var n float64 // some providers' expiry is a number of seconds: ignore it
		if json.Unmarshal(b, &n) == nil {
			return nil
		}
		return fmt.Errorf("timestamp: want a string, got %.20s", b)
	}
	s := string(b[1 : len(b)-1])
	for _, layout := range [...]string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			f.t = t
			return nil
		}
	}
	return nil
}

func (f flexTime) ptr() *time.Time {
	if f.t.IsZero() {
		return nil
	}
	t := f.t
	return &t
}

// marshalCredentials writes credentials back in the server's shape, with
// their "type" first.
func marshalCredentials(c Credentials) (json.RawMessage, error) {
	switch v := c.(type) {
	case nil:
		return json.RawMessage("{}"), nil
	case *UnknownCredentials:
		return v.Object, nil
	case *JWTCredentials:
		if len(v.Object) > 0 {
			return v.Object, nil
		}
	}
	fields, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	typ, _ := json.Marshal(string(c.CredentialsType()))
	out := append([]byte(`{"type":`), typ...)
	if len(fields) > 2 {
		out = append(out, ',')
	}
	return append(out, fields[1:]...), nil
}
