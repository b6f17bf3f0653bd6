package nango

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/nango-go/sdk/gen"
)

// Sentinel errors, matched with errors.Is. An *APIError matches the sentinel of
// its status and code; client-side failures wrap the matching sentinel.
var (
	// ErrInvalidArgument: the call was refused before any request was sent
	// (an empty, over-long or dot-segment id, a bad option).
	ErrInvalidArgument = errors.New("nango: invalid argument")
	// ErrNotFound: no such connection (404 not_found, or the 400
	// unknown_connection of older servers and of deletes).
	ErrNotFound = errors.New("nango: not found")
	// ErrUnauthorized: a missing, malformed or unknown secret key (401).
	ErrUnauthorized = errors.New("nango: unauthorized")
	// ErrForbidden: the secret key lacks a scope the call needs (403).
	ErrForbidden = errors.New("nango: forbidden")
	// ErrRateLimited: Nango answered 429; see APIError.RetryAfter.
	ErrRateLimited = errors.New("nango: rate limited")
	// ErrInvalidCredentials: Nango could not refresh the connection's token at
	// the provider (400 or 424 invalid_credentials). Retrying does not help:
	// the end user has to reconnect.
	ErrInvalidCredentials = errors.New("nango: invalid credentials")
	// ErrUnknownProviderConfig: no integration with that provider config key
	// in the secret key's environment (400 unknown_provider_config).
	ErrUnknownProviderConfig = errors.New("nango: unknown provider config key")
	// ErrUnexpectedResponse: a response the SDK could not use: a success
	// without JSON, malformed JSON, a body over the size cap.
	ErrUnexpectedResponse = errors.New("nango: unexpected response")
	// ErrUnavailable: Nango could not be reached or answered that it cannot
	// serve now, after the retries: a refused or reset connection, an attempt
	// that timed out (WithTimeout), or a 502, 503 or 504. A service can
	// answer 503 itself. The caller's own cancellation or deadline does not
	// match it.
	ErrUnavailable = errors.New("nango: unavailable")
	// ErrNoCredentials: the connection carries no credentials (an
	// unauthenticated integration, or a key without the read_credentials scope).
	ErrNoCredentials = errors.New("nango: connection has no credentials")
	// ErrInvalidSignature: a webhook whose signature header is missing, not
	// hex, or does not match the body and key (see VerifyWebhook).
	ErrInvalidSignature = errors.New("nango: invalid webhook signature")
	// ErrInvalidWebhook: a webhook body that is not JSON, or a known kind of
	// webhook with a field of the wrong type (see ParseWebhook).
	ErrInvalidWebhook = errors.New("nango: invalid webhook body")
)

// maxErrorBodyKept is how much of an error body an APIError keeps: enough to
// debug a proxy's HTML page, small enough to log.
const maxErrorBodyKept = 4 << 10

// APIError is an answer from Nango (or a proxy in front of it) with a status
// outside 2xx. It is built from either of Nango's error bodies, or from an HTML,
// plain-text or empty body, and never loses the status.
type APIError struct {
	// StatusCode is the HTTP status.
	StatusCode int
	// Code is Nango's error code ("not_found", "invalid_credentials", …);
	// empty when the body was not Nango's JSON.
	Code string
	// Message is Nango's message, or a description of a non-JSON body.
	Message string
	// RequestID is the request id the server or a proxy sent, if any.
	RequestID string
	// RetryAfter is how long the server asked to wait (429, 503), or 0.
	RetryAfter time.Duration
	// Issues lists the invalid fields of a 400 invalid_*_params / invalid_body.
	Issues []Issue
	// Payload is the error's payload as sent. For invalid_credentials it holds
	// the connection without its credentials.
	Payload json.RawMessage
	// Body is the start of the raw body (at most 4 KiB).
	Body []byte
	// Operation names the call, e.g. "GET /connections/{connectionId}".
	Operation string
	// header is the answer's, for CaptureResponse.
	header http.Header
	// also lists sentinels matched besides those of the status and code
	// (ErrProxy for the errors of Nango's proxy layer).
	also []error
}

// Issue is one invalid field in a validation error.
type Issue = gen.ValidationIssue

