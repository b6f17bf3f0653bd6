package nangotest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/nango-go/sdk/nango"
)

// upstreamGot is what the test's provider received.
type upstreamGot struct {
	method, uri string
	header      http.Header
	body        string
}

// proxySetup runs a fake whose /proxy (served by serveProxy directly, not
// through the router) calls a recording upstream.
func proxySetup(t *testing.T, answer http.HandlerFunc) (*Fake, *nango.Client, func() []upstreamGot, string) {
	t.Helper()
	var mu sync.Mutex
	var got []upstreamGot
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, upstreamGot{r.Method, r.RequestURI, r.Header.Clone(), string(b)})
		mu.Unlock()
		answer(w, r)
	}))
	t.Cleanup(up.Close)
	f, err := NewFake(WithoutValidation())
	if err != nil {
		t.Fatal(err)
	}
	f.MustPut(OAuth2("github", "user-1", "gho_fake"))
	f.MustPut(APIKey("sendgrid", "sg-1", "SG.fake"))
	f.MustPut(Basic("anvil", "basic-1", "fakeuser", "fakepass"))
	f.MustPut(OAuth2CC("oauth2cc", "cc-1", "fake-cc-token", "cid", "csecret"))
	f.MustPut(Unauthenticated("unauthenticated", "none-1"))
	for _, k := range []string{"github", "sendgrid", "anvil", "oauth2cc", "unauthenticated"} {
		f.SetProxyUpstream(k, up.URL)
	}
	f.MustPut(OAuth2("no-upstream", "u-1", "t"))
	nangoSrv := httptest.NewServer(http.HandlerFunc(f.serveProxy))
	t.Cleanup(nangoSrv.Close)
	c, err := nango.New(f.SecretKey(), nango.WithHost(nangoSrv.URL))
	if err != nil {
		t.Fatal(err)
	}
	return f, c, func() []upstreamGot {
		mu.Lock()
		defer mu.Unlock()
		return append([]upstreamGot(nil), got...)
	}, nangoSrv.URL
}

func echo(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain")
	w.Header().Set("X-Upstream", "yes")
	io.WriteString(w, "ok")
}

func TestProxyAuthPerKind(t *testing.T) {
	cases := []struct{ key, id, auth string }{
		{"github", "user-1", "Bearer gho_fake"},
		{"sendgrid", "sg-1", "Bearer SG.fake"},                 // 347
		{"anvil", "basic-1", "Basic ZmFrZXVzZXI6ZmFrZXBhc3M="}, // 348
		{"oauth2cc", "cc-1", "Bearer fake-cc-token"},           // 349
		{"unauthenticated", "none-1", ""},                      // 350
	}
	for _, tc := range cases {
		t.Run(tc.key, func(t *testing.T) {
			f, c, got, _ := proxySetup(t, echo)
			req, _ := http.NewRequest(http.MethodGet, "https://api.example.com/a%2Fb/c?x=1&x=2&y=%26", nil)
			req.Header.Set("X-Custom", "forwarded")
			resp, err := c.ProxyClient(tc.key, tc.id).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || string(body) != "ok" || resp.Header.Get("X-Upstream") != "" || resp.Header.Get("Content-Type") != "text/plain" {
				t.Errorf("got %d %q %v; want 200 ok with the Content-Type alone", resp.StatusCode, body, resp.Header)
			}
			g := got()
			if len(g) != 1 {
				t.Fatalf("upstream got %d requests", len(g))
			}
			if g[0].uri != "/a%2Fb/c?x=1&x=2&y=%26" || g[0].header.Get("Authorization") != tc.auth || g[0].header.Get("X-Custom") != "forwarded" {
				t.Errorf("upstream got %s with %v", g[0].uri, g[0].header)
			}
			checkNoKey(t, f.SecretKey(), g)
		})
	}
}

// checkNoKey fails if the secret key reached the upstream anywhere.
func checkNoKey(t *testing.T, key string, got []upstreamGot) {
	t.Helper()
	for _, g := range got {
		all, _ := json.Marshal(g.header)
		if strings.Contains(string(all)+g.uri+g.body, key) {
			t.Errorf("the upstream saw the secret key: %s %s %s", g.uri, all, g.body)
		}
	}
}

