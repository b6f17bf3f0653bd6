// Command nango reads connections and tokens from Nango, and runs a fake
// Nango server for local development and tests.
//
//	nango token github user-1                 # the bare OAuth 2 access token
//	nango connection github user-1 --force-refresh
//	nango raw github user-1                   # the provider's raw token response
//	nango list --integration github --all     # connections (a table on a terminal)
//	nango delete github user-1
//	nango metadata get github user-1
//	nango metadata update github user-1 '{"plan":"pro"}'
//	nango connect-session --end-user eu-1 --integration github   # a link for the Connect UI
//	nango integrations github --include webhook,credentials
//	nango integrations create github-prod github --credentials @client.json
//	nango env                                 # the environment's variables
//	nango serve --addr 127.0.0.1:3003         # a fake Nango with demo connections
//	nango demo                                # the SDK's helpers against an in-process fake
//	nango webhook verify --hmac-sha256 HEX < body   # check a webhook's signature
//	nango proxy github user-1 GET /user       # the provider's API, through Nango
//	nango action github user-1 create-issue --input '{"title":"x"}'   # run an action
//	nango doctor --json                       # check that your Nango speaks the spec
//	nango sync status github --connection user-1  # the syncs' schedules and last runs
//
// Flags go before or after the arguments; "--" ends them. Usage errors go
// to stderr with exit status 2, other errors with 1. The client commands
// read NANGO_SECRET_KEY and NANGO_HOST (default https://api.nango.dev);
// "nango <command> --help" describes each.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/nango-go/sdk/nango"
)

const usage = `nango: read Nango connections and tokens, or run a fake Nango.

Usage:
  nango token      [flags] <provider-config-key> <connection-id>
  nango connection [flags] <provider-config-key> <connection-id>
  nango raw        [flags] <provider-config-key> <connection-id>
  nango list       [flags]
  nango delete     [flags] <provider-config-key> <connection-id>
  nango metadata   get            [flags] <provider-config-key> <connection-id>
  nango metadata   set|update     [flags] <provider-config-key> <connection-id> <metadata-json>
  nango connect-session [flags] --end-user <id> [--integration <key>]... [--tag k=v]...
  nango integrations [flags] [<unique-key>]
  nango integrations create [flags] <unique-key> <provider>
  nango integrations update|delete [flags] <unique-key>
  nango env        [flags]
  nango serve      [flags]
  nango webhook    verify [--hmac-sha256 HEX] [--signature HEX] < body
  nango proxy      [flags] <provider-config-key> <connection-id> <method> <path>
  nango action     [flags] <provider-config-key> <connection-id> <action> [--input JSON|@file|@-] [--async|--wait]
  nango records    [flags] <provider-config-key> <connection-id> <model>
  nango doctor     [--json] [--writes <provider-config-key>] [--show-ids]
  nango sync       trigger|start|pause|status [flags] <provider-config-key> [<sync>...]
  nango demo
  nango --version

Commands:
  token       print a fresh token (the bare access token for OAuth 2)
  connection  print a connection with its credentials, as JSON
  raw         print the provider's raw token response
  list        list connections (a table on a terminal, JSON otherwise)
  delete      delete a connection
  metadata    read, replace or merge a connection's metadata
  proxy       call the provider's API through Nango's proxy
  action      run an action for a connection (its output as JSON)
  records     list the records a sync stored (a table on a terminal, JSON lines otherwise)
  connect-session  create a connect session (a link for Nango's Connect UI)
  integrations     list the integrations, or show, create, update or delete one
  env         print the environment's variables (values included)
  webhook     verify a webhook's signature (the body on stdin)
  serve       run a fake Nango for local development
  doctor      check that a Nango server speaks the SDK's spec
  sync        run, pause, start and watch syncs (--connection for one connection)
  demo        run the SDK's helpers against an in-process fake

Flags go before or after the arguments; "--" ends them.
Client commands use NANGO_SECRET_KEY, and NANGO_HOST (default https://api.nango.dev).
Run "nango <command> --help" for a command's arguments and flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// run is main without the process: tests call it. stdout carries only a
// command's result (it is what $(nango token …) captures); every complaint
// goes to stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmd, rest := args[0], args[1:]
	if cmd == "help" && len(rest) > 0 {
		// "nango help token" is "nango token --help".
		cmd, rest = rest[0], append(rest[1:len(rest):len(rest)], "--help")
	}
	var err error
	switch cmd {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	case "-v", "-version", "--version", "version":
		fmt.Fprintf(stdout, "nango %s (nango-go SDK)\n", nango.Version)
		return 0
	case "token", "connection", "raw", "delete":
		err = connectionCommand(ctx, cmd, rest, stdout, getenv)
	case "list":
		err = listCommand(ctx, rest, stdout, getenv)
	case "metadata":
		err = metadataCommand(ctx, rest, stdout, getenv)
	case "connect-session":
		err = connectSessionCommand(ctx, rest, stdout, getenv)
	case "integrations":
		err = integrationsCommand(ctx, rest, stdout, getenv)
	case "webhook":
		err = webhookCommand(rest, os.Stdin, stdout, getenv)
	case "proxy":
		err = proxyCommand(ctx, rest, os.Stdin, stdout, getenv)
	case "serve":
		err = serve(ctx, rest, stdout, stderr)
	case "demo":
		err = demo(ctx, rest, stdout)
	case "doctor":
		err = doctorCommand(ctx, rest, stdout, getenv)
	// ---- records (issue 16)
	case "records":
		err = recordsCommand(ctx, rest, stdout, stderr, getenv)
	// ---- end of records

	// ---- syncs (issue 16)
	case "sync":
		err = syncCommand(ctx, rest, stdout, getenv)
	// ---- end of syncs

	// ---- actions (issue 17)
	case "action":
		err = actionCommand(ctx, rest, os.Stdin, stdout, stderr, getenv)
	// ---- end of actions

	// ---- management (issue 17)
	case "env":
		err = envCommand(ctx, rest, stdout, getenv)
	// ---- end of management
	default:
		fmt.Fprintf(stderr, "nango: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	if err == nil || errors.Is(err, errHelp) {
		return 0
	}
	var silent silentExit
	if errors.As(err, &silent) {
		return int(silent)
	}
	var ue usageError
	if errors.As(err, &ue) {
		name := ue.cmd
		if name == "" {
			name = cmd
		}
		fmt.Fprintf(stderr, "nango %s: %s\n", name, ue.msg)
		if ue.usage != "" {
			fmt.Fprintf(stderr, "Usage: %s\nRun \"nango %s --help\" for more.\n", ue.usage, name)
		}
		return 2
	}
	fmt.Fprintf(stderr, "nango %s: %v\n", cmd, err)
	var apiErr *nango.APIError
	if errors.As(err, &apiErr) && apiErr.Code != "" {
		fmt.Fprintf(stderr, "code: %s\n", apiErr.Code)
	}
	return 1
}

// usageError is a mistake in the command line: exit status 2, and the
// command's usage line on stderr.
type usageError struct {
	cmd, msg, usage string
}

func (u usageError) Error() string { return u.msg }

var errHelp = errors.New("help shown")

func isNotFound(err error) bool { return errors.Is(err, nango.ErrNotFound) }
