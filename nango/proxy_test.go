package nango

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nango-go/sdk/nango/internal/contract"
)

// gotRequest is what the test's "Nango" received.
type gotRequest struct {
	method, path, query string
	header              http.Header
	body                []byte
}

// proxyNango starts a stand-in for Nango that records each request (body
// included) and answers with answer.
func proxyNango(t *testing.T, answer http.HandlerFunc, opts ...Option) (*harness, func() []gotRequest) {
	t.Helper()
	var mu sync.Mutex
	var got []gotRequest
	h := setupRaw(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, gotRequest{r.Method, r.URL.EscapedPath(), r.URL.RawQuery, r.Header.Clone(), body})
		mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		answer(w, r)
	}, opts...)
	return h, func() []gotRequest {
		mu.Lock()
		defer mu.Unlock()
		return append([]gotRequest(nil), got...)
	}
}

// replayCapture answers with a capture's response, its headers as sent (less the
// framing ones the server writes itself).
func replayCapture(c contract.Capture) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for k, vs := range c.RespHdr {
			switch k {
			case "Content-Length", "Connection", "Keep-Alive", "Transfer-Encoding":
				continue
			}
			w.Header()[k] = vs
		}
		w.WriteHeader(c.Status)
		_, _ = w.Write(c.Resp)
	}
}

// nangoControl are the headers Nango itself reads on /proxy.
var nangoControl = []string{"Connection-Id", "Provider-Config-Key", "Retries", "Retry-On", "Base-Url-Override", "Decompress"}

// proxyCall is the SDK call that sends a capture's request: its client
// arguments and options, and the caller's request.
type proxyCall struct {
	key, connID string
	opts        []ProxyOption
	req         *http.Request
	secret      string
}

func callForCapture(t *testing.T, c contract.Capture) proxyCall {
	t.Helper()
	u, err := url.Parse(c.URL)
	if err != nil {
		t.Fatal(err)
	}
	path, ok := strings.CutPrefix(u.EscapedPath(), "/proxy")
	if !ok {
		t.Fatalf("%s: not a /proxy URL: %s", c.Name, c.URL)
	}
	// The caller writes the provider's URL; its host is ignored.
	target := "https://api.provider.example" + path
	if u.RawQuery != "" {
		target += "?" + u.RawQuery
	}
	var body io.Reader
	if c.Body != nil {
		body = bytes.NewReader(c.Body)
	}
	req, err := http.NewRequest(c.Method, target, body)
	if err != nil {
		t.Fatal(err)
	}
	pc := proxyCall{key: c.Header.Get("Provider-Config-Key"), connID: c.Header.Get("Connection-Id"), req: req, secret: testKey}
	if pc.key == "" {
		pc.key, pc.connID = "github", "user@example.com" // 367 left them out; the SDK cannot
	}
	if auth := c.Header.Get("Authorization"); auth != "Bearer <SECRET-KEY>" {
		pc.secret = strings.TrimPrefix(auth, "Bearer ")
	}
	for k, vs := range c.Header {
		switch {
		case strings.HasPrefix(k, "Nango-Proxy-"):
			req.Header[strings.TrimPrefix(k, "Nango-Proxy-")] = vs
		case k == "Content-Type":
			req.Header[k] = vs
		case k == "Retries":
			n, err := strconv.Atoi(vs[0])
			if err != nil {
				t.Fatal(err)
			}
			pc.opts = append(pc.opts, ProxyRetries(n))
		case k == "Retry-On":
			pc.opts = append(pc.opts, retryOnFromHeader(vs[0]))
		case k == "Base-Url-Override":
			pc.opts = append(pc.opts, ProxyBaseURLOverride(vs[0]))
		case k == "Decompress":
			pc.opts = append(pc.opts, decompressFromHeader(vs[0]))
		}
		// Accept and X-Not-Forwarded of 341 went to Nango unprefixed, to
		// show that Nango drops them; a proxy client sends no such header.
	}
	return pc
}

func retryOnFromHeader(v string) ProxyOption {
	var st []int
	for f := range strings.SplitSeq(v, ",") {
		n, err := strconv.Atoi(f)
		if err != nil {
			return func(*proxyConfig) error { return invalidArgument("Retry-On %q", v) }
		}
		st = append(st, n)
	}
	return ProxyRetryOn(st...)
}

