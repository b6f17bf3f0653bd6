package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
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
	fs.StringVar(&c.host, "host", host, "Nango base `URL` (env NANGO_HOST)")
	fs.BoolVar(&c.legacy, "legacy-paths", false, "use the /connection routes of servers before mid-2025")
	fs.BoolVar(&c.basic, "basic-auth", false, "send the key as HTTP Basic (servers before July 2023)")
	fs.BoolVar(&c.insecure, "insecure-http", false, "allow plain http:// to a host that is not loopback")
	fs.DurationVar(&c.timeout, "timeout", 30*time.Second, "overall time limit, retries included")
}

// client builds the SDK client; hc, when not nil, is its HTTP client.
func (c *commonFlags) client(getenv func(string) string, hc *http.Client) (*nango.Client, error) {
	key := getenv("NANGO_SECRET_KEY")
	if key == "" {
		return nil, usageError{msg: "NANGO_SECRET_KEY is not set"}
	}
	opts := []nango.Option{nango.WithHost(c.host), nango.WithUserAgent("nango-cli")}
	if hc != nil {
		opts = append(opts, nango.WithHTTPClient(hc))
	}
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

const clientEnv = `Uses NANGO_SECRET_KEY (required) and NANGO_HOST (default https://api.nango.dev).`

// getFlags are the flags of the commands that read one connection.
type getFlags struct{ force, refreshToken bool }

func (g *getFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&g.force, "force-refresh", false, "have Nango refresh the token even if it has not expired")
	fs.BoolVar(&g.refreshToken, "include-refresh-token", false, "include the OAuth 2 refresh token in the credentials")
}

func (g *getFlags) options() []nango.GetOption {
	var opts []nango.GetOption
	if g.force {
		opts = append(opts, nango.ForceRefresh())
	}
	if g.refreshToken {
		opts = append(opts, nango.IncludeRefreshToken())
	}
	return opts
}

var connectionHelp = map[string]struct{ summary, about, example string }{
	"token": {
		"print a fresh token for a connection",
		`For an OAuth 2 connection, prints the bare access token, ready for $(nango token …).
For every other kind (OAuth 1, OAuth 2 client credentials, app, API key, basic, …),
prints the connection's credentials object byte for byte as Nango sent it: what the
Node SDK's getToken returns, except that for OAuth 1 it picks out the token and
secret. Nango refreshes an expired token before answering.

` + clientEnv,
		`  curl -H "Authorization: Bearer $(nango token github user-1)" https://api.github.com/user`,
	},
	"connection": {
		"print a connection with its credentials, as JSON",
		"Nango refreshes an expired token before answering.\n\n" + clientEnv,
		"  nango connection github user-1 --force-refresh",
	},
	"raw": {
		"print the provider's raw token response, as JSON",
		"Only connections of the OAuth kinds have one; for the others this is an error.\n\n" + clientEnv,
		"  nango raw github user-1",
	},
	"delete": {
		"delete a connection",
		"The connection and its credentials are removed from Nango; this cannot be undone.\n\n" + clientEnv,
		"  nango delete github user-1",
	},
}

// connectionCommand runs the commands that act on one connection.
func connectionCommand(ctx context.Context, name string, args []string, stdout io.Writer, getenv func(string) string) error {
	h := connectionHelp[name]
	cmd := newCommand(name, h.summary, argKey, argID)
	cmd.about, cmd.example = h.about, h.example
	var common commonFlags
	var get getFlags
	if name != "delete" {
		get.register(cmd.flags)
	}
	common.register(cmd.flags, getenv)
	pos, err := cmd.parse(args, stdout)
	if err != nil {
		return err
	}
	key, id := pos[0], pos[1]
	ctx, cancel := context.WithTimeout(ctx, common.timeout)
	defer cancel()
	if name == "token" {
		return printToken(ctx, &common, getenv, key, id, get.options(), stdout)
	}
	c, err := common.client(getenv, nil)
	if err != nil {
		return err
	}
	switch name {
	case "connection":
		conn, err := c.GetConnection(ctx, key, id, get.options()...)
		if err != nil {
			return err
		}
		return printJSON(stdout, conn)
	case "raw":
		raw, err := c.GetRawTokenResponse(ctx, key, id, get.options()...)
		if err != nil {
			return err
		}
		return printJSON(stdout, raw)
	case "delete":
		if err := c.DeleteConnection(ctx, key, id); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "deleted %s / %s\n", key, id)
	}
	return nil
}
