package nango

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/nango-go/sdk/gen"
)

// maxAPIRequestBody bounds a request body sent through API(): it is held in
// memory so that a retry can send it again.
const maxAPIRequestBody = 16 << 20

// API returns the generated client of every operation in openapi.yaml, wired
// to this client's funnel: its host, secret key, user agent, timeouts,
// retries and backoff, body caps, redirect guard, logging and coalescing of
// identical reads. The secret key is sent on every operation, except that
// GetConnectSession and DeleteConnectSession send the Authorization header a
// RequestEditor sets (the session's token). An operation added to the spec is callable here as soon as
// gen/ is regenerated:
//
//	resp, err := client.API().GetConnectionWithResponse(ctx, "user-1",
//		&gen.GetConnectionParams{ProviderConfigKey: "github"})
//	// resp.JSON200 is the *gen.Connection
//
// An answer outside 2xx is returned as the error (an *APIError, matching the
// same sentinels as the helpers), so the JSON4xx fields of a response stay
// nil. Reads (GET, HEAD) are retried like the helpers'; other methods only
// when the request never left this process. Ids are not checked here as the
// helpers check them: prefer the helpers where they exist.
func (c *Client) API() *gen.ClientWithResponses { return c.api }

// apiDoer is the gen client's HTTP doer: every request goes through do.
type apiDoer struct{ c *Client }

func (d apiDoer) Do(req *http.Request) (*http.Response, error) {
	c := d.c
	if req.URL.Scheme+"://"+req.URL.Host != c.origin {
		return nil, invalidArgument("API: request to %s, not to the client's host", req.URL.Redacted())
	}
	var body []byte
	if req.Body != nil {
		b, over, err := readUpTo(req.Body, req.ContentLength, maxAPIRequestBody)
		req.Body.Close()
		if err != nil {
			return nil, invalidArgument("API: reading the request body: %v", err)
		}
		if over {
			return nil, invalidArgument("API: request body over %d bytes", maxAPIRequestBody)
		}
		body = b
	}
	op, ok := c.routes.Match(req)
	if !ok {
		op = req.Method + " (not an operation of the spec)"
	}
	read := req.Method == http.MethodGet || req.Method == http.MethodHead
	target := req.URL.String()
	cl := &call{method: req.Method, op: op, maxBody: c.maxBody, idempotent: read, anyBody: true, header: req.Header.Clone()}
	if op == opListConnections || op == opListLegacy || op == opListProviders {
		cl.maxBody = c.maxListBody
	}
	if a := cl.header.Values("Authorization"); len(a) > 0 && (op == opGetConnectSession || op == opDeleteConnectSession) {
		// These routes take a session's token, which a RequestEditor sets.
		cl.auth = a
		cl.header.Del("Authorization")
	}
	if read && len(body) == 0 && len(req.Header) == 0 {
		// The URL is the whole request: identical reads in flight merge.
		cl.url = target
	} else {
		cl.build = func(string) (*http.Request, error) {
			return http.NewRequest(req.Method, target, bytes.NewReader(body))
		}
	}
	r, err := c.do(req.Context(), cl)
	if err != nil {
		return nil, err
	}
	return &http.Response{
		Status:        strconv.Itoa(r.status) + " " + http.StatusText(r.status),
		StatusCode:    r.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        r.header.Clone(), // merged reads share r
		Body:          io.NopCloser(bytes.NewReader(r.body)),
		ContentLength: int64(len(r.body)),
		Request:       req,
	}, nil
}

// newAPI builds the generated client over the funnel.
func (c *Client) newAPI() error {
	api, err := gen.NewClientWithResponses(c.server, gen.WithHTTPClient(apiDoer{c}))
	if err != nil {
		return fmt.Errorf("nango: building the API client: %w", err)
	}
	c.api = api
	return nil
}

// serverPath is the path prefix of the base URL, without its trailing slash.
func serverPath(server string) string {
	u, err := url.Parse(server)
	if err != nil {
		return ""
	}
	return u.EscapedPath()
}
