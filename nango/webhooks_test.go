package nango

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// webhookVectorKey is the throwaway secret key of the environment that
// signed the captured webhooks in testdata/webhooks.
const webhookVectorKey = "fa9d9cba-e7be-4192-896f-c7de4454b885"

// dataPlaneVectorKey signed the data-plane webhooks (files 600 and on),
// sent by a second throwaway server.
const dataPlaneVectorKey = "468b6994-b0e3-43fa-9633-e1a283566997"

type webhookVector struct {
	name   string
	key    string // the secret key that signed it
	header http.Header
	body   []byte
}

// loadWebhookVectors reads the captured requests: a comment line, then the
// raw request as the receiver logged it, then notes.
func loadWebhookVectors(t *testing.T) []webhookVector {
	t.Helper()
	files, err := filepath.Glob("testdata/webhooks/*.txt")
	if err != nil || len(files) < 6 {
		t.Fatalf("webhook vectors: %v %v", files, err)
	}
	var out []webhookVector
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		_, rest, _ := bytes.Cut(raw, []byte("\n"))
		req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(rest)))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		body, err := io.ReadAll(req.Body)
		if err != nil || int64(len(body)) != req.ContentLength {
			t.Fatalf("%s: body %d bytes of %d: %v", f, len(body), req.ContentLength, err)
		}
		key := webhookVectorKey
		if filepath.Base(f) >= "6" {
			key = dataPlaneVectorKey
		}
		out = append(out, webhookVector{filepath.Base(f), key, req.Header, body})
	}
	return out
}

func hmacHex(key string, body []byte) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

func sha256Hex(key string, body []byte) string {
	s := sha256.Sum256(append([]byte(key), body...))
	return hex.EncodeToString(s[:])
}

func TestVerifyWebhookRealVectors(t *testing.T) {
	for _, v := range loadWebhookVectors(t) {
		t.Run(v.name, func(t *testing.T) {
			c, err := New(v.key)
			if err != nil {
				t.Fatal(err)
			}
			// As sent: both headers (the HMAC decides).
			if err := c.VerifyWebhook(v.header, v.body); err != nil {
				t.Errorf("both headers: %v", err)
			}
			onlyHMAC := http.Header{WebhookHMACHeader: v.header.Values(WebhookHMACHeader)}
			if err := c.VerifyWebhook(onlyHMAC, v.body); err != nil {
				t.Errorf("HMAC only: %v", err)
			}
			onlyOld := http.Header{WebhookSignatureHeader: v.header.Values(WebhookSignatureHeader)}
			if err := c.VerifyWebhook(onlyOld, v.body); err != nil {
				t.Errorf("old signature only: %v", err)
			}
			// The captures are what this test's helpers compute, so the
			// table below checks the real algorithm.
			if got := hmacHex(v.key, v.body); got != v.header.Get(WebhookHMACHeader) {
				t.Errorf("hmacHex = %s, capture %s", got, v.header.Get(WebhookHMACHeader))
			}
			if got := sha256Hex(v.key, v.body); got != v.header.Get(WebhookSignatureHeader) {
				t.Errorf("sha256Hex = %s, capture %s", got, v.header.Get(WebhookSignatureHeader))
			}
		})
	}
}

