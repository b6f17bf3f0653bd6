package doctor_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/nango-go/sdk/nango/doctor"
	"github.com/nango-go/sdk/nango/nangotest"
)

// writeRows splits the write rows of a report: the imports tried, and the
// operations of the other steps.
func writeRows(rep *doctor.Report) (imports, steps []string) {
	for _, row := range rep.Rows {
		switch {
		case strings.HasPrefix(row.Check, "writes: import"):
			imports = append(imports, row.Check)
		case strings.HasPrefix(row.Check, "writes: the "):
			// the reads of the auth mode
		case strings.HasPrefix(row.Check, "writes:"):
			steps = append(steps, row.Operation)
		}
	}
	return imports, steps
}

func table(rep *doctor.Report) string {
	var b bytes.Buffer
	_ = rep.WriteTable(&b)
	return b.String()
}

// TestWritesEveryKind: `--writes` on an integration of each auth mode the
// fake's integrations can have. The doctor imports with the kind the
// integration's provider names (GET /integrations/{key}, then GET
// /providers/{provider}), TBA with the account id it needs, or, for a kind
// Nango does not import or a GitHub App, skips the writes and says why; on
// a conforming server the report is OK either way (issue 18: OAuth 1 and
// unauthenticated integrations failed with "took none of [API_KEY BASIC
// OAUTH2]").
func TestWritesEveryKind(t *testing.T) {
	full := "patchConnection,setMetadata,updateMetadata,getConnection,deleteConnection"
	cases := []struct {
		mode   string
		kind   string // the kind imported, "" when the writes are skipped
		reason string // in the skip's reason
	}{
		{"OAUTH2", "OAUTH2", ""},
		{"OAUTH1", "OAUTH1", ""},
		{"OAUTH2_CC", "OAUTH2_CC", ""},
		{"API_KEY", "API_KEY", ""},
		{"BASIC", "BASIC", ""},
		{"NONE", "NONE", ""},
		{"TBA", "TBA", ""},
		{"APP", "", "installation token from GitHub"},
		{"CUSTOM", "", "installation token from GitHub"},
		{"JWT", "", "does not import JWT"},
		{"TWO_STEP", "", "does not import TWO_STEP"},
		{"SIGNATURE", "", "does not import SIGNATURE"},
		{"BILL", "", "does not import BILL"},
		{"AWS_SIGV4", "", "does not import AWS_SIGV4"},
	}
	for _, c := range cases {
		t.Run(c.mode, func(t *testing.T) {
			srv := nangotest.Start(t)
			seed(srv)
			key := "kind-" + strings.ToLower(c.mode)
			srv.AddIntegration(key, "provider-"+strings.ToLower(c.mode), c.mode)
			before := srv.Len()
			rep := run(t, doctor.Config{Host: srv.URL, SecretKey: srv.SecretKey(), Writes: key})
			if !rep.OK() {
				t.Fatalf("not OK:\n%s", table(rep))
			}
			imports, steps := writeRows(rep)
			var skip string
			for _, s := range rep.Skipped {
				if s.Operation == "writes on "+key {
					skip = s.Reason
				}
			}
			if c.kind == "" {
				if len(imports) != 0 || len(steps) != 0 || !strings.Contains(skip, c.reason) {
					t.Errorf("imports %v, steps %v, skip %q: want the writes skipped for %q", imports, steps, skip, c.reason)
				}
				if got := sent(srv); len(got) != 0 {
					t.Errorf("sent %v", got)
				}
				return
			}
			if strings.Join(imports, ",") != "writes: import "+c.kind || strings.Join(steps, ",") != full || skip != "" {
				t.Errorf("imports %v, steps %v, skip %q\n%s", imports, steps, skip, table(rep))
			}
			if srv.Len() != before {
				t.Errorf("%d connections after, %d before", srv.Len(), before)
			}
			// The auth mode came from the integration's provider (named by
			// GET /integrations, which the reads called).
			var sawProvider bool
			for _, r := range srv.Requests() {
				sawProvider = sawProvider || r.Path == "/providers/provider-"+strings.ToLower(c.mode)
			}
			if !sawProvider {
				t.Errorf("no GET /providers/provider-%s", strings.ToLower(c.mode))
			}
			if c.mode == "TBA" {
				for _, r := range srv.Requests() {
					if r.Method == http.MethodPost && r.Path == "/connections" && !bytes.Contains(r.Body, []byte(`"connection_config":{"accountId":`)) {
						t.Errorf("TBA import without an account id: %s", r.Body)
					}
				}
			}
		})
	}
}

