package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"

	"github.com/nango-go/sdk/nango"
)

// printToken prints the bare access token of an OAuth 2 connection and, for
// every other kind, the credentials object byte for byte: re-encoding the
// SDK's typed credentials would reorder the keys and drop the milliseconds
// of expires_at.
func printToken(ctx context.Context, common *commonFlags, getenv func(string) string, key, id string, opts []nango.GetOption, stdout io.Writer) error {
	tok, creds, err := tokenWithCredentials(ctx, common, getenv, key, id, opts)
	if err != nil {
		return err
	}
	if tok.Type == nango.TypeOAuth2 {
		fmt.Fprintln(stdout, tok.AccessToken)
		return nil
	}
	_, err = fmt.Fprintf(stdout, "%s\n", creds)
	return err
}

// tokenWithCredentials reads the connection once, through the SDK (its
// retries, error codes and checks of the token), and returns the
// "credentials" object of the body it read. This is the one place that
// needs the raw body; it can move to the generated client once the SDK
// exposes it.
func tokenWithCredentials(ctx context.Context, common *commonFlags, getenv func(string) string, key, id string, opts []nango.GetOption) (nango.Token, json.RawMessage, error) {
	tap := &bodyTap{next: http.DefaultTransport}
	c, err := common.client(getenv, &http.Client{Transport: tap})
	if err != nil {
		return nango.Token{}, nil, err
	}
	tok, err := c.GetToken(ctx, key, id, opts...)
	if err != nil {
		return nango.Token{}, nil, err
	}
	var w struct {
		Credentials json.RawMessage `json:"credentials"`
	}
	if err := json.Unmarshal(tap.last(), &w); err != nil || len(w.Credentials) == 0 {
		// The SDK decoded this same body, so this does not happen.
		return nango.Token{}, nil, errors.New("the connection's credentials could not be read back from the answer")
	}
	return tok, w.Credentials, nil
}

// bodyTap keeps a copy of the last successful answer's body as the client
// reads it.
type bodyTap struct {
	next http.RoundTripper
	mu   sync.Mutex
	body *bytes.Buffer
}

func (t *bodyTap) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil || resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp, err
	}
	buf := new(bytes.Buffer)
	t.mu.Lock()
	t.body = buf
	t.mu.Unlock()
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.TeeReader(resp.Body, buf), resp.Body}
	return resp, nil
}

func (t *bodyTap) last() []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.body == nil {
		return nil
	}
	return t.body.Bytes()
}