func TestVerifyWebhookRefusals(t *testing.T) {
	v := loadWebhookVectors(t)[0]
	good := v.header.Get(WebhookHMACHeader)
	goodOld := v.header.Get(WebhookSignatureHeader)
	flip := func(s string) string { // change the last hex digit
		last := "0"
		if s[len(s)-1] == '0' {
			last = "1"
		}
		return s[:len(s)-1] + last
	}
	tampered := bytes.Replace(v.body, []byte(`"success":true`), []byte(`"success":false`), 1)
	if bytes.Equal(tampered, v.body) {
		t.Fatal("tampering changed nothing")
	}
	h := func(kv ...string) http.Header {
		out := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			out.Add(kv[i], kv[i+1])
		}
		return out
	}
	cases := []struct {
		name   string
		key    string
		header http.Header
		body   []byte
		ok     bool
		why    string // in the error
	}{
		{"as sent", webhookVectorKey, v.header, v.body, true, ""},
		{"tampered body", webhookVectorKey, v.header, tampered, false, "does not match"},
		{"body with a trailing newline", webhookVectorKey, v.header, append(append([]byte{}, v.body...), '\n'), false, "does not match"},
		{"tampered HMAC", webhookVectorKey, h(WebhookHMACHeader, flip(good), WebhookSignatureHeader, goodOld), v.body, false, "does not match"},
		// A bad HMAC is not rescued by a good old signature: the old one
		// counts only when the HMAC header is absent.
		{"bad HMAC, good old signature", webhookVectorKey, h(WebhookHMACHeader, flip(good), WebhookSignatureHeader, goodOld), v.body, false, WebhookHMACHeader},
		{"empty HMAC, good old signature", webhookVectorKey, h(WebhookHMACHeader, "", WebhookSignatureHeader, goodOld), v.body, false, "hex digits"},
		{"tampered old signature alone", webhookVectorKey, h(WebhookSignatureHeader, flip(goodOld)), v.body, false, "does not match"},
		{"old signature alone, tampered body", webhookVectorKey, h(WebhookSignatureHeader, goodOld), tampered, false, "does not match"},
		{"wrong key", "fa9d9cba-e7be-4192-896f-c7de4454b886", v.header, v.body, false, "does not match"},
		{"no headers", webhookVectorKey, http.Header{}, v.body, false, "neither"},
		{"nil header", webhookVectorKey, nil, v.body, false, "neither"},
		{"other headers only", webhookVectorKey, h("X-Signature", good), v.body, false, "neither"},
		{"odd hex", webhookVectorKey, h(WebhookHMACHeader, good[1:]), v.body, false, "hex digits"},
		{"not hex", webhookVectorKey, h(WebhookHMACHeader, "zz"+good[2:]), v.body, false, "hex digits"},
		{"truncated", webhookVectorKey, h(WebhookHMACHeader, good[:32]), v.body, false, "hex digits"},
		{"too long", webhookVectorKey, h(WebhookHMACHeader, good+"00"), v.body, false, "hex digits"},
		{"sha256= prefix", webhookVectorKey, h(WebhookHMACHeader, "sha256="+good), v.body, false, "hex digits"},
		{"repeated HMAC", webhookVectorKey, h(WebhookHMACHeader, good, WebhookHMACHeader, good), v.body, false, "repeated"},
		// Hex is case-insensitive: the bytes are compared, not the text.
		{"upper-case HMAC", webhookVectorKey, h(WebhookHMACHeader, strings.ToUpper(good)), v.body, true, ""},
		{"upper-case old signature", webhookVectorKey, h(WebhookSignatureHeader, strings.ToUpper(goodOld)), v.body, true, ""},
		{"lower-case header name", webhookVectorKey, http.Header{"x-nango-hmac-sha256": {good}}, v.body, false, "neither"},
		{"HMAC of an empty body", webhookVectorKey, h(WebhookHMACHeader, hmacHex(webhookVectorKey, nil)), nil, true, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := VerifyWebhookSignature(tc.key, tc.header, tc.body)
			if tc.ok {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidSignature) {
				t.Fatalf("err = %v, want ErrInvalidSignature", err)
			}
			if !strings.Contains(err.Error(), tc.why) {
				t.Errorf("err = %q, want it to say %q", err, tc.why)
			}
			if strings.Contains(err.Error(), tc.key) {
				t.Errorf("the error shows the key: %v", err)
			}
		})
	}
	if err := VerifyWebhookSignature("", v.header, v.body); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("empty key: %v", err)
	}
}

