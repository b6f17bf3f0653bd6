package nango

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/nango-go/sdk/gen"
)

// The headers Nango signs a webhook with. Both hold lower-case hex.
const (
	// WebhookHMACHeader holds hex(HMAC-SHA256(key, body)).
	WebhookHMACHeader = "X-Nango-Hmac-Sha256"
	// WebhookSignatureHeader holds hex(SHA-256(key + body)), the older
	// signature, still sent next to the HMAC.
	WebhookSignatureHeader = "X-Nango-Signature"
)

// The kinds of webhook (the body's "type").
const (
	WebhookTypeAuth        = "auth"
	WebhookTypeSync        = "sync"
	WebhookTypeForward     = "forward"
	WebhookTypeAsyncAction = "async_action"
)

// The webhook bodies, as openapi.yaml describes them.
type (
	WebhookAuth          = gen.WebhookAuth
	WebhookAuthOperation = gen.WebhookAuthOperation
	WebhookEndUser       = gen.WebhookEndUser
	WebhookError         = gen.WebhookError
	WebhookSync          = gen.WebhookSync
	WebhookSyncResults   = gen.WebhookSyncResults
	WebhookCheckpoints   = gen.WebhookCheckpoints
	WebhookForward       = gen.WebhookForward
	WebhookAsyncAction   = gen.WebhookAsyncAction
)

// The operations of an auth webhook.
const (
	// WebhookAuthCreation: an end user created the connection.
	WebhookAuthCreation = gen.WebhookAuthOperationCreation
	// WebhookAuthRefresh: refreshing the connection's token failed (Nango
	// sends it on failure only); the end user has to reconnect.
	WebhookAuthRefresh = gen.WebhookAuthOperationRefresh
	// WebhookAuthOverride: the connection was authorized again and its
	// credentials replaced.
	WebhookAuthOverride = gen.WebhookAuthOperationOverride
)

// maxWebhookBody caps what WebhookHandler reads. Nango's own webhooks are
// well under a kilobyte; forwarded provider webhooks can be larger, but a
// megabyte is beyond any that providers document.
const maxWebhookBody = 1 << 20

// Webhook is a parsed webhook body. Exactly one of Auth, Sync, Forward and
// AsyncAction is set when Type is one of the kinds above; for any other Type
// (a kind Nango added later, or "" for a body that is not one of Nango's
// envelopes) all are nil and Body still holds the JSON.
type Webhook struct {
	// Type is the body's "type": WebhookTypeAuth, WebhookTypeSync, ... or
	// another value for kinds this SDK does not know yet.
	Type        string
	Auth        *WebhookAuth
	Sync        *WebhookSync
	Forward     *WebhookForward
	AsyncAction *WebhookAsyncAction
	// Body is the body as received (the slice given to ParseWebhook).
	Body json.RawMessage
	// Header is the request's header when the webhook came through
	// WebhookHandler (nil from ParseWebhook). Forwarded webhooks carry the
	// provider's own headers there, e.g. its signature.
	Header http.Header
}

// String summarises the webhook by kind and ids. It leaves out the body,
// tags and end user, which may hold personal data that has no place in logs.
func (w Webhook) String() string {
	switch {
	case w.Auth != nil:
		a := w.Auth
		s := fmt.Sprintf("auth %s %s/%s success=%t", a.Operation, a.ProviderConfigKey, a.ConnectionID, a.Success)
		if a.Error != nil {
			s += " error=" + a.Error.Type
		}
		return s
	case w.Sync != nil:
		s := w.Sync
		out := fmt.Sprintf("sync %s %s/%s model=%s success=%t", s.SyncName, s.ProviderConfigKey, s.ConnectionID, s.Model, s.Success)
		if r := s.ResponseResults; r != nil {
			out += fmt.Sprintf(" added=%d updated=%d deleted=%d", r.Added, r.Updated, r.Deleted)
		}
		if s.Error != nil {
			out += " error=" + s.Error.Type
		}
		return out
	case w.Forward != nil:
		f := w.Forward
		return fmt.Sprintf("forward from %s %s/%s (%d bytes)", f.From, f.ProviderConfigKey, f.ConnectionID, len(f.Payload))
	case w.AsyncAction != nil:
		a := w.AsyncAction
		return fmt.Sprintf("async_action %s %s/%s", a.Payload.ID, a.ProviderConfigKey, a.ConnectionID)
	case w.Type == "":
		return fmt.Sprintf("unknown webhook (%d bytes)", len(w.Body))
	default:
		return fmt.Sprintf("%q webhook (%d bytes)", w.Type, len(w.Body))
	}
}

