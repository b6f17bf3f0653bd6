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
	prefix string
	ops    []op
}

type op struct {
	method string
	segs   []string // "connections", "{connectionId}"
	name   string   // "GET /connections/{connectionId}"
}

// recorder is the ServeMux gen registers its routes on.
type recorder struct{ t *Table }

func (recorder) ServeHTTP(http.ResponseWriter, *http.Request) {}

func (r recorder) HandleFunc(pattern string, _ func(http.ResponseWriter, *http.Request)) {
	method, path, _ := strings.Cut(pattern, " ")
	path = strings.TrimPrefix(path, r.t.prefix)
	r.t.ops = append(r.t.ops, op{method: method, segs: strings.Split(strings.TrimPrefix(path, "/"), "/"), name: method + " " + path})
}

// New builds the table for a server whose routes sit under prefix (the path
// of the base URL without its trailing slash: "" or "/nango").
func New(prefix string) *Table {
	t := &Table{prefix: strings.TrimSuffix(prefix, "/")}
	// gen's server only wraps the interface here; it calls nothing on it.
	gen.HandlerWithOptions(nil, gen.StdHTTPServerOptions{BaseURL: t.prefix, BaseRouter: recorder{t}})
	slices.SortFunc(t.ops, func(a, b op) int { return strings.Compare(a.name, b.name) })
	return t
}

// Patterns lists every operation of the spec as "METHOD /template", sorted.
func (t *Table) Patterns() []string {
	out := make([]string, len(t.ops))
	for i, o := range t.ops {
		out[i] = o.name
	}
	return out
}

// Match returns the operation of a request ("GET /connections/{connectionId}")
// and whether the spec has one. It matches the escaped path segment by
// segment, so that an id holding "/", "." or ".." (escaped) is one segment,
// as the server sees it; where a literal and a parameter both match
// ("/connections/metadata"), the literal wins.
func (t *Table) Match(r *http.Request) (string, bool) {
	path, ok := strings.CutPrefix(r.URL.EscapedPath(), t.prefix+"/")
	if !ok {
		return "", false
	}
	segs := strings.Split(path, "/")
	best, bestLiterals := "", -1
	for _, o := range t.ops {
		if o.method != r.Method || len(o.segs) != len(segs) {
			continue
		}
		literals := 0
		for i, s := range o.segs {
			if strings.HasPrefix(s, "{") {
				if segs[i] == "" {
					literals = -1
					break
				}
				continue
			}
			if s != segs[i] {
				literals = -1
				break
			}
			literals++
		}
		if literals > bestLiterals {
			best, bestLiterals = o.name, literals
		}
	}
	return best, bestLiterals >= 0
}