func decompressFromHeader(v string) ProxyOption {
	b, err := strconv.ParseBool(v)
	if err != nil || (v != "true" && v != "false") {
		return func(*proxyConfig) error { return invalidArgument("Decompress %q", v) }
	}
	return ProxyDecompress(b)
}

// checkRewritten compares what Nango got with what curl sent in the capture.
func checkRewritten(t *testing.T, c contract.Capture, pc proxyCall, got gotRequest) {
	t.Helper()
	u, _ := url.Parse(c.URL)
	if got.method != c.Method || got.path != u.EscapedPath() || got.query != u.RawQuery {
		t.Errorf("Nango got %s %s?%s, want %s %s?%s", got.method, got.path, got.query, c.Method, u.EscapedPath(), u.RawQuery)
	}
	if a := got.header.Get("Authorization"); a != "Bearer "+pc.secret {
		t.Errorf("Authorization to Nango = %q, want the secret key", a)
	}
	for _, k := range nangoControl {
		want := c.Header.Get(k)
		if want == "" && (k == "Connection-Id" || k == "Provider-Config-Key") {
			continue
		}
		if g := got.header.Get(k); g != want {
			t.Errorf("%s = %q, want %q", k, g, want)
		}
	}
	wantProxied, gotProxied := map[string]string{}, map[string]string{}
	for k, vs := range c.Header {
		if strings.HasPrefix(k, "Nango-Proxy-") {
			wantProxied[k] = strings.Join(vs, ",")
		}
	}
	for k, vs := range got.header {
		if strings.HasPrefix(k, "Nango-Proxy-") {
			gotProxied[k] = strings.Join(vs, ",")
		}
	}
	if fmt.Sprint(gotProxied) != fmt.Sprint(wantProxied) {
		t.Errorf("Nango-Proxy-* headers = %v, want %v", gotProxied, wantProxied)
	}
	if g, w := got.header.Get("Content-Type"), c.Header.Get("Content-Type"); g != w {
		t.Errorf("Content-Type = %q, want %q", g, w)
	}
	if !bytes.Equal(got.body, c.Body) {
		t.Errorf("body = %q, want %q", got.body, c.Body)
	}
}

// nangoErrorCaptures are the captures where Nango answered itself, and
// what the error must say.
var nangoErrorCaptures = map[string]struct {
	status int
	code   string
	is     []error
	issues int
}{
	"367-err-proxy-missing-headers":                {400, "invalid_headers", nil, 2},
	"369-err-proxy-upstream-unreachable-retries-1": {500, "ECONNREFUSED", nil, 0},
	"370-err-proxy-wrong-key":                      {401, "unknown_account", []error{ErrUnauthorized}, 0},
	"371-err-proxy-invalid-retry-on-and-base-url":  {400, "invalid_headers", nil, 3},
	"372-proxy-no-base-url-override-offline":       {400, "base_url_override_not_allowed", nil, 0},
}

