package sdk_test

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/nango-go/sdk/nango"
)

var (
	versionHeading = regexp.MustCompile(`(?m)^## \[([^\]]+)\](.*)$`)
	releaseLine    = regexp.MustCompile(`^(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)$`)
	releaseDate    = regexp.MustCompile(`^ - \d{4}-\d{2}-\d{2}\s*$`)
)

// newestRelease returns the version of the first heading after
// "## [Unreleased]": Keep a Changelog lists the newest first. A malformed
// heading is an error rather than skipped, so a typo cannot hide a release.
func newestRelease(changelog string) (string, error) {
	for _, m := range versionHeading.FindAllStringSubmatch(changelog, -1) {
		if strings.EqualFold(m[1], "Unreleased") {
			continue
		}
		if !releaseLine.MatchString(m[1]) {
			return "", fmt.Errorf("heading %q: %q is not a semantic version", m[0], m[1])
		}
		if !releaseDate.MatchString(m[2]) {
			return "", fmt.Errorf(`heading %q: want " - YYYY-MM-DD" after the version`, m[0])
		}
		return m[1], nil
	}
	return "", fmt.Errorf(`no release heading like "## [0.1.0] - 2026-11-28"`)
}

// TestVersionMatchesChangelog: a release bumps nango.Version and the changelog
// together, so the User-Agent never names a version the changelog lacks.
func TestVersionMatchesChangelog(t *testing.T) {
	b, err := os.ReadFile("CHANGELOG.md")
	if err != nil {
		t.Fatal(err)
	}
	got, err := newestRelease(string(b))
	if err != nil {
		t.Fatalf("CHANGELOG.md: %v", err)
	}
	if got != nango.Version {
		t.Errorf("newest release in CHANGELOG.md is %s, nango.Version is %s", got, nango.Version)
	}
}

func TestNewestRelease(t *testing.T) {
	cases := []struct {
		name, in, want string
		wantErr        bool
	}{
		{"unreleased first", "## [Unreleased]\n\n## [0.2.0] - 2026-12-01\n\n## [0.1.0] - 2026-11-28\n", "0.2.0", false},
		{"prerelease", "## [1.0.0-rc.1] - 2027-01-01\n", "1.0.0-rc.1", false},
		{"level-3 heading ignored", "### [9.9.9] - 2026-12-01\n## [0.1.0] - 2026-11-28\n", "0.1.0", false},
		{"only unreleased", "## [Unreleased]\n", "", true},
		{"no date", "## [0.3.0]\n## [0.2.0] - 2026-12-01\n", "", true},
		{"not semver", "## [v0.3] - 2026-12-01\n", "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := newestRelease(c.in)
			if got != c.want || (err != nil) != c.wantErr {
				t.Errorf("newestRelease = %q, %v; want %q, error %v", got, err, c.want, c.wantErr)
			}
		})
	}
}
