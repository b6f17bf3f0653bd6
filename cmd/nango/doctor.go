package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/nango-go/sdk/nango/doctor"
)

const doctorUsage = `Usage: nango doctor [--host H] [--secret-key K] [--json] [--writes INTEGRATION] [--show-ids]

Checks that a Nango server speaks the contract this SDK was generated from:
every read operation of openapi.yaml (the list with paging, one connection per
integration with and without refresh_token, an unknown connection and an
unknown integration, a malformed key), each request and answer validated
against the spec. It names the server's era when it can tell (legacy routes,
HTTP Basic, old error bodies) and the SDK option it needs.

Read only, unless --writes names an integration: then it imports, patches,
sets metadata on and deletes one connection of its own (id nango-doctor-…),
deleting it even when a step fails. It prints no key or token, and connection
ids only with --show-ids.

Exit status: 0 every answer conforms, 1 an answer breaks the spec (or the key
is refused, or the write round trip failed), 2 usage error.

Flags:
`

// runDoctor is `nango doctor`; it returns the exit status.
func runDoctor(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	fs := flag.NewFlagSet("doctor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, doctorUsage)
		fs.PrintDefaults()
	}
	var cfg doctor.Config
	var asJSON bool
	var timeout time.Duration
	fs.StringVar(&cfg.Host, "host", getenv("NANGO_HOST"), "Nango base URL (env NANGO_HOST; default Nango Cloud)")
	// No default shown: it would print the key from the environment.
	fs.StringVar(&cfg.SecretKey, "secret-key", "", "the environment's secret key (env NANGO_SECRET_KEY)")
	fs.StringVar(&cfg.Writes, "writes", "", "run the write round trip on this integration (provider config key)")
	fs.BoolVar(&cfg.ShowIDs, "show-ids", false, "print connection ids instead of placeholders")
	fs.BoolVar(&cfg.InsecureHTTP, "insecure-http", false, "allow plain http:// to a host that is not loopback")
	fs.BoolVar(&asJSON, "json", false, "print the report as JSON")
	fs.DurationVar(&timeout, "timeout", 2*time.Minute, "overall time limit")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() != 0 {
		fmt.Fprintf(stderr, "nango doctor: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if cfg.SecretKey == "" {
		cfg.SecretKey = getenv("NANGO_SECRET_KEY")
	}
	if cfg.SecretKey == "" {
		fmt.Fprintln(stderr, "nango doctor: no secret key: set NANGO_SECRET_KEY or pass --secret-key")
		return 2
	}
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	rep, err := doctor.Run(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "nango %v\n", err)
		return 2
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(rep)
	} else {
		err = rep.WriteTable(stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "nango doctor: %v\n", err)
		return 1
	}
	if !rep.OK() {
		return 1
	}
	return 0
}
