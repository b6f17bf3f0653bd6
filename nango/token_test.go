package nango

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/nango-go/sdk/nango/internal/contract"
)

func connectionJSON(creds string) string {
	return `{"id":1,"connection_id":"u1","provider_config_key":"p","provider":"p","errors":[],"end_user":null,"tags":{},"metadata":{},"connection_config":{},"webhook_url_override":null,"created_at":"2026-11-28T14:44:40.550+00:00","updated_at":"2026-11-28T14:44:40.550+00:00","last_fetched_at":null,"credentials":` + creds + `}`
}

// TestGetTokenKinds: every kind of credentials in the facts file decodes into
// its typed value, and GetToken fills the fields that kind has.
func TestGetTokenKinds(t *testing.T) {
	exp := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		creds string
		check func(t *testing.T, tok Token)
	}{
		{`{"type":"OAUTH2","access_token":"at","refresh_token":"rt","expires_at":"2030-01-01T00:00:00.000Z","config_override":{"client_id":"x"},"raw":{"access_token":"at","scope":"repo"}}`, func(t *testing.T, tok Token) {
			c := tok.Credentials.(OAuth2Credentials)
			if tok.AccessToken != "at" || c.RefreshToken != "rt" || !tok.ExpiresAt.Equal(exp) || c.ConfigOverride["client_id"] != "x" || string(c.Raw) != `{"access_token":"at","scope":"repo"}` {
				t.Errorf("%+v", c.ExpiresAt)
			}
		}},
		{`{"type":"OAUTH1","oauth_token":"ot","oauth_token_secret":"os","raw":{}}`, func(t *testing.T, tok Token) {
			if tok.OAuthToken != "ot" || tok.OAuthTokenSecret != "os" || tok.AccessToken != "" {
				t.Errorf("oauth1 %q %q", tok.OAuthToken, tok.OAuthTokenSecret)
			}
		}},
		{`{"type":"OAUTH2_CC","token":"cc","expires_at":"2030-01-01T00:00:00Z","client_id":"id","client_secret":"sec","raw":{}}`, func(t *testing.T, tok Token) {
			c := tok.Credentials.(OAuth2ClientCredentials)
			if tok.AccessToken != "cc" || c.ClientID != "id" || c.ClientSecret != "sec" || !c.ExpiresAt.Equal(exp) {
				t.Errorf("cc %+v", c)
			}
		}},
		{`{"type":"API_KEY","apiKey":"k"}`, func(t *testing.T, tok Token) {
			if tok.Credentials.(APIKeyCredentials).APIKey != "k" {
				t.Error("api key")
			}
		}},
		{`{"type":"BASIC","username":"u","password":"pw"}`, func(t *testing.T, tok Token) {
			if c := tok.Credentials.(BasicCredentials); c.Username != "u" || c.Password != "pw" {
				t.Error("basic")
			}
		}},
		{`{"type":"APP","access_token":"app","expires_at":"2030-01-01T00:00:00Z","jwtToken":"j","raw":{"token":"app"}}`, func(t *testing.T, tok Token) {
			if c := tok.Credentials.(AppCredentials); tok.AccessToken != "app" || c.JWTToken != "j" {
				t.Error("app")
			}
		}},
		{`{"type":"JWT","token":"jw","expires_at":"2030-01-01T00:00:00Z","private_key_id":"pk"}`, func(t *testing.T, tok Token) {
			c := tok.Credentials.(JWTCredentials)
			if c.Token != "jw" || c.AdditionalProperties["private_key_id"] != "pk" || !tok.ExpiresAt.Equal(exp) {
				t.Error("jwt")
			}
		}},
		{`{"type":"TBA","token_id":"ti","token_secret":"ts","config_override":{}}`, func(t *testing.T, tok Token) {
			if c := tok.Credentials.(TBACredentials); c.TokenID != "ti" || c.TokenSecret != "ts" {
				t.Error("tba")
			}
		}},
		{`{"type":"TWO_STEP","token":"two","refresh_token":"r2","raw":{}}`, func(t *testing.T, tok Token) {
			if c := tok.Credentials.(TwoStepCredentials); c.Token != "two" || c.RefreshToken != "r2" {
				t.Error("two step")
			}
		}},
		{`{"type":"SIGNATURE","username":"su","password":"sp","token":"st"}`, func(t *testing.T, tok Token) {
			if c := tok.Credentials.(SignatureCredentials); c.Username != "su" || c.Token != "st" {
				t.Error("signature")
			}
		}},
		{`{"type":"BILL","username":"bu","password":"bp","organization_id":"o","dev_key":"d","session_id":"s","user_id":"uid","raw":{}}`, func(t *testing.T, tok Token) {
			if c := tok.Credentials.(BillCredentials); c.OrganizationID != "o" || c.DevKey != "d" || c.SessionID != "s" || c.UserID != "uid" {
				t.Error("bill")
			}
		}},
		{`{"type":"AWS_SIGV4","role_arn":"arn","region":"eu-west-1","service":"s3","access_key_id":"AK","secret_access_key":"SK","session_token":"ST","raw":{}}`, func(t *testing.T, tok Token) {
			if c := tok.Credentials.(AWSSigV4Credentials); c.AccessKeyID != "AK" || c.SecretAccessKey != "SK" || c.SessionToken != "ST" || c.Region != "eu-west-1" {
				t.Error("aws")
			}
		}},
		{`{"type":"CUSTOM","raw":{"anything":[1,2]}}`, func(t *testing.T, tok Token) {
			if c := tok.Credentials.(CustomCredentials); string(c.Raw) != `{"anything":[1,2]}` {
				t.Error("custom")
			}
		}},
		{`{"type":"QUANTUM_ENTANGLEMENT","qubit":"q"}`, func(t *testing.T, tok Token) {
			c := tok.Credentials.(UnknownCredentials)
			if tok.Type != "QUANTUM_ENTANGLEMENT" || string(c.Object) != `{"type":"QUANTUM_ENTANGLEMENT","qubit":"q"}` {
				t.Error("unknown")
			}
		}},
	}
	for _, tc := range cases {
		var kind struct{ Type string }
		_ = json.Unmarshal([]byte(tc.creds), &kind)
		t.Run(kind.Type, func(t *testing.T) {
			// Unknown kinds are off-contract by design: the spec lists the
			// kinds of today, the SDK must survive tomorrow's.
			setupFn := setup
			if kind.Type == "QUANTUM_ENTANGLEMENT" {
				setupFn = setupRaw
			}
			h := setupFn(t, jsonBody(200, connectionJSON(tc.creds)))
			tok, err := h.client.GetToken(context.Background(), "p", "u1")
			if err != nil {
				t.Fatal(err)
			}
			if string(tok.Type) != kind.Type || CredentialsType(tok.Credentials.CredentialsType()) != tok.Type {
				t.Fatalf("type %q / %q, want %q", tok.Type, tok.Credentials.CredentialsType(), kind.Type)
			}
			tc.check(t, tok)
			conn, err := h.client.GetConnection(context.Background(), "p", "u1")
			if err != nil {
				t.Fatal(err)
			}
			if CredentialsType(conn.Credentials.CredentialsType()) != tok.Type {
				t.Errorf("connection credentials %T", conn.Credentials)
			}
			// The typed value round-trips to the server's shape.
			b, err := json.Marshal(conn)
			if err != nil {
				t.Fatal(err)
			}
			again, err := decodeConnection(reply{op: "x", status: 200, body: b})
			if err != nil || fmt.Sprintf("%T", again.Credentials) != fmt.Sprintf("%T", conn.Credentials) {
				t.Errorf("round trip: %T, %v (%s)", again.Credentials, err, b)
			}
		})
	}
}

