package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"

	"github.com/nango-go/sdk/nango"
)

// The integration writes: nango integrations create|update|delete.

var integrationWrites = []string{"create", "update", "delete"}

// integrationsSubcommand finds a write subcommand among the arguments of
// "nango integrations": the first word that is not a flag (nor a flag's
// value), unless a "--" stands before it ("nango integrations -- create"
// shows the integration whose key is "create"). It returns the subcommand
// and the other arguments.
func integrationsSubcommand(args []string, getenv func(string) string) (string, []string, bool) {
	probe := flag.NewFlagSet("integrations", flag.ContinueOnError)
	var w integrationWriteFlags
	var common commonFlags
	w.register(probe, true)
	probe.String("new-key", "", "")
	common.register(probe, getenv)
	probe.String("include", "", "")
	probe.Bool("json", false, "")
	_, at := sortArgs(probe, args)
	if len(at) == 0 || !slices.Contains(integrationWrites, args[at[0]]) || slices.Contains(args[:at[0]], "--") {
		return "", nil, false
	}
	return args[at[0]], append(args[:at[0]:at[0]], args[at[0]+1:]...), true
}

// integrationWriteFlags are the flags of create and update.
type integrationWriteFlags struct {
	displayName, credentials, newKey string
	forward                          optionalBool
	quickstart                       bool
}

func (f *integrationWriteFlags) register(fs *flag.FlagSet, create bool) {
	fs.StringVar(&f.displayName, "display-name", "", "the `name` shown to users")
	fs.StringVar(&f.credentials, "credentials", "", "the client credentials, a JSON object such as "+
		`'{"type":"OAUTH2","client_id":"…","client_secret":"…","scopes":"repo,user"}'`+"; @file reads a file, @- stdin (keeps the secret out of your shell history)")
	fs.Var(&f.forward, "forward-webhooks", "whether Nango forwards the provider's webhooks to you (`true|false`; Nango's default is true)")
	if create {
		fs.BoolVar(&f.quickstart, "quickstart", false, "use the developer app Nango provides (Nango Cloud) instead of --credentials")
	} else {
		fs.StringVar(&f.newKey, "new-key", "", "rename the integration to this `unique-key` (refused while it has connections)")
	}
}

// credentialsInput reads --credentials: JSON, @file or @-.
func (f *integrationWriteFlags) credentialsInput(stdin io.Reader) (nango.IntegrationCredentialsInput, error) {
	var out nango.IntegrationCredentialsInput
	if f.credentials == "" {
		return out, nil
	}
	raw := []byte(f.credentials)
	switch {
	case f.credentials == "@-":
		b, err := io.ReadAll(io.LimitReader(stdin, 1<<20))
		if err != nil {
			return out, fmt.Errorf("reading --credentials from stdin: %w", err)
		}
		raw = b
	case len(f.credentials) > 1 && f.credentials[0] == '@':
		b, err := os.ReadFile(f.credentials[1:])
		if err != nil {
			return out, fmt.Errorf("--credentials: %w", err)
		}
		raw = b
	}
	raw = bytes.TrimSpace(raw)
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil || obj == nil {
		// The text may be the secret itself: it is not repeated.
		return out, errors.New("--credentials is not a JSON object")
	}
	return out, out.UnmarshalJSON(raw)
}

// optionalBool is a bool flag that knows whether it was given.
type optionalBool struct{ v, set bool }

func (o *optionalBool) String() string {
	if o == nil || !o.set {
		return ""
	}
	return strconv.FormatBool(o.v)
}

func (o *optionalBool) Set(s string) error {
	b, err := strconv.ParseBool(s)
	if err != nil {
		return errors.New("want true or false")
	}
	o.v, o.set = b, true
	return nil
}

func (o *optionalBool) ptr() *bool {
	if !o.set {
		return nil
	}
	return &o.v
}

var argUniqueKey = argument{"<unique-key>", "the integration's unique key (its provider config key)"}

// integrationsWrite runs nango integrations create|update|delete; args
// are the arguments without the subcommand.
func integrationsWrite(ctx context.Context, sub string, args []string, stdin io.Reader, stdout io.Writer, getenv func(string) string) error {
	var cmd *command
	var w integrationWriteFlags
	switch sub {
	case "create":
		cmd = newCommand("integrations create", "create an integration", argUniqueKey,
			argument{"<provider>", "the provider's name in Nango, such as github"})
		cmd.about = `Creates an integration of a provider under a unique key and prints it as JSON.
Providers whose auth mode needs a client of your own (OAUTH1, OAUTH2, APP, CUSTOM)
need --credentials, of that mode; --quickstart uses Nango's developer app instead
(Nango Cloud). The client secret never shows in the output or in errors.

` + clientEnv
		cmd.example = "  nango integrations create github-prod github --credentials @github-client.json\n" +
			"  nango integrations create slack-try slack --quickstart"
		w.register(cmd.flags, true)
	case "update":
		cmd = newCommand("integrations update", "change an integration", argUniqueKey)
		cmd.about = `Changes what the flags say (and nothing else) and prints the integration as JSON.

` + clientEnv
		cmd.example = `  nango integrations update github-prod --display-name "GitHub (prod)" --forward-webhooks=false` +
			"\n  nango integrations update github-prod --credentials @- < github-client.json"
		w.register(cmd.flags, false)
	default:
		cmd = newCommand("integrations delete", "delete an integration, its connections and its functions", argUniqueKey)
		cmd.about = "Deletes the integration and, with it, its connections and deployed functions; this cannot be undone.\n\n" + clientEnv
		cmd.example = "  nango integrations delete github-prod"
	}
	var common commonFlags
	common.register(cmd.flags, getenv)
	pos, err := cmd.parse(args, stdout)
	if err != nil {
		return err
	}
	creds, err := w.credentialsInput(stdin)
	if err != nil {
		return cmd.usageError(err.Error())
	}
	switch {
	case w.quickstart && w.credentials != "":
		return cmd.usageError("--quickstart and --credentials exclude each other")
	}
	c, err := common.client(getenv, nil)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, common.timeout)
	defer cancel()
	var in *nango.Integration
	switch {
	case sub == "delete":
		err = c.DeleteIntegration(ctx, pos[0])
	case sub == "update":
		in, err = c.UpdateIntegration(ctx, pos[0], nango.UpdateIntegrationRequest{UniqueKey: w.newKey, DisplayName: w.displayName,
			ForwardWebhooks: w.forward.ptr(), Credentials: creds})
	case w.quickstart:
		in, err = c.CreateQuickstartIntegration(ctx, nango.QuickstartIntegrationRequest{UniqueKey: pos[0], Provider: pos[1],
			DisplayName: w.displayName, ForwardWebhooks: w.forward.ptr()})
	default:
		in, err = c.CreateIntegration(ctx, nango.CreateIntegrationRequest{UniqueKey: pos[0], Provider: pos[1],
			DisplayName: w.displayName, ForwardWebhooks: w.forward.ptr(), Credentials: creds})
	}
	if errors.Is(err, nango.ErrInvalidArgument) {
		return cmd.usageError(err.Error())
	}
	if err != nil {
		return err
	}
	if sub == "delete" {
		fmt.Fprintf(stdout, "deleted integration %s\n", pos[0])
		return nil
	}
	return printJSON(stdout, in)
}