func TestProxyCaptures(t *testing.T) {
	caps, err := contract.LoadCaptures("testdata/real-nango")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range caps {
		if !strings.Contains(c.Name, "proxy") {
			continue
		}
		n++
		t.Run(c.Name, func(t *testing.T) {
			pc := callForCapture(t, c)
			h, got := proxyNango(t, replayCapture(c))
			client := h.client
			if pc.secret != testKey {
				client, err = New(pc.secret, WithHost(h.srv.URL))
				if err != nil {
					t.Fatal(err)
				}
			}
			want, nangoErr := nangoErrorCaptures[c.Name]
			resp, err := client.ProxyClient(pc.key, pc.connID, pc.opts...).Do(pc.req)
			if c.Name == "371-err-proxy-invalid-retry-on-and-base-url" {
				// Refused here, before Nango could refuse it.
				if !errors.Is(err, ErrInvalidArgument) || len(got()) != 0 {
					t.Fatalf("err = %v after %d requests, want ErrInvalidArgument before any", err, len(got()))
				}
				pc = callForCapture(t, c)
				pc.opts = nil
				resp, err = client.ProxyClient(pc.key, pc.connID).Do(pc.req)
			} else if reqs := got(); len(reqs) != 1 {
				t.Fatalf("Nango got %d requests, want 1", len(reqs))
			} else {
				checkRewritten(t, c, pc, reqs[0])
			}
			if nangoErr {
				var apiErr *APIError
				if !errors.As(err, &apiErr) {
					t.Fatalf("err = %v (response %v), want an *APIError", err, resp)
				}
				if apiErr.StatusCode != want.status || apiErr.Code != want.code || len(apiErr.Issues) != want.issues {
					t.Errorf("got %d %q with %d issues, want %d %q with %d", apiErr.StatusCode, apiErr.Code, len(apiErr.Issues), want.status, want.code, want.issues)
				}
				for _, s := range append(want.is, ErrProxy) {
					if !errors.Is(err, s) {
						t.Errorf("%v does not match %v", err, s)
					}
				}
				if errors.Is(err, ErrNotFound) {
					t.Errorf("%v matches ErrNotFound", err)
				}
				checkNoSecret(t, pc.secret, err)
				return
			}
			if err != nil {
				t.Fatalf("err = %v, want the upstream's answer", err)
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != c.Status || !bytes.Equal(body, c.Resp) {
				t.Errorf("got %d %q, want %d %q", resp.StatusCode, body, c.Status, c.Resp)
			}
			for _, k := range []string{"Content-Type", "Retry-After", "X-Upstream-Custom", "Set-Cookie"} {
				if g, w := resp.Header.Get(k), c.RespHdr.Get(k); g != w {
					t.Errorf("%s = %q, want %q", k, g, w)
				}
			}
			if resp.Request != pc.req {
				t.Errorf("resp.Request is not the caller's request")
			}
		})
	}
	if n != 30 {
		t.Errorf("%d proxy captures, want 30", n)
	}
}

// checkNoSecret fails if the key shows in the error under any verb.
func checkNoSecret(t *testing.T, secret string, err error) {
	t.Helper()
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		if s := fmt.Sprintf(verb, err); strings.Contains(s, secret) {
			t.Errorf("%s of the error shows the secret key: %s", verb, s)
		}
	}
}

// nangoHeaders are the headers of Nango's own error answers (367).
func nangoHeaders(w http.ResponseWriter) {
	for k, v := range map[string]string{
		"X-Xss-Protection": "0", "X-Content-Type-Options": "nosniff", "X-Frame-Options": "SAMEORIGIN",
		"X-Ratelimit-Limit": "100000", "X-Ratelimit-Remaining": "99989",
		"Access-Control-Allow-Origin": "*", "Etag": `W/"115-1sO5jabhvcEreybbnsVMaqFwc8g"`,
		"Content-Type": "application/json; charset=utf-8",
	} {
		w.Header().Set(k, v)
	}
}

func TestProxyErrorOrAnswer(t *testing.T) {
	big := `{"error":{"code":"server_error","message":"` + strings.Repeat("x", maxProxyErrorPeek) + `"}}`
	cases := []struct {
		name        string
		status      int
		contentType string
		body        string
		nango       bool
		is          []error
	}{
		// Nango's own, from nango-api.md (no capture of these two).
		{"unknown connection", 400, "", `{"error":{"code":"server_error","message":"Failed to get connection"}}`, true, []error{ErrNotFound}},
		{"unknown integration", 404, "", `{"error":{"code":"unknown_provider_config","message":"Provider does not exists"}}`, true, []error{ErrUnknownProviderConfig}},
		{"missing key", 401, "", `{"error":{"message":"Authentication failed. The request is missing the Authorization header.","code":"missing_auth_header","payload":{}}}`, true, []error{ErrUnauthorized}},
		{"Nango rate limit", 429, "", `{"error":{"code":"too_many_request"}}`, true, []error{ErrRateLimited}},
		{"connection reset", 500, "", `{"message":"socket hang up","code":"ECONNRESET","method":"post"}`, true, nil},
		// The provider's, relayed.
		{"Microsoft Graph", 404, "", `{"error":{"code":"itemNotFound","message":"x","innerError":{"date":"2026-01-01"}}}`, false, nil},
		{"Stripe", 404, "", `{"error":{"code":"resource_missing","message":"x","type":"invalid_request_error"}}`, false, nil},
		{"Google", 404, "", `{"error":{"code":404,"message":"x","status":"NOT_FOUND"}}`, false, nil},
		{"OpenAI", 500, "", `{"error":{"message":"x","type":"server_error","param":null,"code":null}}`, false, nil},
		{"known code, foreign key", 400, "", `{"error":{"code":"server_error","message":"x","details":[]}}`, false, nil},
		{"known code, second top-level key", 400, "", `{"error":{"code":"server_error"},"ok":false}`, false, nil},
		{"Slack", 400, "", `{"ok":false,"error":"invalid_auth"}`, false, nil},
		{"lower-case errno", 500, "", `{"message":"x","code":"econnrefused","method":"get"}`, false, nil},
		{"four keys", 500, "", `{"message":"x","code":"ECONNREFUSED","method":"get","stack":"y"}`, false, nil},
		{"HTML", 502, "text/html", `<html><title>Bad gateway</title></html>`, false, nil},
		{"Nango's shape as text", 400, "text/plain", `{"error":{"code":"server_error","message":"Failed to get connection"}}`, false, nil},
		{"Nango's shape on a 2xx", 200, "", `{"error":{"code":"server_error"}}`, false, nil},
		{"over the peek", 500, "", big, false, nil},
		{"empty", 500, "", ``, false, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, _ := proxyNango(t, func(w http.ResponseWriter, r *http.Request) {
				nangoHeaders(w)
				if tc.contentType != "" {
					w.Header().Set("Content-Type", tc.contentType)
				}
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, tc.body)
			})
			resp, err := h.client.ProxyClient("github", "user-1").Get("https://api.github.com/user")
			if tc.nango {
				var apiErr *APIError
				if !errors.As(err, &apiErr) || apiErr.StatusCode != tc.status {
					t.Fatalf("err = %v, want an *APIError with status %d", err, tc.status)
				}
				for _, s := range append(tc.is, ErrProxy) {
					if !errors.Is(err, s) {
						t.Errorf("%v does not match %v", err, s)
					}
				}
				checkNoSecret(t, testKey, err)
				return
			}
			if err != nil {
				t.Fatalf("err = %v, want the provider's answer", err)
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.status || string(body) != tc.body {
				t.Errorf("got %d and %d bytes, want %d and %d", resp.StatusCode, len(body), tc.status, len(tc.body))
			}
		})
	}
}

