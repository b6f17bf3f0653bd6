package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/nango-go/sdk/nango"
	"github.com/nango-go/sdk/nango/nangotest"
)

// demo starts the fake in-process and runs the SDK's four helpers on it.
func demo(ctx context.Context, args []string, stdout io.Writer) error {
	cmd := newCommand("demo", "run the SDK's helpers against an in-process fake")
	cmd.about = `Starts a fake Nango on a loopback port with demo connections, and shows what
GetToken, GetConnection, GetRawTokenResponse and ListConnections return, and
the error for an unknown connection. Needs no key and no network.`
	if _, err := cmd.parse(args, stdout); err != nil {
		return err
	}
	fake, err := nangotest.NewFake(nangotest.OnViolation(func(err error) {
		fmt.Fprintf(stdout, "contract violation: %v\n", err)
	}))
	if err != nil {
		return err
	}
	fake.SeedDemo()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: fake, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	host := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "fake Nango on %s (demo connections)\n\n", host)

	client, err := nango.New(fake.SecretKey(), nango.WithHost(host))
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()

	fmt.Fprintln(stdout, `$ client.GetToken(ctx, "github", "user-1")`)
	tok, err := client.GetToken(ctx, "github", "user-1")
	if err != nil {
		return err
	}
	expires := "never"
	if tok.ExpiresAt != nil {
		expires = tok.ExpiresAt.Format(time.RFC3339)
	}
	fmt.Fprintf(stdout, "type %s, access token %q, expires %s\n\n", tok.Type, tok.AccessToken, expires)

	fmt.Fprintln(stdout, `$ client.GetToken(ctx, "twitter", "user-1")`)
	tok1, err := client.GetToken(ctx, "twitter", "user-1")
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "type %s, oauth token %q, secret %q\n\n", tok1.Type, tok1.OAuthToken, tok1.OAuthTokenSecret)

	fmt.Fprintln(stdout, `$ client.GetConnection(ctx, "github", "org/acme@example.com")`)
	conn, err := client.GetConnection(ctx, "github", "org/acme@example.com")
	if err != nil {
		return err
	}
	if err := printJSON(stdout, conn); err != nil {
		return err
	}
	fmt.Fprintln(stdout)

	fmt.Fprintln(stdout, `$ client.GetRawTokenResponse(ctx, "github", "user-1")`)
	raw, err := client.GetRawTokenResponse(ctx, "github", "user-1")
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s\n\n", raw)

	fmt.Fprintln(stdout, `$ client.ListConnections(ctx)`)
	conns, err := client.ListConnections(ctx)
	if err != nil {
		return err
	}
	printTable(stdout, conns)

	fmt.Fprintln(stdout, "\n$ client.GetToken(ctx, \"github\", \"nobody\")")
	_, err = client.GetToken(ctx, "github", "nobody")
	fmt.Fprintf(stdout, "error: %v (errors.Is(err, nango.ErrNotFound) = %t)\n", err, isNotFound(err))
	return nil
}
