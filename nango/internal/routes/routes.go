// Package routes names requests by the spec's operations. The table is built
// from the routes that gen's generated server registers, so an operation
// added to openapi.yaml is known here after `go generate`, with no list to
// keep by hand. The client names its log lines and errors by it (a template
// such as "GET /connections/{connectionId}" carries no id), and nangotest
// routes its requests by it.
package routes

import (
	"net/http"
	"slices"
	"strings"

	"github.com/nango-go/sdk/gen"
)

// Table matches requests to the spec's operations.
type Table struct {
	prefix   string
	mux      *http.ServeMux
	patterns []string // "GET /connections/{connectionId}", without the prefix
}

// recorder is the ServeMux gen registers its routes on.
type recorder struct{ t *Table }

func (recorder) ServeHTTP(http.ResponseWriter, *http.Request) {}

func (r recorder) HandleFunc(pattern string, _ func(http.ResponseWriter, *http.Request)) {
	r.t.mux.HandleFunc(pattern, func(http.ResponseWriter, *http.Request) {})
	method, path, _ := strings.Cut(pattern, " ")
	r.t.patterns = append(r.t.patterns, method+" "+strings.TrimPrefix(path, r.t.prefix))
}

// New builds the table for a server whose routes sit under prefix (the path
// of the base URL without its trailing slash: "" or "/nango").
func New(prefix string) *Table {
	t := &Table{prefix: strings.TrimSuffix(prefix, "/"), mux: http.NewServeMux()}
	// gen's server only wraps the interface here; it calls nothing on it.
	gen.HandlerWithOptions(nil, gen.StdHTTPServerOptions{BaseURL: t.prefix, BaseRouter: recorder{t}})
	slices.Sort(t.patterns)
	return t
}

// Patterns lists every operation of the spec as "METHOD /template", sorted.
func (t *Table) Patterns() []string { return slices.Clone(t.patterns) }

// Match returns the operation of a request ("GET /connections/{connectionId}")
// and whether the spec has one.
func (t *Table) Match(r *http.Request) (string, bool) {
	_, pattern := t.mux.Handler(r)
	if pattern == "" {
		return "", false
	}
	method, path, _ := strings.Cut(pattern, " ")
	return method + " " + strings.TrimPrefix(path, t.prefix), true
}
