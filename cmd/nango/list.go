package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/nango-go/sdk/nango"
)

type listFlags struct {
	connectionID, search, endUser, endUserOrg, integrations string
	tags                                                    tagFlag
	limit, page                                             optionalInt
	all, asJSON                                             bool
}

func (l *listFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&l.all, "all", false, "every page, not only the first")
	fs.StringVar(&l.connectionID, "connection-id", "", "only the connection with exactly this `id`")
	fs.StringVar(&l.search, "search", "", "only connections whose id contains this `text`")
	fs.StringVar(&l.endUser, "end-user", "", "only this end user's connections (end user `id`)")
	fs.StringVar(&l.endUserOrg, "end-user-org", "", "only this organization's connections (organization `id`)")
	fs.StringVar(&l.integrations, "integration", "", "only these provider config `keys` (comma-separated)")
	fs.Var(&l.tags, "tag", "only connections with the tag `key=value`; repeat for more (all must match)")
	fs.Var(&l.limit, "limit", "page `size`, 1 to 2000 (default: the server's; 1000 with --all)")
	fs.Var(&l.page, "page", "the page `number` to show, counting from 0 (default: the first; with --all, the first to read)")
	fs.BoolVar(&l.asJSON, "json", false, "print JSON even on a terminal")
}

// check refuses locally what the server would answer 400 to.
func (l *listFlags) check() error {
	if l.limit.set && (l.limit.n < 1 || l.limit.n > 2000) {
		return fmt.Errorf("--limit %d: the server takes 1 to 2000", l.limit.n)
	}
	if l.page.set && l.page.n < 0 {
		return fmt.Errorf("--page %d: pages count from 0", l.page.n)
	}
	return nil
}

func (l *listFlags) options() []nango.ListOption {
	var out []nango.ListOption
	if l.connectionID != "" {
		out = append(out, nango.FilterConnectionID(l.connectionID))
	}
	if l.search != "" {
		out = append(out, nango.FilterSearch(l.search))
	}
	if l.endUser != "" {
		out = append(out, nango.FilterEndUser(l.endUser))
	}
	if l.endUserOrg != "" {
		out = append(out, nango.FilterEndUserOrganization(l.endUserOrg))
	}
	if l.integrations != "" {
		out = append(out, nango.FilterIntegrations(strings.Split(l.integrations, ",")...))
	}
	for _, t := range l.tags {
		out = append(out, nango.FilterTag(t[0], t[1]))
	}
	if l.limit.set {
		out = append(out, nango.PageSize(l.limit.n))
	}
	if l.page.set {
		out = append(out, nango.Page(l.page.n))
	}
	return out
}

// tagKey is Nango's rule for a tag key (at most 64 characters besides).
var tagKey = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_\-./]*$`)

// tagFlag collects --tag key=value pairs, checked as Nango checks tags, so
// that a typo is a usage error rather than a 400 from the server.
type tagFlag [][2]string

func (t *tagFlag) String() string {
	if t == nil {
		return ""
	}
	s := make([]string, len(*t))
	for i, kv := range *t {
		s[i] = kv[0] + "=" + kv[1]
	}
	return strings.Join(s, ",")
}

func (t *tagFlag) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	switch {
	case !ok:
		return errors.New("want key=value")
	case k == "":
		return errors.New("empty tag key")
	case len(k) > 64:
		return fmt.Errorf("tag key %.20q… is longer than 64 characters", k)
	case !tagKey.MatchString(k):
		return fmt.Errorf("tag key %q: want a letter, then letters, digits, _ - . /", k)
	case v == "":
		return fmt.Errorf("tag %q has an empty value", k)
	case len(v) > 255:
		return fmt.Errorf("tag %q: the value is longer than 255 characters", k)
	}
	for _, kv := range *t {
		if strings.EqualFold(kv[0], k) {
			return fmt.Errorf("tag %q given twice", k)
		}
	}
	*t = append(*t, [2]string{k, v})
	return nil
}

func listCommand(ctx context.Context, args []string, stdout io.Writer, getenv func(string) string) error {
	cmd := newCommand("list", "list connections, newest first")
	cmd.about = `Prints a table on a terminal and a JSON array otherwise (or with --json).
Without --all, only one page: the server's first, or the one --page names.
Credentials are never listed.

` + clientEnv
	cmd.example = "  nango list --integration github --tag team=core --all --json"
	var l listFlags
	var common commonFlags
	l.register(cmd.flags)
	common.register(cmd.flags, getenv)
	if _, err := cmd.parse(args, stdout); err != nil {
		return err
	}
	if err := l.check(); err != nil {
		return cmd.usageError(err.Error())
	}
	c, err := common.client(getenv, nil)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, common.timeout)
	defer cancel()
	conns := []nango.ConnectionSummary{}
	if l.all {
		for conn, err := range c.AllConnections(ctx, l.options()...) {
			if err != nil {
				return err
			}
			conns = append(conns, conn)
		}
	} else {
		page, err := c.ListConnections(ctx, l.options()...)
		if err != nil {
			return err
		}
		conns = append(conns, page...)
	}
	if l.asJSON || !isTerminal(stdout) {
		return printJSON(stdout, conns)
	}
	printTable(stdout, conns)
	return nil
}
