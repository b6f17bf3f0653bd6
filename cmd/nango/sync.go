package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/nango-go/sdk/nango"
)

const syncHelp = `nango sync: run, pause, start and watch an integration's syncs

Usage:
  nango sync trigger [flags] <provider-config-key> [<sync>...]
  nango sync start   [flags] <provider-config-key> [<sync>...]
  nango sync pause   [flags] <provider-config-key> [<sync>...]
  nango sync status  [flags] <provider-config-key> [<sync>...]

Subcommands:
  trigger  run the syncs now (--full-refresh or --mode to start over)
  start    start (or resume) the syncs' schedules; a first start runs them at once
  pause    pause the syncs' schedules
  status   print the syncs' status (a table on a terminal, JSON otherwise)

Without --connection, a subcommand acts on every connection of the
integration; without a sync, on every sync. A sync is its name, or
name::variant for a variant.

Run "nango sync <subcommand> --help" for its flags.
`

var argSyncs = argument{"[<sync>...]", "sync names, or name::variant; none: every sync"}

// syncFlags are the flags of the sync subcommands.
type syncFlags struct {
	common      commonFlags
	connection  string
	mode        string
	fullRefresh bool
	asJSON      bool
}

func syncSubcommand(sub string, f *syncFlags, getenv func(string) string) *command {
	var c *command
	switch sub {
	case "trigger":
		c = newCommand("sync trigger", "run syncs now", argKey, argSyncs)
		c.about = "Nango runs them in its workers: the command returns once the runs are scheduled."
		c.example = "  nango sync trigger github issues --connection user-1\n  nango sync trigger github --full-refresh"
		c.flags.StringVar(&f.mode, "mode", "", "`how` the run treats earlier runs: incremental, full_refresh or full_refresh_and_clear_cache")
		c.flags.BoolVar(&f.fullRefresh, "full-refresh", false, "start over (--mode full_refresh)")
	case "start":
		c = newCommand("sync start", "start (or resume) syncs' schedules", argKey, argSyncs)
		c.about = "A schedule started for the first time runs at once, then at its frequency."
		c.example = "  nango sync start github issues --connection user-1"
	case "pause":
		c = newCommand("sync pause", "pause syncs' schedules", argKey, argSyncs)
		c.about = "A run in progress finishes; the records stay."
		c.example = "  nango sync pause github issues"
	case "status":
		c = newCommand("sync status", "print syncs' status", argKey, argSyncs)
		c.about = "One line per sync, variant and connection: a table on a terminal, a JSON array\notherwise (or with --json)."
		c.example = "  nango sync status github --connection user-1\n  nango sync status github issues issues::v2 --json"
		c.flags.BoolVar(&f.asJSON, "json", false, "print JSON even on a terminal")
	default:
		return nil
	}
	c.about += "\n\n" + clientEnv
	c.flags.StringVar(&f.connection, "connection", "", "only this connection's syncs (`id`); all connections without it")
	f.common.register(c.flags, getenv)
	return c
}

// syncCommand: nango sync trigger|start|pause|status <key> [sync...].
func syncCommand(ctx context.Context, args []string, stdout io.Writer, getenv func(string) string) error {
	// The subcommand is the first word that is not a flag (or a flag's
	// value): probe with the union of the subcommands' flags.
	var probeFlags syncFlags
	probe := syncSubcommand("trigger", &probeFlags, getenv).flags
	probe.BoolVar(&probeFlags.asJSON, "json", false, "")
	flags, at := sortArgs(probe, args)
	var f syncFlags
	var cmd *command
	if len(at) > 0 {
		cmd = syncSubcommand(args[at[0]], &f, getenv)
	}
	if cmd == nil {
		if errors.Is(probe.Parse(flags), flag.ErrHelp) {
			fmt.Fprint(stdout, syncHelp)
			return errHelp
		}
		msg := "want a subcommand: trigger, start, pause or status"
		if len(at) > 0 {
			msg = fmt.Sprintf("unknown subcommand %q: want trigger, start, pause or status", args[at[0]])
		}
		return usageError{cmd: "sync", msg: msg, usage: "nango sync trigger|start|pause|status [flags] <provider-config-key> [<sync>...]"}
	}
	rest := append(args[:at[0]:at[0]], args[at[0]+1:]...)
	pos, err := parseArgs(cmd.flags, rest)
	switch {
	case errors.Is(err, flag.ErrHelp):
		cmd.help(stdout)
		return errHelp
	case err != nil:
		return cmd.usageError(err.Error())
	case len(pos) == 0:
		return cmd.usageError("want a <provider-config-key>")
	}
	key, syncs := pos[0], pos[1:]
	var opts []nango.SyncOption
	if flagSet(cmd.flags, "connection") {
		opts = append(opts, nango.ForConnection(f.connection))
	}
	if f.fullRefresh {
		if f.mode != "" && f.mode != string(nango.SyncModeFullRefresh) {
			return cmd.usageError("--full-refresh and --mode " + f.mode + " disagree")
		}
		f.mode = string(nango.SyncModeFullRefresh)
	}
	if f.mode != "" {
		switch m := nango.TriggerSyncMode(f.mode); m {
		case nango.SyncModeIncremental, nango.SyncModeFullRefresh, nango.SyncModeFullRefreshAndClearCache:
			opts = append(opts, nango.SyncMode(m))
		default:
			return cmd.usageError(fmt.Sprintf("--mode %q: want incremental, full_refresh or full_refresh_and_clear_cache", f.mode))
		}
	}
	c, err := f.common.client(getenv, nil)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, f.common.timeout)
	defer cancel()
	var status []nango.SyncStatus
	switch cmd.name {
	case "sync trigger":
		err = c.TriggerSync(ctx, key, syncs, opts...)
	case "sync start":
		err = c.StartSync(ctx, key, syncs, opts...)
	case "sync pause":
		err = c.PauseSync(ctx, key, syncs, opts...)
	default:
		status, err = c.SyncStatus(ctx, key, syncs, opts...)
	}
	if errors.Is(err, nango.ErrInvalidArgument) {
		return cmd.usageError(err.Error())
	}
	if err != nil {
		return err
	}
	if cmd.name != "sync status" {
		return nil
	}
	if f.asJSON || !isTerminal(stdout) {
		return printJSON(stdout, status)
	}
	printSyncStatus(stdout, status)
	return nil
}

func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// printSyncStatus writes the status as a table.
func printSyncStatus(w io.Writer, list []nango.SyncStatus) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CONNECTION\tSYNC\tVARIANT\tSTATUS\tLAST RUN\tFINISHED\tNEXT RUN\tFREQUENCY\tRECORDS")
	when := func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return t.UTC().Format(time.RFC3339)
	}
	for _, s := range list {
		next := "-"
		if s.NextScheduledSyncAt != nil {
			next = when(*s.NextScheduledSyncAt)
		}
		freq := "-"
		if s.Frequency != nil {
			freq = *s.Frequency
		}
		last := "-"
		if s.LatestExecutionStatus != "" {
			last = string(s.LatestExecutionStatus)
		}
		models := make([]string, 0, len(s.RecordCount))
		for m, n := range s.RecordCount {
			models = append(models, fmt.Sprintf("%s=%d", m, n))
		}
		sort.Strings(models)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.ConnectionID, s.Name, s.Variant, s.Status, last,
			when(s.FinishedAt), next, freq, strings.Join(models, " "))
	}
	tw.Flush()
}
