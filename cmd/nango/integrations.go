package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/nango-go/sdk/nango"
)

// integrationsCommand: nango integrations [KEY].
func integrationsCommand(ctx context.Context, args []string, stdout io.Writer, getenv func(string) string) error {
	if sub, rest, ok := integrationsSubcommand(args, getenv); ok {
		return integrationsWrite(ctx, sub, rest, os.Stdin, stdout, getenv)
	}
	cmd := newCommand("integrations", "list the integrations, or show one",
		argument{"[<unique-key>]", "an integration's unique key (its provider config key): show it alone"})
	cmd.about = `Without a key, lists the environment's integrations: a table on a terminal and
a JSON array otherwise (or with --json). With a key, prints that integration as
JSON; --include adds its webhook URL and its OAuth client, client secret
included (only then is a secret printed).

To create, change or delete an integration: "nango integrations create|update|delete
--help". A key spelled like one of these words is shown after "--":
"nango integrations -- create".

` + clientEnv
	cmd.example = "  nango integrations\n  nango integrations github --include webhook,credentials"
	var include listFlag
	var asJSON bool
	var common commonFlags
	cmd.flags.Var(&include, "include", "with a key, `what` else to show: webhook (its webhook URL), credentials (its OAuth client); comma-separated")
	cmd.flags.BoolVar(&asJSON, "json", false, "print JSON even on a terminal")
	common.register(cmd.flags, getenv)
	// The key is optional: command.parse wants every argument.
	pos, err := parseArgs(cmd.flags, args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		cmd.help(stdout)
		return errHelp
	case err != nil:
		return cmd.usageError(err.Error())
	case len(pos) > 1:
		return cmd.usageError(fmt.Sprintf("want at most one argument (<unique-key>), got %d", len(pos)))
	case len(pos) == 0 && len(include) > 0:
		return cmd.usageError("--include needs an integration's key")
	}
	var opts []nango.IntegrationOption
	for _, inc := range include {
		switch inc {
		case "webhook":
			opts = append(opts, nango.IncludeWebhookURL())
		case "credentials":
			opts = append(opts, nango.IncludeIntegrationCredentials())
		default:
			return cmd.usageError(fmt.Sprintf("--include %q: want webhook or credentials", inc))
		}
	}
	c, err := common.client(getenv, nil)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, common.timeout)
	defer cancel()
	if len(pos) == 1 {
		in, err := c.GetIntegration(ctx, pos[0], opts...)
		if errors.Is(err, nango.ErrInvalidArgument) {
			return cmd.usageError(err.Error())
		}
		if err != nil {
			return err
		}
		return printJSON(stdout, in)
	}
	list, err := c.ListIntegrations(ctx)
	if err != nil {
		return err
	}
	if asJSON || !isTerminal(stdout) {
		return printJSON(stdout, list)
	}
	printIntegrations(stdout, list)
	return nil
}

func printIntegrations(w io.Writer, list []nango.Integration) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "UNIQUE KEY\tPROVIDER\tDISPLAY NAME\tCREATED")
	for _, in := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", in.UniqueKey, in.Provider, in.DisplayName, in.CreatedAt.UTC().Format(time.RFC3339))
	}
	tw.Flush()
}