func TestProxyRewrite(t *testing.T) {
	cases := []struct {
		name   string
		host   string // WithHost path, "" for none
		url    string
		header http.Header
		wantP  string
		wantQ  string
		want   http.Header // "" value: must be absent
	}{
		{"relative URL", "", "/user?x=1", nil, "/proxy/user", "x=1", nil},
		{"any host", "", "http://example.invalid:1/a/b", nil, "/proxy/a/b", "", nil},
		{"escaped path kept", "", "https://h/a%2Fb/c%20d?x=1&x=2&y=%26", nil, "/proxy/a%2Fb/c%20d", "x=1&x=2&y=%26", nil},
		{"root", "", "https://h", nil, "/proxy/", "", nil},
		{"base path", "/nango", "https://h/v1/x", nil, "/nango/proxy/v1/x", "", nil},
		{"headers", "", "https://h/x", http.Header{
			"Authorization":         {"Bearer client-supplied"},
			"Accept":                {"application/vnd.github+json"},
			"User-Agent":            {"mine/1"},
			"X-Multi":               {"a", "b"},
			"Nango-Proxy-Already":   {"kept"},
			"Connection":            {"X-Hop"},
			"X-Hop":                 {"dropped"},
			"Keep-Alive":            {"timeout=5"},
			"Te":                    {"trailers"},
			"Upgrade":               {"h2c"},
			"Proxy-Authorization":   {"Basic eDp5"},
			"Accept-Encoding":       {"br"},
			"Content-Type":          {"text/csv"},
			"Connection-Id":         {"not-for-nango"},
			"Nango-Proxy-Retries-X": {"1"},
		}, "/proxy/x", "", http.Header{
			"Authorization":                     {"Bearer " + testKey},
			"Nango-Proxy-Authorization":         {"Bearer client-supplied"},
			"Nango-Proxy-Accept":                {"application/vnd.github+json"},
			"Nango-Proxy-User-Agent":            {"mine/1"},
			"Nango-Proxy-X-Multi":               {"a,b"},
			"Nango-Proxy-Already":               {"kept"},
			"Nango-Proxy-Connection-Id":         {"not-for-nango"},
			"Connection-Id":                     {"user-1"},
			"Content-Type":                      {""}, // no body: the type is the provider's
			"Nango-Proxy-Content-Type":          {"text/csv"},
			"Nango-Proxy-X-Hop":                 {""},
			"Nango-Proxy-Connection":            {""},
			"Nango-Proxy-Keep-Alive":            {""},
			"Nango-Proxy-Te":                    {""},
			"Nango-Proxy-Upgrade":               {""},
			"Nango-Proxy-Proxy-Authorization":   {""},
			"Nango-Proxy-Accept-Encoding":       {""},
			"Nango-Proxy-Nango-Proxy-Already":   {""},
			"User-Agent":                        {"nango-go/" + Version},
			"Nango-Proxy-Nango-Proxy-Retries-X": {""},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			var got []gotRequest
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				got = append(got, gotRequest{r.Method, r.URL.EscapedPath(), r.URL.RawQuery, r.Header.Clone(), nil})
				mu.Unlock()
			}))
			defer srv.Close()
			client, err := New(testKey, WithHost(srv.URL+tc.host))
			if err != nil {
				t.Fatal(err)
			}
			req, err := http.NewRequest(http.MethodGet, tc.url, nil)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tc.header {
				req.Header[k] = v
			}
			before := req.Header.Clone()
			resp, err := client.ProxyClient("github", "user-1").Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if len(got) != 1 {
				t.Fatalf("%d requests", len(got))
			}
			if got[0].path != tc.wantP || got[0].query != tc.wantQ {
				t.Errorf("Nango got %s?%s, want %s?%s", got[0].path, got[0].query, tc.wantP, tc.wantQ)
			}
			for k, v := range tc.want {
				if g := strings.Join(got[0].header.Values(k), ","); g != v[0] && !(k == "User-Agent" && strings.HasPrefix(g, v[0])) {
					t.Errorf("%s = %q, want %q", k, g, v[0])
				}
			}
			if fmt.Sprint(req.Header) != fmt.Sprint(before) {
				t.Errorf("the caller's request was changed: %v", req.Header)
			}
		})
	}
}

