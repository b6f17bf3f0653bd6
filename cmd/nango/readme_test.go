package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/nango-go/sdk/nango/nangotest"
)

// TestReadmeCLI runs every command of the README's CLI section, as written,
// against the fake with the demo connections.
func TestReadmeCLI(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n## The CLI\n")
	if !ok {
		t.Fatal("README has no CLI section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	_, block, _ := strings.Cut(section, "```\n")
	block, _, _ = strings.Cut(block, "```")

	srv := nangotest.Start(t)
	srv.SeedDemo()
	env := map[string]string{"NANGO_HOST": srv.URL, "NANGO_SECRET_KEY": srv.SecretKey()}
	inner := regexp.MustCompile(`\$\(go run \./cmd/nango ([^)]*)\)`)
	ran := 0
	for _, line := range strings.Split(block, "\n") {
		line, _, _ = strings.Cut(line, "  #")
		var args []string
		var wantToken bool
		switch {
		case strings.HasPrefix(line, "go run ./cmd/nango "):
			args = shellWords(t, strings.TrimPrefix(line, "go run ./cmd/nango "))
		case inner.MatchString(line):
			// What $(…) captures must be the token alone.
			args, wantToken = shellWords(t, inner.FindStringSubmatch(line)[1]), true
		default:
			continue
		}
		ran++
		code, out, errOut := runCLI(t, env, args...)
		if code != 0 || out == "" {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", line, code, out, errOut)
		}
		if wantToken && out != "gho_demo_access_token_1\n" {
			t.Errorf("%s: captured %q, not the bare token", line, out)
		}
	}
	if ran < 8 {
		t.Errorf("ran %d README commands; the section was not found as expected", ran)
	}
	if _, ok := srv.Connection("github", "user-1"); ok {
		t.Error("the README's delete did not delete")
	}
}

// shellWords splits a command line as sh would for the README's examples:
// blanks separate words, single quotes group.
func shellWords(t *testing.T, s string) []string {
	t.Helper()
	var words []string
	var cur strings.Builder
	inWord, quoted := false, false
	for _, r := range s {
		switch {
		case r == '\'':
			quoted, inWord = !quoted, true
		case (r == ' ' || r == '\t') && !quoted:
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			if !quoted && strings.ContainsRune(`"$|&;<>\`+"`", r) {
				t.Fatalf("README line %q needs a real shell", s)
			}
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quoted {
		t.Fatalf("unbalanced quote in %q", s)
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

// TestReadmeDemo holds the README's copy of `nango demo`'s output to what the
// command prints, but for the port and the timestamps.
func TestReadmeDemo(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(b), "`go run ./cmd/nango demo` prints")
	if !ok {
		t.Fatal("README shows no demo output")
	}
	_, block, _ = strings.Cut(block, "```\n")
	block, _, _ = strings.Cut(block, "```")

	code, out, errOut := runCLI(t, nil, "demo")
	if code != 0 {
		t.Fatalf("demo exit %d: %s", code, errOut)
	}
	varying := regexp.MustCompile(`127\.0\.0\.1:\d+|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z`)
	if got, want := varying.ReplaceAllString(out, "…"), varying.ReplaceAllString(block, "…"); got != want {
		t.Errorf("README's demo output is stale; the demo prints:\n%s", out)
	}
}
