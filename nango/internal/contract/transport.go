package contract

import (
	"bytes"
	"io"
	"net/http"
)

// Transport is an http.RoundTripper that checks every request it sends and
// every response it receives against the spec and reports violations. Wrap
// the SDK's transport with it in tests so that a drift between spec,
// generated code, wrapper and fake server fails the test.
type Transport struct {
	Base      http.RoundTripper
	Validator *Validator
	// Report receives each violation, e.g. t.Errorf.
	Report func(format string, args ...any)
	// Skip, when it returns true, exempts an exchange (deliberately broken
	// responses in fault tests).
	Skip func(req *http.Request, resp *http.Response) bool
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	if OutOfSpec(req.URL.Path) != "" {
		return base.RoundTrip(req)
	}
	var reqBody []byte
	if req.Body != nil && req.GetBody != nil {
		if rc, err := req.GetBody(); err == nil {
			reqBody, _ = io.ReadAll(rc)
			rc.Close()
		}
	}
	if _, err := t.Validator.ValidateRequest(req, reqBody, false); err != nil {
		t.Report("%v", err)
	}
	resp, err := base.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	if t.Skip != nil && t.Skip(req, resp) {
		return resp, nil
	}
	body, rerr := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if rerr != nil {
		// A body cut short is the transport's failure, not the spec's: let
		// the client see it.
		resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), errReader{rerr}))
		return resp, nil
	}
	if err := t.Validator.ValidateResponse(req, resp.StatusCode, resp.Header, body); err != nil {
		t.Report("%v", err)
	}
	return resp, nil
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
