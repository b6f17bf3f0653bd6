package nango_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/nango-go/sdk/nango"
	"github.com/nango-go/sdk/nango/nangotest"
)

// The mTLS fields of an OAUTH2_CC connection, as a real Nango v0.71.4 sends
// them in the credentials (Nango's OAuth2ClientCredentials type). Fake PEM.
const (
	testClientCert = "-----BEGIN CERTIFICATE-----\nMIIBnangotestcert\n-----END CERTIFICATE-----"
	testClientKey  = "-----BEGIN PRIVATE KEY-----\nMIIEnangotestkey\n-----END PRIVATE KEY-----"
)

// ccConnectionJSON is an OAUTH2_CC connection as GET /connections/{id}
// returns it, with a client certificate and its private key.
func ccConnectionJSON(id string) string {
	creds := map[string]any{"type": "OAUTH2_CC", "token": "cc-token", "client_id": "cid", "client_secret": "csecret",
		"client_certificate": testClientCert, "client_private_key": testClientKey,
		"expires_at": "2030-01-01T00:00:00.000Z", "raw": map[string]any{"access_token": "cc-token", "expires_in": 3600}}
	b, _ := json.Marshal(map[string]any{"id": 7, "connection_id": id, "provider_config_key": "oauth2cc", "provider": "8x8",
		"credentials": creds, "created_at": "2026-11-28T21:32:05.291+00:00"})
	return string(b)
}

// TestOAuth2CCCertificateFields: the client certificate and private key of
// an OAUTH2_CC connection decode into typed fields, print redacted, and
// survive a copy through GetConnection → ImportConnection (the fake keeps
// them as the server does).
func TestOAuth2CCCertificateFields(t *testing.T) {
	ctx := context.Background()
	srv, c := validatedFake(t)
	srv.AddIntegration("oauth2cc", "8x8", "OAUTH2_CC")
	if err := srv.PutJSON([]byte(ccConnectionJSON("mtls-1"))); err != nil {
		t.Fatal(err)
	}

	conn, err := c.GetConnection(ctx, "oauth2cc", "mtls-1")
	if err != nil {
		t.Fatal(err)
	}
	cc, ok := conn.Credentials.(nango.OAuth2ClientCredentials)
	if !ok {
		t.Fatalf("credentials %T", conn.Credentials)
	}
	if cc.ClientCertificate != testClientCert || cc.ClientPrivateKey != testClientKey {
		t.Fatalf("certificate %q, key %q", cc.ClientCertificate, cc.ClientPrivateKey)
	}

	// Redacted under every verb and in slog, the connection and the
	// credentials alike.
	var out bytes.Buffer
	for _, v := range []any{conn, *conn, cc, conn.Credentials} {
		fmt.Fprintf(&out, "%v %+v %#v %s\n", v, v, v, v)
	}
	slog.New(slog.NewJSONHandler(&out, nil)).Info("x", "conn", conn, "creds", cc)
	slog.New(slog.NewTextHandler(&out, nil)).Info("x", "conn", *conn, "creds", conn.Credentials)
	for _, secret := range []string{"nangotestcert", "nangotestkey", "csecret", "cc-token"} {
		if strings.Contains(out.String(), secret) {
			t.Errorf("%q printed:\n%s", secret, out.String())
		}
	}

	// The copy: every field the import takes, from the read.
	imp := nango.ImportConnectionRequest{ProviderConfigKey: conn.ProviderConfigKey, ConnectionID: "mtls-copy"}
	err = imp.Credentials.FromImportOAuth2ClientCredentials(nango.ImportOAuth2ClientCredentials{
		Token: cc.Token, ClientID: cc.ClientID, ClientSecret: cc.ClientSecret, ExpiresAt: cc.ExpiresAt,
		ClientCertificate: cc.ClientCertificate, ClientPrivateKey: cc.ClientPrivateKey})
	if err != nil {
		t.Fatal(err)
	}
	imported, err := c.ImportConnection(ctx, imp)
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string]*nango.Connection{"import answer": imported, "read after import": nil} {
		if got == nil {
			if got, err = c.GetConnection(ctx, "oauth2cc", "mtls-copy"); err != nil {
				t.Fatal(err)
			}
		}
		copied, ok := got.Credentials.(nango.OAuth2ClientCredentials)
		if !ok || copied.ClientCertificate != testClientCert || copied.ClientPrivateKey != testClientKey || copied.Token != "cc-token" {
			t.Errorf("%s: certificate %q, key %q, token %q (%T)", name, copied.ClientCertificate, copied.ClientPrivateKey, copied.Token, got.Credentials)
		}
	}
	// The wire: the import sent both fields.
	var sent struct {
		Credentials map[string]any `json:"credentials"`
	}
	last := srv.Requests()
	for _, r := range last {
		if r.Method == "POST" && r.Path == "/connections" {
			_ = json.Unmarshal(r.Body, &sent)
		}
	}
	if sent.Credentials["client_certificate"] != testClientCert || sent.Credentials["client_private_key"] != testClientKey {
		t.Errorf("import body credentials: %v", sent.Credentials)
	}
}

// TestCredentialFieldsOfNangoTypes: the fields of Nango's own credential
// types that the spec once lacked decode into typed fields, and encode back.
func TestCredentialFieldsOfNangoTypes(t *testing.T) {
	cases := []struct {
		name  string
		creds string
		check func(t *testing.T, c nango.Credentials)
	}{
		{"AWS_SIGV4 external_id", `{"type":"AWS_SIGV4","role_arn":"arn:aws:iam::1:role/r","region":"eu-west-1","service":"s3",` +
			`"access_key_id":"AKIA","secret_access_key":"sak","session_token":"st","external_id":"ext-1","raw":{}}`,
			func(t *testing.T, c nango.Credentials) {
				if v := c.(nango.AWSSigV4Credentials); v.ExternalID != "ext-1" || v.RoleARN != "arn:aws:iam::1:role/r" {
					t.Errorf("%+v", v)
				}
			}},
		{"TWO_STEP dynamic fields", `{"type":"TWO_STEP","token":"tk","refresh_token":"rt","username":"u","companyId":"c-9","raw":{"token":"tk"}}`,
			func(t *testing.T, c nango.Credentials) {
				v := c.(nango.TwoStepCredentials)
				if v.Token != "tk" || v.AdditionalProperties["username"] != "u" || v.AdditionalProperties["companyId"] != "c-9" {
					t.Errorf("token %q, others %v", v.Token, v.AdditionalProperties)
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := nangotest.Start(t)
			body := `{"id":1,"connection_id":"c","provider_config_key":"k","provider":"p","created_at":"2026-11-28T21:32:05.291+00:00","credentials":` + tc.creds + `}`
			if err := srv.PutJSON([]byte(body)); err != nil {
				t.Fatal(err)
			}
			conn, err := srv.Client().GetConnection(context.Background(), "k", "c")
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, conn.Credentials)
			// encoding/json writes every field back.
			out, err := json.Marshal(conn.Credentials)
			if err != nil {
				t.Fatal(err)
			}
			var want, got map[string]any
			_ = json.Unmarshal([]byte(tc.creds), &want)
			_ = json.Unmarshal(out, &got)
			for k := range want {
				if _, ok := got[k]; !ok {
					t.Errorf("%s lost on encoding: %s", k, out)
				}
			}
		})
	}
}