// IssuePath is where in the request an issue is: property names and array
// indexes, as strings ("tags", "0", "x").
func IssuePath(is Issue) []string {
	out := make([]string, 0, len(is.Path))
	for _, item := range is.Path {
		raw, _ := item.MarshalJSON()
		var s string
		if json.Unmarshal(raw, &s) != nil {
			s = string(raw) // an array index
		}
		out = append(out, s)
	}
	return out
}

func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("nango: ")
	if e.Operation != "" {
		b.WriteString(e.Operation)
		b.WriteString(": ")
	}
	fmt.Fprintf(&b, "%d %s", e.StatusCode, http.StatusText(e.StatusCode))
	if e.Code != "" {
		b.WriteString(" (")
		b.WriteString(e.Code)
		b.WriteString(")")
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	for i, is := range e.Issues {
		if i == 3 {
			fmt.Fprintf(&b, "; and %d more", len(e.Issues)-i)
			break
		}
		fmt.Fprintf(&b, "; %s: %s", strings.Join(IssuePath(is), "."), is.Message)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter)
	}
	return b.String()
}

// GoString keeps %#v as short as %v: the body is left out of it.
func (e *APIError) GoString() string { return "&nango.APIError{" + e.Error() + "}" }

// Is makes errors.Is(err, ErrNotFound) and friends work on an *APIError.
func (e *APIError) Is(target error) bool {
	for _, s := range e.also {
		if s == target {
			return true
		}
	}
	switch target {
	case ErrNotFound:
		return e.Code == "not_found" && e.StatusCode == http.StatusNotFound ||
			e.Code == "unknown_connection" || e.Code == "unkown_connection"
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests
	case ErrUnavailable:
		return e.StatusCode == http.StatusBadGateway || e.StatusCode == http.StatusServiceUnavailable ||
			e.StatusCode == http.StatusGatewayTimeout
	case ErrInvalidCredentials:
		return e.Code == "invalid_credentials"
	case ErrUnknownProviderConfig:
		return e.Code == "unknown_provider_config"
	}
	return false
}

// wireError reads both of Nango's error bodies: today's {"error": {...}} and
// the older {"error": "message", "type": "code"}.
// newAPIError builds the error of a non-2xx response from its (capped) body.
func newAPIError(op string, status int, header http.Header, body []byte) *APIError {
	e := &APIError{StatusCode: status, Operation: op, RequestID: requestID(header), header: header}
	e.RetryAfter, _ = parseRetryAfter(header.Get("Retry-After"), time.Now())
	kept := body
	if len(kept) > maxErrorBodyKept {
		kept = kept[:maxErrorBodyKept]
	}
	e.Body = bytes.Clone(kept)

	if isJSON(header.Get("Content-Type")) || looksLikeJSONObject(body) {
		if decodeErrorBody(e, body) {
			return e
		}
	}
	e.Message = describeBody(header.Get("Content-Type"), body)
	return e
}

// decodeErrorBody fills e from a JSON error body and reports whether the body
// was one of Nango's shapes.
func decodeErrorBody(e *APIError, body []byte) bool {
	var w gen.Error
	if err := json.Unmarshal(body, &w); err != nil {
		return false
	}
	raw, _ := w.Error.MarshalJSON()
	switch raw = bytes.TrimSpace(raw); {
	case len(raw) > 0 && raw[0] == '{':
		d, err := w.Error.AsErrorDetail()
		if err != nil {
			return false
		}
		e.Code, e.Message, e.Payload, e.Issues = d.Code, d.Message, nonNull(d.Payload), d.Errors
		return true
	case len(raw) > 0 && raw[0] == '"':
		msg, err := w.Error.AsErrorError1()
		if err != nil {
			return false
		}
		e.Code, e.Message, e.Payload = w.Type, msg, nonNull(w.Payload)
		return true
	}
	return false
}

func nonNull(m json.RawMessage) json.RawMessage {
	if len(m) == 0 || string(m) == "null" {
		return nil
	}
	return m
}

