package doctor_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/nango-go/sdk/nango/doctor"
	"github.com/nango-go/sdk/nango/nangotest"
)

// sent lists "METHOD path" of the fake's requests that were not GETs.
func sent(srv *nangotest.Server) []string {
	var out []string
	for _, r := range srv.Requests() {
		if r.Method != http.MethodGet {
			out = append(out, r.Method+" "+r.Path)
		}
	}
	return out
}

func TestWrites(t *testing.T) {
	cases := []struct {
		name        string
		integration string
		authMode    string // declared without connections when set
		imports     []string
	}{
		{"API key integration with a connection", "sendgrid", "", []string{"writes: import API_KEY"}},
		{"OAuth 2 integration: its kind first", "github", "", []string{"writes: import OAUTH2"}},
		{"basic-auth integration without connections: its provider's mode", "anvil", "BASIC", []string{"writes: import BASIC"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := nangotest.Start(t)
			seed(srv)
			if c.authMode != "" {
				srv.AddIntegration(c.integration, c.integration, c.authMode)
			}
			before := srv.Len()
			rep := run(t, doctor.Config{Host: srv.URL, SecretKey: srv.SecretKey(), Writes: c.integration})
			if !rep.OK() {
				t.Fatalf("not OK: %v %+v", rep.Problems, rep.Rows)
			}
			var imports []string
			var steps []string
			for _, row := range rep.Rows {
				if row.Method == http.MethodGet && !strings.Contains(row.Route, "connection") {
					continue // the reads of the auth mode
				}
				if strings.HasPrefix(row.Check, "writes: import") {
					imports = append(imports, row.Check)
				} else if strings.HasPrefix(row.Check, "writes:") {
					steps = append(steps, row.Operation)
				}
				if strings.HasPrefix(row.Check, "writes:") && !strings.HasPrefix(row.Target, c.integration+" nango-doctor-") {
					t.Errorf("write on %q", row.Target)
				}
			}
			if strings.Join(imports, ",") != strings.Join(c.imports, ",") {
				t.Errorf("imports %v, want %v", imports, c.imports)
			}
			want := "patchConnection,setMetadata,updateMetadata,getConnection,deleteConnection"
			if strings.Join(steps, ",") != want {
				t.Errorf("steps %v, want %s", steps, want)
			}
			if srv.Len() != before {
				t.Errorf("%d connections after, %d before: the doctor's was not deleted", srv.Len(), before)
			}
		})
	}
}

// TestWritesCleanUpAfterAFailedStep: a failing patch stops the round trip,
// and the connection is still deleted.
func TestWritesCleanUpAfterAFailedStep(t *testing.T) {
	srv := nangotest.Start(t)
	seed(srv)
	// No connection of "mailer" is listed, so the reads never name it: the
	// first request under its key is the patch.
	srv.AddIntegration("mailer", "sendgrid", "API_KEY")
	srv.FailConnection("mailer", "", 1, nangotest.ServerError())
	before := srv.Len()
	rep := run(t, doctor.Config{Host: srv.URL, SecretKey: srv.SecretKey(), Writes: "mailer"})
	if rep.OK() || len(rep.Problems) != 1 || !strings.Contains(rep.Problems[0], "patch tags failed (status 500)") {
		t.Fatalf("problems %v", rep.Problems)
	}
	got := strings.Join(sent(srv), ",")
	if !strings.HasPrefix(got, "POST /connections,PATCH /connections/nango-doctor-") || !strings.Contains(got, ",DELETE /connections/nango-doctor-") || strings.Contains(got, "metadata") {
		t.Errorf("requests %s: want import, patch, delete", got)
	}
	if srv.Len() != before {
		t.Errorf("the doctor's connection was left behind")
	}
}

// TestWritesFailedCleanup: a delete that fails is a problem naming the
// doctor's connection, so that it can be removed by hand.
func TestWritesFailedCleanup(t *testing.T) {
	srv := nangotest.Start(t)
	seed(srv)
	srv.AddIntegration("mailer", "sendgrid", "API_KEY")
	srv.FailConnection("mailer", "", 2, nangotest.ServerError()) // the patch and the delete
	before := srv.Len()
	rep := run(t, doctor.Config{Host: srv.URL, SecretKey: srv.SecretKey(), Writes: "mailer"})
	if rep.OK() || len(rep.Problems) != 2 || !strings.Contains(rep.Problems[1], `cleanup: could not delete connection "nango-doctor-`) {
		t.Fatalf("problems %v", rep.Problems)
	}
	if srv.Len() != before+1 {
		t.Fatalf("%d connections, want the doctor's left over", srv.Len())
	}
}

// failImports makes the fake answer the next import with fault, through
// FailNext at the moment the import goes out.
type failImports struct {
	srv   *nangotest.Server
	fault nangotest.Fault
}

func (f failImports) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPost && r.URL.Path == "/connections" {
		f.srv.FailNext(1, f.fault)
	}
	return http.DefaultTransport.RoundTrip(r)
}

// TestWritesImportOutcomeUnknown: after a 500 on the import the doctor
// deletes anyway (the server may have stored it); "no such connection" then
// is not a problem.
func TestWritesImportOutcomeUnknown(t *testing.T) {
	srv := nangotest.Start(t)
	seed(srv)
	hc := &http.Client{Transport: failImports{srv, nangotest.ServerError()}}
	rep := run(t, doctor.Config{Host: srv.URL, SecretKey: srv.SecretKey(), Writes: "sendgrid", HTTPClient: hc})
	if rep.OK() || len(rep.Problems) != 1 || !strings.Contains(rep.Problems[0], "import API_KEY failed (status 500)") {
		t.Fatalf("problems %v", rep.Problems)
	}
	got := strings.Join(sent(srv), ",")
	if !strings.HasPrefix(got, "POST /connections,DELETE /connections/nango-doctor-") {
		t.Errorf("requests %s: want the import, then a delete", got)
	}
	last := rep.Rows[len(rep.Rows)-1]
	if last.Operation != "deleteConnection" || last.Note != "nothing was stored" {
		t.Errorf("last row %+v", last)
	}
}