// VerifyWebhook checks that body was signed with the client's secret key,
// which is the key Nango (v0.71 and earlier) signs an environment's webhooks
// with. Servers that sign with a separate webhook signing key need
// VerifyWebhookSignature.
func (c *Client) VerifyWebhook(header http.Header, body []byte) error {
	return VerifyWebhookSignature(c.secret.key, header, body)
}

// VerifyWebhookSignature checks a webhook's signature: X-Nango-Hmac-Sha256
// against HMAC-SHA256(signingKey, body), or, only when that header is absent,
// the older X-Nango-Signature against SHA-256(signingKey + body). body must
// be the raw bytes received: re-encoded JSON does not verify. Hex digits are
// accepted in either case (the bytes they spell are compared, in constant
// time). A missing, repeated, malformed or wrong signature returns an error
// matching ErrInvalidSignature; the error never holds the key.
//
// The older signature is open to length extension: whoever saw one signed
// body can sign that body with bytes appended (not valid JSON, so
// ParseWebhook refuses it). A receiver that only ever gets webhooks from
// servers sending the HMAC can require it by checking that the header is
// present.
func VerifyWebhookSignature(signingKey string, header http.Header, body []byte) error {
	if signingKey == "" {
		// Anyone can compute an HMAC with an empty key.
		return invalidArgument("empty webhook signing key")
	}
	if vals := header.Values(WebhookHMACHeader); len(vals) > 0 {
		mac := hmac.New(sha256.New, []byte(signingKey))
		mac.Write(body)
		return compareSignature(WebhookHMACHeader, vals, mac.Sum(nil))
	}
	if vals := header.Values(WebhookSignatureHeader); len(vals) > 0 {
		h := sha256.New()
		io.WriteString(h, signingKey)
		h.Write(body)
		return compareSignature(WebhookSignatureHeader, vals, h.Sum(nil))
	}
	return fmt.Errorf("%w: neither %s nor %s is present", ErrInvalidSignature, WebhookHMACHeader, WebhookSignatureHeader)
}

func compareSignature(name string, vals []string, want []byte) error {
	if len(vals) > 1 {
		// Which one would count is a guess an attacker could exploit.
		return fmt.Errorf("%w: %s is repeated", ErrInvalidSignature, name)
	}
	got, err := hex.DecodeString(vals[0])
	if err != nil || len(got) != len(want) {
		return fmt.Errorf("%w: %s is not %d hex digits", ErrInvalidSignature, name, 2*len(want))
	}
	if !hmac.Equal(got, want) {
		return fmt.Errorf("%w: %s does not match the body", ErrInvalidSignature, name)
	}
	return nil
}

