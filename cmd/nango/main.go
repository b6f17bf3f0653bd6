// Command nango reads connections and tokens from Nango, and runs a fake
// Nango server for local development and tests.
//
//	nango token github user-1              # the bare OAuth 2 access token
//	nango connection github user-1         # the connection as JSON
//	nango raw github user-1                # the provider's raw token response
//	nango list [--integration github] ...  # connections (a table on a terminal)
//	nango delete github user-1
//	nango metadata get|set|update github user-1 ['{"plan":"pro"}']
//	nango webhook verify --hmac-sha256 HEX < body   # check a webhook's signature
//	nango serve [--addr 127.0.0.1:3003] [--secret-key K] [--data connections.json]
//	nango demo                             # the four helpers against an in-process fake
//
// The client commands read NANGO_SECRET_KEY and NANGO_HOST (default
// https://api.nango.dev).
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
  nango metadata   get|set|update [flags] <provider-config-key> <connection-id> [json]
  nango webhook    verify [--hmac-sha256 HEX] [--signature HEX] < body
  nango serve      [--addr 127.0.0.1:3003] [--secret-key K] [--data connections.json]
  nango demo
  nango --version

Client commands use NANGO_SECRET_KEY, and NANGO_HOST (default https://api.nango.dev).
Run "nango <command> --help" for a command's flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// run is main without the process: tests call it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmd, rest := args[0], args[1:]
	var err error
	switch cmd {
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	case "-v", "--version", "version":
		fmt.Fprintf(stdout, "nango %s (nango-go SDK)\n", nango.Version)
		return 0
	case "token", "connection", "raw", "list", "delete", "metadata":
		err = clientCommand(ctx, cmd, rest, stdout, getenv)
	case "webhook":
		err = webhookCommand(rest, os.Stdin, stdout, getenv)
	case "serve":
		err = serve(ctx, rest, stdout, stderr)
	case "demo":
		err = demo(ctx, rest, stdout)
	default:
		fmt.Fprintf(stderr, "nango: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	if err == nil {
		return 0
	}
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "nango %s: %v\n", cmd, err)
		return 2
	}
	if errors.Is(err, errHelp) {
		return 0
	}
	fmt.Fprintf(stderr, "nango %s: %v\n", cmd, err)
	var apiErr *nango.APIError
	if errors.As(err, &apiErr) && apiErr.Code != "" {
		fmt.Fprintf(stderr, "code: %s\n", apiErr.Code)
	}
	return 1
}

type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

var errHelp = errors.New("help shown")

func isNotFound(err error) bool { return errors.Is(err, nango.ErrNotFound) }
