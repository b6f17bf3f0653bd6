package nango

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/nango-go/sdk/gen"
	"github.com/nango-go/sdk/nango/internal/routes"
)

// Version is this SDK's version, sent in the User-Agent header.
const Version = "0.1.0"

// DefaultHost is Nango Cloud.
const DefaultHost = "https://api.nango.dev"

const (
	defaultTimeout     = 10 * time.Second
	defaultMaxBody     = 4 << 20
	defaultMaxListBody = 32 << 20
	// maxErrorBodyRead bounds what is read of an error body: Nango's are
	// small, a proxy's HTML page is a few KiB.
	maxErrorBodyRead = 64 << 10
)

// Client talks to one Nango environment with one secret key. It is safe for
// concurrent use; create one and share it.
type Client struct {
	secret  *secret // out of line, so that no fmt verb reaches the key
	rawHost string
	server  string // base URL with a trailing slash, for gen's builders
	host    string // host[:port] the key may be sent to
	scheme  string // the configured scheme: a redirect may not downgrade it
	origin  string // scheme://host[:port] of the server

	routes *routes.Table
	api    *gen.ClientWithResponses

	httpClient      *http.Client
	userAgentSuffix string
	userAgent       []string
	accept          []string

	maxRetries    int
	backoffBase   time.Duration
	backoffMax    time.Duration
	maxRetryAfter time.Duration
	retryBudget   time.Duration
	timeout       time.Duration
	maxBody       int64
	maxListBody   int64

	insecureHTTP bool
	basicAuth    bool
	legacyPaths  bool
	coalesce     bool
	logger       *slog.Logger

	// A pointer, so that Client holds no lock and its value methods (which
	// keep a Client value from printing its key) copy nothing that matters.
	flights *flightGroup
	// sleep waits between attempts; tests replace it to see the waits
	// without spending them.
	sleep func(ctx context.Context, d time.Duration) error
}

// New returns a client for the environment that secretKey belongs to. The key
// is the environment's secret key from the Nango dashboard. Options are
// checked here, so that a bad host fails at start-up rather than on the first
// call.
func New(secretKey string, opts ...Option) (*Client, error) {
	if strings.TrimSpace(secretKey) == "" {
		return nil, invalidArgument("empty secret key")
	}
	// Any control byte would make every request fail inside net/http (and
	// reads would retry that); refuse it here, where it is the caller's bug.
	if strings.ContainsFunc(secretKey, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return nil, invalidArgument("secret key contains a control character")
	}
	c := &Client{
		secret:        &secret{key: secretKey},
		rawHost:       DefaultHost,
		maxRetries:    defaultMaxRetries,
		backoffBase:   defaultBackoffBase,
		backoffMax:    defaultBackoffMax,
		maxRetryAfter: defaultMaxRetryAfter,
		timeout:       defaultTimeout,
		maxBody:       defaultMaxBody,
		maxListBody:   defaultMaxListBody,
		retryBudget:   defaultRetryBudget,
		coalesce:      true,
		flights:       &flightGroup{},
		sleep:         sleep,
	}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(c); err != nil {
			return nil, err
		}
	}
	if err := c.parseHost(); err != nil {
		return nil, err
	}
	if c.basicAuth {
		c.secret.authValue = []string{"Basic " + base64.StdEncoding.EncodeToString([]byte(secretKey+":"))}
	} else {
		c.secret.authValue = []string{"Bearer " + secretKey}
	}
	ua := "nango-go/" + Version
	if c.userAgentSuffix != "" {
		ua += " " + c.userAgentSuffix
	}
	c.userAgent = []string{ua}
	c.accept = []string{"application/json"}
	c.httpClient = c.guardRedirects(c.httpClient)
	c.routes = routes.New(serverPath(c.server))
	if err := c.newAPI(); err != nil {
		return nil, err
	}
	return c, nil
}