func TestGetTokenBadCredentials(t *testing.T) {
	cases := []struct {
		name, creds string
		want        error
	}{
		{"no credentials", `{}`, ErrNoCredentials},
		{"oauth2 without token", `{"type":"OAUTH2","raw":{}}`, ErrUnexpectedResponse},
		{"oauth2 empty token", `{"type":"OAUTH2","access_token":""}`, ErrUnexpectedResponse},
		{"oauth1 without secret", `{"type":"OAUTH1","oauth_token":"x"}`, ErrUnexpectedResponse},
		{"token not a string", `{"type":"OAUTH2","access_token":42}`, ErrUnexpectedResponse},
		{"type not a string", `{"type":7}`, ErrUnexpectedResponse},
		{"object without type", `{"access_token":"x"}`, ErrUnexpectedResponse},
		{"credentials an array", `[1]`, ErrUnexpectedResponse},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := setupRaw(t, jsonBody(200, connectionJSON(tc.creds)))
			tok, err := h.client.GetToken(context.Background(), "p", "u1")
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if tok.AccessToken != "" || tok.Credentials != nil {
				t.Errorf("token returned with the error: %v", tok)
			}
		})
	}
}

func TestGetRawTokenResponseNone(t *testing.T) {
	h := setup(t, jsonBody(200, connectionJSON(`{"type":"API_KEY","apiKey":"k"}`)))
	if _, err := h.client.GetRawTokenResponse(context.Background(), "p", "u1"); !errors.Is(err, ErrNoRawTokenResponse) {
		t.Fatalf("err = %v", err)
	}
}

// TestTokensNeverCached: each call asks the server, which may have refreshed
// the token in between.
func TestTokensNeverCached(t *testing.T) {
	n := 0
	h := setup(t, func(w http.ResponseWriter, r *http.Request) {
		n++
		jsonBody(200, connectionJSON(fmt.Sprintf(`{"type":"OAUTH2","access_token":"t%d"}`, n)))(w, r)
	})
	for i := 1; i <= 3; i++ {
		tok, err := h.client.GetToken(context.Background(), "p", "u1")
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("t%d", i); tok.AccessToken != want {
			t.Fatalf("call %d: %q, want %q", i, tok.AccessToken, want)
		}
	}
}

// TestTokenFastPathAgrees: the one-pass decode of OAuth 2 tokens gives what
// the general decode (by the spec's discriminator) gives, on every real
// connection body.
func TestTokenFastPathAgrees(t *testing.T) {
	caps, err := contract.LoadCaptures("testdata/real-nango")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range caps {
		if c.Status != 200 || !strings.Contains(c.URL, "/connection") || !strings.Contains(string(c.Resp), `"credentials"`) {
			continue
		}
		r := reply{op: opGetConnection, status: 200, body: c.Resp}
		fast, ferr := decodeToken(r)
		var w struct {
			Credentials json.RawMessage `json:"credentials"`
		}
		_ = json.Unmarshal(c.Resp, &w)
		creds, err := decodeCredentials(w.Credentials)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		slow, serr := tokenOf(r, creds)
		if (ferr == nil) != (serr == nil) || !reflect.DeepEqual(fast, slow) {
			t.Errorf("%s: fast %#v %v, general %#v %v", c.Name, fast, ferr, slow, serr)
		}
		if fast.Type == TypeOAuth2 {
			n++
		}
	}
	if n < 20 {
		t.Errorf("only %d OAuth 2 bodies compared", n)
	}
}
