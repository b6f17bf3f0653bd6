package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/nango-go/sdk/nango/doctor"
)

// doctorCommand is `nango doctor`. A report that finds violations is
// printed and ends with exit status 1 (silentExit), not an error message.
func doctorCommand(ctx context.Context, args []string, stdout io.Writer, getenv func(string) string) error {
	cmd := newCommand("doctor", "check that a Nango server speaks the contract this SDK was generated from")
	cmd.about = `Runs every read operation of openapi.yaml against the server (the list with
paging, one connection per integration with and without refresh_token, an
unknown connection and an unknown integration, a malformed key, the
integrations, the scripts config, a sync status, the records of a deployed
sync's model, a listed function and its code), each request and answer
validated against the spec. A read it cannot fill (nothing deployed) is
skipped with the reason. It names the server's era when it can tell (legacy
routes, HTTP Basic, old error bodies) and the SDK option it needs. It never
runs an action or a sync.

Read only, unless --writes names an integration: then it imports, patches,
sets metadata on and deletes one connection of its own (id nango-doctor-…),
deleting it even when a step fails. It imports placeholder credentials of the
kind the integration's provider takes (GET /providers/{provider}); for a kind
Nango does not import (JWT, BILL, …) or a GitHub App it skips the writes and
says why. It prints no key or token, and connection ids only with --show-ids.

Exit status: 0 every answer conforms, 1 an answer breaks the spec (or the key
is refused, or the write round trip failed), 2 usage error.`
	cmd.example = "  NANGO_HOST=http://localhost:3003 NANGO_SECRET_KEY=… nango doctor --json"
	var cfg doctor.Config
	var asJSON bool
	fs := cmd.flags
	fs.StringVar(&cfg.Host, "host", getenv("NANGO_HOST"), "Nango base `URL` (env NANGO_HOST; default Nango Cloud)")
	// No default shown: it would print the key from the environment.
	fs.StringVar(&cfg.SecretKey, "secret-key", "", "the environment's secret `key` (env NANGO_SECRET_KEY)")
	fs.StringVar(&cfg.Writes, "writes", "", "run the write round trip on this `integration` (provider config key)")
	fs.BoolVar(&cfg.ShowIDs, "show-ids", false, "print connection ids instead of placeholders")
	fs.BoolVar(&cfg.InsecureHTTP, "insecure-http", false, "allow plain http:// to a host that is not loopback")
	fs.BoolVar(&asJSON, "json", false, "print the report as JSON")
	timeout := fs.Duration("timeout", 2*time.Minute, "overall time limit")
	if _, err := cmd.parse(args, stdout); err != nil {
		return err
	}
	if cfg.SecretKey == "" {
		cfg.SecretKey = getenv("NANGO_SECRET_KEY")
	}
	if cfg.SecretKey == "" {
		return cmd.usageError("no secret key: set NANGO_SECRET_KEY or pass --secret-key")
	}
	if *timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *timeout)
		defer cancel()
	}
	rep, err := doctor.Run(ctx, cfg)
	if err != nil {
		return cmd.usageError(err.Error())
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(rep)
	} else {
		err = rep.WriteTable(stdout)
	}
	if err != nil {
		return err
	}
	if !rep.OK() {
		return silentExit(1)
	}
	return nil
}

// silentExit ends a command with a status and no message: what went wrong
// is in what it printed.
type silentExit int

func (s silentExit) Error() string { return fmt.Sprintf("exit status %d", int(s)) }
