package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/nango-go/sdk/nango"
	"github.com/nango-go/sdk/nango/nangotest"
)

// TestServeProxyUpstream: `nango serve --proxy-upstream github=URL` relays
// the proxy's requests to that upstream with the connection's token.
func TestServeProxyUpstream(t *testing.T) {
	var auth string
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth = r.Header.Get("Authorization")
		io.WriteString(w, "upstream ok")
	}))
	defer up.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut strings.Builder
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, []string{"--addr", addr, "--proxy-upstream", "github=" + up.URL}, &out, &errOut)
	}()
	c, err := nango.New(nangotest.DefaultSecretKey, nango.WithHost("http://"+addr))
	if err != nil {
		t.Fatal(err)
	}
	var resp *http.Response
	for i := 0; i < 100; i++ {
		if resp, err = c.ProxyClient("github", "user-1").Get("https://api.github.com/user"); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "upstream ok" || !strings.HasPrefix(auth, "Bearer ") {
		t.Errorf("%d %q, upstream saw %q", resp.StatusCode, body, auth)
	}
	cancel()
	<-done
	if err := serve(context.Background(), []string{"--proxy-upstream", "nourl"}, &out, &errOut); err == nil {
		t.Error("a bad --proxy-upstream was taken")
	}
}
