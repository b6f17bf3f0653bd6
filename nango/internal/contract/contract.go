// Package contract checks HTTP exchanges against the SDK's openapi.yaml with
// kin-openapi. The SDK's tests, the fake server (nangotest) and `nango serve`
// share it, so that all of them hold the spec, the generated code and the
// wrapper to the same contract.
package contract

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	sdk "github.com/nango-go/sdk"
)

// Validator validates requests and responses against openapi.yaml.
type Validator struct {
	doc    *openapi3.T
	router routers.Router
}

var (
	loadOnce sync.Once
	shared   *Validator
	loadErr  error
)

// Load returns the validator of the embedded openapi.yaml, built once.
func Load() (*Validator, error) {
	loadOnce.Do(func() { shared, loadErr = New(sdk.OpenAPI()) })
	return shared, loadErr
}

// New builds a validator from an OpenAPI document (tests use it to prove
// that a broken copy of the spec is caught). opts tune the check of the
// document itself.
func New(spec []byte, opts ...openapi3.ValidationOption) (*Validator, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(spec)
	if err != nil {
		return nil, fmt.Errorf("contract: load spec: %w", err)
	}
	if err := doc.Validate(context.Background(), opts...); err != nil {
		return nil, fmt.Errorf("contract: invalid spec: %w", err)
	}
	// The document names Nango's hosts; exchanges here happen on loopback
	// servers with any address, so route on the path alone.
	doc.Servers = nil
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("contract: router: %w", err)
	}
	return &Validator{doc: doc, router: router}, nil
}

// Doc returns the parsed document.
func (v *Validator) Doc() *openapi3.T { return v.doc }

func init() {
	// Proxies answer with HTML; the spec describes such bodies as strings.
	openapi3filter.RegisterBodyDecoder("text/html", func(body io.Reader, _ http.Header, _ *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
		b, err := io.ReadAll(body)
		return string(b), err
	})
}

func options() *openapi3filter.Options {
	return &openapi3filter.Options{
		MultiError:            true,
		IncludeResponseStatus: true,
		// The fake and the captures check keys themselves; here it is enough
		// that the request carries one the way the security scheme says.
		AuthenticationFunc: func(_ context.Context, in *openapi3filter.AuthenticationInput) error {
			h := in.RequestValidationInput.Request.Header.Get("Authorization")
			if in.SecurityScheme != nil && in.SecurityScheme.Scheme == "bearer" && strings.HasPrefix(h, "Bearer ") {
				return nil
			}
			return errors.New("no bearer token")
		},
	}
}

// Exchange is one request and its response.
type Exchange struct {
	Request     *http.Request
	RequestBody []byte
	Status      int
	Header      http.Header
	Body        []byte
}

// findRoute routes req and unescapes its path parameters: the router works on
// the escaped path (so that an id holding "/" stays one segment) and hands
// the values over still escaped.
func (v *Validator) findRoute(req *http.Request) (*routers.Route, map[string]string, error) {
	route, params, err := v.router.FindRoute(req)
	if err != nil {
		return nil, nil, fmt.Errorf("contract: %s %s: no route: %w", req.Method, req.URL.EscapedPath(), err)
	}
	for k, val := range params {
		u, err := url.PathUnescape(val)
		if err != nil {
			return nil, nil, fmt.Errorf("contract: path parameter %s: %w", k, err)
		}
		params[k] = u
	}
	return route, params, nil
}