func TestProxyRefusedBeforeSending(t *testing.T) {
	cases := []struct {
		name    string
		key, id string
		opts    []ProxyOption
		url     string
	}{
		{"empty key", "", "user-1", nil, "https://h/x"},
		{"empty id", "github", "", nil, "https://h/x"},
		{"control character", "github", "a\nb", nil, "https://h/x"},
		{"dot-dot", "github", "user-1", nil, "https://h/a/../connections"},
		{"escaped dot-dot", "github", "user-1", nil, "https://h/%2e%2E/connections"},
		{"dot", "github", "user-1", nil, "https://h/./x"},
		{"negative retries", "github", "user-1", []ProxyOption{ProxyRetries(-1)}, "https://h/x"},
		{"no status", "github", "user-1", []ProxyOption{ProxyRetryOn()}, "https://h/x"},
		{"not a status", "github", "user-1", []ProxyOption{ProxyRetryOn(404, 5000)}, "https://h/x"},
		{"not a URL", "github", "user-1", []ProxyOption{ProxyBaseURLOverride("not a url")}, "https://h/x"},
		{"no scheme", "github", "user-1", []ProxyOption{ProxyBaseURLOverride("api.example.com")}, "https://h/x"},
		{"ftp", "github", "user-1", []ProxyOption{ProxyBaseURLOverride("ftp://api.example.com")}, "https://h/x"},
		{"user info", "github", "user-1", []ProxyOption{ProxyBaseURLOverride("https://u:p@api.example.com")}, "https://h/x"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, got := proxyNango(t, respond(200, "text/plain", "ok"))
			body := &closeRecorder{Reader: strings.NewReader("body")}
			req, err := http.NewRequest(http.MethodPost, tc.url, body)
			if err != nil {
				t.Fatal(err)
			}
			_, err = h.client.ProxyClient(tc.key, tc.id, tc.opts...).Do(req)
			if !errors.Is(err, ErrInvalidArgument) {
				t.Fatalf("err = %v, want ErrInvalidArgument", err)
			}
			if n := len(got()); n != 0 {
				t.Errorf("Nango got %d requests", n)
			}
			if !body.closed {
				t.Error("the request body was not closed")
			}
		})
	}
	// And the valid ones pass.
	h, got := proxyNango(t, respond(200, "text/plain", "ok"))
	resp, err := h.client.ProxyClient("github", "user-1", ProxyRetries(0), ProxyRetryOn(404, 409),
		ProxyBaseURLOverride("https://api.example.com/v2"), ProxyDecompress(true), nil).Get("https://h/x")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	hd := got()[0].header
	for k, v := range map[string]string{"Retries": "0", "Retry-On": "404,409", "Base-Url-Override": "https://api.example.com/v2", "Decompress": "true"} {
		if hd.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, hd.Get(k), v)
		}
	}
}

type closeRecorder struct {
	io.Reader
	closed bool
}

