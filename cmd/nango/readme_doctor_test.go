package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nango-go/sdk/nango/nangotest"
)

// startServe runs `nango serve` (its demo data) on a free loopback port
// until the test ends, and returns its URL.
func startServe(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var out, errOut bytes.Buffer
	go func() { done <- serve(ctx, []string{"--addr", addr}, &out, &errOut) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		if errOut.Len() > 0 {
			t.Errorf("serve logged: %s", errOut.String())
		}
	})
	for range 200 {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return "http://" + addr
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("nango serve did not start")
	return ""
}

// readmeBlock returns the first ``` block of the README after marker.
func readmeBlock(t *testing.T, marker string) string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), marker)
	if !ok {
		t.Fatalf("README has no %q", marker)
	}
	_, block, _ := strings.Cut(rest, "```\n")
	block, _, _ = strings.Cut(block, "```")
	return block
}

// doctorVarying is what changes from run to run in the doctor's table:
// latencies, the port, the id of the doctor's own connection, the SDK's
// version.
var doctorVarying = regexp.MustCompile(`\d+\.\dms|127\.0\.0\.1:\d+|nango-doctor-[0-9a-f]{12}|nango-go [^;]+;`)

// TestReadmeDoctor holds the README's two doctor samples to what `nango
// doctor` prints: against `nango serve`, with --writes, and against the
// same server behind a proxy that breaks the spec.
func TestReadmeDoctor(t *testing.T) {
	host := startServe(t)
	env := map[string]string{"NANGO_HOST": host, "NANGO_SECRET_KEY": nangotest.DefaultSecretKey}
	const cmd = "$ go run ./cmd/nango doctor --writes sendgrid\n"
	code, out, errOut := runCLI(t, env, "doctor", "--writes", "sendgrid")
	if code != 0 {
		t.Fatalf("doctor: exit %d\n%s\n%s", code, out, errOut)
	}
	want := readmeBlock(t, "Against `go run ./cmd/nango serve`:")
	if got := cmd + out; doctorVarying.ReplaceAllString(got, "…") != doctorVarying.ReplaceAllString(want, "…") {
		t.Errorf("the README's doctor sample is stale; the doctor prints:\n%s", got)
	}

	// The drift: the tag value "core" becomes the number 1.
	target, _ := url.Parse(host)
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(r *http.Response) error {
		b, err := io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return err
		}
		b = bytes.ReplaceAll(b, []byte(`"team":"core"`), []byte(`"team":1`))
		r.Body = io.NopCloser(bytes.NewReader(b))
		r.ContentLength = int64(len(b))
		r.Header.Set("Content-Length", strconv.Itoa(len(b)))
		return nil
	}
	drift := httptest.NewServer(proxy)
	defer drift.Close()
	env["NANGO_HOST"] = drift.URL
	code, out, errOut = runCLI(t, env, "doctor")
	if code != 1 {
		t.Fatalf("doctor against the drift: exit %d\n%s\n%s", code, out, errOut)
	}
	want = readmeBlock(t, "A server whose answers drift from the spec")
	if doctorVarying.ReplaceAllString(out, "…") != doctorVarying.ReplaceAllString(want, "…") {
		t.Errorf("the README's drift sample is stale; the doctor prints:\n%s", out)
	}
}
