// Package doctor checks that a Nango server speaks the contract this SDK was
// generated from. Run sends raw HTTP requests to the server, validates every
// request and every answer against the SDK's embedded openapi.yaml, and
// returns one row per exchange, with hints about the server's era and the
// client options it needs.
//
// Besides the connections, it reads every other GET of the spec it can fill:
// the integrations, providers, environment variables, the deployed scripts'
// configuration, a sync status, the records of a model a deployed sync
// writes (GET /scripts/config names it) for a listed connection, and a
// function GET /integrations/{uniqueKey}/functions lists, with its code. A
// read whose parameters it cannot fill (nothing deployed, say) is skipped
// with the reason (Report.Skipped); so is an async action's result, which
// needs the id of a run: the doctor never runs actions or syncs.
//
// It only reads, unless Config.Writes names an integration: then it imports,
// patches, sets metadata on and deletes one connection of its own (its id
// starts with "nango-doctor-"), deleting it even when a step fails. The
// import uses placeholder credentials of the kind the integration's provider
// takes (GET /providers/{provider}); for a kind Nango does not import, a
// GitHub App, or a provider that checks credentials against its API, the
// writes are skipped with a reason (Report.Skipped), which is no failure.
//
// The report never holds the secret key or a token, and holds the ids of your
// connections only with Config.ShowIDs (otherwise "<id 1>", "<id 2>", …).
//
// `nango doctor` is the same check on the command line; a service can run it
// in its own CI:
//
//	rep, err := doctor.Run(ctx, doctor.Config{Host: host, SecretKey: key})
//	if err != nil { … }            // a bad configuration, nothing was sent
//	rep.WriteTable(os.Stdout)
//	if !rep.OK() { os.Exit(1) }
package doctor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/nango-go/sdk/nango"
	"github.com/nango-go/sdk/nango/internal/contract"
)

// Config says which server to check and how.
type Config struct {
	// Host is the server's base URL (default nango.DefaultHost, Nango Cloud).
	// It may carry a path prefix. Plain http:// is refused for hosts that are
	// not loopback unless InsecureHTTP is set, as in the SDK.
	Host string
	// SecretKey is the environment's secret key. It is sent only to Host.
	SecretKey string
	// HTTPClient sends the requests (default: a client with a 30 s timeout).
	// Redirects are never followed, whatever its policy: a redirect is
	// reported, and the key stays on Host.
	HTTPClient *http.Client
	// Writes names an integration (provider config key) to run the write
	// round trip on; empty means read only.
	Writes string
	// ShowIDs prints connection ids instead of placeholders.
	ShowIDs bool
	// InsecureHTTP allows plain http:// to a host that is not loopback.
	InsecureHTTP bool
	// MaxIntegrations caps the integrations whose connection is read
	// (default 10): one connection each, with and without refresh_token.
	MaxIntegrations int
}

// Report is the outcome of Run.
type Report struct {
	Host        string `json:"host"`
	SpecVersion string `json:"spec_version"` // the Nango version openapi.yaml was written against
	SDKVersion  string `json:"sdk_version"`
	// Auth is how the key was accepted: "bearer", "basic", or "" when it
	// was not.
	Auth string `json:"auth"`
	// Routes is "current" (/connections) or "legacy" (/connection).
	Routes string `json:"routes"`
	Rows   []Row  `json:"rows"`
	Hints  []Hint `json:"hints,omitempty"`
	// Skipped lists operations of the spec the doctor did not call.
	Skipped []Skip `json:"skipped,omitempty"`
	// Problems are failures that are not a single answer's fault: a key the
	// server refuses, a write round trip that could not start, a cleanup
	// that failed.
	Problems []string `json:"problems,omitempty"`
}

// Row is one exchange.
type Row struct {
	Check     string `json:"check"`
	Operation string `json:"operation"` // the spec's operationId
	Method    string `json:"method"`
	Route     string `json:"route"` // the spec's path template
	// Target names what was read: "github <id 1>", or the real id with
	// ShowIDs.
	Target string `json:"target,omitempty"`
	Query  string `json:"query,omitempty"` // flags sent besides the integration key
	Status int    `json:"status"`          // 0 when no answer came
	// Conforms is true when the request and the answer both validate.
	Conforms bool `json:"conforms"`
	// Violations are the first few ways they do not.
	Violations     []Violation `json:"violations,omitempty"`
	MoreViolations int         `json:"more_violations,omitempty"`
	LatencyMS      float64     `json:"latency_ms"`
	// Error is why no answer came (transport failure, timeout).
	Error string `json:"error,omitempty"`
	// Skipped, when set, says why this row does not count (a route an
	// older server does not serve, once its era is known).
	Skipped string `json:"skipped,omitempty"`
	Note    string `json:"note,omitempty"`
}

// Violation is one way an exchange breaks the spec.
type Violation struct {
	In     string `json:"in"`             // "request" or "response"
	Path   string `json:"path,omitempty"` // JSON pointer into the body, or "header X", "query x", "status"
	Reason string `json:"reason"`
}

func (v Violation) String() string {
	if v.Path == "" {
		return v.In + ": " + v.Reason
	}
	return v.In + " " + v.Path + ": " + v.Reason
}

