package main

import (
	"strings"
	"testing"

	"github.com/nango-go/sdk/nango/nangotest"
)

// TestDoctorWritesEveryKind: `nango doctor --writes` exits 0 on a
// conforming server whatever the integration's kind: it writes with the
// kind the provider takes, or says why it skipped the writes (issue 18:
// OAuth 1 and unauthenticated integrations exited 1).
func TestDoctorWritesEveryKind(t *testing.T) {
	srv := nangotest.Start(t)
	srv.SeedDemo()
	srv.AddIntegration("unauthenticated", "unauthenticated", "NONE")
	srv.AddIntegration("netsuite-tba", "netsuite-tba", "TBA")
	srv.AddIntegration("github-app", "github-app", "APP")
	srv.AddIntegration("jwt-kind", "jwt-provider", "JWT")
	env := map[string]string{"NANGO_HOST": srv.URL, "NANGO_SECRET_KEY": srv.SecretKey()}
	for _, c := range []struct{ integration, want string }{
		{"twitter", "writes: import OAUTH1"},
		{"unauthenticated", "writes: import NONE"},
		{"netsuite-tba", "writes: import TBA"},
		{"github-app", "skipped writes on github-app: importing a GitHub App"},
		{"jwt-kind", "skipped writes on jwt-kind: Nango does not import JWT connections"},
	} {
		code, out, errOut := runCLI(t, env, "doctor", "--writes", c.integration)
		if code != 0 || !strings.Contains(out, c.want) || !strings.Contains(out, "OK: every answer conforms") {
			t.Errorf("--writes %s: exit %d\n%s%s", c.integration, code, out, errOut)
		}
	}
}