func (c *closeRecorder) Close() error { c.closed = true; return nil }

// TestProxyStreams shows that neither body is held whole in memory: each
// side waits for the other to see the first part before sending the rest,
// which would deadlock if the proxy client buffered.
func TestProxyStreams(t *testing.T) {
	const part = 1 << 20
	gotFirst := make(chan struct{})
	readFirst := make(chan struct{})
	var received int64
	h, _ := proxyNango(t, func(w http.ResponseWriter, r *http.Request) {}) // replaced below
	h.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.CopyN(io.Discard, r.Body, part)
		close(gotFirst)
		m, _ := io.Copy(io.Discard, r.Body)
		received = n + m
		w.Header().Set("Content-Type", "application/octet-stream")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(bytes.Repeat([]byte("a"), part))
		w.(http.Flusher).Flush()
		select {
		case <-readFirst:
		case <-time.After(10 * time.Second):
			return
		}
		_, _ = w.Write(bytes.Repeat([]byte("b"), part))
	})
	pr, pw := io.Pipe()
	go func() {
		_, _ = pw.Write(bytes.Repeat([]byte("x"), part))
		select {
		case <-gotFirst:
		case <-time.After(10 * time.Second):
			pw.CloseWithError(errors.New("Nango never saw the first part: the body was buffered"))
			return
		}
		_, _ = pw.Write(bytes.Repeat([]byte("y"), part))
		pw.Close()
	}()
	req, _ := http.NewRequest(http.MethodPut, "https://h/upload", pr)
	resp, err := h.client.ProxyClient("github", "user-1").Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if _, err := io.CopyN(io.Discard, resp.Body, part); err != nil {
		t.Fatal(err)
	}
	close(readFirst)
	rest, err := io.ReadAll(resp.Body)
	if err != nil || len(rest) != part || rest[0] != 'b' {
		t.Fatalf("second part: %d bytes, %v", len(rest), err)
	}
	if received != 2*part {
		t.Errorf("Nango received %d bytes, want %d", received, 2*part)
	}
}

func TestProxyContextCancel(t *testing.T) {
	arrived := make(chan struct{})
	h, _ := proxyNango(t, func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-r.Context().Done()
	})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-arrived; cancel() }()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://h/slow", nil)
	_, err := h.client.ProxyClient("github", "user-1").Do(req)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	checkNoSecret(t, testKey, err)
}

func TestProxyDoesNotFollowRedirects(t *testing.T) {
	var elsewhere int
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { elsewhere++ }))
	defer other.Close()
	for _, loc := range []string{other.URL + "/proxy/x", "/proxy/y"} {
		h, got := proxyNango(t, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, loc, http.StatusTemporaryRedirect)
		})
		req, _ := http.NewRequest(http.MethodPost, "https://h/x", strings.NewReader("body"))
		resp, err := h.client.ProxyClient("github", "user-1").Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusTemporaryRedirect || resp.Header.Get("Location") == "" {
			t.Errorf("%s: got %d, want the 307 itself", loc, resp.StatusCode)
		}
		if len(got()) != 1 {
			t.Errorf("%s: Nango got %d requests, want 1", loc, len(got()))
		}
	}
	if elsewhere != 0 {
		t.Errorf("the other host got %d requests", elsewhere)
	}
}

func TestProxyNoSecretInLogs(t *testing.T) {
	var mu sync.Mutex
	var logs bytes.Buffer
	h, _ := proxyNango(t, jsonBody(400, `{"error":{"code":"invalid_headers","errors":[]}}`), WithLogger(newTestLogger(&logs, &mu)))
	_, err := h.client.ProxyClient("github", "user-1").Get("https://h/repos/x?token=caller-secret")
	if !errors.Is(err, ErrProxy) {
		t.Fatalf("err = %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(logs.String(), "/proxy/{path}") {
		t.Errorf("no log of the request: %s", logs.String())
	}
	for _, s := range []string{testKey, "caller-secret", "repos"} {
		if strings.Contains(logs.String(), s) {
			t.Errorf("the log shows %q: %s", s, logs.String())
		}
	}
}

// TestProxyBaseURLOverrideHidesPassword: a URL refused by the option is
// quoted without the password it may hold.
func TestProxyBaseURLOverrideHidesPassword(t *testing.T) {
	var p proxyConfig
	err := ProxyBaseURLOverride("ftp://user:hunter2@example.com/x")(&p)
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("err = %v", err)
	}
}
