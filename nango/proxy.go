package nango

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/textproto"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// ErrProxy matches the errors of Nango's proxy layer itself, as opposed to
// an answer of the provider: an unknown connection or integration, a
// refused header, a wrong secret key, an unreachable provider. Such an
// *APIError also matches the sentinel of its status and code (ErrNotFound,
// ErrUnauthorized, ErrUnknownProviderConfig, …).
var ErrProxy = errors.New("nango: proxy error from Nango")

// ProxyOption configures a proxy client; see ProxyClient.
type ProxyOption func(*proxyConfig) error

type proxyConfig struct {
	retries, retryOn, baseURL, decompress string
}

// ProxyRetries has Nango retry the provider's 5xx and 429 answers (and
// those of ProxyRetryOn) up to n times, with its own fixed backoff of about
// 3 s, then 6 s, … (Nango's Retries header; it ignores Retry-After). Nango
// retries 0 times by default, and the proxy client itself never does.
func ProxyRetries(n int) ProxyOption {
	return func(p *proxyConfig) error {
		if n < 0 {
			return invalidArgument("ProxyRetries: negative count %d", n)
		}
		p.retries = strconv.Itoa(n)
		return nil
	}
}

// retryOnPattern is what Nango accepts in Retry-On (else 400
// invalid_headers).
var retryOnPattern = regexp.MustCompile(`^\d+(,\d+)*$`)

// ProxyRetryOn adds statuses Nango retries besides 5xx and 429, when
// ProxyRetries allows retries (Nango's Retry-On header).
func ProxyRetryOn(statuses ...int) ProxyOption {
	return func(p *proxyConfig) error {
		if len(statuses) == 0 {
			return invalidArgument("ProxyRetryOn: no status given")
		}
		s := make([]string, len(statuses))
		for i, st := range statuses {
			if st < 100 || st > 599 {
				return invalidArgument("ProxyRetryOn: %d is not an HTTP status", st)
			}
			s[i] = strconv.Itoa(st)
		}
		v := strings.Join(s, ",")
		if !retryOnPattern.MatchString(v) {
			return invalidArgument("ProxyRetryOn: %q is not a list of statuses", v)
		}
		p.retryOn = v
		return nil
	}
}

// ProxyBaseURLOverride sends the requests to rawURL instead of the
// provider's base URL known to Nango (Nango's Base-Url-Override header). The
// request's path is appended to it. Nango refuses loopback addresses and
// those its configuration denies (400 base_url_override_not_allowed).
func ProxyBaseURLOverride(rawURL string) ProxyOption {
	return func(p *proxyConfig) error {
		u, err := url.Parse(rawURL)
		if err != nil {
			return invalidArgument("ProxyBaseURLOverride: not a URL")
		}
		if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			// Redacted: a URL given by mistake may hold a password.
			return invalidArgument("ProxyBaseURLOverride: %q is not an http:// or https:// URL", u.Redacted())
		}
		if u.User != nil {
			// It would travel in a header and be logged as such.
			return invalidArgument("ProxyBaseURLOverride: user info in the URL is not supported")
		}
		if strings.ContainsAny(rawURL, "\r\n\x00") {
			return invalidArgument("ProxyBaseURLOverride: control character in the URL")
		}
		p.baseURL = rawURL
		return nil
	}
}

// ProxyDecompress asks Nango to decompress the provider's answer before
// relaying it (Nango's Decompress header; Nango's default is false).
func ProxyDecompress(on bool) ProxyOption {
	return func(p *proxyConfig) error { p.decompress = strconv.FormatBool(on); return nil }
}