// NewFromEnv is New with the secret key from NANGO_SECRET_KEY and, when it
// is set, the host from NANGO_HOST, the variables the CLI reads. Options
// given here win over the environment.
func NewFromEnv(opts ...Option) (*Client, error) {
	key := os.Getenv("NANGO_SECRET_KEY")
	if key == "" {
		return nil, invalidArgument("NANGO_SECRET_KEY is not set")
	}
	var env []Option
	if host := os.Getenv("NANGO_HOST"); host != "" {
		env = append(env, WithHost(host))
	}
	return New(key, append(env, opts...)...)
}

func (c *Client) parseHost() error {
	u, err := url.Parse(strings.TrimSpace(c.rawHost))
	if err != nil {
		return invalidArgument("host %q is not a URL: %v", c.rawHost, err)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return invalidArgument("host %q: need an http:// or https:// URL", c.rawHost)
	}
	if u.Host == "" || u.Hostname() == "" {
		return invalidArgument("host %q has no host name", c.rawHost)
	}
	if u.User != nil {
		return invalidArgument("host %q: user info in the URL is not supported; pass the secret key to New", u.Redacted())
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return invalidArgument("host %q: a base URL takes no query or fragment", c.rawHost)
	}
	if u.Scheme == "http" && !c.insecureHTTP && !isLoopback(u.Hostname()) {
		return invalidArgument("host %q: plain http:// to a host that is not loopback would send the secret key in clear text; use https://, or pass nango.WithInsecureHTTP() for a trusted network", c.rawHost)
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + "/"
	u.RawPath = ""
	c.server = u.String()
	c.host = u.Host
	c.scheme = u.Scheme
	c.origin = u.Scheme + "://" + u.Host
	return nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// guardRedirects returns a copy of hc whose redirect policy drops the
// Authorization header whenever a redirect leaves the configured host, even
// for a host Go would consider a "subdomain" match, and whenever it leaves
// the configured scheme: net/http keeps the header on an https -> http hop to
// the same host, which would put the key on the wire in clear text.
func (c *Client) guardRedirects(hc *http.Client) *http.Client {
	var out http.Client
	if hc != nil {
		out = *hc
	} else {
		out = http.Client{Transport: defaultTransport()}
	}
	next := out.CheckRedirect
	out.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if req.URL.Host != c.host || req.URL.Scheme != c.scheme {
			if req.Body != nil && req.Body != http.NoBody {
				// A 307 or 308 resends the body, which can hold
				// credentials (an import): it stays with the configured
				// server, and the redirect is the answer.
				return http.ErrUseLastResponse
			}
			req.Header.Del("Authorization")
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errTooManyRedirects
		}
		return nil
	}
	return &out
}

// defaultTransport keeps enough idle connections per host for a busy service:
// net/http's default of 2 makes concurrent token reads open and close sockets.
func defaultTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 256
	t.MaxIdleConnsPerHost = 128
	t.IdleConnTimeout = 90 * time.Second
	// No ResponseHeaderTimeout: it would start a second timer per request,
	// and the per-attempt context deadline already bounds the wait.
	return t
}

// String never shows the secret key. The value receivers matter: with
// pointer ones, fmt would print a Client value field by field, key included.
func (c Client) String() string {
	return "nango.Client{host: " + c.server + ", key: [redacted]}"
}

// Format applies to every verb (%v, %+v, %#v, %s, %d …): the key stays hidden.
func (c Client) Format(f fmt.State, _ rune) { io.WriteString(f, c.String()) }

// LogValue keeps the key out of slog output.
func (c Client) LogValue() slog.Value { return slog.StringValue(c.String()) }

// secret holds the key and the header built from it. It prints as a
// redacted marker under every verb, so that even a struct dump of a Client
// (through reflection-based printers) shows no key.
type secret struct {
	key       string
	authValue []string // built once, shared by all requests
}

// String shows nothing of the key.
func (s *secret) String() string { return "[redacted]" }

