package nango

import (
	"context"
	"net/http"
	"strconv"
	"time"
)

// RequestOption changes one call rather than the client: its time limit,
// its retries, extra headers, or where to put what came back with the
// answer. Every method of Client takes them, beside its own options:
//
//	var meta nango.ResponseMeta
//	tok, err := client.GetToken(ctx, "github", "user-1",
//		nango.ForceRefresh(), nango.RequestTimeout(2*time.Second), nango.CaptureResponse(&meta))
//	log.Print(meta.RequestID, meta.RateLimit.Remaining)
type RequestOption struct{ apply func(*requestConfig) }

func (o RequestOption) applyGet(p *getParams)                 { o.applyTo(&p.req) }
func (o RequestOption) applyList(p *listParams)               { o.applyTo(&p.req) }
func (o RequestOption) applyIntegration(p *integrationParams) { o.applyTo(&p.req) }
func (o RequestOption) applyRecords(p *recordsParams)         { o.applyTo(&p.req) }

func (o RequestOption) applyTo(rc *requestConfig) {
	if o.apply != nil {
		o.apply(rc)
		rc.used = true
	}
}

// callConfig is rc for a call: nil when no RequestOption was given, so that
// the common call takes the shortest path through the funnel. It is rc
// itself, not a copy: nothing changes a call's config once it is built, and
// a copy would cost every call an allocation.
func (rc *requestConfig) callConfig() *requestConfig {
	if rc == nil || !rc.used {
		return nil
	}
	return rc
}

// requestConfig is what RequestOptions set for one call.
type requestConfig struct {
	timeout    time.Duration
	maxRetries int
	setRetries bool
	header     http.Header
	meta       *ResponseMeta
	err        error // a bad option, reported by the call before sending
	used       bool
}

func requestConfigOf(opts []RequestOption) *requestConfig {
	if len(opts) == 0 {
		return nil
	}
	rc := new(requestConfig)
	for _, o := range opts {
		o.applyTo(rc)
	}
	return rc.callConfig()
}

// RequestTimeout bounds the whole call, retries and their waits included.
// The client's WithTimeout still bounds each attempt within it: an attempt
// ends at the earlier of the two. The call's context may end it sooner.
func RequestTimeout(d time.Duration) RequestOption {
	return RequestOption{func(rc *requestConfig) {
		if d <= 0 {
			rc.err = invalidArgument("RequestTimeout: need a positive duration, got %s", d)
		}
		rc.timeout = d
	}}
}

// RequestMaxRetries sets how many times this call is retried (the client's
// WithMaxRetries otherwise); 0 sends it once.
func RequestMaxRetries(n int) RequestOption {
	return RequestOption{func(rc *requestConfig) {
		if n < 0 {
			rc.err = invalidArgument("RequestMaxRetries: negative count %d", n)
		}
		rc.maxRetries, rc.setRetries = n, true
	}}
}

// RequestHeader adds a header to this call's requests (a tracing header,
// say). The SDK's own headers (Authorization, User-Agent, Accept,
// Content-Type) cannot be replaced this way. A call with extra headers is
// never merged with an identical read in flight.
func RequestHeader(key, value string) RequestOption {
	return RequestOption{func(rc *requestConfig) {
		key = http.CanonicalHeaderKey(key)
		switch {
		case key == "" || !validHeader(key, value):
			rc.err = invalidArgument("RequestHeader: invalid header %q", key)
			return
		case key == "Authorization" || key == "User-Agent" || key == "Accept" || key == "Content-Type" || key == "Content-Length":
			rc.err = invalidArgument("RequestHeader: %s is set by the SDK", key)
			return
		}
		if rc.header == nil {
			rc.header = http.Header{}
		}
		rc.header.Add(key, value)
	}}
}

func validHeader(key, value string) bool {
	for i := 0; i < len(key); i++ {
		if b := key[i]; b <= ' ' || b >= 0x7f || b == ':' {
			return false
		}
	}
	for i := 0; i < len(value); i++ {
		if b := value[i]; b < ' ' && b != '\t' || b == 0x7f {
			return false
		}
	}
	return true
}

// CaptureResponse has the call fill m with what came back with the last
// answer: status, request id, rate-limit headers, all headers and the
// number of attempts. It is filled on success and on an answer outside 2xx
// (an *APIError); left zero when no answer came.
func CaptureResponse(m *ResponseMeta) RequestOption {
	return RequestOption{func(rc *requestConfig) { rc.meta = m }}
}

// ResponseMeta is what came back with an answer, besides its body.
type ResponseMeta struct {
	StatusCode int
	// RequestID is the request id the server or a proxy sent, if any.
	RequestID string
	// RateLimit is Nango's rate-limit window, from the X-RateLimit-*
	// headers it sends on every answer.
	RateLimit RateLimit
	// Header holds every header of the answer.
	Header http.Header
	// Attempts is how many requests the call sent (retries included).
	Attempts int
}

// RateLimit is the state of Nango's rate-limit window after an answer; zero
// fields were not sent.
type RateLimit struct {
	Limit     int
	Remaining int
	Reset     time.Time
}

func (m *ResponseMeta) fill(status int, h http.Header, attempts int) {
	*m = ResponseMeta{StatusCode: status, RequestID: requestID(h), Header: h.Clone(), Attempts: attempts}
	m.RateLimit.Limit, _ = strconv.Atoi(h.Get("X-RateLimit-Limit"))
	m.RateLimit.Remaining, _ = strconv.Atoi(h.Get("X-RateLimit-Remaining"))
	if reset, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64); err == nil && reset > 0 {
		m.RateLimit.Reset = time.Unix(reset, 0)
	}
}

// withRequest applies the call's timeout to ctx.
func (rc *requestConfig) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if rc == nil || rc.timeout <= 0 {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, rc.timeout)
}
