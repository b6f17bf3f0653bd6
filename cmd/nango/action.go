package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/nango-go/sdk/nango"
)

// actionTimeout is the action command's default --timeout: Nango waits up
// to about 15 minutes for a synchronous action.
const actionTimeout = 16 * time.Minute

// actionCommand: nango action KEY ID NAME [--input JSON|@file|@-] [--async]
// [--wait]. The output goes to stdout as JSON; a failed action's error and
// payload go to stderr, with exit status 1.
func actionCommand(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	cmd := newCommand("action", "run an action for a connection", argKey, argID,
		argument{"<action>", "the action's name, as deployed (e.g. create-issue)"})
	cmd.about = `Runs an action (a function deployed to Nango) with the connection's credentials
and prints its output as JSON. With --async, Nango queues the run and the
command prints its id and status URL at once; with --wait, it queues the run
and polls until the result is there (for actions longer than a request).

A failed action exits with status 1: its error goes to stderr, followed by the
payload the action failed with. The request is never sent twice: an action has
side effects (--max-retries has Nango itself run a failed async action again).

` + clientEnv
	cmd.example = `  nango action github user-1 create-issue --input '{"title":"Found a bug"}'
  nango action github user-1 create-issue --input @issue.json --wait
  echo '{"title":"x"}' | nango action github user-1 create-issue --input @- --async`
	input := cmd.flags.String("input", "", "the action's input: JSON, @file to read a file, @- for stdin")
	async := cmd.flags.Bool("async", false, "queue the run and print its id and status URL")
	wait := cmd.flags.Bool("wait", false, "queue the run and wait for its result")
	var retries optionalInt
	cmd.flags.Var(&retries, "max-retries", "have Nango run a failed async action again up to `N` times (0 to 5)")
	var common commonFlags
	common.register(cmd.flags, getenv)
	// A synchronous action may run for minutes; the default wait is
	// Nango's.
	if f := cmd.flags.Lookup("timeout"); f != nil {
		_ = f.Value.Set(actionTimeout.String())
		f.DefValue = actionTimeout.String()
	}
	pos, err := cmd.parse(args, stdout)
	if err != nil {
		return err
	}
	key, id, action := pos[0], pos[1], pos[2]
	if *async && *wait {
		return cmd.usageError("--async prints the run's id, --wait its result: give one")
	}
	var opts []nango.RequestOption
	if retries.set {
		if !*async && !*wait {
			return cmd.usageError("--max-retries is for --async or --wait runs: Nango never retries a synchronous one")
		}
		opts = append(opts, nango.ActionMaxRetries(retries.n))
	}
	var in any
	if *input != "" {
		raw, err := readInput(*input, stdin)
		if err != nil {
			return cmd.usageError(err.Error())
		}
		in = raw
	}
	c, err := common.client(getenv, nil)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, common.timeout)
	defer cancel()

	var out any
	switch {
	case *async || *wait:
		run, err := c.TriggerActionAsync(ctx, key, id, action, in, opts...)
		if err != nil {
			return actionFailure(cmd, err, stderr)
		}
		if *async {
			out = run
			break
		}
		if out, err = c.WaitForActionResult(ctx, run.ID); err != nil {
			return actionFailure(cmd, fmt.Errorf("run %s: %w", run.ID, err), stderr)
		}
	default:
		if out, err = c.TriggerAction(ctx, key, id, action, in, opts...); err != nil {
			return actionFailure(cmd, err, stderr)
		}
	}
	return printJSON(stdout, out)
}

// readInput reads --input: JSON as given, @file, or @- for stdin.
func readInput(v string, stdin io.Reader) (json.RawMessage, error) {
	var b []byte
	var err error
	switch {
	case v == "@-":
		b, err = io.ReadAll(stdin)
	case strings.HasPrefix(v, "@"):
		b, err = os.ReadFile(v[1:])
	default:
		b = []byte(v)
	}
	if err != nil {
		return nil, fmt.Errorf("--input: %w", err)
	}
	if !json.Valid(b) {
		return nil, errors.New("--input is not JSON")
	}
	return json.RawMessage(b), nil
}

// actionFailure reports a failed action (its error, then its payload) and
// ends with status 1; input Nango would refuse is a usage error; any other
// error is the usual one.
func actionFailure(cmd *command, err error, stderr io.Writer) error {
	if errors.Is(err, nango.ErrInvalidArgument) {
		return cmd.usageError(err.Error())
	}
	var ae *nango.ActionError
	if !errors.As(err, &ae) {
		return err
	}
	fmt.Fprintf(stderr, "nango action: %v\n", err)
	if len(ae.Payload) > 0 {
		fmt.Fprintln(stderr, "payload:")
		_ = printJSON(stderr, ae.Payload)
	}
	return silentExit(1)
}
