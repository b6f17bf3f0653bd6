package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/nango-go/sdk/nango"
)

// headerList is a repeatable --header 'Name: value' flag.
type headerList []string

func (h *headerList) String() string { return strings.Join(*h, ", ") }

func (h *headerList) Set(s string) error {
	name, _, ok := strings.Cut(s, ":")
	if !ok || strings.TrimSpace(name) == "" || strings.ContainsAny(name, " \t") {
		return fmt.Errorf("want 'Name: value', got %q", s)
	}
	*h = append(*h, s)
	return nil
}

// upstreamStatusError is the provider's answer outside 2xx: its body is
// printed, and the exit status is 1.
type upstreamStatusError struct{ status string }

func (e upstreamStatusError) Error() string { return "the provider answered " + e.status }

// proxyCommand: nango proxy KEY ID METHOD PATH.
func proxyCommand(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer, getenv func(string) string) error {
	cmd := newCommand("proxy", "call the provider's API through Nango's proxy", argKey, argID,
		argument{"<method>", "the HTTP method (GET, POST, …)"},
		argument{"<path>", "the provider's path and query (/user?per_page=5); a full URL's host is ignored"})
	cmd.about = `Sends the request to the connection's provider through Nango, which adds the
connection's credentials, and prints the provider's answer body to stdout
(with -i, the status line and headers first). Exit status 0 when the provider
answers 2xx, 1 for any other answer (its body is still printed) and for
errors of Nango itself (unknown connection, refused header, …), which go to
stderr.

` + clientEnv
	cmd.example = `  nango proxy github user-1 GET /user
  nango proxy github user-1 POST /repos/o/r/issues --data '{"title":"hi"}' --header 'Content-Type: application/json'
  nango proxy github user-1 PUT /upload --data @file.bin --retries 2`
	var common commonFlags
	var headers headerList
	data := cmd.flags.String("data", "", "the request body; @file reads a file, @- stdin")
	cmd.flags.Var(&headers, "header", "a header for the provider, 'Name: value' (repeatable)")
	var retries optionalInt
	cmd.flags.Var(&retries, "retries", "have Nango retry the provider's 5xx and 429 `N` times")
	baseURL := cmd.flags.String("base-url", "", "call this `URL` instead of the provider's base URL")
	include := cmd.flags.Bool("include", false, "print the status line and headers before the body")
	cmd.flags.BoolVar(include, "i", false, "short for --include")
	common.register(cmd.flags, getenv)
	pos, err := cmd.parse(args, stdout)
	if err != nil {
		return err
	}
	key, id, method, path := pos[0], pos[1], strings.ToUpper(pos[2]), pos[3]
	var opts []nango.ProxyOption
	if retries.set {
		if retries.n < 0 {
			return cmd.usageError("--retries: negative count")
		}
		opts = append(opts, nango.ProxyRetries(retries.n))
	}
	if *baseURL != "" {
		opts = append(opts, nango.ProxyBaseURLOverride(*baseURL))
	}

	var body io.Reader
	switch {
	case *data == "@-":
		body = stdin
	case strings.HasPrefix(*data, "@"):
		f, err := os.Open((*data)[1:])
		if err != nil {
			return err
		}
		defer f.Close()
		body = f
	case *data != "":
		body = strings.NewReader(*data)
	}
	ctx, cancel := context.WithTimeout(ctx, common.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, path, body)
	if err != nil {
		return cmd.usageError(fmt.Sprintf("method or path: %v", err))
	}
	if f, ok := body.(*os.File); ok && f != stdin {
		// A known length, so that the file is not sent chunked.
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			req.ContentLength = st.Size()
		}
	}
	for _, h := range headers {
		name, value, _ := strings.Cut(h, ":")
		req.Header.Add(strings.TrimSpace(name), strings.TrimSpace(value))
	}
	c, err := common.client(getenv, nil)
	if err != nil {
		return err
	}
	resp, err := c.ProxyClient(key, id, opts...).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if *include {
		fmt.Fprintf(stdout, "%s %s\n", resp.Proto, resp.Status)
		if err := resp.Header.Write(stdout); err != nil {
			return err
		}
		fmt.Fprintln(stdout)
	}
	if _, err := io.Copy(stdout, resp.Body); err != nil {
		return fmt.Errorf("reading the answer: %w", err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return upstreamStatusError{resp.Status}
	}
	return nil
}