// describeBody says what a body that is not Nango's JSON looked like, without
// repeating it: a proxy's page is noise in an error string.
func describeBody(contentType string, body []byte) string {
	if len(bytes.TrimSpace(body)) == 0 {
		return "empty response body (from a proxy or load balancer in front of Nango?)"
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	if mt == "" {
		mt = "untyped"
	}
	if title := htmlTitle(body); title != "" {
		return fmt.Sprintf("%s response, not Nango's JSON (%q)", mt, title)
	}
	return mt + " response, not Nango's JSON (from a proxy or load balancer in front of Nango?)"
}

func htmlTitle(body []byte) string {
	// Searched in place: a lowered copy of an error body up to its 64 KiB
	// cap would cost as much as reading it.
	start := indexFoldASCII(body, "<title>")
	if start < 0 {
		return ""
	}
	start += len("<title>")
	n := indexFoldASCII(body[start:], "</title>")
	if n < 0 || n > 200 {
		return ""
	}
	return strings.TrimSpace(string(body[start : start+n]))
}

// indexFoldASCII is the index of pat (ASCII, lower case) in b, ignoring the
// case of b's ASCII letters, or -1.
func indexFoldASCII(b []byte, pat string) int {
	for i := 0; i+len(pat) <= len(b); i++ {
		j := 0
		for j < len(pat) {
			c := b[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != pat[j] {
				break
			}
			j++
		}
		if j == len(pat) {
			return i
		}
	}
	return -1
}

func requestID(h http.Header) string {
	for _, k := range [...]string{"X-Request-Id", "X-Amzn-Requestid", "Cf-Ray", "X-Cloud-Trace-Context"} {
		if v := h.Get(k); v != "" {
			return v
		}
	}
	return ""
}

func isJSON(contentType string) bool {
	// The common answer, "application/json; charset=utf-8", without the
	// allocations of a full media-type parse.
	if rest, ok := strings.CutPrefix(contentType, "application/json"); ok && (rest == "" || rest[0] == ';' || rest[0] == ' ') {
		return true
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

func looksLikeJSONObject(b []byte) bool {
	b = bytes.TrimSpace(b)
	return len(b) > 1 && b[0] == '{'
}

// invalidArgument is a client-side refusal; it matches ErrInvalidArgument.
func invalidArgument(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidArgument}, args...)...)
}

// UnexpectedResponseError is a response the SDK could not use: a success
// without a JSON body, malformed JSON, or a body over the size cap. It matches
// ErrUnexpectedResponse and keeps the status.
type UnexpectedResponseError struct {
	Operation  string
	StatusCode int
	Reason     string
	Err        error
}

func (e *UnexpectedResponseError) Error() string {
	s := fmt.Sprintf("nango: %s: %d %s: %s", e.Operation, e.StatusCode, http.StatusText(e.StatusCode), e.Reason)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *UnexpectedResponseError) Is(target error) bool { return target == ErrUnexpectedResponse }
func (e *UnexpectedResponseError) Unwrap() error        { return e.Err }

// decodeError is a description of a bad body that quotes none of it.
type decodeError struct{ msg string }

func (e *decodeError) Error() string { return e.msg }

func decodeErrorf(format string, args ...any) error {
	return &decodeError{msg: fmt.Sprintf(format, args...)}
}

// safeDecodeError keeps what a decode error says about the place and the
// JSON type of a bad value, and drops anything that could quote the value
// itself (a time parse error repeats its input, which may be a token).
func safeDecodeError(err error) error {
	var own *decodeError
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	var parseErr *time.ParseError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &own):
		return own
	case errors.As(err, &typeErr):
		where := typeErr.Field
		if where == "" {
			where = "a value"
		}
		// Value is "string", "object", … or "number 123": keep the kind only.
		kind, _, _ := strings.Cut(typeErr.Value, " ")
		return decodeErrorf("%s: want %s, got a JSON %s", where, typeErr.Type, kind)
	case errors.As(err, &syntaxErr):
		return decodeErrorf("invalid JSON at byte %d", syntaxErr.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return decodeErrorf("truncated JSON")
	case errors.As(err, &parseErr):
		return decodeErrorf("a timestamp that is not RFC 3339")
	default:
		return decodeErrorf("a value of the wrong type or format")
	}
}
