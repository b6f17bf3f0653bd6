package doctor_test

import (
	"strings"
	"testing"

	"github.com/nango-go/sdk/nango"
	"github.com/nango-go/sdk/nango/doctor"
	"github.com/nango-go/sdk/nango/nangotest"
)

// TestDataPlaneReadsSkipWithTheirReason: without what the data-plane reads
// need (a deployed sync's model, a listed function), each is skipped with
// the reason, and the report stays OK.
func TestDataPlaneReadsSkipWithTheirReason(t *testing.T) {
	cases := []struct {
		name  string
		setup func(s *nangotest.Server)
		want  map[string]string // operation → part of the skip reason
	}{
		{"nothing deployed", func(s *nangotest.Server) {
			s.MustPut(nangotest.OAuth2("github", "u1", "tok"))
		}, map[string]string{
			"listRecords":     "no sync that writes a model is deployed for the integration of a listed connection",
			"getFunction":     "listed no function",
			"getFunctionCode": "listed no function",
		}},
		{"no connection", func(s *nangotest.Server) {
			s.AddIntegration("github", "github", "OAUTH2")
			if err := s.PutSync("github", "issues", "Issue"); err != nil {
				t.Fatal(err)
			}
		}, map[string]string{
			"listRecords": "the list holds no connection",
		}},
		{"a sync of another integration", func(s *nangotest.Server) {
			s.MustPut(nangotest.OAuth2("github", "u1", "tok"))
			s.AddIntegration("slack", "slack", "OAUTH2")
			if err := s.PutSync("slack", "messages", "Message"); err != nil {
				t.Fatal(err)
			}
		}, map[string]string{
			"listRecords": "no sync that writes a model is deployed for the integration of a listed connection",
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := nangotest.Start(t)
			c.setup(srv)
			rep := run(t, doctor.Config{Host: srv.URL, SecretKey: srv.SecretKey()})
			if !rep.OK() {
				t.Errorf("report not OK: %+v", rep)
			}
			skipped := map[string]string{}
			for _, s := range rep.Skipped {
				skipped[s.Operation] = s.Reason
			}
			for op, reason := range c.want {
				if !strings.Contains(skipped[op], reason) {
					t.Errorf("%s skipped for %q, want %q", op, skipped[op], reason)
				}
			}
			if !strings.Contains(skipped["getAsyncActionResult"], "never runs actions") {
				t.Errorf("getAsyncActionResult: %q", skipped["getAsyncActionResult"])
			}
			for _, row := range rep.Rows {
				if _, ok := c.want[row.Operation]; ok {
					t.Errorf("%s was called: %+v", row.Operation, row)
				}
			}
		})
	}
}

// TestFunctionWithoutSource: a function whose source the server does not
// keep is a 404 that conforms, and the row says why.
func TestFunctionWithoutSource(t *testing.T) {
	srv := nangotest.Start(t)
	srv.MustPut(nangotest.OAuth2("github", "u1", "tok"))
	if err := srv.PutSync("github", "issues", "Issue"); err != nil {
		t.Fatal(err)
	}
	rep := run(t, doctor.Config{Host: srv.URL, SecretKey: srv.SecretKey()})
	var found bool
	for _, row := range rep.Rows {
		if row.Operation == "getFunctionCode" {
			found = true
			if row.Status != 404 || !row.Conforms || row.Note != "the server keeps no source for it" {
				t.Errorf("row %+v", row)
			}
		}
	}
	if !found || !rep.OK() {
		t.Errorf("getFunctionCode read %v, OK %v", found, rep.OK())
	}
}

// TestWritesRunNoAction: the write round trip never triggers an action,
// however many are deployed, nor any sync command.
func TestWritesRunNoAction(t *testing.T) {
	srv := nangotest.Start(t)
	seed(srv)
	if err := srv.DeployFunction("sendgrid", nangotest.Function{Name: "send", Type: nango.FunctionTypeAction}); err != nil {
		t.Fatal(err)
	}
	rep := run(t, doctor.Config{Host: srv.URL, SecretKey: srv.SecretKey(), Writes: "sendgrid"})
	if !rep.OK() {
		t.Fatalf("report not OK: %+v", rep.Problems)
	}
	for _, r := range srv.Requests() {
		if strings.HasPrefix(r.Path, "/action") || strings.HasPrefix(r.Path, "/sync/") && r.Method != "GET" || strings.HasPrefix(r.Path, "/records") && r.Method != "GET" {
			t.Errorf("the doctor sent %s %s", r.Method, r.Path)
		}
	}
}
