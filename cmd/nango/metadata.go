package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
)

const metadataHelp = `nango metadata: read, replace or merge a connection's metadata

Usage:
  nango metadata get    [flags] <provider-config-key> <connection-id>
  nango metadata set    [flags] <provider-config-key> <connection-id> <metadata-json>
  nango metadata update [flags] <provider-config-key> <connection-id> <metadata-json>

Subcommands:
  get     print the metadata as JSON
  set     replace the metadata with a JSON object
  update  merge a JSON object into the metadata (top-level keys)

Run "nango metadata <subcommand> --help" for its flags.
`

var argMetadata = argument{"<metadata-json>", `a JSON object, e.g. '{"plan":"pro"}'`}

func metadataSubcommand(sub string) *command {
	var c *command
	switch sub {
	case "get":
		c = newCommand("metadata get", "print a connection's metadata as JSON", argKey, argID)
		c.example = "  nango metadata get github user-1"
	case "set":
		c = newCommand("metadata set", "replace a connection's metadata", argKey, argID, argMetadata)
		c.about = "The metadata becomes exactly the given object; keys not in it are removed."
		c.example = `  nango metadata set github user-1 '{"plan":"pro"}'`
	case "update":
		c = newCommand("metadata update", "merge into a connection's metadata", argKey, argID, argMetadata)
		c.about = "The object's top-level keys replace or join those of the metadata; other keys stay."
		c.example = `  nango metadata update github user-1 '{"seats":3}'`
	default:
		return nil
	}
	c.about += "\n\n" + clientEnv
	return c
}

// metadataCommand: nango metadata get|set|update <key> <id> [json]. The
// subcommand is the first argument that is not a flag; the three share
// their flags, so flags may stand before it too.
func metadataCommand(ctx context.Context, args []string, stdout io.Writer, getenv func(string) string) error {
	var common commonFlags
	probe := flag.NewFlagSet("metadata", flag.ContinueOnError)
	probe.SetOutput(io.Discard)
	common.register(probe, getenv)
	flags, at := sortArgs(probe, args)
	var cmd *command
	if len(at) > 0 {
		cmd = metadataSubcommand(args[at[0]])
	}
	if cmd == nil {
		if errors.Is(probe.Parse(flags), flag.ErrHelp) {
			fmt.Fprint(stdout, metadataHelp)
			return errHelp
		}
		msg := "want a subcommand: get, set or update"
		if len(at) > 0 {
			msg = fmt.Sprintf("unknown subcommand %q: want get, set or update", args[at[0]])
		}
		return usageError{cmd: "metadata", msg: msg, usage: "nango metadata get|set|update [flags] <provider-config-key> <connection-id> [<metadata-json>]"}
	}
	// Parse again with the subcommand's own flag set, for its help and its
	// argument count; the subcommand word is dropped where it stood.
	common = commonFlags{}
	common.register(cmd.flags, getenv)
	rest := append(args[:at[0]:at[0]], args[at[0]+1:]...)
	pos, err := cmd.parse(rest, stdout)
	if err != nil {
		return err
	}
	key, id := pos[0], pos[1]
	ctx, cancel := context.WithTimeout(ctx, common.timeout)
	defer cancel()
	var md map[string]any
	if cmd.name != "metadata get" {
		if err := json.Unmarshal([]byte(pos[2]), &md); err != nil || md == nil {
			msg := "metadata is not a JSON object"
			if err != nil {
				msg += ": " + err.Error()
			}
			return cmd.usageError(msg)
		}
	}
	c, err := common.client(getenv, nil)
	if err != nil {
		return err
	}
	switch cmd.name {
	case "metadata get":
		got, err := c.GetMetadata(ctx, key, id)
		if err != nil {
			return err
		}
		if got == nil {
			got = map[string]any{}
		}
		return printJSON(stdout, got)
	case "metadata set":
		err = c.SetMetadata(ctx, key, id, md)
	default:
		err = c.UpdateMetadata(ctx, key, id, md)
	}
	if err != nil {
		return err
	}
	verb := map[string]string{"metadata set": "replaced", "metadata update": "merged"}[cmd.name]
	fmt.Fprintf(stdout, "metadata %s for %s / %s\n", verb, key, id)
	return nil
}
