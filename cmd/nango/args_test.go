package main

import (
	"errors"
	"flag"
	"io"
	"slices"
	"testing"
)

func TestParseArgs(t *testing.T) {
	cases := []struct {
		name   string
		args   []string
		pos    []string
		force  bool
		search string
		err    string // "" for none, "help" for flag.ErrHelp
	}{
		{"flags first", []string{"--force", "github", "u"}, []string{"github", "u"}, true, "", ""},
		{"flags last", []string{"github", "u", "--force"}, []string{"github", "u"}, true, "", ""},
		{"flags between", []string{"github", "--search", "x", "u"}, []string{"github", "u"}, false, "x", ""},
		{"single dash and =", []string{"-search=a=b", "github", "-force=true", "u"}, []string{"github", "u"}, true, "a=b", ""},
		{"double dash ends flags", []string{"github", "--", "-u", "--force"}, []string{"github", "-u", "--force"}, false, "", ""},
		{"double dash as a value", []string{"--search", "--", "github", "--force"}, []string{"github"}, true, "--", ""},
		{"a flag-like value", []string{"--search", "--force", "github"}, []string{"github"}, false, "--force", ""},
		{"bool flag takes no next word", []string{"--force", "false"}, []string{"false"}, true, "", ""},
		{"lone dash is an argument", []string{"-", "--force"}, []string{"-"}, true, "", ""},
		{"unknown flag after args", []string{"github", "--nope"}, []string{"github"}, false, "", "flag provided but not defined: -nope"},
		{"missing value", []string{"github", "--search"}, []string{"github"}, false, "", "flag needs an argument: -search"},
		{"bad bool", []string{"--force=maybe"}, nil, false, "", `invalid boolean value "maybe" for -force: parse error`},
		{"help after args", []string{"github", "u", "--help"}, []string{"github", "u"}, false, "", "help"},
		{"-h", []string{"-h"}, nil, false, "", "help"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fs := flag.NewFlagSet("t", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			force := fs.Bool("force", false, "")
			search := fs.String("search", "", "")
			pos, err := parseArgs(fs, tc.args)
			switch {
			case tc.err == "help":
				if !errors.Is(err, flag.ErrHelp) {
					t.Fatalf("err %v, want flag.ErrHelp", err)
				}
			case tc.err != "":
				if err == nil || err.Error() != tc.err {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
			case err != nil:
				t.Fatal(err)
			}
			if !slices.Equal(pos, tc.pos) {
				t.Errorf("arguments %q, want %q", pos, tc.pos)
			}
			if err == nil && (*force != tc.force || *search != tc.search) {
				t.Errorf("force %t search %q, want %t %q", *force, *search, tc.force, tc.search)
			}
		})
	}
}

func TestTagFlag(t *testing.T) {
	long := func(n int) string { return string(slices.Repeat([]byte("a"), n)) }
	cases := []struct {
		value string
		ok    bool
	}{
		{"team=core", true},
		{"Team_1-a.b/c=x=y,z", true},
		{long(64) + "=v", true},
		{"k=" + long(255), true},
		{"badformat", false},
		{"=core", false},
		{"team=", false},
		{"1team=core", false},
		{"te am=core", false},
		{"tëam=core", false},
		{long(65) + "=v", false},
		{"k=" + long(256), false},
	}
	for _, tc := range cases {
		var tf tagFlag
		err := tf.Set(tc.value)
		if (err == nil) != tc.ok {
			t.Errorf("Set(%.40q): %v, want ok=%t", tc.value, err, tc.ok)
		}
	}
	var tf tagFlag
	if err := tf.Set("team=core"); err != nil {
		t.Fatal(err)
	}
	if err := tf.Set("TEAM=other"); err == nil {
		t.Error("a key given twice (Nango lower-cases keys) was taken")
	}
}
