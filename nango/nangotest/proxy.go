package nangotest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/nango-go/sdk/gen"
	"github.com/nango-go/sdk/nango"
)

// proxyTargets are a fake's upstreams, by provider config key.
type proxyTargets struct {
	mu  sync.Mutex
	url map[string]string
}

// SetProxyUpstream makes the fake's /proxy send the requests of the
// integration providerConfigKey to upstream (an httptest server's URL, say),
// as Nango sends them to the provider's base URL. A request's
// Base-Url-Override wins over it, as in Nango.
//
// The fake proxies like Nango: it adds the connection's credentials (Bearer
// access token for OAUTH2, OAUTH2_CC and APP, Bearer key for API_KEY, Basic
// for BASIC, nothing for a connection without credentials, and no signature
// for OAUTH1 and TBA, which it cannot make), unless the request has
// Nango-Proxy-Authorization; it strips the Nango-Proxy- prefix of the
// headers and drops the others; it sends a form body on as JSON; it retries
// as Retries and Retry-On say, without Nango's waits. It relays a success
// with its status, body and Content-Type only, and an error with all of the
// upstream's headers. Unlike Nango it lets a Base-Url-Override point at
// loopback, where tests' servers are.
func (f *Fake) SetProxyUpstream(providerConfigKey, upstream string) {
	t := &f.proxy
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.url == nil {
		t.url = map[string]string{}
	}
	t.url[providerConfigKey] = upstream
}

func (f *Fake) proxyUpstream(providerConfigKey string) string {
	t := &f.proxy
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.url[providerConfigKey]
}

var retryOnPattern = regexp.MustCompile(`^\d+(,\d+)*$`)

// proxyClient calls the upstreams; like Nango's, it follows redirects.
var proxyClient = &http.Client{}

const proxyPrefix = "Nango-Proxy-"

// serveProxy answers ANY /proxy/{path} as Nango does.
func (f *Fake) serveProxy(w http.ResponseWriter, r *http.Request) {
	env := f.authorized(w, r)
	if env == nil {
		return
	}
	key, id := r.Header.Get("Provider-Config-Key"), r.Header.Get("Connection-Id")
	var issues []gen.ValidationIssue
	missing := func(name string) {
		issues = append(issues, issue("invalid_type", "Invalid input: expected string, received undefined", name))
	}
	if key == "" {
		missing("provider-config-key")
	}
	if id == "" {
		missing("connection-id")
	}
	override := r.Header.Get("Base-Url-Override")
	if override != "" {
		if u, err := url.Parse(override); err != nil || u.Scheme == "" || u.Host == "" {
			issues = append(issues, issue("invalid_union", "Invalid input", "base-url-override"))
		}
	}
	if d := r.Header.Get("Decompress"); d != "" && d != "true" && d != "false" {
		issues = append(issues, issue("invalid_value", `Invalid option: expected one of "true"|"false"`, "decompress"))
	}
	retries := 0
	if v := r.Header.Get("Retries"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			issues = append(issues, issue("invalid_type", "Invalid input: expected number, received NaN", "retries"))
		}
		retries = n
	}
	retryOn := map[int]bool{}
	if v := r.Header.Get("Retry-On"); v != "" {
		if !retryOnPattern.MatchString(v) {
			issues = append(issues, issue("invalid_format", `Invalid string: must match pattern /^\d+(,\d+)*$/`, "retry-on"))
		}
		for s := range strings.SplitSeq(v, ",") {
			n, _ := strconv.Atoi(s)
			retryOn[n] = true
		}
	}
	if issues != nil {
		writeError(w, http.StatusBadRequest, "invalid_headers", "", issues)
		return
	}
	env.mu.Lock()
	_, known := env.integrations[key]
	env.mu.Unlock()
	if !known {
		writeError(w, http.StatusNotFound, "unknown_provider_config", "Provider does not exists", nil)
		return
	}
	conn, found := env.Connection(key, id)
	if !found {
		writeError(w, http.StatusBadRequest, "server_error", "Failed to get connection", nil)
		return
	}
	base := override
	if base == "" {
		base = f.proxyUpstream(key)
	}
	if base == "" {
		writeJSON(w, http.StatusInternalServerError, map[string]string{
			"message": "getaddrinfo ENOTFOUND (nangotest: no upstream for " + key + "; call SetProxyUpstream)",
			"code":    "ENOTFOUND", "method": strings.ToLower(r.Method)})
		return
	}

	target := strings.TrimSuffix(base, "/") + "/" + strings.TrimPrefix(strings.TrimPrefix(r.URL.EscapedPath(), "/proxy"), "/")
	if r.URL.RawQuery != "" {
		target += "?" + r.URL.RawQuery
	}
	header := http.Header{}
	for k, vs := range r.Header {
		if name, ok := strings.CutPrefix(k, proxyPrefix); ok && name != "" {
			header[http.CanonicalHeaderKey(name)] = vs
		}
	}
	if header.Get("Authorization") == "" {
		if auth := upstreamAuth(conn); auth != "" {
			header.Set("Authorization", auth)
		}
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_body", "cannot read the body", nil)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && header.Get("Content-Type") == "" {
		header.Set("Content-Type", ct)
		if strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
			// Nango parses a form and sends it on as JSON (capture 375).
			form, _ := url.ParseQuery(string(body))
			obj := map[string]string{}
			for k := range form {
				obj[k] = form.Get(k)
			}
			body, _ = json.Marshal(obj)
			header.Set("Content-Type", "application/json")
		}
	}

	var resp *http.Response
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(r.Context(), r.Method, target, bytes.NewReader(body))
		if err != nil {
			writeError(w, http.StatusBadRequest, "invalid_uri_params", err.Error(), nil)
			return
		}
		if len(body) == 0 {
			req.Body, req.ContentLength = http.NoBody, 0
		}
		req.Header = header.Clone()
		resp, err = proxyClient.Do(req)
		if err != nil {
			if attempt < retries && r.Context().Err() == nil {
				continue
			}
			code := "ECONNREFUSED"
			if !errors.Is(err, syscall.ECONNREFUSED) {
				var dns *net.DNSError
				code = "ECONNRESET"
				if errors.As(err, &dns) {
					code = "ENOTFOUND"
				}
			}
			writeJSON(w, http.StatusInternalServerError, map[string]string{
				"message": "connect " + code + " " + req.URL.Host, "code": code, "method": strings.ToLower(r.Method)})
			return
		}
		st := resp.StatusCode
		if attempt < retries && (st >= 500 || st == http.StatusTooManyRequests || retryOn[st]) {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			continue
		}
		break
	}
	defer resp.Body.Close()
	if resp.StatusCode < 400 {
		if ct := resp.Header.Get("Content-Type"); ct != "" {
			w.Header().Set("Content-Type", ct)
		}
	} else {
		for k, vs := range resp.Header {
			if k != "Content-Length" && k != "Transfer-Encoding" && k != "Connection" {
				w.Header()[k] = vs
			}
		}
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, resp.Body)
}

// upstreamAuth is the Authorization header Nango adds for a connection, or
// "" (no credentials; OAuth 1 and TBA signatures are not made by the fake).
func upstreamAuth(conn nango.Connection) string {
	switch c := conn.Credentials.(type) {
	case nango.OAuth2Credentials:
		return "Bearer " + c.AccessToken
	case nango.AppCredentials:
		return "Bearer " + c.AccessToken
	case nango.OAuth2ClientCredentials:
		return "Bearer " + c.Token
	case nango.APIKeyCredentials:
		return "Bearer " + c.APIKey
	case nango.BasicCredentials:
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(c.Username+":"+c.Password))
	}
	return ""
}
