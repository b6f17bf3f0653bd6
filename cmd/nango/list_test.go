package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/nango-go/sdk/nango/nangotest"
)

func TestListAll(t *testing.T) {
	srv := nangotest.Start(t)
	for i := range 25 {
		team := "core"
		if i%5 == 0 {
			team = "edge"
		}
		srv.MustPut(nangotest.OAuth2("github", fmt.Sprintf("c-%02d", i), "tok", nangotest.Tags{"team": team}))
	}
	srv.MustPut(nangotest.APIKey("sendgrid", "mail", "SG.k"))
	env := map[string]string{"NANGO_HOST": srv.URL, "NANGO_SECRET_KEY": srv.SecretKey()}
	cases := []struct {
		args     []string
		count    int
		requests int
	}{
		{[]string{"--integration", "github", "--limit", "10"}, 10, 1},
		{[]string{"--integration", "github", "--limit", "10", "--all"}, 25, 3},
		{[]string{"--integration", "github", "--limit", "5", "--all"}, 25, 6}, // the last page is empty
		{[]string{"--integration", "github", "--limit", "10", "--page", "1", "--all"}, 15, 2},
		{[]string{"--integration", "github", "--limit", "10", "--page", "2"}, 5, 1},
		{[]string{"--all"}, 26, 1},
		{[]string{"--all", "--limit", "2000"}, 26, 1},
		{[]string{"--all", "--limit", "4", "--tag", "team=edge"}, 5, 2},
		{[]string{"--tag", "team=core", "--tag", "other=x"}, 0, 1},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			before := len(srv.Requests())
			code, out, errOut := runCLI(t, env, append([]string{"list"}, tc.args...)...)
			var got []map[string]any
			if code != 0 || json.Unmarshal([]byte(out), &got) != nil {
				t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
			}
			if len(got) != tc.count {
				t.Errorf("%d connections, want %d", len(got), tc.count)
			}
			seen := map[string]bool{}
			for _, c := range got {
				id := fmt.Sprint(c["provider_config_key"], "/", c["connection_id"])
				if seen[id] {
					t.Errorf("%s listed twice", id)
				}
				seen[id] = true
			}
			reqs := srv.Requests()[before:]
			if len(reqs) != tc.requests {
				t.Errorf("%d requests, want %d", len(reqs), tc.requests)
			}
			// The filters go with every page, not only the first.
			for _, r := range reqs {
				if got := r.Query["integrationId"]; slices.Contains(tc.args, "github") && !slices.Equal(got, []string{"github"}) {
					t.Errorf("page query %v lacks the integration filter", r.Query)
				}
				if got := r.Query["tags[team]"]; slices.Contains(tc.args, "team=edge") && !slices.Equal(got, []string{"edge"}) {
					t.Errorf("page query %v lacks the tag filter", r.Query)
				}
			}
		})
	}
}

func TestListTagsCheckedLocally(t *testing.T) {
	srv := nangotest.Start(t)
	srv.SeedDemo()
	env := map[string]string{"NANGO_HOST": srv.URL, "NANGO_SECRET_KEY": srv.SecretKey()}
	cases := []struct{ tag, errText string }{
		{"badformat", "want key=value"},
		{"team=", "empty value"},
		{"=core", "empty tag key"},
		{"1team=core", "want a letter"},
		{"te am=core", "want a letter"},
		{strings.Repeat("k", 65) + "=v", "longer than 64"},
		{"k=" + strings.Repeat("v", 256), "longer than 255"},
	}
	for _, tc := range cases {
		t.Run(tc.errText, func(t *testing.T) {
			code, out, errOut := runCLI(t, env, "list", "--tag", tc.tag)
			if code != 2 || out != "" || !strings.Contains(errOut, tc.errText) || !strings.Contains(errOut, "Usage: nango list") {
				t.Errorf("exit %d, stdout %q, stderr %q; want 2 and %q", code, out, errOut, tc.errText)
			}
		})
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("bad tags sent %d requests", n)
	}
	code, out, _ := runCLI(t, env, "list", "--tag", "team=core")
	var got []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &got) != nil || len(got) != 1 || got[0]["connection_id"] != "user-1" {
		t.Errorf("list --tag team=core: %d %s", code, out)
	}
}

func TestIsTerminal(t *testing.T) {
	// /dev/null is a character device, not a terminal: a pipe to it must
	// still get JSON.
	f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	if isTerminal(f) {
		t.Error("/dev/null taken for a terminal")
	}
	if isTerminal(&bytes.Buffer{}) {
		t.Error("a buffer taken for a terminal")
	}
}