func TestParseWebhook(t *testing.T) {
	// The real vectors first: the auth ones here, the data-plane ones in
	// the tests of their area.
	for _, v := range loadWebhookVectors(t) {
		if v.key != webhookVectorKey {
			continue
		}
		w, err := ParseWebhook(v.body)
		if err != nil || w.Type != WebhookTypeAuth || w.Auth == nil || w.Sync != nil || w.Forward != nil || w.AsyncAction != nil {
			t.Fatalf("%s: %+v %v", v.name, w, err)
		}
		a := w.Auth
		if a.Operation != WebhookAuthCreation || !a.Success || a.AuthMode != "API_KEY" || a.Provider != "sendgrid" ||
			a.ProviderConfigKey != "sendgrid" || a.Environment != "dev" || a.From != "nango" || a.Error != nil {
			t.Errorf("%s: %+v", v.name, a)
		}
		if strings.HasPrefix(v.name, "387") {
			eu := a.EndUser
			if eu == nil || eu.EndUserID != "eu-383" || eu.EndUserEmail != "eu383@example.com" ||
				eu.OrganizationID != "org-383" || eu.Tags == nil || len(eu.Tags) != 0 {
				t.Errorf("end user: %+v", eu)
			}
			if a.Tags["organization_display_name"] != "Org 383" || a.ConnectionID != "9e76a87d-d582-43e5-8388-1cbbc9386366" {
				t.Errorf("tags %v, id %s", a.Tags, a.ConnectionID)
			}
		} else if a.EndUser != nil || a.Tags["end_user_id"] != "eu-380" || a.ConnectionID != "wh-import-380" {
			t.Errorf("%s: %+v", v.name, a)
		}
		if !bytes.Equal(w.Body, v.body) {
			t.Error("Body is not the input")
		}
	}

	// Bodies as Nango v0.71.4's packages/webhooks builds them.
	cases := []struct {
		name  string
		body  string
		typ   string
		check func(t *testing.T, w Webhook)
		err   bool
	}{
		{"refresh failed", `{"authMode":"OAUTH2","connectionId":"u1","environment":"prod","error":{"description":"token revoked","type":"refresh_token_external_error"},"from":"nango","operation":"refresh","provider":"github","providerConfigKey":"gh","success":false,"type":"auth"}`,
			"auth", func(t *testing.T, w Webhook) {
				a := w.Auth
				if a.Operation != WebhookAuthRefresh || a.Success || a.Error == nil || a.Error.Type != "refresh_token_external_error" || a.Error.Description != "token revoked" {
					t.Errorf("%+v", a)
				}
			}, false},
		{"sync success", `{"connectionId":"u1","from":"nango","model":"Issue","modifiedAfter":"2025-06-01T10:00:00.123Z","providerConfigKey":"gh","queryTimeStamp":"2025-06-01T10:00:00.123Z","responseResults":{"added":3,"deleted":0,"updated":1},"success":true,"syncName":"issues","syncType":"INCREMENTAL","syncVariant":"base","type":"sync"}`,
			"sync", func(t *testing.T, w Webhook) {
				s := w.Sync
				if s.SyncName != "issues" || s.Model != "Issue" || !s.Success || s.ResponseResults == nil || s.ResponseResults.Added != 3 || s.ResponseResults.Updated != 1 ||
					s.ModifiedAfter.IsZero() || s.ModifiedAfter.Nanosecond() != 123000000 || s.ModifiedAfter.Hour() != 10 || s.SyncVariant != "base" || s.SyncType != "INCREMENTAL" {
					t.Errorf("%+v", s)
				}
			}, false},
		{"sync failure with checkpoints", `{"checkpoints":{"from":{"page":4},"to":null},"connectionId":"u1","error":{"additional_properties":{"x":1},"description":"boom","type":"script_error"},"failedAt":"2025-06-01T10:00:05.000Z","from":"nango","model":"Issue","providerConfigKey":"gh","startedAt":"2025-06-01T10:00:00.000Z","success":false,"syncName":"issues","syncType":"INITIAL","syncVariant":"base","type":"sync"}`,
			"sync", func(t *testing.T, w Webhook) {
				s := w.Sync
				if s.Success || s.Error == nil || s.Error.Type != "script_error" || s.StartedAt.IsZero() || s.FailedAt.IsZero() || s.FailedAt.Sub(s.StartedAt).Seconds() != 5 ||
					s.Checkpoints == nil || s.Checkpoints.From["page"] != float64(4) || s.Checkpoints.To != nil {
					t.Errorf("%+v", s)
				}
			}, false},
		{"forward", `{"connectionId":"u1","from":"hubspot","payload":{"eventId":7,"subscriptionType":"contact.creation"},"providerConfigKey":"hs","type":"forward"}`,
			"forward", func(t *testing.T, w Webhook) {
				f := w.Forward
				if f.From != "hubspot" || f.ConnectionID != "u1" || string(f.Payload) != `{"eventId":7,"subscriptionType":"contact.creation"}` {
					t.Errorf("%+v %s", f, f.Payload)
				}
			}, false},
		{"async action", `{"connectionId":"u1","from":"nango","payload":{"id":"a-1","statusUrl":"/action/a-1"},"providerConfigKey":"gh","type":"async_action"}`,
			"async_action", func(t *testing.T, w Webhook) {
				if a := w.AsyncAction; a.Payload.ID != "a-1" || a.Payload.StatusURL != "/action/a-1" {
					t.Errorf("%+v", a)
				}
			}, false},
		{"a kind added later", `{"from":"nango","type":"usage","whatever":[1,2]}`, "usage", nil, false},
		{"bare forwarded body", `{"event":"x","type":"auth"}`, "", nil, false}, // no "from": the provider's own type
		{"empty from", `{"from":"","type":"auth","success":"not a bool"}`, "", nil, false},
		{"array", `[{"type":"auth","from":"nango"}]`, "", nil, false},
		{"string", `"auth"`, "", nil, false},
		{"non-string type", `{"from":"nango","type":7}`, "", nil, false},
		{"not JSON", `{"type":"auth"`, "", nil, true},
		{"empty", ``, "", nil, true},
		{"auth with a wrong field type", `{"from":"nango","type":"auth","success":"yes"}`, "auth", nil, true},
		{"sync with a bad time", `{"from":"nango","type":"sync","modifiedAfter":"yesterday"}`, "sync", nil, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w, err := ParseWebhook([]byte(tc.body))
			if tc.err {
				if !errors.Is(err, ErrInvalidWebhook) {
					t.Fatalf("err = %v, want ErrInvalidWebhook", err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if w.Type != tc.typ || string(w.Body) != tc.body {
				t.Errorf("Type %q Body %q", w.Type, w.Body)
			}
			set := 0
			for _, p := range []bool{w.Auth != nil, w.Sync != nil, w.Forward != nil, w.AsyncAction != nil} {
				if p {
					set++
				}
			}
			if want := map[bool]int{true: 1, false: 0}[tc.check != nil]; set != want {
				t.Fatalf("%d kinds set, want %d: %+v", set, want, w)
			}
			if tc.check != nil {
				tc.check(t, w)
			}
		})
	}
}

func TestWebhookString(t *testing.T) {
	v := loadWebhookVectors(t)[2]
	w, err := ParseWebhook(v.body)
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(w)
	if got != "auth creation sendgrid/9e76a87d-d582-43e5-8388-1cbbc9386366 success=true" {
		t.Errorf("String = %q", got)
	}
	if strings.Contains(got, "eu383@example.com") {
		t.Error("String shows personal data")
	}
}

func TestWebhookHandler(t *testing.T) {
	v := loadWebhookVectors(t)[0]
	c, err := New(webhookVectorKey)
	if err != nil {
		t.Fatal(err)
	}
	signed := func(body []byte) http.Header {
		return http.Header{WebhookHMACHeader: {hmacHex(webhookVectorKey, body)}, "Content-Type": {"application/json"}}
	}
	huge := []byte(`{"from":"nango","type":"forward","payload":"` + strings.Repeat("a", maxWebhookBody) + `"}`)
	fnErr := errors.New("database down")
	cases := []struct {
		name    string
		method  string
		header  http.Header
		body    []byte
		fnErr   error
		status  int
		called  bool
		wantTyp string
	}{
		{"real vector", http.MethodPost, v.header, v.body, nil, http.StatusNoContent, true, "auth"},
		{"fn fails", http.MethodPost, v.header, v.body, fnErr, http.StatusInternalServerError, true, "auth"},
		{"unknown kind", http.MethodPost, signed([]byte(`{"from":"nango","type":"new"}`)), []byte(`{"from":"nango","type":"new"}`), nil, http.StatusNoContent, true, "new"},
		{"tampered body", http.MethodPost, v.header, bytes.Replace(v.body, []byte("eu-380"), []byte("eu-381"), 1), nil, http.StatusUnauthorized, false, ""},
		{"no signature", http.MethodPost, http.Header{}, v.body, nil, http.StatusUnauthorized, false, ""},
		{"signed but not JSON", http.MethodPost, signed([]byte("nope")), []byte("nope"), nil, http.StatusBadRequest, false, ""},
		{"signed but malformed auth", http.MethodPost, signed([]byte(`{"from":"nango","type":"auth","success":1}`)), []byte(`{"from":"nango","type":"auth","success":1}`), nil, http.StatusBadRequest, false, ""},
		{"over 1 MiB", http.MethodPost, signed(huge), huge, nil, http.StatusRequestEntityTooLarge, false, ""},
		{"GET", http.MethodGet, v.header, nil, nil, http.StatusMethodNotAllowed, false, ""},
		{"PUT", http.MethodPut, v.header, v.body, nil, http.StatusMethodNotAllowed, false, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var called bool
			var got Webhook
			h := c.WebhookHandler(func(ctx context.Context, w Webhook) error {
				called, got = true, w
				if ctx == nil {
					t.Error("nil context")
				}
				return tc.fnErr
			})
			srv := httptest.NewServer(h)
			defer srv.Close()
			req, _ := http.NewRequest(tc.method, srv.URL+"/hooks/nango", bytes.NewReader(tc.body))
			for k, vs := range tc.header {
				req.Header[k] = vs
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			msg, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status || called != tc.called {
				t.Fatalf("status %d called %t (%s), want %d %t", resp.StatusCode, called, msg, tc.status, tc.called)
			}
			if tc.status == http.StatusMethodNotAllowed && resp.Header.Get("Allow") != "POST" {
				t.Errorf("Allow = %q", resp.Header.Get("Allow"))
			}
			if tc.fnErr != nil && strings.Contains(string(msg), tc.fnErr.Error()) {
				t.Errorf("the 500 shows fn's error: %s", msg)
			}
			if called {
				if got.Type != tc.wantTyp || !bytes.Equal(got.Body, tc.body) || got.Header.Get(WebhookHMACHeader) == "" {
					t.Errorf("fn got %+v", got)
				}
			}
		})
	}
}

func TestWebhookHandlerWithOtherKeyAndNilFn(t *testing.T) {
	const signingKey = "whsk-rotated"
	body := []byte(`{"from":"nango","type":"sync","syncName":"s","model":"M","connectionId":"c","providerConfigKey":"p","success":true}`)
	cases := []struct {
		name   string
		key    string
		status int
	}{
		{"signed with the signing key", signingKey, http.StatusNoContent},
		{"signed with another key", "whsk-old", http.StatusUnauthorized},
	}
	h := NewWebhookHandler(signingKey, nil)
	for _, tc := range cases {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/hook", bytes.NewReader(body))
		req.Header.Set(WebhookHMACHeader, hmacHex(tc.key, body))
		h.ServeHTTP(rec, req)
		if rec.Code != tc.status {
			t.Errorf("%s: %d %s", tc.name, rec.Code, rec.Body)
		}
	}
	if s := fmt.Sprintf("%v %+v %#v", h, h, h); strings.Contains(s, signingKey) {
		t.Errorf("the handler prints its key: %s", s)
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/hook", bytes.NewReader(body))
	req.Header.Set(WebhookHMACHeader, hmacHex("", body))
	NewWebhookHandler("", nil).ServeHTTP(rec, req)
	if rec.Code != http.StatusInternalServerError {
		t.Errorf("handler without a key: %d, want 500 (it must not accept an HMAC keyed with nothing)", rec.Code)
	}
}

func FuzzParseWebhook(f *testing.F) {
	f.Add([]byte(`{"from":"nango","type":"auth","success":true}`))
	f.Add([]byte(`{"from":"x","type":"forward","payload":null}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		w, err := ParseWebhook(body)
		if err == nil && (w.Type == WebhookTypeAuth) != (w.Auth != nil) {
			t.Errorf("Type %q with Auth %v", w.Type, w.Auth)
		}
	})
}
