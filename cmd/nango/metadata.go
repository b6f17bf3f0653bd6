package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
)

// metadataCommand: nango metadata get|set|update <key> <id> [json].
func metadataCommand(ctx context.Context, args []string, stdout io.Writer, getenv func(string) string) error {
	if len(args) == 0 || (args[0] != "get" && args[0] != "set" && args[0] != "update") {
		return usageError{"want get, set or update"}
	}
	sub := args[0]
	var common commonFlags
	posArgs := "<provider-config-key> <connection-id>"
	if sub != "get" {
		posArgs += " <metadata-json>"
	}
	fs := newFlagSet("metadata "+sub, posArgs, stdout)
	common.register(fs, getenv)
	want := 2
	if sub != "get" {
		want = 3
	}
	c, err := common.parse(fs, args[1:], want, posArgs, getenv)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, common.timeout)
	defer cancel()
	key, id := fs.Arg(0), fs.Arg(1)
	if sub == "get" {
		md, err := c.GetMetadata(ctx, key, id)
		if err != nil {
			return err
		}
		return printJSON(stdout, md)
	}
	var md map[string]any
	if err := json.Unmarshal([]byte(fs.Arg(2)), &md); err != nil {
		return usageError{fmt.Sprintf("metadata is not a JSON object: %v", err)}
	}
	if sub == "set" {
		err = c.SetMetadata(ctx, key, id, md)
	} else {
		err = c.UpdateMetadata(ctx, key, id, md)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "metadata %s for %s / %s\n", map[string]string{"set": "replaced", "update": "merged"}[sub], key, id)
	return nil
}
