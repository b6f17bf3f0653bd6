package nango

import (
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/nango-go/sdk/gen"
)

const (
	opListFunctions   = "GET /integrations/{uniqueKey}/functions"
	opGetFunction     = "GET /integrations/{uniqueKey}/functions/{name}"
	opGetFunctionCode = "GET /integrations/{uniqueKey}/functions/{name}/code"
	opDeleteFunction  = "DELETE /integrations/{uniqueKey}/functions/{name}"
)

// The types of the deployed functions, generated from openapi.yaml.
type (
	// IntegrationFunction is a function deployed for an integration: a
	// sync, an action or an on-event script. Fields that do not apply to
	// its Type are zero.
	IntegrationFunction = gen.IntegrationFunction
	// FunctionList is a page of ListFunctions: the functions, and where
	// the page stands (Pagination.Total counts every page).
	FunctionList = gen.FunctionList
	// FunctionPagination is where a page of functions stands.
	FunctionPagination = gen.FunctionPagination
	// FunctionCode is a deployed function's TypeScript source.
	FunctionCode = gen.FunctionCode
	// FunctionType is the kind of a function: FunctionTypeSync,
	// FunctionTypeAction or FunctionTypeOnEvent.
	FunctionType = gen.FunctionType
)

// The kinds of functions.
const (
	FunctionTypeSync    = gen.FunctionTypeSync
	FunctionTypeAction  = gen.FunctionTypeAction
	FunctionTypeOnEvent = gen.FunctionTypeOnEvent
)

// maxFunctionsPage is the largest page Nango serves.
const maxFunctionsPage = 100

// FunctionOption narrows or pages the function calls: FunctionOfType (all
// of them), FunctionSearch, Page and PageSize (the lists), or any
// RequestOption.
type FunctionOption interface{ applyFunction(*functionParams) }

type functionOption func(*functionParams)

func (f functionOption) applyFunction(p *functionParams) { f(p) }

func (o RequestOption) applyFunction(p *functionParams) { o.applyTo(&p.req) }

type functionParams struct {
	kind              FunctionType
	search            string
	hasSearch         bool
	page, limit       int
	hasPage, hasLimit bool
	req               requestConfig
}

// FunctionOfType keeps the functions of one kind: in a list, only them;
// for GetFunction and GetFunctionCode, the one of that kind when a sync and
// an action share a name.
func FunctionOfType(t FunctionType) FunctionOption {
	return functionOption(func(p *functionParams) { p.kind = t })
}

// FunctionSearch lists only the functions whose name contains s (1 to 255
// characters, blanks around it aside).
func FunctionSearch(s string) FunctionOption {
	return functionOption(func(p *functionParams) { p.search, p.hasSearch = s, true })
}

// A page of functions: Page counts from 0; PageSize is 1 to 100 (Nango's
// default is 20).
func (n PageOption) applyFunction(p *functionParams)     { p.page, p.hasPage = int(n), true }
func (n PageSizeOption) applyFunction(p *functionParams) { p.limit, p.hasLimit = int(n), true }

func functionParamsOf(opts []FunctionOption) functionParams {
	var p functionParams
	for _, o := range opts {
		if o != nil {
			o.applyFunction(&p)
		}
	}
	return p
}

func checkFunctionType(t FunctionType) error {
	if t != "" && !t.Valid() {
		return invalidArgument("function type %q: want sync, action or on-event", t)
	}
	return nil
}

// checkOne refuses the list options on a call about one function.
func (p *functionParams) checkOne(what string) error {
	if p.hasSearch || p.hasPage || p.hasLimit {
		return invalidArgument("%s: FunctionSearch, Page and PageSize apply to ListFunctions", what)
	}
	return checkFunctionType(p.kind)
}

// ListFunctions returns a page of the functions deployed for an
// integration (Node: listFunctions), ordered by kind then name; Nango's
// page holds 20 unless PageSize says otherwise. An unknown
// integration is an error matching ErrNotFound. AllFunctions walks every
// page.
func (c *Client) ListFunctions(ctx context.Context, uniqueKey string, opts ...FunctionOption) (*FunctionList, error) {
	if err := checkID("integration unique key", uniqueKey); err != nil {
		return nil, err
	}
	p := functionParamsOf(opts)
	if err := checkFunctionType(p.kind); err != nil {
		return nil, err
	}
	var params gen.ListFunctionsParams
	if p.kind != "" {
		kind := gen.ListFunctionsParamsType(p.kind)
		params.Type = &kind
	}
	if p.hasSearch {
		s := strings.TrimSpace(p.search)
		if err := checkText("FunctionSearch", s); err != nil {
			return nil, err
		}
		if n := utf8.RuneCountInString(s); n < 1 || n > 255 {
			return nil, invalidArgument("FunctionSearch: %d characters, want 1 to 255", n)
		}
		params.Search = &s
	}
	if p.hasPage {
		if p.page < 0 {
			return nil, invalidArgument("Page(%d): pages count from 0", p.page)
		}
		params.Page = &p.page
	}
	if p.hasLimit {
		if p.limit < 1 || p.limit > maxFunctionsPage {
			return nil, invalidArgument("PageSize(%d): Nango's function pages hold 1 to %d", p.limit, maxFunctionsPage)
		}
		params.Limit = &p.limit
	}
	req, err := gen.NewListFunctionsRequest(c.server, uniqueKey, &params)
	if err != nil {
		return nil, invalidArgument("ListFunctions: %v", err)
	}
	r, err := c.do(ctx, &call{method: http.MethodGet, op: opListFunctions, maxBody: c.maxListBody, idempotent: true,
		url: req.URL.String(), req: p.req.callConfig()})
	if err != nil {
		return nil, err
	}
	var out gen.FunctionList
	if err := json.Unmarshal(r.body, &out); err != nil {
		return nil, r.malformed("function list", err)
	}
	if out.Data == nil {
		return nil, r.malformed("function list", errMissing("data"))
	}
	return &out, nil
}