func (s *secret) Format(f fmt.State, _ rune) { io.WriteString(f, s.String()) }
func (s *secret) LogValue() slog.Value       { return slog.StringValue(s.String()) }

// call describes one API operation for the funnel.
type call struct {
	op     string // "GET /connections/{connectionId}": names the route, never the ids
	method string
	// url, when set, is the whole URL of a read, built without a parse; it
	// is also the key under which identical reads are merged.
	url     string
	build   func(server string) (*http.Request, error)
	maxBody int64
	// idempotent calls are retried on any retryable failure; others only
	// when the request provably never left this process.
	idempotent bool
	// header is sent on every attempt besides the SDK's own headers.
	header http.Header
	// anyBody takes a 2xx whatever its content type (API(): gen's parsers
	// look at it themselves, and a 204 has none).
	anyBody bool
	// auth, when set, is sent as the Authorization header instead of the
	// secret key: the connect-session routes take the session's token. It
	// is a credential too: never logged, never in an error.
	auth []string
	// secrets are credentials the request body carries (an integration's
	// client secret): hidden, like the key, in whatever comes back.
	secrets []string
	// req holds the caller's RequestOptions, or nil.
	req *requestConfig
	// attemptTimeout, when set, replaces WithTimeout for this call's
	// attempts: a synchronous action runs as long as Nango lets it.
	attemptTimeout time.Duration
	// noRetry, when set, marks failures not worth retrying although their
	// status is retryable (a records cursor Nango cannot decode).
	noRetry func(error) bool
}

// transportError is a failure before a complete response arrived.
type transportError struct {
	op  string
	err error
	// unsent: the connection was never established, so the server cannot
	// have seen the request.
	unsent bool
	// callerGaveUp: the caller's context ended the attempt, which says
	// nothing about Nango's health.
	callerGaveUp bool
}

func (e *transportError) Error() string { return "nango: " + e.op + ": " + e.err.Error() }
func (e *transportError) Unwrap() error { return e.err }

// Is makes a failure to reach Nango match ErrUnavailable.
func (e *transportError) Is(target error) bool { return target == ErrUnavailable && !e.callerGaveUp }

// reply is a 2xx JSON answer: its body, and what a decoder needs to report
// a body it cannot read without losing the status.
type reply struct {
	op     string
	status int
	header http.Header
	body   []byte
}

// malformed reports a body that is not the JSON the operation returns.
func (r reply) malformed(what string, err error) error {
	return &UnexpectedResponseError{Operation: r.op, StatusCode: r.status, Reason: "malformed " + what + " JSON", Err: safeDecodeError(err)}
}

// do is the one way every request goes out and every response comes back:
// it builds the request, sends it with retries, and returns a 2xx JSON
// answer or a typed error.
func (c *Client) do(ctx context.Context, cl *call) (reply, error) {
	if ctx == nil {
		return reply{}, invalidArgument("nil context")
	}
	rc := cl.req
	if rc == nil {
		return c.send(ctx, cl, nil)
	}
	if rc.err != nil {
		return reply{}, rc.err
	}
	ctx, cancel := rc.withTimeout(ctx)
	defer cancel()
	attempts := 0
	r, err := c.send(ctx, cl, &attempts)
	if rc.meta != nil {
		var apiErr *APIError
		switch {
		case err == nil:
			rc.meta.fill(r.status, r.header, attempts)
		case errors.As(err, &apiErr):
			rc.meta.fill(apiErr.StatusCode, apiErr.header, attempts)
		default:
			*rc.meta = ResponseMeta{Attempts: attempts}
		}
		if rc.meta.Header != nil {
			red := c.redactorOf(cl)
			red.header(rc.meta.Header)
			rc.meta.RequestID = red.string(rc.meta.RequestID)
		}
	}
	return r, err
}

