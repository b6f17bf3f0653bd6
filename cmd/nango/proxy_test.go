package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/nango-go/sdk/nango/nangotest"
)

// proxyRequest is what the stand-in Nango received.
type proxyRequest struct {
	method, uri string
	header      http.Header
	body        string
}

// standInProxy plays Nango's /proxy: the connection github/user-1 exists;
// the path /status/404 answers as a provider's 404.
func standInProxy(t *testing.T) (string, func() []proxyRequest) {
	t.Helper()
	var mu sync.Mutex
	var got []proxyRequest
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, proxyRequest{r.Method, r.RequestURI, r.Header.Clone(), string(b)})
		mu.Unlock()
		if r.Header.Get("Connection-Id") != "user-1" {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(400)
			io.WriteString(w, `{"error":{"code":"server_error","message":"Failed to get connection"}}`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/proxy/status/404" {
			w.Header().Set("X-Upstream", "yes")
			w.WriteHeader(404)
			io.WriteString(w, `{"message":"not here"}`)
			return
		}
		io.WriteString(w, `{"login":"octocat"}`)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, func() []proxyRequest {
		mu.Lock()
		defer mu.Unlock()
		return append([]proxyRequest(nil), got...)
	}
}

func TestProxyCommand(t *testing.T) {
	file := filepath.Join(t.TempDir(), "body.json")
	if err := os.WriteFile(file, []byte(`{"from":"file"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		args    []string
		code    int
		stdout  string // exact, when code is not 2
		stderr  string // contained
		uri     string // what Nango got, "" for no request
		headers map[string]string
		body    string
	}{
		{"get", []string{"proxy", "github", "user-1", "get", "/user?per_page=5"}, 0, `{"login":"octocat"}`, "", "/proxy/user?per_page=5",
			map[string]string{"Connection-Id": "user-1", "Provider-Config-Key": "github", "Authorization": "Bearer " + nangotest.DefaultSecretKey}, ""},
		{"full URL", []string{"proxy", "github", "user-1", "GET", "https://api.github.com/a%2Fb"}, 0, `{"login":"octocat"}`, "", "/proxy/a%2Fb", nil, ""},
		{"data and headers", []string{"proxy", "--data", `{"title":"hi"}`, "github", "user-1", "POST", "/issues",
			"--header", "Content-Type: application/json", "--header", "Authorization: Bearer mine", "--retries", "2", "--base-url", "https://api.example.com"},
			0, `{"login":"octocat"}`, "", "/proxy/issues", map[string]string{"Content-Type": "application/json", "Nango-Proxy-Authorization": "Bearer mine",
				"Retries": "2", "Base-Url-Override": "https://api.example.com", "Authorization": "Bearer " + nangotest.DefaultSecretKey}, `{"title":"hi"}`},
		{"data from a file", []string{"proxy", "github", "user-1", "PUT", "/x", "--data", "@" + file}, 0, `{"login":"octocat"}`, "", "/proxy/x", nil, `{"from":"file"}`},
		{"include", []string{"proxy", "-i", "github", "user-1", "GET", "/user"}, 0, "", "", "/proxy/user", nil, ""},
		{"provider's 404", []string{"proxy", "github", "user-1", "GET", "/status/404"}, 1, `{"message":"not here"}`, "the provider answered 404 Not Found", "/proxy/status/404", nil, ""},
		{"Nango's error", []string{"proxy", "github", "nobody", "GET", "/user"}, 1, "", "code: server_error", "/proxy/user", nil, ""},
		{"too few arguments", []string{"proxy", "github", "user-1", "GET"}, 2, "", "want 4 arguments", "", nil, ""},
		{"bad header", []string{"proxy", "github", "user-1", "GET", "/x", "--header", "no colon"}, 2, "", "Name: value", "", nil, ""},
		{"negative retries", []string{"proxy", "github", "user-1", "GET", "/x", "--retries", "-1"}, 2, "", "negative", "", nil, ""},
		{"bad base URL", []string{"proxy", "github", "user-1", "GET", "/x", "--base-url", "not a url"}, 1, "", "invalid argument", "", nil, ""},
		{"dot-dot", []string{"proxy", "github", "user-1", "GET", "/../connections"}, 1, "", "invalid argument", "", nil, ""},
		{"missing file", []string{"proxy", "github", "user-1", "POST", "/x", "--data", "@" + file + ".none"}, 1, "", "no such file", "", nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			host, got := standInProxy(t)
			env := map[string]string{"NANGO_HOST": host, "NANGO_SECRET_KEY": nangotest.DefaultSecretKey}
			code, out, errOut := runCLI(t, env, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d (stdout %q, stderr %q)", code, tc.code, out, errOut)
			}
			if tc.name == "include" {
				if !strings.HasPrefix(out, "HTTP/1.1 200 OK\n") || !strings.Contains(out, "Content-Type: application/json\r\n") || !strings.HasSuffix(out, "\n"+`{"login":"octocat"}`) {
					t.Errorf("stdout %q", out)
				}
			} else if tc.code != 2 && out != tc.stdout {
				t.Errorf("stdout %q, want %q", out, tc.stdout)
			}
			if !strings.Contains(errOut, tc.stderr) || strings.Contains(errOut, nangotest.DefaultSecretKey) {
				t.Errorf("stderr %q, want it to contain %q (and no key)", errOut, tc.stderr)
			}
			reqs := got()
			if tc.uri == "" {
				if len(reqs) != 0 {
					t.Errorf("Nango got %d requests", len(reqs))
				}
				return
			}
			if len(reqs) != 1 || reqs[0].uri != tc.uri || reqs[0].body != tc.body {
				t.Fatalf("Nango got %+v, want %s with body %q", reqs, tc.uri, tc.body)
			}
			for k, v := range tc.headers {
				if g := reqs[0].header.Get(k); g != v {
					t.Errorf("%s = %q, want %q", k, g, v)
				}
			}
		})
	}
}

func TestProxyCommandStdinAndHelp(t *testing.T) {
	host, got := standInProxy(t)
	env := map[string]string{"NANGO_HOST": host, "NANGO_SECRET_KEY": nangotest.DefaultSecretKey}
	var out bytes.Buffer
	err := proxyCommand(context.Background(), []string{"github", "user-1", "POST", "/x", "--data", "@-"}, strings.NewReader("from stdin"), &out,
		func(k string) string { return env[k] })
	if err != nil || got()[0].body != "from stdin" {
		t.Errorf("err %v, Nango got %+v", err, got())
	}
	code, help, _ := runCLI(t, nil, "proxy", "--help")
	for _, s := range []string{"Usage: nango proxy [flags] <provider-config-key> <connection-id> <method> <path>", "--data", "--header", "--retries N", "--base-url URL", "--include", "Exit status 0"} {
		if code != 0 || !strings.Contains(help, s) {
			t.Errorf("help (exit %d) lacks %q:\n%s", code, s, help)
		}
	}
	if code, out, _ := runCLI(t, nil, "--help"); code != 0 || !strings.Contains(out, "nango proxy") {
		t.Errorf("the usage does not list proxy: %s", out)
	}
}