// Hint names the server's era, from what it answered, and what the SDK
// needs for it.
type Hint struct {
	Era      string `json:"era"`
	Option   string `json:"option,omitempty"` // e.g. "nango.WithLegacyPaths()"
	Evidence string `json:"evidence"`
}

// Skip is an operation of the spec the doctor did not call, and why.
type Skip struct {
	Operation string `json:"operation"`
	Reason    string `json:"reason"`
}

// OK reports whether every counted row conforms and nothing went wrong.
func (r *Report) OK() bool {
	if len(r.Problems) > 0 {
		return false
	}
	for _, row := range r.Rows {
		if row.Skipped == "" && !row.Conforms {
			return false
		}
	}
	return true
}

// maxViolations is how many violations a row keeps: the first few say what
// is wrong; a broken list of a thousand items would drown the table.
const maxViolations = 5

// Run checks the server. The error is for a configuration the doctor cannot
// run with (nothing was sent); what the server answered is in the report.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	r, err := newRunner(cfg)
	if err != nil {
		return nil, err
	}
	r.reads(ctx)
	if cfg.Writes != "" {
		r.writes(ctx, cfg.Writes)
	}
	r.finish()
	return r.rep, nil
}

type runner struct {
	cfg    Config
	v      *contract.Validator
	hc     *http.Client
	base   *url.URL
	secret string
	basic  bool
	legacy bool
	rep    *Report
	ids    map[string]string // real id → placeholder
	done   map[string]bool   // operationIds called
	// conns is the first connection of each integration, in list order.
	conns []listed
	// providers is the provider of each integration seen (from the list
	// of connections and GET /integrations); integrationKeys the keys GET
	// /integrations listed, in its order.
	providers       map[string]string
	integrationKeys []string
	// functions are the functions GET /integrations/{uniqueKey}/functions
	// listed, in its order; models the models the syncs of each
	// integration write, as GET /scripts/config names them (nil until it
	// answered), and scripted the integrations it names with a sync or an
	// action.
	functions       []listedFunction
	functionsListed bool
	models          map[string][]string
	scripted        []string
	hints           map[string]bool
}

type listedFunction struct{ key, name, kind string }

type listed struct{ key, id, kind, provider string }

func newRunner(cfg Config) (*runner, error) {
	key := cfg.SecretKey
	if strings.TrimSpace(key) == "" {
		return nil, errors.New("doctor: no secret key")
	}
	if strings.ContainsAny(key, "\r\n\x00") {
		return nil, errors.New("doctor: the secret key contains a control character")
	}
	host := strings.TrimSpace(cfg.Host)
	if host == "" {
		host = nango.DefaultHost
	}
	u, err := url.Parse(host)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return nil, fmt.Errorf("doctor: host %q: need an http:// or https:// URL", host)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("doctor: host %q: a base URL takes no user info, query or fragment", u.Redacted())
	}
	if u.Scheme == "http" && !cfg.InsecureHTTP && !isLoopback(u.Hostname()) {
		return nil, fmt.Errorf("doctor: host %q: plain http:// off loopback would send the key in clear text; use https:// (or allow it explicitly)", host)
	}
	if cfg.Writes != "" && !configKeyPattern(cfg.Writes) {
		return nil, fmt.Errorf("doctor: writes: %q is not an integration key", cfg.Writes)
	}
	if cfg.MaxIntegrations <= 0 {
		cfg.MaxIntegrations = 10
	}
	v, err := contract.Load()
	if err != nil {
		return nil, err
	}
	var hc http.Client
	if cfg.HTTPClient != nil {
		hc = *cfg.HTTPClient
	} else {
		hc.Timeout = 30 * time.Second
	}
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	return &runner{
		cfg: cfg, v: v, hc: &hc, base: u, secret: key,
		rep: &Report{Host: u.String(), SpecVersion: v.Doc().Info.Version, SDKVersion: nango.Version,
			Auth: "bearer", Routes: "current"},
		ids: map[string]string{}, done: map[string]bool{}, hints: map[string]bool{}, providers: map[string]string{},
	}, nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// configKeyPattern is Nango's rule for provider config keys.
func configKeyPattern(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	for _, c := range s {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("~:.@ _-", c)
		if !ok {
			return false
		}
	}
	return true
}

// showID returns id, or its placeholder unless ShowIDs.
func (r *runner) showID(id string) string {
	if r.cfg.ShowIDs || strings.HasPrefix(id, doctorPrefix) {
		return id
	}
	if p, ok := r.ids[id]; ok {
		return p
	}
	p := fmt.Sprintf("<id %d>", len(r.ids)+1)
	r.ids[id] = p
	return p
}

func (r *runner) hint(h Hint) {
	if r.hints[h.Era] {
		return
	}
	r.hints[h.Era] = true
	r.rep.Hints = append(r.rep.Hints, h)
}

func (r *runner) finish() {
	if r.basic {
		r.rep.Auth = "basic"
	}
	if r.legacy {
		r.rep.Routes = "legacy"
	}
}

// errorShape tells today's error body from the one before mid-2024.
func errorShape(body []byte) (old bool) {
	var e struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(body, &e) != nil || len(e.Error) == 0 {
		return false
	}
	return e.Error[0] == '"'
}