// send is do's loop of attempts; attempts, when not nil, counts them.
func (c *Client) send(ctx context.Context, cl *call, attempts *int) (reply, error) {
	maxRetries := c.maxRetries
	if cl.req != nil && cl.req.setRetries {
		maxRetries = cl.req.maxRetries
	}
	start := time.Now()
	for attempt := 0; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return reply{}, err
		}
		if attempts != nil {
			*attempts++
		}
		r, err := c.attempt(ctx, cl)
		if err == nil {
			return r, nil
		}
		if ctx.Err() != nil {
			if tErr, ok := err.(*transportError); ok {
				// Not Nango's fault: no ErrUnavailable. A copy: merged
				// callers share the failure, and theirs did not give up.
				cp := *tErr
				cp.callerGaveUp = true
				err = &cp
			}
			return reply{}, errors.Join(ctx.Err(), err)
		}
		if attempt >= maxRetries || !c.canRetry(cl, err) {
			return reply{}, err
		}
		wait := c.backoff(attempt + 1)
		var apiErr *APIError
		if errors.As(err, &apiErr) && apiErr.RetryAfter > 0 {
			if apiErr.RetryAfter > c.maxRetryAfter {
				return reply{}, err
			}
			wait = apiErr.RetryAfter + retryAfterMargin
		}
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
			return reply{}, err
		}
		// The budget counts the whole call: a wait that would end past it
		// is not started, and the caller gets the failure (with RetryAfter)
		// now rather than later.
		if time.Since(start)+wait > c.retryBudget {
			return reply{}, err
		}
		if c.logger != nil {
			c.logger.DebugContext(ctx, "nango: retrying", "route", cl.op, "attempt", attempt+1, "wait", wait, "error", logSafe(err))
		}
		if serr := c.sleep(ctx, wait); serr != nil {
			return reply{}, errors.Join(serr, err)
		}
	}
}

func (c *Client) canRetry(cl *call, err error) bool {
	if !shouldRetry(err) || (cl.noRetry != nil && cl.noRetry(err)) {
		return false
	}
	if cl.idempotent {
		return true
	}
	var tErr *transportError
	return errors.As(err, &tErr) && tErr.unsent
}

