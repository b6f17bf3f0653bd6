package nango

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"

	"github.com/nango-go/sdk/gen"
)

// CredentialsType is the kind of a connection's credentials, as Nango names it
// (the "type" of the credentials object).
type CredentialsType string

// The credential kinds Nango sends today. New kinds appear over time; they
// decode as UnknownCredentials.
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

// Credentials is the typed credentials of a connection: one of the
// XxxCredentials types below (generated from openapi.yaml), or
// UnknownCredentials for a kind newer than this SDK. Switch on the concrete
// type to read it:
//
//	switch c := conn.Credentials.(type) {
//	case nango.OAuth2Credentials:
//		use(c.AccessToken)
//	case nango.APIKeyCredentials:
//		use(c.APIKey)
//	}
//
// None of them prints its secrets with fmt or slog; encoding/json writes
// them out in full.
type Credentials interface {
	// CredentialsType is the value of the credentials' "type".
	CredentialsType() string
}

// The credentials of each kind, as openapi.yaml describes them. They are the
// generated types themselves: a property added to the spec is a field here
// after `go generate`.
type (
	OAuth2Credentials       = gen.OAuth2Credentials
	OAuth1Credentials       = gen.OAuth1Credentials
	OAuth2ClientCredentials = gen.OAuth2ClientCredentials
	APIKeyCredentials       = gen.APIKeyCredentials
	BasicCredentials        = gen.BasicCredentials
	AppCredentials          = gen.AppCredentials
	JWTCredentials          = gen.JWTCredentials
	TBACredentials          = gen.TBACredentials
	TwoStepCredentials      = gen.TwoStepCredentials
	SignatureCredentials    = gen.SignatureCredentials
	BillCredentials         = gen.BillCredentials
	AWSSigV4Credentials     = gen.AWSSigV4Credentials
	CustomCredentials       = gen.CustomCredentials
)

// UnknownCredentials holds credentials of a kind this SDK version does not
// know yet.
type UnknownCredentials struct {
	Type CredentialsType
	// Object is the whole credentials object as sent.
	Object json.RawMessage
}

// CredentialsType is the kind Nango named.
func (u UnknownCredentials) CredentialsType() string { return string(u.Type) }

// Format shows the kind only, under every verb.
func (u UnknownCredentials) Format(f fmt.State, _ rune) {
	_, _ = io.WriteString(f, redactedString(u.Type))
}

// LogValue keeps the object out of slog output.
func (u UnknownCredentials) LogValue() slog.Value { return slog.StringValue(redactedString(u.Type)) }

// MarshalJSON writes the object as it was sent.
func (u UnknownCredentials) MarshalJSON() ([]byte, error) {
	if len(u.Object) == 0 {
		return []byte("{}"), nil
	}
	return u.Object, nil
}

func redactedString(t CredentialsType) string {
	if t == "" {
		return "nango.Credentials{none}"
	}
	return "nango.Credentials{type: " + string(t) + ", secrets redacted}"
}

// decodeCredentials turns a credentials object into its typed value, by the
// spec's discriminator (gen's ValueByDiscriminator). It returns nil for an
// empty object or null (no credentials).
func decodeCredentials(raw json.RawMessage) (Credentials, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if raw[0] != '{' {
		return nil, decodeErrorf("credentials: want an object, got %s", jsonKind(raw))
	}
	// The kind is the exact "type" key: encoding/json would also take
	// "Type" or "TYPE", which are not Nango's.
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return nil, decodeErrorf("credentials: %v", safeDecodeError(err))
	}
	typ, hasType := fields["type"]
	if !hasType {
		if len(fields) == 0 {
			return nil, nil
		}
		return nil, decodeErrorf("credentials: an object without a %q", "type")
	}
	var kind string
	if err := json.Unmarshal(typ, &kind); err != nil || kind == "" {
		return nil, decodeErrorf("credentials: %q is not a kind's name", "type")
	}
	var u gen.Credentials
	if err := u.UnmarshalJSON(raw); err != nil {
		return nil, safeDecodeError(err)
	}
	v, err := u.ValueByDiscriminator()
	if v == nil {
		// A kind the spec does not list: keep it whole rather than fail the
		// read, as Nango adds kinds over time.
		return UnknownCredentials{Type: CredentialsType(kind), Object: bytes.Clone(raw)}, nil
	}
	if err != nil {
		return nil, decodeErrorf("%s credentials: %v", kind, safeDecodeError(err))
	}
	c, ok := v.(Credentials)
	if !ok {
		return nil, decodeErrorf("%s credentials: the spec's schema lacks x-nango-credentials", kind)
	}
	if c.CredentialsType() != kind {
		// The generated discriminator read another spelling of "type" than
		// the exact key (both were sent): keep the object whole.
		return UnknownCredentials{Type: CredentialsType(kind), Object: bytes.Clone(raw)}, nil
	}
	return c, nil
}

// jsonKind names the JSON type of a value, never the value itself.
func jsonKind(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return "nothing"
	}
	switch b[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	default:
		return "a number"
	}
}