// ProxyClient returns an HTTP client whose requests go to the provider of a
// connection through Nango's proxy: Nango adds the connection's credentials
// (refreshing them when due) and relays the provider's answer.
//
//	gh := client.ProxyClient("github", "user-1")
//	resp, err := gh.Get("https://api.github.com/user")
//
// Only the path and query of a request's URL are used: they become
// <Nango host>/proxy/<path>?<query>, escaping kept. The scheme and host are
// ignored, not checked: the provider is the base URL Nango knows for the
// integration (or ProxyBaseURLOverride). Writing the provider's real URL
// keeps code readable and lets it run without Nango; a relative URL
// ("/user", from http.NewRequest) works too. A path with a "." or ".."
// segment is refused, as it could leave /proxy/ and reach another route of
// Nango with the secret key.
//
// The request's headers travel as Nango-Proxy-<Name> (Nango strips the
// prefix before calling the provider), except hop-by-hop headers, Host,
// Content-Length and Accept-Encoding, which belong to the hop to Nango.
// Content-Type goes unprefixed when there is a body, because Nango reads
// the body by it: it sends a JSON or form body on as JSON (a form body
// arrives at the provider as JSON, capture 375). An Authorization header is sent as Nango-Proxy-Authorization, and
// Nango then uses it instead of the connection's credentials. The secret key
// goes to Nango alone, as its Authorization header; Nango does not pass it on.
//
// The body is streamed to Nango, never buffered. The client does not retry:
// use ProxyRetries to have Nango retry the provider. (Go's transport may
// resend a request that never reached Nango on a reused connection, when the
// request has GetBody or no body, as for any request.)
//
// The response is the provider's answer, whatever its status: a 404 or 500
// of the provider is a response, not an error. Its headers are Nango's
// plus, on success, the provider's Content-Type only, and on an error
// status, all of the provider's headers (Retry-After included). An error of
// Nango itself is returned by Do as an *APIError matching ErrProxy and the
// sentinel of its status and code. It is told from the provider's answers
// by its body: one of Nango's error shapes, with one of Nango's codes (the
// headers cannot tell: Nango adds its own to the provider's answers too). Redirects are not followed: a 3xx is returned
// as the response, since following it would send the request elsewhere with
// its headers (Nango follows the provider's redirects itself).
//
// Bad arguments or options are reported by every request (matching
// ErrInvalidArgument) before anything is sent. The client has no timeout
// other than the WithHTTPClient client's: bound requests with their context
// or set Timeout on the returned client, which is the caller's to change.
func (c *Client) ProxyClient(providerConfigKey, connectionID string, opts ...ProxyOption) *http.Client {
	t := &proxyTransport{c: c}
	t.err = checkKeyAndID(providerConfigKey, connectionID)
	var cfg proxyConfig
	for _, o := range opts {
		if o == nil || t.err != nil {
			continue
		}
		t.err = o(&cfg)
	}
	h := http.Header{
		"Authorization":       c.secret.authValue,
		"User-Agent":          c.userAgent,
		"Connection-Id":       {connectionID},
		"Provider-Config-Key": {providerConfigKey},
	}
	for k, v := range map[string]string{"Retries": cfg.retries, "Retry-On": cfg.retryOn,
		"Base-Url-Override": cfg.baseURL, "Decompress": cfg.decompress} {
		if v != "" {
			h[k] = []string{v}
		}
	}
	t.header = h
	var timeout time.Duration
	if c.httpClient != nil {
		timeout = c.httpClient.Timeout
	}
	return &http.Client{
		Transport:     t,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       timeout,
	}
}

// proxyTransport rewrites each request for Nango's /proxy route.
type proxyTransport struct {
	c      *Client
	header http.Header // Nango's headers, the same on every request
	err    error       // a bad argument or option of ProxyClient
}

// opProxy names the route in errors and logs, without the path, which may
// hold ids.
const opProxy = "/proxy/{path}"

// notForwarded are the headers that describe the hop to Nango rather than
// the request to the provider: hop-by-hop headers (RFC 9110, 7.6.1) and
// those Go's transport writes itself.
var notForwarded = map[string]bool{
	"Connection": true, "Keep-Alive": true, "Proxy-Connection": true,
	"Proxy-Authenticate": true, "Proxy-Authorization": true, "Te": true,
	"Trailer": true, "Transfer-Encoding": true, "Upgrade": true,
	"Host": true, "Content-Length": true, "Accept-Encoding": true,
	// Nango reads the body by its type (see ProxyClient).
	"Content-Type": true,
}

const proxyHeaderPrefix = "Nango-Proxy-"

