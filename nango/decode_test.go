package nango

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestDecodeErrorsQuoteNoValue: a malformed field is named with its JSON
// type, never its content, which may be a token (issue 10, item 6).
func TestDecodeErrorsQuoteNoValue(t *testing.T) {
	const secret = "tok-SECRET-9f8e7d6c5b4a"
	for _, creds := range []string{
		`{"type":"OAUTH2","access_token":"a","expires_at":{"token":"` + secret + `"}}`,
		`{"type":"OAUTH2","access_token":"a","expires_at":"` + secret + `"}`,
		`{"type":"OAUTH2","access_token":"a","expires_at":12345678901234567}`,
		`{"type":"OAUTH2","access_token":["` + secret + `"]}`,
		`{"type":"API_KEY","apiKey":{"k":"` + secret + `"}}`,
		`"` + secret + `"`,
	} {
		h := setupRaw(t, jsonBody(200, connectionJSON(creds)))
		for name, call := range map[string]func() error{
			"GetToken":      func() error { _, err := h.client.GetToken(context.Background(), "p", "u1"); return err },
			"GetConnection": func() error { _, err := h.client.GetConnection(context.Background(), "p", "u1"); return err },
		} {
			err := call()
			if !errors.Is(err, ErrUnexpectedResponse) {
				t.Errorf("%s of %s: %v, want ErrUnexpectedResponse", name, creds, err)
				continue
			}
			if s := fmt.Sprintf("%v %+v %#v", err, err, err); strings.Contains(s, "SECRET") || strings.Contains(s, "1234567890") {
				t.Errorf("%s of %s: the error quotes the value: %s", name, creds, s)
			}
		}
	}
}

// TestConnectionWithoutIdentity: a 200 that is not a connection (null, {},
// no connection_id) is ErrUnexpectedResponse, not a zero connection
// (issue 10, item 7).
func TestConnectionWithoutIdentity(t *testing.T) {
	for _, body := range []string{`null`, `{}`, `{"id":1,"provider_config_key":"p","credentials":{}}`, `{"id":1,"connection_id":"","provider_config_key":"p"}`, `[]`} {
		h := setupRaw(t, jsonBody(200, body))
		conn, err := h.client.GetConnection(context.Background(), "p", "u1")
		if !errors.Is(err, ErrUnexpectedResponse) || conn != nil {
			t.Errorf("GetConnection of %s: %v, %v", body, conn, err)
		}
		if _, err := h.client.GetToken(context.Background(), "p", "u1"); !errors.Is(err, ErrUnexpectedResponse) {
			t.Errorf("GetToken of %s: %v", body, err)
		}
	}
}