// ParseWebhook decodes a webhook body by its "type". A kind this SDK does not
// know is not an error: the Webhook carries its Type and Body. Nor is a body
// without Nango's envelope (a forwarded provider webhook that Nango could not
// attribute to a connection is sent as the provider's bare body): its Type is
// "". A body only counts as one of Nango's kinds when it also has a "from",
// so that a provider's own "type" field is not mistaken for one. The error,
// matching ErrInvalidWebhook, is for bodies that are not JSON and for known
// kinds with a field of the wrong type. Call it after verifying the body.
func ParseWebhook(body []byte) (Webhook, error) {
	w := Webhook{Body: body}
	if !json.Valid(body) {
		return w, fmt.Errorf("%w: not JSON", ErrInvalidWebhook)
	}
	var env struct {
		Type json.RawMessage `json:"type"`
		From json.RawMessage `json:"from"`
	}
	if json.Unmarshal(body, &env) != nil {
		return w, nil // valid JSON, but not an object
	}
	var typ, from string
	if json.Unmarshal(env.Type, &typ) != nil || json.Unmarshal(env.From, &from) != nil || from == "" {
		return w, nil
	}
	w.Type = typ
	var err error
	switch typ {
	case WebhookTypeAuth:
		w.Auth = new(WebhookAuth)
		err = json.Unmarshal(body, w.Auth)
	case WebhookTypeSync:
		w.Sync = new(WebhookSync)
		err = json.Unmarshal(body, w.Sync)
	case WebhookTypeForward:
		w.Forward = new(WebhookForward)
		err = json.Unmarshal(body, w.Forward)
	case WebhookTypeAsyncAction:
		w.AsyncAction = new(WebhookAsyncAction)
		err = json.Unmarshal(body, w.AsyncAction)
	}
	if err != nil {
		return Webhook{Type: typ, Body: body}, fmt.Errorf("%w: %s webhook: %v", ErrInvalidWebhook, typ, err)
	}
	return w, nil
}

// WebhookHandler returns an http.Handler for the webhook URL set in Nango's
// dashboard. It verifies each request with the client's secret key; see
// NewWebhookHandler.
func (c *Client) WebhookHandler(fn func(ctx context.Context, w Webhook) error) http.Handler {
	return &webhookHandler{key: &secret{key: c.secret.key}, fn: fn}
}

// NewWebhookHandler returns an http.Handler that receives Nango's webhooks:
// it reads the body (at most 1 MiB, else 413), verifies its signature with
// signingKey (401 without calling fn), parses it (400 if malformed) and calls
// fn with the request's context. It answers 204 when fn returns nil and 500
// when it returns an error, which makes Nango retry the delivery (it does not
// retry a 4xx), so return an error only for failures worth retrying, and log
// it: the 500 does not carry it. Only POST is allowed (405 otherwise). Nango
// may deliver a webhook more than once; fn should be idempotent. A nil fn
// acknowledges every valid webhook.
func NewWebhookHandler(signingKey string, fn func(ctx context.Context, w Webhook) error) http.Handler {
	return &webhookHandler{key: &secret{key: signingKey}, fn: fn}
}

type webhookHandler struct {
	key *secret // prints redacted
	fn  func(context.Context, Webhook) error
}

func (h *webhookHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "only POST", http.StatusMethodNotAllowed)
		return
	}
	body, over, err := readUpTo(r.Body, r.ContentLength, maxWebhookBody)
	if err != nil {
		http.Error(w, "could not read the body", http.StatusBadRequest)
		return
	}
	if over {
		// As http.MaxBytesReader would: the rest is not read.
		w.Header().Set("Connection", "close")
		http.Error(w, "body over 1 MiB", http.StatusRequestEntityTooLarge)
		return
	}
	if err := VerifyWebhookSignature(h.key.key, r.Header, body); err != nil {
		status := http.StatusUnauthorized
		if !errors.Is(err, ErrInvalidSignature) {
			status = http.StatusInternalServerError // the handler was built without a key
		}
		http.Error(w, strings.TrimPrefix(err.Error(), "nango: "), status)
		return
	}
	wh, err := ParseWebhook(body)
	if err != nil {
		http.Error(w, strings.TrimPrefix(err.Error(), "nango: "), http.StatusBadRequest)
		return
	}
	wh.Header = r.Header
	if h.fn == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if err := h.fn(r.Context(), wh); err != nil {
		http.Error(w, "webhook not processed", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
