package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/nango-go/sdk/nango"
)

// commonFlags are the flags of every client command.
type commonFlags struct {
	host     string
	legacy   bool
	basic    bool
	insecure bool
	timeout  time.Duration
}

func (c *commonFlags) register(fs *flag.FlagSet, getenv func(string) string) {
	host := getenv("NANGO_HOST")
	if host == "" {
		host = nango.DefaultHost
	}
	fs.StringVar(&c.host, "host", host, "Nango base URL (env NANGO_HOST)")
	fs.BoolVar(&c.legacy, "legacy-paths", false, "use the /connection routes of servers before mid-2025")
	fs.BoolVar(&c.basic, "basic-auth", false, "send the key as HTTP Basic (servers before July 2023)")
	fs.BoolVar(&c.insecure, "insecure-http", false, "allow plain http:// to a host that is not loopback")
	fs.DurationVar(&c.timeout, "timeout", 30*time.Second, "overall time limit")
}

func (c *commonFlags) client(getenv func(string) string) (*nango.Client, error) {
	key := getenv("NANGO_SECRET_KEY")
	if key == "" {
		return nil, usageError{"NANGO_SECRET_KEY is not set"}
	}
	opts := []nango.Option{nango.WithHost(c.host), nango.WithUserAgent("nango-cli")}
	if c.legacy {
		opts = append(opts, nango.WithLegacyPaths())
	}
	if c.basic {
		opts = append(opts, nango.WithBasicAuth())
	}
	if c.insecure {
		opts = append(opts, nango.WithInsecureHTTP())
	}
	return nango.New(key, opts...)
}

// parse reads a client command's flags, checks the number of arguments
// and builds the client.
func (c *commonFlags) parse(fs *flag.FlagSet, args []string, want int, posArgs string, getenv func(string) string) (*nango.Client, error) {
	if err := parse(fs, args); err != nil {
		return nil, err
	}
	if fs.NArg() != want {
		return nil, usageError{fmt.Sprintf("want %d arguments (%s), got %d", want, posArgs, fs.NArg())}
	}
	return c.client(getenv)
}

func newFlagSet(name, args string, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprintf(out, "Usage: nango %s [flags] %s\n\nFlags:\n", name, args)
		fs.PrintDefaults()
	}
	return fs
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return errHelp
		}
		return usageError{err.Error()}
	}
	return nil
}

func clientCommand(ctx context.Context, cmd string, args []string, stdout io.Writer, getenv func(string) string) error {
	if cmd == "metadata" {
		return metadataCommand(ctx, args, stdout, getenv)
	}
	var common commonFlags
	posArgs := "<provider-config-key> <connection-id>"
	if cmd == "list" {
		posArgs = ""
	}
	fs := newFlagSet(cmd, posArgs, stdout)
	common.register(fs, getenv)
	var force, refreshToken, asJSON bool
	var lf listFlags
	switch cmd {
	case "token", "connection", "raw":
		fs.BoolVar(&force, "force-refresh", false, "have Nango refresh the token even if it has not expired")
		fs.BoolVar(&refreshToken, "include-refresh-token", false, "include the refresh token")
	case "list":
		lf.register(fs)
		fs.BoolVar(&asJSON, "json", false, "print JSON even on a terminal")
	}
	want := 2
	if cmd == "list" {
		want = 0
	}
	c, err := common.parse(fs, args, want, posArgs, getenv)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, common.timeout)
	defer cancel()

	var opts []nango.GetOption
	if force {
		opts = append(opts, nango.ForceRefresh())
	}
	if refreshToken {
		opts = append(opts, nango.IncludeRefreshToken())
	}
	key, id := fs.Arg(0), fs.Arg(1)
	switch cmd {
	case "token":
		tok, err := c.GetToken(ctx, key, id, opts...)
		if err != nil {
			return err
		}
		if tok.Type == nango.TypeOAuth2 {
			fmt.Fprintln(stdout, tok.AccessToken)
			return nil
		}
		return printJSON(stdout, tok)
	case "connection":
		conn, err := c.GetConnection(ctx, key, id, opts...)
		if err != nil {
			return err
		}
		return printJSON(stdout, conn)
	case "raw":
		raw, err := c.GetRawTokenResponse(ctx, key, id, opts...)
		if err != nil {
			return err
		}
		return printJSON(stdout, raw)
	case "delete":
		if err := c.DeleteConnection(ctx, key, id); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "deleted %s / %s\n", key, id)
		return nil
	case "list":
		conns, err := c.ListConnections(ctx, lf.options()...)
		if err != nil {
			return err
		}
		if asJSON || !isTerminal(stdout) {
			if conns == nil {
				conns = []nango.ConnectionSummary{}
			}
			return printJSON(stdout, conns)
		}
		printTable(stdout, conns)
		return nil
	}
	return nil
}

type listFlags struct {
	connectionID, search, endUser, endUserOrg, integrations, tags string
	limit, page                                                   int
}

func (l *listFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&l.connectionID, "connection-id", "", "only this connection id")
	fs.StringVar(&l.search, "search", "", "only ids containing this text")
	fs.StringVar(&l.endUser, "end-user", "", "only this end user's connections")
	fs.StringVar(&l.endUserOrg, "end-user-org", "", "only this organization's connections")
	fs.StringVar(&l.integrations, "integration", "", "only these provider config keys (comma-separated)")
	fs.StringVar(&l.tags, "tag", "", "only connections with these tags (key=value,key=value)")
	fs.IntVar(&l.limit, "limit", 0, "page size (1-2000)")
	fs.IntVar(&l.page, "page", -1, "page number, from 0")
}

func (l *listFlags) options() []nango.ListOption {
	var out []nango.ListOption
	if l.connectionID != "" {
		out = append(out, nango.WithConnectionID(l.connectionID))
	}
	if l.search != "" {
		out = append(out, nango.WithSearch(l.search))
	}
	if l.endUser != "" {
		out = append(out, nango.WithEndUserID(l.endUser))
	}
	if l.endUserOrg != "" {
		out = append(out, nango.WithEndUserOrganizationID(l.endUserOrg))
	}
	if l.integrations != "" {
		out = append(out, nango.WithIntegrations(strings.Split(l.integrations, ",")...))
	}
	if l.tags != "" {
		for _, kv := range strings.Split(l.tags, ",") {
			k, v, _ := strings.Cut(kv, "=")
			out = append(out, nango.WithTag(k, v))
		}
	}
	if l.limit != 0 {
		out = append(out, nango.WithLimit(l.limit))
	}
	if l.page >= 0 {
		out = append(out, nango.WithPage(l.page))
	}
	return out
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func printTable(w io.Writer, conns []nango.ConnectionSummary) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tINTEGRATION\tCONNECTION ID\tPROVIDER\tCREATED")
	for _, c := range conns {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", c.ID, c.ProviderConfigKey, c.ConnectionID, c.Provider, c.Created.UTC().Format(time.RFC3339))
	}
	tw.Flush()
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