// attempt sends one request, merging it with an identical one in flight when
// coalescing is on. An attempt ends at the earlier of the per-attempt timeout
// and the caller's deadline: a stalled answer costs one attempt, and a read
// is retried while the caller's context leaves time. Each merged caller
// keeps its own attempt deadline: one that gives up does not cancel the
// shared request.
func (c *Client) attempt(ctx context.Context, cl *call) (reply, error) {
	actx, timeout := ctx, c.timeout
	if cl.attemptTimeout > 0 {
		timeout = cl.attemptTimeout
	}
	if deadline, ok := ctx.Deadline(); !ok || time.Until(deadline) > timeout {
		// The caller's deadline, when it comes first, ends the attempt
		// itself: no context to make.
		var cancel context.CancelFunc
		actx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	if !c.coalesce || cl.url == "" || cl.method != http.MethodGet || (cl.req != nil && len(cl.req.header) > 0) {
		return c.roundTrip(actx, cl)
	}
	r, err := c.flights.do(ctx, actx, cl.url, func(fctx context.Context) (reply, error) { return c.roundTrip(fctx, cl) })
	if err == context.DeadlineExceeded && ctx.Err() == nil {
		// A follower's per-attempt timeout ran out while it waited: a
		// timed-out attempt, as without merging.
		return reply{}, &transportError{op: cl.op, err: fmt.Errorf("attempt timed out after %s: %w", timeout, context.DeadlineExceeded)}
	}
	return r, err
}

func (c *Client) newRequest(ctx context.Context, cl *call) (*http.Request, error) {
	if cl.url != "" {
		return http.NewRequestWithContext(ctx, cl.method, cl.url, nil)
	}
	req, err := cl.build(c.server)
	if err != nil {
		return nil, err
	}
	return req.WithContext(ctx), nil
}

// roundTrip sends one request on ctx, whose deadline (the caller's, the
// per-attempt timeout, or a shared flight's) bounds it.
func (c *Client) roundTrip(ctx context.Context, cl *call) (reply, error) {
	req, err := c.newRequest(ctx, cl)
	if err != nil {
		return reply{}, invalidArgument("%s: %v", cl.op, err)
	}
	for k, v := range cl.header {
		req.Header[k] = v
	}
	if cl.req != nil {
		for k, v := range cl.req.header {
			req.Header[k] = v
		}
	}
	req.Header["Authorization"] = c.secret.authValue
	if cl.auth != nil {
		req.Header["Authorization"] = cl.auth
	}
	req.Header["User-Agent"] = c.userAgent
	req.Header["Accept"] = c.accept

	start := time.Now()
	resp, err := c.httpClient.Do(req)
	if err != nil {
		tErr := &transportError{op: cl.op, err: scrubURLError(err), unsent: isDialError(err)}
		// A server can echo the key or token into a Location or a broken
		// header line.
		if msg := tErr.err.Error(); c.redactorOf(cl).string(msg) != msg {
			tErr.err = errors.New(c.redactorOf(cl).string(msg))
		}
		c.logAttempt(ctx, cl, 0, start, tErr)
		return reply{}, tErr
	}
	defer resp.Body.Close()

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		body, _, _ := readUpTo(resp.Body, resp.ContentLength, maxErrorBodyRead)
		body = body[:min(len(body), maxErrorBodyRead)]
		apiErr := newAPIError(cl.op, resp.StatusCode, resp.Header, body)
		c.redactorOf(cl).apiError(apiErr)
		if resp.StatusCode == http.StatusNotFound && apiErr.Code == "" && !c.legacyPaths {
			apiErr.Message += "; the route may not exist on this server: servers from before mid-2025 need nango.WithLegacyPaths()"
		}
		c.logAttempt(ctx, cl, resp.StatusCode, start, nil)
		return reply{}, apiErr
	}

	body, err := readCapped(resp, cl.maxBody)
	c.logAttempt(ctx, cl, resp.StatusCode, start, err)
	if err != nil {
		var ue *UnexpectedResponseError
		if errors.As(err, &ue) {
			ue.Operation = cl.op
			return reply{}, ue
		}
		return reply{}, &transportError{op: cl.op, err: err}
	}
	if !cl.anyBody && !isJSON(resp.Header.Get("Content-Type")) {
		return reply{}, &UnexpectedResponseError{Operation: cl.op, StatusCode: resp.StatusCode,
			Reason: "expected a JSON body, got " + describeBody(resp.Header.Get("Content-Type"), body)}
	}
	return reply{op: cl.op, status: resp.StatusCode, header: resp.Header, body: body}, nil
}

// readCapped reads a whole body, refusing one over limit bytes before it is
// read into memory when the length is announced, and as soon as it passes the
// limit otherwise.
func readCapped(resp *http.Response, limit int64) ([]byte, error) {
	if resp.ContentLength > limit {
		return nil, &UnexpectedResponseError{StatusCode: resp.StatusCode,
			Reason: fmt.Sprintf("body of %d bytes is over the %d-byte cap", resp.ContentLength, limit)}
	}
	buf, over, err := readUpTo(resp.Body, resp.ContentLength, limit)
	if err != nil {
		return nil, err
	}
	if over {
		return nil, &UnexpectedResponseError{StatusCode: resp.StatusCode,
			Reason: fmt.Sprintf("body is over the %d-byte cap", limit)}
	}
	return buf, nil
}

// Buffer sizes of readUpTo when the length is not announced.
const (
	// smallReadLimit: up to this cap, one buffer of the cap is read into.
	smallReadLimit = 64 << 10
	firstReadChunk = 512
	maxReadChunk   = 256 << 10
)

