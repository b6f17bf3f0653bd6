package doctor

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// maxBody caps what is read of an answer; a list of many connections is the
// largest Nango sends.
const maxBody = 32 << 20

// probe is one request to send.
type probe struct {
	check  string
	method string
	route  string            // the spec's path template
	params map[string]string // path parameters, unescaped
	query  url.Values
	// header holds request headers besides Accept, Authorization and
	// Content-Type (the records routes take the connection in headers).
	header map[string]string
	body   any // marshalled as JSON when non-nil
	target string
	// auth overrides the Authorization header (the malformed-key check).
	auth string
	note string
}

// result is what came back.
type result struct {
	idx    int // the row in Report.Rows
	status int
	body   []byte
}

// row returns the row of a result; later rows may have moved the slice.
func (r *runner) row(res result) *Row { return &r.rep.Rows[res.idx] }

// operation returns the spec's operation for method and route, or nil.
func (r *runner) operation(method, route string) *openapi3.Operation {
	item := r.v.Doc().Paths.Find(route)
	if item == nil {
		return nil
	}
	return item.GetOperation(method)
}

// do sends p, validates the exchange, and records a row.
func (r *runner) do(ctx context.Context, p probe) result {
	row := Row{Check: p.check, Method: p.method, Route: p.route, Target: p.target, Note: p.note}
	if op := r.operation(p.method, p.route); op != nil {
		row.Operation = op.OperationID
		r.done[op.OperationID] = true
	}
	row.Query = showQuery(p.query)
	res := r.exchange(ctx, p, &row)
	r.rep.Rows = append(r.rep.Rows, row)
	res.idx = len(r.rep.Rows) - 1
	return res
}

func (r *runner) exchange(ctx context.Context, p probe, row *Row) result {
	path := p.route
	for k, v := range p.params {
		path = strings.ReplaceAll(path, "{"+k+"}", url.PathEscape(v))
	}
	var body []byte
	if p.body != nil {
		var err error
		if body, err = jsonBody(p.body); err != nil {
			row.Error = "encoding the request: " + err.Error()
			return result{}
		}
	}
	// The same request twice: one for the server (under the host's path
	// prefix), one for the validator, which routes on the spec's paths.
	rel := &url.URL{Path: unescape(path), RawPath: path, RawQuery: p.query.Encode()}
	target := *r.base
	target.Path += rel.Path
	target.RawPath = r.base.EscapedPath() + path
	target.RawQuery = rel.RawQuery
	req, err := http.NewRequestWithContext(ctx, p.method, target.String(), bytes.NewReader(body))
	if err != nil {
		row.Error = "building the request failed"
		return result{}
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "nango-doctor/"+r.rep.SDKVersion)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range p.header {
		req.Header.Set(k, v)
	}
	switch {
	case p.auth != "":
		req.Header.Set("Authorization", p.auth)
	case r.basic:
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(r.secret+":")))
	default:
		req.Header.Set("Authorization", "Bearer "+r.secret)
	}
	vreq := req.Clone(ctx)
	vreq.URL = rel
	vreq.Host = ""

	var viols []Violation
	if _, err := r.v.ValidateRequest(vreq, body, r.basic); err != nil {
		viols = append(viols, violations("request", err)...)
	}

	start := time.Now()
	resp, err := r.hc.Do(req)
	if err != nil {
		row.Error = transportError(err)
		row.LatencyMS = ms(time.Since(start))
		return result{}
	}
	respBody, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	resp.Body.Close()
	row.LatencyMS = ms(time.Since(start))
	row.Status = resp.StatusCode
	if err != nil {
		row.Error = "reading the answer: " + transportError(err)
		return result{status: resp.StatusCode}
	}
	if len(respBody) > maxBody {
		row.Error = "the answer is larger than 32 MiB"
		return result{status: resp.StatusCode}
	}
	if err := r.v.ValidateResponse(vreq, resp.StatusCode, resp.Header, respBody); err != nil {
		viols = append(viols, violations("response", err)...)
	}
	if resp.StatusCode >= 400 && errorShape(respBody) {
		r.hint(Hint{Era: "error body from before mid-2024", Evidence: `{"error": "<message>", "type": "<code>"} in the answer to ` + p.check,
			Option: "none: the SDK reads both error bodies"})
	}
	row.Conforms = len(viols) == 0
	if len(viols) > maxViolations {
		row.MoreViolations = len(viols) - maxViolations
		viols = viols[:maxViolations]
	}
	row.Violations = viols
	return result{status: resp.StatusCode, body: respBody}
}