func (t *proxyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	out, err := t.rewrite(req)
	if err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	c := t.c
	rt := http.RoundTripper(http.DefaultTransport)
	if c.httpClient != nil && c.httpClient.Transport != nil {
		rt = c.httpClient.Transport
	}
	op := req.Method + " " + opProxy
	cl := &call{op: op, method: req.Method}
	start := time.Now()
	// The transport, not c.httpClient: it must not follow a redirect (see
	// ProxyClient), and its timeout is the returned client's business.
	resp, err := rt.RoundTrip(out)
	if err != nil {
		c.logAttempt(req.Context(), cl, 0, start, err)
		tErr := &transportError{op: op, err: scrubURLError(err)}
		// Nango, or what stands in front of it, can echo the key.
		if msg := tErr.err.Error(); c.redactorOf(cl).string(msg) != msg {
			tErr.err = errors.New(c.redactorOf(cl).string(msg))
		}
		return nil, tErr
	}
	c.logAttempt(req.Context(), cl, resp.StatusCode, start, nil)
	// The request Nango got carries the secret key: the caller sees its own.
	resp.Request = req
	if apiErr := proxyError(op, resp); apiErr != nil {
		c.redactorOf(cl).apiError(apiErr)
		return nil, apiErr
	}
	return resp, nil
}

// rewrite builds the request to Nango; it leaves req untouched.
func (t *proxyTransport) rewrite(req *http.Request) (*http.Request, error) {
	if t.err != nil {
		return nil, t.err
	}
	if req.URL == nil {
		return nil, invalidArgument("proxy: request without a URL")
	}
	if req.URL.Opaque != "" {
		return nil, invalidArgument("proxy: opaque URLs are not supported")
	}
	path := strings.TrimPrefix(req.URL.EscapedPath(), "/")
	for seg := range strings.SplitSeq(path, "/") {
		if s, err := url.PathUnescape(seg); err == nil && (s == "." || s == "..") {
			return nil, invalidArgument("proxy: the path has a %q segment, which could leave /proxy/", s)
		}
	}
	target := t.c.server + "proxy/" + path
	if req.URL.RawQuery != "" {
		target += "?" + req.URL.RawQuery
	}
	u, err := url.Parse(target)
	if err != nil {
		return nil, invalidArgument("proxy: path or query: %v", err)
	}
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	out := &http.Request{
		Method:        method,
		URL:           u,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        make(http.Header, len(req.Header)+len(t.header)),
		Body:          req.Body,
		GetBody:       req.GetBody,
		ContentLength: req.ContentLength,
		Host:          u.Host,
	}
	out = out.WithContext(req.Context())
	// Headers named in Connection are hop-by-hop too.
	var named map[string]bool
	for _, v := range req.Header["Connection"] {
		for f := range strings.SplitSeq(v, ",") {
			if f = textproto.TrimString(f); f != "" {
				if named == nil {
					named = map[string]bool{}
				}
				named[http.CanonicalHeaderKey(f)] = true
			}
		}
	}
	for k, vs := range req.Header {
		ck := http.CanonicalHeaderKey(k)
		if notForwarded[ck] || named[ck] {
			continue
		}
		if !strings.HasPrefix(ck, proxyHeaderPrefix) {
			ck = proxyHeaderPrefix + ck
		}
		out.Header[ck] = append(out.Header[ck], vs...)
	}
	if ct := req.Header.Values("Content-Type"); len(ct) > 0 {
		if req.Body != nil && req.Body != http.NoBody {
			out.Header["Content-Type"] = ct
		} else {
			// No body for Nango to read: the type is the provider's alone
			// (376: Nango-Proxy-Content-Type reaches it).
			out.Header[proxyHeaderPrefix+"Content-Type"] = ct
		}
	}
	for k, v := range t.header {
		out.Header[k] = v
	}
	return out, nil
}

// proxyErrorCodes are the codes of Nango's own errors on /proxy: its
// header validation, key check, connection and integration lookup, and
// outbound URL policy.
var proxyErrorCodes = map[string]bool{
	"invalid_headers":               true,
	"server_error":                  true, // 400 "Failed to get connection", 500s
	"unknown_provider_config":       true,
	"base_url_override_not_allowed": true,
	"missing_auth_header":           true,
	"malformed_auth_header":         true,
	"invalid_secret_key_format":     true,
	"unknown_account":               true,
	"unknown_connection":            true,
	"invalid_credentials":           true, // the connection's refresh failed
	"too_many_request":              true, // Nango's own rate limit
}