// ValidateRequest checks a request: route, path and query parameters, body
// and, unless skipAuth, the bearer scheme.
func (v *Validator) ValidateRequest(req *http.Request, body []byte, skipAuth bool) (*openapi3filter.RequestValidationInput, error) {
	route, params, err := v.findRoute(req)
	if err != nil {
		return nil, err
	}
	r2 := req.Clone(req.Context())
	r2.Body = io.NopCloser(bytes.NewReader(body))
	r2.ContentLength = int64(len(body))
	// The validator rereads the body through GetBody: it must give these
	// bytes, not the ones the request was made with.
	r2.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	opts := options()
	if skipAuth {
		opts.AuthenticationFunc = func(context.Context, *openapi3filter.AuthenticationInput) error { return nil }
	}
	in := &openapi3filter.RequestValidationInput{Request: r2, PathParams: params, Route: route, Options: opts}
	if err := openapi3filter.ValidateRequest(req.Context(), in); err != nil {
		return in, fmt.Errorf("contract: request %s %s: %w", req.Method, req.URL.EscapedPath(), err)
	}
	if rb := route.Operation.RequestBody; rb != nil && rb.Value != nil && len(body) > 0 {
		if mt := rb.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil {
			var v any
			if json.Unmarshal(body, &v) == nil {
				if err := checkKeyPatterns(mt.Schema.Value, v, ""); err != nil {
					return in, fmt.Errorf("contract: request %s %s: body: %w", req.Method, req.URL.EscapedPath(), err)
				}
			}
		}
	}
	return in, nil
}

// ValidateResponse checks a response against the operation of req: the
// status must be listed, and the headers and body must match.
func (v *Validator) ValidateResponse(req *http.Request, status int, header http.Header, body []byte) error {
	route, params, err := v.findRoute(req)
	if err != nil {
		return err
	}
	opts := options()
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 status,
		Header:                 header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                opts,
	}
	if err := openapi3filter.ValidateResponse(req.Context(), out); err != nil {
		return fmt.Errorf("contract: response %d to %s %s: %w", status, req.Method, req.URL.EscapedPath(), err)
	}
	return nil
}

// checkKeyPatterns enforces x-nango-key-pattern and x-nango-key-max-length,
// the rule on the keys of a map (tag keys) that OpenAPI 3.0 cannot state
// (propertyNames came with 3.1). It walks the value along its schema.
func checkKeyPatterns(s *openapi3.Schema, v any, path string) error {
	if s == nil {
		return nil
	}
	for _, sub := range slices.Concat(s.AllOf, s.OneOf, s.AnyOf) {
		if err := checkKeyPatterns(sub.Value, v, path); err != nil {
			return err
		}
	}
	switch val := v.(type) {
	case map[string]any:
		if p, ok := s.Extensions["x-nango-key-pattern"].(string); ok {
			re, err := regexp.Compile(p)
			if err != nil {
				return fmt.Errorf("%s: x-nango-key-pattern: %w", path, err)
			}
			limit, _ := s.Extensions["x-nango-key-max-length"].(float64)
			for k := range val {
				if !re.MatchString(k) || (limit > 0 && float64(len(k)) > limit) {
					return fmt.Errorf("%s: key %q does not match %s (at most %v characters)", path, k, p, limit)
				}
			}
		}
		for k, item := range val {
			if prop, ok := s.Properties[k]; ok {
				if err := checkKeyPatterns(prop.Value, item, path+"/"+k); err != nil {
					return err
				}
			} else if s.AdditionalProperties.Schema != nil {
				if err := checkKeyPatterns(s.AdditionalProperties.Schema.Value, item, path+"/"+k); err != nil {
					return err
				}
			}
		}
	case []any:
		if s.Items != nil {
			for i, item := range val {
				if err := checkKeyPatterns(s.Items.Value, item, fmt.Sprintf("%s/%d", path, i)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// outOfSpec names the routes the spec leaves out on purpose, and why.
var outOfSpec = []struct{ prefix, why string }{
	{"/proxy/", "the proxy relays the provider's API (any method, a multi-segment path, the upstream's answers); nango.ProxyClient is hand-written around it"},
	{"/api-auth/", "the Connect UI's own route, called by the browser with a session token, not by a backend"},
}

// OutOfSpec says why a path (of a server without a base path) is left out
// of the spec, or "" when it is not.
func OutOfSpec(path string) string {
	for _, o := range outOfSpec {
		if strings.HasPrefix(path, o.prefix) {
			return o.why
		}
	}
	return ""
}
