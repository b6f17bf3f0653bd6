package nango

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
)

// echoServer plays a server that repeats the Authorization header it got:
// in a header line without a colon ("line", a transport error), or in a
// JSON error's code and message, a header and the request id ("json").
func echoServer(t *testing.T, mode string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				req, err := http.ReadRequest(bufio.NewReader(conn))
				if err != nil {
					return
				}
				a := req.Header.Get("Authorization")
				if mode == "line" {
					fmt.Fprintf(conn, "HTTP/1.1 200 OK\r\n%s\r\n\r\n", a)
					return
				}
				body := fmt.Sprintf(`{"error":{"code":"unknown_account %s","message":"no account for %s","errors":[{"code":"c","message":"%s","path":["%s"]}]}}`, a, a, a, a)
				fmt.Fprintf(conn, "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nX-Echo: %s\r\nX-Request-Id: %s\r\nContent-Length: %d\r\n\r\n%s", a, a, len(body), body)
			}()
		}
	}()
	return "http://" + ln.Addr().String()
}

// TestEchoedCredentialsRedacted: whatever a server repeats of the
// credentials it received stays out of errors (every verb, every field a
// server wrote), ResponseMeta and the debug log: the secret key (also in
// its Basic form), a connect session's token, and the key on the proxy.
func TestEchoedCredentialsRedacted(t *testing.T) {
	const sessionToken = "nango_connect_session_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	for _, mode := range []string{"line", "json"} {
		for _, basic := range []bool{false, true} {
			var logs bytes.Buffer
			opts := []Option{WithHost(echoServer(t, mode)), WithMaxRetries(0),
				WithLogger(slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))}
			if basic {
				opts = append(opts, WithBasicAuth())
			}
			c, err := New(testKey, opts...)
			if err != nil {
				t.Fatal(err)
			}
			secrets := []string{testKey, sessionToken, strings.TrimPrefix(c.secret.authValue[0], "Basic ")}
			name := fmt.Sprintf("%s basic=%t", mode, basic)

			var meta ResponseMeta
			_, err = c.GetToken(context.Background(), "github", "u1", CaptureResponse(&meta))
			assertNoSecrets(t, name+" GetToken", secrets, err, meta)
			_, err = c.GetConnectSession(context.Background(), sessionToken, CaptureResponse(&meta))
			assertNoSecrets(t, name+" GetConnectSession", secrets, err, meta)
			resp, err := c.ProxyClient("github", "u1").Get("https://api.github.com/user")
			if resp != nil {
				resp.Body.Close()
			}
			assertNoSecrets(t, name+" proxy", secrets, err, nil)
			assertNoSecrets(t, name+" log", secrets, nil, logs.String())
		}
	}
}

func assertNoSecrets(t *testing.T, what string, secrets []string, err error, v any) {
	t.Helper()
	s := fmt.Sprintf("%v %+v %#v %s", v, v, v, v)
	if err != nil {
		s += fmt.Sprintf("%v %+v %#v %s %q", err, err, err, err, err)
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		s += fmt.Sprintf("%s %s %s %s %v", apiErr.Code, apiErr.RequestID, apiErr.Body, apiErr.Payload, apiErr.Issues)
	}
	for _, secret := range secrets {
		if strings.Contains(s, secret) {
			t.Errorf("%s: %q shows in %s", what, secret, s)
		}
	}
}
