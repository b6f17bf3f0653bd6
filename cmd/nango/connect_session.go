package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/nango-go/sdk/nango"
)

// listFlag collects a repeatable flag; each value may also hold several,
// comma-separated.
type listFlag []string

func (l *listFlag) String() string {
	if l == nil {
		return ""
	}
	return strings.Join(*l, ",")
}

func (l *listFlag) Set(s string) error {
	for v := range strings.SplitSeq(s, ",") {
		if v = strings.TrimSpace(v); v == "" {
			return errors.New("empty value")
		}
		*l = append(*l, v)
	}
	return nil
}

type sessionFlags struct {
	endUser, email, displayName, reconnect string
	integrations                           listFlag
	tags                                   tagFlag
	asJSON, showToken                      bool
}

func (s *sessionFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&s.endUser, "end-user", "", "your application's `id` of the end user who will connect")
	fs.StringVar(&s.email, "email", "", "the end user's email `address`")
	fs.StringVar(&s.displayName, "display-name", "", "the end user's `name` for display")
	fs.Var(&s.integrations, "integration", "an integration the user may connect to (`key`); repeat or comma-separate for more (default: all)")
	fs.Var(&s.tags, "tag", "a tag `key=value` for the connections made; repeat for more")
	fs.StringVar(&s.reconnect, "reconnect", "", "re-authorize this existing connection (`connection-id`) instead; needs its --integration")
	fs.BoolVar(&s.showToken, "show-token", false, "also print the session token")
	fs.BoolVar(&s.asJSON, "json", false, "print the session as JSON (token included)")
}

// connectSessionCommand: nango connect-session.
func connectSessionCommand(ctx context.Context, args []string, stdout io.Writer, getenv func(string) string) error {
	cmd := newCommand("connect-session", "create a connect session for an end user")
	cmd.about = `Creates a session of Nango's Connect UI and prints its connect link (send it to
the end user) and when it expires (30 minutes). The link carries the session
token, and the token is a credential for the Connect UI: it is printed alone
only with --show-token or --json. Every run makes a new session; a failed one
is not retried once the request may have reached Nango.

With --reconnect, the session re-authorizes an existing connection of the one
--integration given, for when its credentials stopped working.

` + clientEnv
	cmd.example = "  nango connect-session --end-user eu-1 --email ada@example.com --integration github --tag plan=pro\n" +
		"  nango connect-session --reconnect user-1 --integration github --json"
	var s sessionFlags
	var common commonFlags
	s.register(cmd.flags)
	common.register(cmd.flags, getenv)
	if _, err := cmd.parse(args, stdout); err != nil {
		return err
	}
	var endUser *nango.EndUserInput
	switch {
	case s.endUser != "":
		endUser = &nango.EndUserInput{ID: s.endUser, Email: s.email, DisplayName: s.displayName}
	case s.email != "" || s.displayName != "":
		return cmd.usageError("--email and --display-name describe the --end-user: give its id")
	}
	var tags nango.TagsInput
	if len(s.tags) > 0 {
		tags = nango.TagsInput{}
		for _, kv := range s.tags {
			tags[kv[0]] = kv[1]
		}
	}
	if s.reconnect == "" && endUser == nil && tags == nil {
		return cmd.usageError("need --end-user (or at least one --tag)")
	}
	if s.reconnect != "" && len(s.integrations) != 1 {
		return cmd.usageError("--reconnect needs the connection's integration: exactly one --integration")
	}
	c, err := common.client(getenv, nil)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, common.timeout)
	defer cancel()
	var session *nango.ConnectSession
	if s.reconnect != "" {
		session, err = c.CreateReconnectSession(ctx, nango.ReconnectSessionRequest{
			ConnectionID: s.reconnect, IntegrationID: s.integrations[0], EndUser: endUser, Tags: tags,
		})
	} else {
		req := nango.ConnectSessionRequest{EndUser: endUser, AllowedIntegrations: s.integrations}
		if len(tags) > 0 {
			req.Tags = &tags
		}
		session, err = c.CreateConnectSession(ctx, req)
	}
	if errors.Is(err, nango.ErrInvalidArgument) {
		return cmd.usageError(err.Error())
	}
	if err != nil {
		return err
	}
	if s.asJSON {
		return printJSON(stdout, session)
	}
	fmt.Fprintf(stdout, "connect link: %s\n", session.ConnectLink)
	fmt.Fprintf(stdout, "expires at:   %s\n", session.ExpiresAt.UTC().Format(time.RFC3339))
	if s.showToken {
		fmt.Fprintf(stdout, "token:        %s\n", session.Token)
	}
	return nil
}