// readUpTo reads r to its end, or until it is known to be longer than limit
// (over). hint is the announced length (<= 0: unknown). On a read error it
// returns the bytes read before it. Over the limit, b holds limit+1 bytes
// when limit <= smallReadLimit (a caller keeps the start of an error body),
// and is nil otherwise (a caller refuses the body).
//
// Every capped read goes through it, so that reading up to a cap costs about
// the cap, never several times it (an append-grown buffer allocates some 5x
// what it ends up holding): with an announced length it makes one buffer of
// that length (one byte more, to see the end); with a small cap, one buffer
// of the cap; otherwise it reads into chunks of growing size, each filled
// before the next, and copies them into one slice only at the end of a body
// under the limit that took more than one. A body cut at the cap thus
// allocates the cap; a body under it read whole without an announced length,
// about twice its length.
func readUpTo(r io.Reader, hint, limit int64) (b []byte, over bool, err error) {
	limit = min(limit, math.MaxInt64-1) // limit+1 below must not overflow
	size := int64(firstReadChunk)
	switch {
	case hint > 0:
		size = min(hint, limit) + 1
	case limit <= smallReadLimit:
		size = limit + 1
	}
	var (
		first  []byte
		chunks [][]byte // after first, when it did not hold the body
		total  int64
	)
	for {
		buf := make([]byte, min(size, limit+1-total))
		var n int
		n, err = fill(r, buf)
		total += int64(n)
		if first == nil {
			first = buf[:n]
		} else {
			chunks = append(chunks, buf[:n])
		}
		if err != nil || total > limit {
			break
		}
		size = min(max(total/2, firstReadChunk), maxReadChunk)
	}
	if err == io.EOF {
		err = nil
	}
	over = total > limit
	if chunks == nil {
		return first, over, err
	}
	if over && limit > smallReadLimit {
		return nil, true, err
	}
	out := make([]byte, 0, total)
	out = append(out, first...)
	for _, c := range chunks {
		out = append(out, c...)
	}
	return out, over, err
}

// fill reads into buf until it is full or r fails (io.EOF included).
func fill(r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

func (c *Client) logAttempt(ctx context.Context, cl *call, status int, start time.Time, err error) {
	if c.logger == nil || !c.logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []any{"route", cl.op, "status", status, "duration", time.Since(start)}
	if err != nil {
		attrs = append(attrs, "error", logSafe(err))
	}
	c.logger.DebugContext(ctx, "nango: request", attrs...)
}

func isDialError(err error) bool {
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "dial"
}

// logSafe describes a failure for the debug log by its kind only: error
// texts carry URLs (ids, and on a redirect whatever the server wrote, a key
// included) and servers' messages, none of which may reach a log.
func logSafe(err error) string {
	var apiErr *APIError
	var ue *UnexpectedResponseError
	var ne net.Error
	switch {
	case errors.As(err, &apiErr):
		s := "status " + strconv.Itoa(apiErr.StatusCode)
		if apiErr.Code != "" && len(apiErr.Code) <= 64 && isPlainCode(apiErr.Code) {
			s += " " + apiErr.Code
		}
		return s
	case errors.As(err, &ue):
		return "unexpected response"
	case errors.Is(err, context.Canceled):
		return "context canceled"
	case errors.Is(err, context.DeadlineExceeded):
		return "deadline exceeded"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed early"
	case isDialError(err):
		return "dial failed"
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, errTooManyRedirects):
		return "too many redirects"
	}
	return "transport error"
}

// isPlainCode accepts the error codes Nango sends (snake case) and nothing a
// server could smuggle text through.
func isPlainCode(s string) bool {
	for i := 0; i < len(s); i++ {
		if b := s[i]; !(b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '_') {
			return false
		}
	}
	return true
}

var errTooManyRedirects = errors.New("stopped after 10 redirects")

// scrubURLError drops the URL from a *url.Error: the message is enough, and the
// URL adds nothing the operation name does not say.
func scrubURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", strings.ToLower(ue.Op), ue.Err)
	}
	return err
}
