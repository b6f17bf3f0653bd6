package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
)

// command is one command or subcommand: its flags, its positional
// arguments (all required) and the text of its --help.
type command struct {
	name    string // as typed after "nango": "token", "metadata get"
	summary string // one line
	about   string // paragraphs after the summary, may be empty
	args    []argument
	example string // shown under "Example:", may be empty
	flags   *flag.FlagSet
}

type argument struct{ name, help string }

var (
	argKey = argument{"<provider-config-key>", "the integration's unique key in Nango (e.g. github)"}
	argID  = argument{"<connection-id>", "the connection's id; after \"--\" when it starts with \"-\""}
)

func newCommand(name, summary string, args ...argument) *command {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	// The flag package would print errors and usage itself, to one writer;
	// help belongs on stdout and errors on stderr, so run prints both.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return &command{name: name, summary: summary, args: args, flags: fs}
}

// parse reads flags wherever they stand among the arguments and checks the
// number of arguments. --help prints the help to stdout and returns errHelp.
func (c *command) parse(args []string, stdout io.Writer) ([]string, error) {
	pos, err := parseArgs(c.flags, args)
	if errors.Is(err, flag.ErrHelp) {
		c.help(stdout)
		return nil, errHelp
	}
	if err != nil {
		return nil, c.usageError(err.Error())
	}
	if len(pos) != len(c.args) {
		names := make([]string, len(c.args))
		for i, a := range c.args {
			names[i] = a.name
		}
		msg := fmt.Sprintf("want %d arguments (%s), got %d", len(c.args), strings.Join(names, " "), len(pos))
		if len(c.args) == 0 {
			msg = fmt.Sprintf("takes no arguments, got %q", pos)
		}
		return nil, c.usageError(msg)
	}
	return pos, nil
}

func (c *command) usageError(msg string) usageError {
	return usageError{cmd: c.name, msg: msg, usage: c.usageLine()}
}

func (c *command) usageLine() string {
	s := "nango " + c.name
	if c.hasFlags() {
		s += " [flags]"
	}
	for _, a := range c.args {
		s += " " + a.name
	}
	return s
}

func (c *command) hasFlags() bool {
	n := 0
	c.flags.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

func (c *command) help(w io.Writer) {
	fmt.Fprintf(w, "nango %s: %s\n", c.name, c.summary)
	if c.about != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(c.about))
	}
	fmt.Fprintf(w, "\nUsage: %s\n", c.usageLine())
	if len(c.args) > 0 {
		fmt.Fprintln(w, "\nArguments:")
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, a := range c.args {
			fmt.Fprintf(tw, "  %s\t%s\n", a.name, a.help)
		}
		tw.Flush()
	}
	if c.hasFlags() {
		if len(c.args) > 0 {
			fmt.Fprintln(w, "\nFlags (before or after the arguments; \"--\" ends them):")
		} else {
			fmt.Fprintln(w, "\nFlags:")
		}
		printFlags(w, c.flags)
	}
	if c.example != "" {
		fmt.Fprintf(w, "\nExample:\n%s\n", strings.TrimRight(c.example, "\n"))
	}
}

// printFlags lists the flags with GNU-style names, and a default only where
// it tells something: flag.PrintDefaults would show "(default -1)" for a
// sentinel and write to the FlagSet's output.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fs.VisitAll(func(f *flag.Flag) {
		typ, usage := flag.UnquoteUsage(f)
		name := "--" + f.Name
		if typ != "" {
			name += " " + typ
		}
		switch f.DefValue {
		case "", "0", "false", "[]":
		default:
			usage += " (default " + f.DefValue + ")"
		}
		fmt.Fprintf(tw, "  %s\t%s\n", name, usage)
	})
	tw.Flush()
}

// parseArgs parses fs's flags wherever they stand among args and returns the
// other arguments in order: flag.Parse alone stops at the first argument
// that is not a flag, so "token github user-1 --force-refresh" would leave
// the flag as a third argument. Each flag is still parsed by fs; this only
// sorts the words, taking the next word along for a flag that needs a value
// (so that "--search --" searches for "--"). A bare "--" ends the flags.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	flags, at := sortArgs(fs, args)
	pos := make([]string, len(at))
	for i, j := range at {
		pos[i] = args[j]
	}
	return pos, fs.Parse(flags)
}

// sortArgs splits args into the words of the flags and the indexes of the
// other arguments.
func sortArgs(fs *flag.FlagSet, args []string) (flags []string, pos []int) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			for j := i + 1; j < len(args); j++ {
				pos = append(pos, j)
			}
			break
		}
		if len(a) < 2 || a[0] != '-' {
			pos = append(pos, i)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
		if strings.Contains(name, "=") {
			continue
		}
		if f := fs.Lookup(name); f != nil && !isBoolFlag(f) && i+1 < len(args) {
			i++
			flags = append(flags, args[i])
		}
	}
	return flags, pos
}

func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// optionalInt is an int flag that knows whether it was given, so that its
// help needs no sentinel default.
type optionalInt struct {
	n   int
	set bool
}

func (o *optionalInt) String() string {
	if o == nil || !o.set {
		return ""
	}
	return strconv.Itoa(o.n)
}

func (o *optionalInt) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil {
		return errors.New("not a whole number")
	}
	o.n, o.set = n, true
	return nil
}