func TestProxyBodiesAndOverride(t *testing.T) {
	f, c, got, _ := proxySetup(t, echo)
	pc := c.ProxyClient("github", "user-1")
	req, _ := http.NewRequest(http.MethodPost, "https://h/items", strings.NewReader(`{"name":"n1","n":2}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer client-supplied") // 376
	resp, err := pc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	req, _ = http.NewRequest(http.MethodPost, "https://h/form", strings.NewReader("a=1&b=two"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if resp, err = pc.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	g := got()
	if g[0].body != `{"name":"n1","n":2}` || g[0].header.Get("Authorization") != "Bearer client-supplied" || g[0].header.Get("Content-Type") != "application/json" {
		t.Errorf("JSON post: upstream got %q %v", g[0].body, g[0].header)
	}
	if g[1].body != `{"a":"1","b":"two"}` || g[1].header.Get("Content-Type") != "application/json" {
		t.Errorf("form post (375): upstream got %q %v", g[1].body, g[1].header)
	}
	checkNoKey(t, f.SecretKey(), g)
}

func TestProxyRelaysAndErrors(t *testing.T) {
	statuses := map[string]int{"/status/500": 500, "/status/404": 404, "/status/429": 429}
	upstream := func(w http.ResponseWriter, r *http.Request) {
		st := statuses[r.URL.Path]
		if st == 0 {
			echo(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Retry-After", "1")
		w.Header().Set("X-Upstream-Custom", "hello")
		w.WriteHeader(st)
		io.WriteString(w, `{"message":"not here"}`)
	}
	f, c, got, nangoURL := proxySetup(t, upstream)

	// An upstream error is an answer, with all its headers (353-360).
	resp, err := c.ProxyClient("github", "user-1").Get("https://h/status/404")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 404 || string(body) != `{"message":"not here"}` || resp.Header.Get("X-Upstream-Custom") != "hello" || resp.Header.Get("Retry-After") != "1" {
		t.Errorf("got %d %q %v", resp.StatusCode, body, resp.Header)
	}

	// Retries: 5xx and 429 by default, others with Retry-On (356-359).
	for _, tc := range []struct {
		path  string
		opts  []nango.ProxyOption
		tries int
	}{
		{"/status/500", []nango.ProxyOption{nango.ProxyRetries(2)}, 3},
		{"/status/429", []nango.ProxyOption{nango.ProxyRetries(1)}, 2},
		{"/status/404", []nango.ProxyOption{nango.ProxyRetries(2)}, 1},
		{"/status/404", []nango.ProxyOption{nango.ProxyRetries(2), nango.ProxyRetryOn(404)}, 3},
	} {
		before := len(got())
		resp, err := c.ProxyClient("github", "user-1", tc.opts...).Get("https://h" + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if n := len(got()) - before; n != tc.tries {
			t.Errorf("%s: upstream got %d requests, want %d", tc.path, n, tc.tries)
		}
	}

	// Nango's own errors.
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	other, _ := nango.New("3b241101-e2bb-4255-8caf-4136c566a962", nango.WithHost(nangoURL))
	for _, tc := range []struct {
		name string
		pc   *http.Client
		is   []error
		code string
	}{
		{"unknown connection", c.ProxyClient("github", "nobody"), []error{nango.ErrNotFound}, "server_error"},
		{"unknown integration", c.ProxyClient("nope", "user-1"), []error{nango.ErrUnknownProviderConfig}, "unknown_provider_config"},
		{"wrong key", other.ProxyClient("github", "user-1"), []error{nango.ErrUnauthorized}, "unknown_account"},
		{"unreachable", c.ProxyClient("github", "user-1", nango.ProxyBaseURLOverride(deadURL)), nil, "ECONNREFUSED"},
		{"no upstream", c.ProxyClient("no-upstream", "u-1"), nil, "ENOTFOUND"},
	} {
		_, err := tc.pc.Get("https://h/x")
		var apiErr *nango.APIError
		if !errors.As(err, &apiErr) || apiErr.Code != tc.code {
			t.Errorf("%s: err = %v, want code %s", tc.name, err, tc.code)
			continue
		}
		for _, s := range append(tc.is, nango.ErrProxy) {
			if !errors.Is(err, s) {
				t.Errorf("%s: %v does not match %v", tc.name, err, s)
			}
		}
		if strings.Contains(err.Error(), f.SecretKey()) {
			t.Errorf("%s: the error shows the key", tc.name)
		}
	}
	checkNoKey(t, f.SecretKey(), got())
}

func TestProxyInvalidHeaders(t *testing.T) {
	f, _, _, nangoURL := proxySetup(t, echo)
	// What only a hand-made request can send (367, 371).
	req, _ := http.NewRequest(http.MethodGet, nangoURL+"/proxy/x", nil)
	req.Header.Set("Authorization", "Bearer "+f.SecretKey())
	req.Header.Set("Retry-On", "5xx")
	req.Header.Set("Decompress", "yes")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		Error struct {
			Code   string
			Errors []struct{ Path []string }
		}
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err := json.Unmarshal(b, &body); err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, e := range body.Error.Errors {
		paths = append(paths, strings.Join(e.Path, "."))
	}
	if resp.StatusCode != 400 || body.Error.Code != "invalid_headers" ||
		strings.Join(paths, " ") != "provider-config-key connection-id decompress retry-on" {
		t.Errorf("got %d %s", resp.StatusCode, bytes.TrimSpace(b))
	}
}

// TestProxyThroughTheRouter: a fake started as users start it serves /proxy
// beside the spec's operations, and records the request.
func TestProxyThroughTheRouter(t *testing.T) {
	var upstreamAuthHeader string
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		upstreamAuthHeader = r.Header.Get("Authorization")
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"login":"octocat"}`)
	}))
	t.Cleanup(up.Close)
	srv := Start(t)
	srv.MustPut(OAuth2("github", "user-1", "gho_router"))
	srv.SetProxyUpstream("github", up.URL)
	hc := srv.Client().ProxyClient("github", "user-1")
	resp, err := hc.Get("https://api.github.com/user")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != `{"login":"octocat"}` || upstreamAuthHeader != "Bearer gho_router" {
		t.Fatalf("%d %s, upstream saw %q", resp.StatusCode, body, upstreamAuthHeader)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 || reqs[0].Path != "/proxy/user" {
		t.Errorf("requests: %+v", reqs)
	}
}
