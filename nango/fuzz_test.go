package nango

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nango-go/sdk/nango/internal/contract"
)

// seedCaptures adds every captured response body to a fuzz corpus.
func seedCaptures(f *testing.F, add func(c contract.Capture)) {
	caps, err := contract.LoadCaptures("testdata/real-nango")
	if err != nil {
		f.Fatal(err)
	}
	for _, c := range caps {
		add(c)
	}
}

func FuzzAPIError(f *testing.F) {
	seedCaptures(f, func(c contract.Capture) {
		if c.Status >= 400 {
			f.Add(c.Status, c.RespHdr.Get("Content-Type"), c.Resp)
		}
	})
	f.Add(502, "text/html", []byte("<html><title>502</title>"))
	f.Add(500, "application/json", []byte(`{"error":"msg","type":"code","payload":{}}`))
	f.Fuzz(func(t *testing.T, status int, ctype string, body []byte) {
		h := http.Header{"Content-Type": {ctype}, "Retry-After": {"3"}}
		e := newAPIError("GET /x", status, h, body)
		if e.StatusCode != status || len(e.Body) > maxErrorBodyKept || e.RetryAfter != 3*time.Second {
			t.Fatalf("%+v", e)
		}
		_ = e.Error()
		_ = e.GoString()
		for _, s := range []error{ErrNotFound, ErrUnauthorized, ErrInvalidCredentials} {
			_ = errors.Is(e, s)
		}
	})
}

func FuzzDecodeCredentials(f *testing.F) {
	for _, s := range []string{`{}`, `null`, `{"type":"OAUTH2","access_token":"a","raw":{"x":1}}`, `{"type":"OAUTH1","oauth_token":"t","oauth_token_secret":"s"}`,
		`{"type":"API_KEY","apiKey":"k"}`, `{"type":"NEW","x":[1]}`, `{"type":"JWT","token":"j","k":{}}`, `{"type":"OAUTH2","expires_at":"garbage"}`, `{"type":"BILL","expires_at":12}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		creds, err := decodeCredentials(b)
		if err != nil || creds == nil {
			return
		}
		out, err := json.Marshal(creds)
		if err != nil {
			t.Fatalf("marshal %T: %v", creds, err)
		}
		again, err := decodeCredentials(out)
		if err != nil || again == nil || again.CredentialsType() != creds.CredentialsType() {
			t.Fatalf("round trip of %s: %s → %v, %v", b, out, again, err)
		}
	})
}

func FuzzDecodeConnection(f *testing.F) {
	seedCaptures(f, func(c contract.Capture) {
		if c.Status/100 == 2 {
			f.Add(c.Resp)
		}
	})
	f.Fuzz(func(t *testing.T, b []byte) {
		conn, err := decodeConnection(reply{op: "GET /x", status: 200, body: b})
		if err != nil {
			if !errors.Is(err, ErrUnexpectedResponse) {
				t.Fatalf("error %v does not match ErrUnexpectedResponse", err)
			}
			return
		}
		if _, err := tokenOf(reply{op: "GET /x", status: 200}, conn.Credentials); err != nil && !errors.Is(err, ErrNoCredentials) && !errors.Is(err, ErrUnexpectedResponse) {
			t.Fatalf("token: %v", err)
		}
	})
}

func FuzzDecodeList(f *testing.F) {
	seedCaptures(f, func(c contract.Capture) {
		if strings.Contains(string(c.Resp), `"connections"`) {
			f.Add(c.Resp)
		}
	})
	f.Add([]byte(`{"connections":[{"id":1,"connection_id":"u","provider":"gh-dev","created":"2023-03-01T00:00:00Z"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		list, err := decodeList(reply{op: "GET /x", status: 200, body: b})
		if err != nil && !errors.Is(err, ErrUnexpectedResponse) {
			t.Fatal(err)
		}
		_ = list
	})
}

func FuzzRetryAfter(f *testing.F) {
	for _, s := range []string{"0", "1", "120", "-5", "Wed, 21 Oct 2015 07:28:00 GMT", "", "1.5", "99999999999999999999"} {
		f.Add(s)
	}
	now := time.Now()
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := parseRetryAfter(s, now)
		if d < 0 || d > 24*time.Hour || !ok && d != 0 {
			t.Fatalf("parseRetryAfter(%q) = %v, %v", s, d, ok)
		}
	})
}

// FuzzResponseFunnel drives whole replies (status, headers, body) through
// the client's funnel and decoders over an in-memory transport: whatever the
// server sends, the client returns a value or a typed error, never panics,
// and never puts the key in an error.
func FuzzResponseFunnel(f *testing.F) {
	seedCaptures(f, func(c contract.Capture) {
		var hdr strings.Builder
		for k, vs := range c.RespHdr {
			for _, v := range vs {
				hdr.WriteString(k + ": " + v + "\n")
			}
		}
		f.Add(uint8(0), c.Status, hdr.String(), c.Resp)
	})
	f.Add(uint8(1), 429, "Retry-After: 99999999999999999999999\n", []byte(`{"error":{"code":"too_many_request"}}`))
	f.Add(uint8(2), 302, "Location: http://[::1\n", []byte(nil))
	f.Add(uint8(0), 200, "Content-Type: application/json\nContent-Length: 5\n", []byte(`{"id"`))
	f.Fuzz(func(t *testing.T, which uint8, status int, header string, body []byte) {
		if status < 100 || status > 999 {
			return
		}
		h := http.Header{}
		for line := range strings.Lines(header) {
			k, v, ok := strings.Cut(strings.TrimSpace(line), ":")
			if ok && k != "" {
				h.Add(k, strings.TrimSpace(v))
			}
		}
		rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: status, Header: h.Clone(), Body: io.NopCloser(bytes.NewReader(body)),
				ContentLength: -1, Request: r}, nil
		})
		c, err := New(testKey, WithHost("https://nango.example.com"), WithHTTPClient(&http.Client{Transport: rt}),
			WithMaxRetries(0), WithTimeout(time.Second))
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		switch which % 4 {
		case 0:
			_, err = c.GetToken(ctx, "github", "u1")
		case 1:
			_, err = c.GetConnection(ctx, "github", "u1")
		case 2:
			_, err = c.ListConnections(ctx)
		case 3:
			_, err = c.GetRawTokenResponse(ctx, "github", "u1")
		}
		if err == nil {
			if status < 200 || status > 299 {
				t.Fatalf("status %d accepted", status)
			}
			return
		}
		if strings.Contains(err.Error(), testKey) || strings.Contains(fmt.Sprintf("%+v %#v", err, err), testKey) {
			t.Fatalf("the key is in the error: %v", err)
		}
		var apiErr *APIError
		if errors.As(err, &apiErr) {
			if status >= 200 && status < 300 || apiErr.RetryAfter < 0 || len(apiErr.Body) > maxErrorBodyKept {
				t.Fatalf("status %d gave %#v", status, apiErr)
			}
			return
		}
		if !errors.Is(err, ErrUnexpectedResponse) && !errors.Is(err, ErrUnavailable) && !errors.Is(err, ErrNoCredentials) && !errors.Is(err, ErrNoRawTokenResponse) &&
			!errors.Is(err, ErrUnsupportedCredentials) {
			t.Fatalf("status %d: untyped error %v", status, err)
		}
	})
}
