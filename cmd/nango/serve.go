package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/nango-go/sdk/nango/nangotest"
)

// serve runs the fake Nango until ctx is cancelled (Ctrl-C).
func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cmd := newCommand("serve", "run a fake Nango for local development")
	cmd.about = `Serves the operations of openapi.yaml as Nango does, checking every request and
answer against it (violations are logged to stderr), until Ctrl-C. An operation
the fake does not implement yet answers 501 not_implemented; a path that is no
operation 404. Without --data it starts with demo connections: github (OAuth 2),
twitter (OAuth 1), sendgrid (API key). --data takes a JSON array of connections,
or an object of "connections", "syncs" ({provider_config_key, name, models}),
"records" ({provider_config_key, connection_id, model, variant?, records: [...]},
each record an object with an "id"), "environment_variables" ({name: value}) and
"actions" ({provider_config_key, name, and one of output (returned as is), echo:
true (returns the input) or error (fails with it as the action's payload)}).
With --webhook-url, a sync run (POST /sync/trigger) and an async action send
Nango's signed webhooks there.`
	cmd.example = `  nango serve --addr 127.0.0.1:3003 &
  NANGO_HOST=http://127.0.0.1:3003 NANGO_SECRET_KEY=` + nangotest.DefaultSecretKey + ` nango token github user-1`
	fs := cmd.flags
	addr := fs.String("addr", "127.0.0.1:3003", "`address` to listen on")
	key := fs.String("secret-key", nangotest.DefaultSecretKey, "secret `key` to accept, a UUID v4")
	data := fs.String("data", "", "JSON `file`: connections, or an object of connections, syncs, records, environment_variables, actions (default: the demo connections)")
	webhookURL := fs.String("webhook-url", "", "`URL` to send the fake's sync and async-action webhooks to, signed with the secret key")
	noValidate := fs.Bool("no-validate", false, "skip the checks against openapi.yaml (for load tests)")
	var upstreams upstreamFlag
	fs.Var(&upstreams, "proxy-upstream", "`key=URL`: where /proxy sends the requests of integration key (repeat for more)")
	if _, err := cmd.parse(args, stdout); err != nil {
		return err
	}
	logger := log.New(stderr, "nango serve: ", log.LstdFlags)
	opts := []nangotest.Option{
		nangotest.WithSecretKey(*key),
		nangotest.WithWebhookURL(*webhookURL),
		nangotest.OnViolation(func(err error) { logger.Printf("contract violation: %v", err) }),
	}
	if *noValidate {
		opts = append(opts, nangotest.WithoutValidation())
	}
	fake, err := nangotest.NewFake(opts...)
	if err != nil {
		return err
	}
	if *data != "" {
		if err := fake.Seed(*data); err != nil {
			return err
		}
	} else {
		fake.SeedDemo()
	}
	for _, u := range upstreams {
		fake.SetProxyUpstream(u[0], u[1])
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: fake, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "fake Nango listening on http://%s\nsecret key: %s\nconnections: %d\n", ln.Addr(), *key, fake.Len())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		fmt.Fprintln(stdout, "stopped")
		return nil
	}
}

// upstreamFlag collects --proxy-upstream key=URL pairs.
type upstreamFlag [][2]string

func (u *upstreamFlag) String() string { return "" }

func (u *upstreamFlag) Set(v string) error {
	key, target, ok := strings.Cut(v, "=")
	if !ok || key == "" {
		return fmt.Errorf("want key=URL, got %q", v)
	}
	if parsed, err := url.Parse(target); err != nil || (parsed.Scheme != "http" && parsed.Scheme != "https") || parsed.Host == "" {
		return fmt.Errorf("%q is not an http(s) URL", target)
	}
	*u = append(*u, [2]string{key, target})
	return nil
}
