package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/nango-go/sdk/nango/nangotest"
)

func TestDoctorExitCodes(t *testing.T) {
	srv := nangotest.Start(t)
	srv.SeedDemo()
	env := map[string]string{"NANGO_HOST": srv.URL, "NANGO_SECRET_KEY": srv.SecretKey()}

	// An answer that breaks the spec: every list item loses "created".
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/connections" && r.Method == http.MethodGet {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"connections":[{"id":1,"connection_id":"u","provider":"github"}]}`))
			return
		}
		srv.Fake.ServeHTTP(w, r)
	}))
	defer broken.Close()

	cases := []struct {
		name     string
		env      map[string]string
		args     []string
		code     int
		out, err string
	}{
		{"conforming server", env, []string{"doctor"}, 0, "OK: every answer conforms", ""},
		{"flags instead of env", nil, []string{"doctor", "--host", srv.URL, "--secret-key", srv.SecretKey()}, 0, "OK:", ""},
		{"writes", env, []string{"doctor", "--writes", "sendgrid"}, 0, "writes: delete (cleanup)", ""},
		{"json", env, []string{"doctor", "--json"}, 0, `"conforms": true`, ""},
		{"broken server", map[string]string{"NANGO_HOST": broken.URL, "NANGO_SECRET_KEY": srv.SecretKey()}, []string{"doctor"}, 1,
			`/connections/0/created: property "created" is missing`, ""},
		{"refused key", map[string]string{"NANGO_HOST": srv.URL, "NANGO_SECRET_KEY": "00000000-0000-4000-8000-000000000000"}, []string{"doctor"}, 1, "refused the secret key", ""},
		{"no key", map[string]string{"NANGO_HOST": srv.URL}, []string{"doctor"}, 2, "", "NANGO_SECRET_KEY"},
		{"bad flag", env, []string{"doctor", "--nope"}, 2, "", "flag provided but not defined"},
		{"extra argument", env, []string{"doctor", "github"}, 2, "", "takes no arguments"},
		{"bad host", map[string]string{"NANGO_HOST": "ftp://x", "NANGO_SECRET_KEY": "k"}, []string{"doctor"}, 2, "", "http"},
		{"help", env, []string{"doctor", "--help"}, 0, "Exit status", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, c.env, c.args...)
			if code != c.code || !strings.Contains(out, c.out) || !strings.Contains(errOut, c.err) {
				t.Fatalf("exit %d (want %d)\nstdout:\n%s\nstderr:\n%s", code, c.code, out, errOut)
			}
			if strings.Contains(out+errOut, srv.SecretKey()) {
				t.Error("the key was printed")
			}
		})
	}
	_, out, _ := runCLI(t, env, "doctor", "--json")
	var rep struct {
		Rows []struct {
			Operation string `json:"operation"`
			Conforms  bool   `json:"conforms"`
		} `json:"rows"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || len(rep.Rows) < 10 {
		t.Fatalf("--json: %v, %d rows", err, len(rep.Rows))
	}
}
