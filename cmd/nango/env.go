package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/nango-go/sdk/nango"
)

// envCommand: nango env.
func envCommand(ctx context.Context, args []string, stdout io.Writer, getenv func(string) string) error {
	cmd := newCommand("env", "print the environment's variables, values included")
	cmd.about = `Prints the variables set in the Nango dashboard for the secret key's environment:
a NAME / VALUE table on a terminal, a JSON array of {"name", "value"} otherwise (or
with --json). The values are printed on purpose, since you asked for them, and they
are often secrets: mind your scrollback, your logs and where you redirect the
output. (The SDK never prints them: an EnvironmentVariable prints redacted.)

` + clientEnv
	cmd.example = "  nango env\n  nango env --json > vars.json"
	var asJSON bool
	var common commonFlags
	cmd.flags.BoolVar(&asJSON, "json", false, "print JSON even on a terminal")
	common.register(cmd.flags, getenv)
	if _, err := cmd.parse(args, stdout); err != nil {
		return err
	}
	c, err := common.client(getenv, nil)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, common.timeout)
	defer cancel()
	vars, err := c.GetEnvironmentVariables(ctx)
	if err != nil {
		return err
	}
	if asJSON || !isTerminal(stdout) {
		// encoding/json writes the values; fmt would redact them.
		return printJSON(stdout, vars)
	}
	printEnv(stdout, vars)
	return nil
}

func printEnv(w io.Writer, vars []nango.EnvironmentVariable) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tVALUE")
	for _, v := range vars {
		fmt.Fprintf(tw, "%s\t%s\n", cell(v.Name), cell(v.Value))
	}
	tw.Flush()
}

// cell is a value fit for a table on a terminal: one holding a tab, a line
// break or any other control character (a terminal escape sequence) is
// shown quoted, as Go quotes it.
func cell(s string) string {
	if strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 }) {
		return strconv.Quote(s)
	}
	return s
}