// maxProxyErrorPeek bounds what is read of a body to tell Nango's error
// from the provider's: Nango's own are a few hundred bytes.
const maxProxyErrorPeek = 8 << 10

// proxyError returns the *APIError of a response that Nango's proxy layer
// wrote itself, or nil for the provider's answer (with its body intact).
//
// The rule, held on every capture of a real Nango (341-376): the body
// decides. An answer is Nango's when its status is 4xx or 5xx, its
// Content-Type is JSON, and its body is one of Nango's own shapes:
//
//   - {"error": {"code": C, …}}, with C one of proxyErrorCodes and no keys
//     in the error object besides code, message, payload and errors (the
//     shape of 367, 370, 371, 372 and of the unknown connection and
//     integration), or
//   - exactly {"message", "code", "method"}, all strings, with a Node system
//     error code such as ECONNREFUSED (369): Nango reporting that it could
//     not reach the provider, so no provider wrote it.
//
// The headers cannot decide. Nango's middleware writes its security headers
// (X-Frame-Options, …), X-RateLimit-*, CORS headers and an ETag before the
// relay, so the provider's errors carry them too (353-360); its own 401 has
// no X-RateLimit-* (370); and its own Content-Type, "application/json;
// charset=utf-8", is a common one for providers as well. A relayed error
// adds the provider's headers, but a provider may send none worth naming,
// and a load balancer in front of Nango adds its own to both. The closed
// list of codes and keys keeps the well-known provider shapes out: Google's
// numeric code, Microsoft Graph's innerError, OpenAI's and Stripe's type
// and param.
func proxyError(op string, resp *http.Response) *APIError {
	if resp.StatusCode < 400 || !isJSON(resp.Header.Get("Content-Type")) ||
		resp.ContentLength > maxProxyErrorPeek || resp.Body == nil {
		return nil
	}
	peek, over, err := readUpTo(resp.Body, resp.ContentLength, maxProxyErrorPeek)
	if err != nil || over {
		// Not Nango's (too long), or cut short: the caller reads on from
		// where the peek stopped, and meets the same read error.
		var rest io.Reader = resp.Body
		if err != nil {
			rest = errReader{err}
		}
		resp.Body = &stitchedBody{Reader: io.MultiReader(bytes.NewReader(peek), rest), Closer: resp.Body}
		return nil
	}
	if !isNangoProxyBody(peek) {
		// The whole body was read: hand it back as it was.
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(peek))
		return nil
	}
	resp.Body.Close()
	e := newAPIError(op, resp.StatusCode, resp.Header, peek)
	e.also = []error{ErrProxy}
	if e.Code == "" {
		// The bare {"message", "code", "method"} body.
		var bare struct{ Message, Code string }
		if json.Unmarshal(peek, &bare) == nil {
			e.Code, e.Message = bare.Code, bare.Message
		}
	}
	if e.Code == "server_error" && e.Message == "Failed to get connection" {
		e.also = append(e.also, ErrNotFound)
	}
	return e
}

var nodeErrorCode = regexp.MustCompile(`^E[A-Z0-9_]+$`)

func isNangoProxyBody(b []byte) bool {
	var top map[string]json.RawMessage
	if json.Unmarshal(b, &top) != nil {
		return false
	}
	if raw, ok := top["error"]; ok && len(top) == 1 {
		var inner map[string]json.RawMessage
		if json.Unmarshal(raw, &inner) != nil {
			return false
		}
		for k := range inner {
			switch k {
			case "code", "message", "payload", "errors":
			default:
				return false
			}
		}
		var code string
		return json.Unmarshal(inner["code"], &code) == nil && proxyErrorCodes[code]
	}
	if len(top) != 3 {
		return false
	}
	var s struct{ Message, Code, Method *string }
	if json.Unmarshal(b, &s) != nil || s.Message == nil || s.Code == nil || s.Method == nil {
		return false
	}
	return nodeErrorCode.MatchString(*s.Code)
}

// stitchedBody puts back the bytes read ahead of the caller.
type stitchedBody struct {
	io.Reader
	io.Closer
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