func ms(d time.Duration) float64 {
	return math.Round(float64(d)/float64(time.Millisecond)*10) / 10
}

func unescape(p string) string {
	u, err := url.PathUnescape(p)
	if err != nil {
		return p
	}
	return u
}

// transportError keeps the cause and drops the URL net/http wraps it in,
// which holds connection ids.
func transportError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return err.Error()
}

// showQuery lists the flags sent, leaving out the integration key (shown in
// the target) and never a value that could be an id.
func showQuery(q url.Values) string {
	var parts []string
	for k, vs := range q {
		if k == "provider_config_key" || k == "connectionId" || k == "search" {
			continue
		}
		for _, v := range vs {
			parts = append(parts, k+"="+v)
		}
	}
	sort.Strings(parts)
	return strings.Join(parts, "&")
}

// violations flattens kin-openapi's errors into path and reason. Only
// Reason and the JSON pointer are used: kin-openapi keeps values out of
// them, and values here may be tokens.
func violations(in string, err error) []Violation {
	var out []Violation
	var walk func(err error, where string)
	walk = func(err error, where string) {
		// The error's own type first: errors.As would look down the chain
		// and lose the parameter or header a deeper error belongs to.
		switch x := err.(type) {
		case openapi3.MultiError:
			for _, e := range x {
				walk(e, where)
			}
		case *openapi3filter.ResponseError:
			switch {
			case x.Err != nil:
				walk(x.Err, headerOf(x.Reason, where))
			case strings.Contains(x.Reason, "status"):
				out = append(out, Violation{In: in, Path: "status", Reason: x.Reason})
			default:
				out = append(out, Violation{In: in, Path: headerOf(x.Reason, where), Reason: x.Reason})
			}
		case *openapi3filter.RequestError:
			w := where
			if x.Parameter != nil {
				w = x.Parameter.In + " " + x.Parameter.Name
			}
			if x.Err != nil {
				walk(x.Err, w)
			} else {
				out = append(out, Violation{In: in, Path: w, Reason: x.Reason})
			}
		case *openapi3filter.SecurityRequirementsError:
			out = append(out, Violation{In: in, Path: "header Authorization", Reason: "not the security scheme the spec names"})
		case *openapi3.SchemaError:
			p := where
			if ptr := x.JSONPointer(); len(ptr) > 0 || p == "" {
				p = "/" + strings.Join(ptr, "/")
			}
			out = append(out, Violation{In: in, Path: p, Reason: x.Reason})
		default:
			if inner := errors.Unwrap(err); inner != nil && strings.HasPrefix(err.Error(), "contract: ") {
				walk(inner, where)
				return
			}
			out = append(out, Violation{In: in, Path: where, Reason: reasonOf(err)})
		}
	}
	walk(err, "")
	return out
}

// headerOf turns kin-openapi's `response header "X" …` reasons into a path.
func headerOf(reason, fallback string) string {
	if _, rest, ok := strings.Cut(reason, `header "`); ok {
		if name, _, ok := strings.Cut(rest, `"`); ok {
			return "header " + name
		}
	}
	if strings.Contains(reason, "Content-Type") {
		return "header Content-Type"
	}
	return fallback
}

// reasonOf strips the "contract: response 200 to GET /connections/…:"
// prefix the validator adds, which holds the escaped id.
func reasonOf(err error) string {
	s := err.Error()
	if strings.HasPrefix(s, "contract: ") {
		if i := strings.LastIndex(s, ": "); i >= 0 {
			s = s[i+2:]
		}
	}
	return s
}