// AllFunctions walks every page of ListFunctions lazily. FunctionOfType and
// FunctionSearch apply as for ListFunctions; PageSize sets the page
// size (default 100, the most Nango serves) and Page the first
// page. It stops at the first error, which it yields.
func (c *Client) AllFunctions(ctx context.Context, uniqueKey string, opts ...FunctionOption) iter.Seq2[IntegrationFunction, error] {
	return func(yield func(IntegrationFunction, error) bool) {
		p := functionParamsOf(opts)
		if !p.hasLimit {
			p.limit = maxFunctionsPage
		}
		page := p.page
		for {
			list, err := c.ListFunctions(ctx, uniqueKey, append(append([]FunctionOption{}, opts...), PageSize(p.limit), Page(page))...)
			if err != nil {
				yield(IntegrationFunction{}, err)
				return
			}
			for _, fn := range list.Data {
				if !yield(fn, nil) {
					return
				}
			}
			// A short page is the last, and so is the page that reaches
			// the total (a list that shrank meanwhile ends there too).
			if len(list.Data) < p.limit || (page+1)*p.limit >= list.Pagination.Total {
				return
			}
			page++
		}
	}
}

// GetFunction returns a function deployed for an integration (Node:
// getFunction); when a sync and an action share the name, FunctionOfType
// picks one. An unknown integration or function is an error matching
// ErrNotFound.
func (c *Client) GetFunction(ctx context.Context, uniqueKey, name string, opts ...FunctionOption) (*IntegrationFunction, error) {
	if err := checkID("integration unique key", uniqueKey); err != nil {
		return nil, err
	}
	if err := checkName("function name", name); err != nil {
		return nil, err
	}
	p := functionParamsOf(opts)
	if err := p.checkOne("GetFunction"); err != nil {
		return nil, err
	}
	var params gen.GetFunctionParams
	if p.kind != "" {
		kind := gen.GetFunctionParamsType(p.kind)
		params.Type = &kind
	}
	req, err := gen.NewGetFunctionRequest(c.server, uniqueKey, name, &params)
	if err != nil {
		return nil, invalidArgument("GetFunction: %v", err)
	}
	r, err := c.do(ctx, &call{method: http.MethodGet, op: opGetFunction, maxBody: c.maxBody, idempotent: true,
		url: req.URL.String(), req: p.req.callConfig()})
	if err != nil {
		return nil, err
	}
	var out gen.FunctionResponse
	if err := json.Unmarshal(r.body, &out); err != nil {
		return nil, r.malformed("function", err)
	}
	if out.Data.Name == "" {
		return nil, r.malformed("function", errMissing("data.name"))
	}
	return &out.Data, nil
}

// GetFunctionCode returns the TypeScript source of a deployed function
// (Node: getFunctionCode). An unknown integration or function, or one whose
// source the server lacks, is an error matching ErrNotFound; a name shared
// by functions of several kinds, without FunctionOfType, is Nango's 409
// ambiguous_function (its Payload lists them).
func (c *Client) GetFunctionCode(ctx context.Context, uniqueKey, name string, opts ...FunctionOption) (*FunctionCode, error) {
	if err := checkID("integration unique key", uniqueKey); err != nil {
		return nil, err
	}
	if err := checkName("function name", name); err != nil {
		return nil, err
	}
	p := functionParamsOf(opts)
	if err := p.checkOne("GetFunctionCode"); err != nil {
		return nil, err
	}
	var params gen.GetFunctionCodeParams
	if p.kind != "" {
		kind := gen.GetFunctionCodeParamsType(p.kind)
		params.Type = &kind
	}
	req, err := gen.NewGetFunctionCodeRequest(c.server, uniqueKey, name, &params)
	if err != nil {
		return nil, invalidArgument("GetFunctionCode: %v", err)
	}
	r, err := c.do(ctx, &call{method: http.MethodGet, op: opGetFunctionCode, maxBody: c.maxBody, idempotent: true,
		url: req.URL.String(), req: p.req.callConfig()})
	if err != nil {
		return nil, err
	}
	var out gen.FunctionCode
	if err := json.Unmarshal(r.body, &out); err != nil {
		return nil, r.malformed("function code", err)
	}
	if out.Type == "" {
		return nil, r.malformed("function code", errMissing("type"))
	}
	return &out, nil
}

// DeleteFunction deletes a sync or an action of an integration (Node:
// deleteFunction); Nango finishes the deletion in the background. kind is
// FunctionTypeSync or FunctionTypeAction (on-event scripts cannot be
// deleted this way). Functions deployed from a repository with `nango
// deploy` are Nango's 400 function_managed_by_deploy: deploy without them
// instead. An unknown integration or function is an error matching
// ErrNotFound.
func (c *Client) DeleteFunction(ctx context.Context, uniqueKey, name string, kind FunctionType, opts ...RequestOption) error {
	if err := checkID("integration unique key", uniqueKey); err != nil {
		return err
	}
	if err := checkName("function name", name); err != nil {
		return err
	}
	if kind != FunctionTypeSync && kind != FunctionTypeAction {
		return invalidArgument("DeleteFunction: kind %q: want sync or action", kind)
	}
	params := &gen.DeleteFunctionParams{Type: gen.DeleteFunctionParamsType(kind)}
	_, err := c.do(ctx, &call{method: http.MethodDelete, op: opDeleteFunction, maxBody: c.maxBody, req: requestConfigOf(opts),
		build: func(server string) (*http.Request, error) {
			return gen.NewDeleteFunctionRequest(server, uniqueKey, name, params)
		}})
	return err
}