// failProviders makes the fake answer GET /providers/… with a 500, so
// that the doctor cannot learn the auth mode.
type failProviders struct{ srv *nangotest.Server }

func (f failProviders) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasPrefix(r.URL.Path, "/providers/") {
		f.srv.FailNext(1, nangotest.ServerError())
	}
	return http.DefaultTransport.RoundTrip(r)
}

// TestWritesAuthModeUnknown: when the server does not name the auth mode,
// the doctor tries every kind it imports, a refused kind (400 invalid_body)
// moving on to the next; a kind it cannot import ends in a stated skip.
func TestWritesAuthModeUnknown(t *testing.T) {
	for _, c := range []struct {
		mode    string
		imports int
		skip    bool
	}{{"OAUTH1", 4, false}, {"NONE", 7, false}, {"JWT", 7, true}} {
		t.Run(c.mode, func(t *testing.T) {
			srv := nangotest.Start(t)
			seed(srv)
			srv.AddIntegration("mystery", "mystery", c.mode)
			hc := &http.Client{Transport: failProviders{srv}}
			rep := run(t, doctor.Config{Host: srv.URL, SecretKey: srv.SecretKey(), Writes: "mystery", HTTPClient: hc})
			if !rep.OK() {
				t.Fatalf("not OK:\n%s", table(rep))
			}
			imports, steps := writeRows(rep)
			if len(imports) != c.imports || (len(steps) == 0) != c.skip {
				t.Errorf("imports %v, steps %v\n%s", imports, steps, table(rep))
			}
			if c.skip && !strings.Contains(table(rep), "skipped writes on mystery: the server named no auth mode") {
				t.Errorf("no skip stated:\n%s", table(rep))
			}
		})
	}
}

// TestWritesUnknownIntegration: --writes naming an integration the server
// does not have is a problem, found before anything is written.
func TestWritesUnknownIntegration(t *testing.T) {
	srv := nangotest.Start(t)
	seed(srv)
	rep := run(t, doctor.Config{Host: srv.URL, SecretKey: srv.SecretKey(), Writes: "nope"})
	if rep.OK() || len(rep.Problems) != 1 || !strings.Contains(rep.Problems[0], `no integration "nope"`) || len(sent(srv)) != 0 {
		t.Errorf("problems %v, sent %v", rep.Problems, sent(srv))
	}
}

// failIntegrationList makes the fake answer GET /integrations with a 500:
// the doctor then asks GET /integrations/{uniqueKey} for the provider.
type failIntegrationList struct{ srv *nangotest.Server }

func (f failIntegrationList) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Path == "/integrations" {
		f.srv.FailNext(1, nangotest.ServerError())
	}
	return http.DefaultTransport.RoundTrip(r)
}

func TestWritesProviderFromTheIntegration(t *testing.T) {
	srv := nangotest.Start(t)
	seed(srv)
	srv.AddIntegration("tw", "twitter", "OAUTH1")
	rep := run(t, doctor.Config{Host: srv.URL, SecretKey: srv.SecretKey(), Writes: "tw", HTTPClient: &http.Client{Transport: failIntegrationList{srv}}})
	if !rep.OK() {
		t.Fatalf("not OK:\n%s", table(rep))
	}
	var checks []string
	for _, row := range rep.Rows {
		if strings.HasPrefix(row.Check, "writes: the ") || strings.HasPrefix(row.Check, "writes: import") {
			checks = append(checks, row.Check+" "+row.Target)
		}
	}
	want := "writes: the integration's provider tw,writes: the provider's auth mode twitter,writes: import OAUTH1 tw nango-doctor-"
	if !strings.HasPrefix(strings.Join(checks, ","), want) {
		t.Errorf("checks %v, want %s…", checks, want)
	}
}
