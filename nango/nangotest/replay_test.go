package nangotest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nango-go/sdk/nango"
	"github.com/nango-go/sdk/nango/internal/contract"
)

const otherEnvKey = "22222222-2222-4222-8222-222222222222"

func numericPrefix(name string) float64 {
	p, _, _ := strings.Cut(name, "-")
	n, err := strconv.ParseFloat(strings.TrimRight(p, "abcde"), 64)
	if err != nil {
		return 1e9
	}
	return n + float64(len(p)-len(strings.TrimRight(p, "abcde")))*0.1
}

// TestReplayCaptures sends every request a real Nango server answered to the
// fake, in the order it was made, and expects the same status and, for
// errors, the same error code.
func TestReplayCaptures(t *testing.T) {
	caps, err := contract.LoadCaptures("../testdata/real-nango")
	if err != nil {
		t.Fatal(err)
	}
	// In the order the real run made them: by the server's Date, then by
	// number (19b was made after 48).
	date := func(c contract.Capture) time.Time { d, _ := http.ParseTime(c.RespHdr.Get("Date")); return d }
	sort.SliceStable(caps, func(i, j int) bool {
		if di, dj := date(caps[i]), date(caps[j]); !di.Equal(dj) {
			return di.Before(dj)
		}
		return numericPrefix(caps[i].Name) < numericPrefix(caps[j].Name)
	})

	var tick atomic.Int64
	clock := func() time.Time {
		return time.Date(2026, 11, 28, 14, 44, 0, 0, time.UTC).Add(time.Duration(tick.Add(1)) * time.Millisecond)
	}
	srv := Start(t, AllowInvalidRequests(), WithClock(clock))
	srv.AddEnvironment(otherEnvKey)
	// The integrations of the real server: imports check their auth mode.
	for _, i := range [][3]string{{"github", "github", "OAUTH2"}, {"twitter", "twitter", "OAUTH1"}, {"sendgrid", "sendgrid", "API_KEY"},
		{"github dev", "github", "OAUTH2"}, {"anvil", "anvil", "BASIC"}, {"oauth2cc", "8x8", "OAUTH2_CC"},
		{"netsuite-tba", "netsuite-tba", "TBA"}, {"unauthenticated", "unauthenticated", "NONE"}} {
		srv.AddIntegration(i[0], i[1], i[2])
	}

	// The session tokens the real server issued, mapped to the fake's: the
	// reads and deletes of a session replay with the token the fake gave
	// for the capture that created it.
	tokens := map[string]string{}
	errorCaptures, replayed, beyond := 0, 0, 0
	for _, c := range caps {
		// The proxy and the Connect UI's /api-auth routes are not operations
		// of openapi.yaml (nor of the fake): skipped by path.
		u, err := url.Parse(c.URL)
		if err != nil || !slices.ContainsFunc([]string{"/connection", "/connect/", "/integrations", "/providers"}, func(p string) bool { return strings.HasPrefix(u.Path, p) }) {
			continue
		}
		if !strings.HasPrefix(u.Path, "/connection") {
			beyond++
		}
		// The session and webhook captures ran on a second instance with
		// the same database (see the captures' notes).
		c.URL = strings.Replace(c.URL, "http://127.0.0.1:3004", "http://127.0.0.1:3003", 1)
		switch c.Name {
		case "20-get-connection-list":
			// Written between 16 and 20 by the real run, without a capture.
			// Its metadata reads as null: it predates them.
			if err := srv.PutJSON([]byte(`{"provider_config_key":"github","connection_id":"legacy-imported","metadata":null,"credentials":{"type":"OAUTH2","access_token":"t"}}`)); err != nil {
				t.Fatal(err)
			}
		case "100-get-connections-list-tags-filter":
			// Likewise a metadata update between 98 and 100.
			if err := srv.Client().UpdateMetadata(context.Background(), "github", "user@example.com", nango.Metadata{"region": "eu"}); err != nil {
				t.Fatalf("metadata update: %v", err)
			}
		case "708-get-integration-functions":
			// Deployed with the CLI before 708 (see the notes of 696):
			// the functions 708 lists.
			deployCapturedFunctions(t, srv.Fake, c.Resp)
		case "200-post-connections-basic-anvil":
			// The captures from 200 on were made against a fresh database,
			// filled by runs of the SDK that were not captured.
			seedSecondSession(srv)
		case "259-get-connections-after-metadata-writes":
			// Between 256 and 259 the deprecated per-id routes wrote a+b's
			// metadata; their captures were lost.
			for _, w := range []struct{ method, body string }{{http.MethodPost, `{"old":1}`}, {http.MethodPatch, `{"old2":2}`}} {
				req, _ := http.NewRequest(w.method, srv.URL+"/connection/a+b/metadata?provider_config_key=github", strings.NewReader(w.body))
				req.Header.Set("Authorization", "Bearer "+srv.SecretKey())
				req.Header.Set("Content-Type", "application/json")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode/100 != 2 {
					t.Fatalf("%s per-id metadata: %d", w.method, resp.StatusCode)
				}
			}
		}
		// A fault the test injects answers with the fault's body, not
		// the real server's: only its status and code are compared.
		injected := true
		switch c.Name {
		case "42-get-connection-with-refresh-token-force_refresh", "55-get-connections-v2-with-refresh-token-force_refresh":
			// The real provider refused to refresh the fake token; the fake
			// has no provider, so the test plays its part.
			srv.FailConnection("github", "with-refresh-token", 1, InvalidCredentials(400))
		case "56-get-connection-after-failed-refresh":
			// Nango then backs off from refreshing for a while.
			srv.FailConnection("github", "with-refresh-token", 1, InvalidCredentials(424))
		case "95-rate-limited-429":
			srv.FailNext(1, RateLimited(time.Second))
		default:
			injected = false
		}
		replayed++
		t.Run(c.Name, func(t *testing.T) {
			req, err := c.Request(srv.URL, srv.SecretKey(), otherEnvKey)
			if err != nil {
				t.Fatal(err)
			}
			if tok := bearer(req); tokens[tok] != "" {
				req.Header.Set("Authorization", "Bearer "+tokens[tok])
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != c.Status {
				t.Fatalf("status %d, real Nango %d\nfake: %s\nreal: %s", resp.StatusCode, c.Status, body, c.Resp)
			}
			if c.Status >= 400 {
				errorCaptures++
				if got, want := errorCode(body), errorCode(c.Resp); got != want || want == "" {
					t.Errorf("code %q, real Nango %q", got, want)
				}
				if os.Getenv("NANGOTEST_SHOW") != "" {
					t.Logf("fake: %s", body)
				}
				if got, want := issues(body), issues(c.Resp); want != "" && got != want {
					t.Errorf("validation issues:\nfake: %s\nreal: %s", got, want)
				}
				var got, want map[string]any
				_ = json.Unmarshal(body, &got)
				_ = json.Unmarshal(c.Resp, &want)
				if g, w := shape(got), shape(want); g != w && !injected {
					t.Errorf("shape of the error:\nfake: %s\nreal: %s", g, w)
				}
				return
			}
			if c.Status == http.StatusNoContent {
				if len(body) != 0 {
					t.Errorf("204 with a body: %s", body)
				}
				return
			}
			if os.Getenv("NANGOTEST_SHOW") != "" {
				t.Logf("fake: %s", body)
			}
			var got, want map[string]any
			_ = json.Unmarshal(body, &got)
			_ = json.Unmarshal(c.Resp, &want)
			if realTok, fakeTok := sessionToken(want), sessionToken(got); realTok != "" && fakeTok != "" {
				tokens[realTok] = fakeTok
			}
			if strings.HasPrefix(u.Path, "/providers/") {
				// The fake's provider catalog is a stub: it has a part of
				// the template's properties, each in the real shape.
				if g, w := shape(got), shape(subset(want, got)); g != w || len(got) == 0 {
					t.Errorf("shape of the answer:\nfake: %s\nreal: %s", g, w)
				}
			} else if g, w := shape(got), shape(want); g != w {
				t.Errorf("shape of the answer:\nfake: %s\nreal: %s", g, w)
			}
			if ids(got) != ids(want) {
				t.Errorf("fake answered %s\nreal Nango %s", ids(got), ids(want))
			}
		})
	}
	if errorCaptures < 25 || replayed < 120 || beyond < 20 {
		t.Errorf("only %d captures replayed, %d of them errors, %d of sessions, integrations and providers", replayed, errorCaptures, beyond)
	}
	if len(tokens) < 4 {
		t.Errorf("%d session tokens mapped, want one per created session", len(tokens))
	}
}

// seedSecondSession puts the connections the real server held when the
// captures from 200 on were made (read from those captures), in the order
// they were created.
func seedSecondSession(srv *Server) {
	srv.mu.Lock()
	clear(srv.conns)
	clear(srv.integrations)
	srv.mu.Unlock()
	// Its integrations, as 390 lists them.
	for _, i := range [][4]string{{"github", "github", "OAUTH2", "GitHub (User OAuth)"}, {"twitter", "twitter", "OAUTH1", "Twitter (v1)"},
		{"sendgrid", "sendgrid", "API_KEY", "SendGrid"}, {"anvil", "anvil", "BASIC", "Anvil"}, {"oauth2cc", "8x8", "OAUTH2_CC", "8x8"},
		{"netsuite-tba", "netsuite-tba", "TBA", "NetSuite (TBA)"}, {"unauthenticated", "unauthenticated", "NONE", "Unauthenticated"},
		{"apple-app-store", "apple-app-store", "JWT", "Apple App Store"}, {"github-app", "github-app", "APP", "GitHub (App)"}} {
		var opts []IntegrationOption
		if i[0] == "github" {
			// As 392 shows them.
			opts = append(opts, OAuthClient{ID: "fake-github-client-id", Secret: "fake-github-client-secret", Scopes: []string{"repo", "user"}})
		}
		srv.AddIntegration(i[0], i[1], i[2], append(opts, DisplayName(i[3]))...)
	}
	id255 := strings.Repeat("x", 250) + "-255c"
	for _, c := range []nango.Connection{
		OAuth2("github", "user@example.com", "t1", Tags{"team": "core"}, Metadata{"n": 1, "plan": "pro", "region": "eu"}),
		OAuth2("github", "spaces here", "t2", Tags{"x": "y", "team": "core"}, Metadata{"multi": true}),
		OAuth2("github", "a/b", "t8"),
		OAuth2("github", "a+b", "t3", Tags{"l": "1"}, Metadata{"x": 1}),
		OAuth2("github", id255, "t4"),
		OAuth2("github", "cap-del/slash", "t5"),
		OAuth2("github", "with-enduser", "t6", Tags{"env": "test", "team": "core"}, EndUser{ID: "eu-1", Email: "eu1@example.com",
			DisplayName: "End User 1", Tags: map[string]string{"plan": "gold"}, Organization: &nango.EndUserOrganization{ID: "org-1", DisplayName: "Org 1"}}),
		JWT("apple-app-store", "jwt-1", "fake-jwt-token"),
		App("github-app", "app-1", "ghs_fake_app_token"),
		OAuth2("github", "sdk-imported", "t7", Tags{"team": "core"}, Metadata{"src": "sdk"}),
		OAuth1("twitter", "sdk-tw", "o", "s"),
	} {
		srv.MustPut(c)
	}
}

// sessionToken is the token of a session creation's answer.
func sessionToken(m map[string]any) string {
	d, _ := m["data"].(map[string]any)
	s, _ := d["token"].(string)
	return s
}

// subset is want with only the keys of the object got has (in "data" too).
func subset(want, got map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range want {
		g, ok := got[k]
		if !ok {
			continue
		}
		wm, wok := v.(map[string]any)
		gm, gok := g.(map[string]any)
		if k == "data" && wok && gok {
			v = subset(wm, gm)
		}
		out[k] = v
	}
	return out
}

// shape describes a JSON value without its data: the keys of objects, and
// whether each value is null, an object, an array, a string, a number or a
// boolean. The contents of free-form objects (credentials, metadata, tags,
// connection config) are left out: they hold whatever was written.
func shape(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			switch child := v[k].(type) {
			case map[string]any:
				if k == "credentials" || k == "metadata" || k == "tags" || k == "connection_config" {
					parts[i] = k + ":{…}"
					continue
				}
				parts[i] = k + ":" + shape(child)
			default:
				parts[i] = k + ":" + shape(child)
			}
		}
		return "{" + strings.Join(parts, ",") + "}"
	case []any:
		if len(v) == 0 {
			return "[]"
		}
		return "[" + shape(v[0]) + "…]"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "bool"
	}
	return fmt.Sprintf("%T", v)
}

// issues lists the code and path of each validation issue of an error.
func issues(b []byte) string {
	var e struct {
		Error struct {
			Errors []struct {
				Code string
				Path []any
			}
		} `json:"error"`
	}
	_ = json.Unmarshal(b, &e)
	var parts []string
	for _, is := range e.Error.Errors {
		parts = append(parts, fmt.Sprintf("%s@%#v", is.Code, is.Path))
	}
	return strings.Join(parts, " ")
}

func errorCode(b []byte) string {
	var e struct {
		Error struct{ Code string } `json:"error"`
	}
	_ = json.Unmarshal(b, &e)
	return e.Error.Code
}

// ids summarises a 2xx body: the connection ids and credential kinds it
// holds, in order.
func ids(m map[string]any) string {
	one := func(o map[string]any) string {
		s, _ := o["connection_id"].(string)
		if uuidV4Pattern.MatchString(s) {
			s = "<uuid>" // made up by the server on an import without an id
		}
		if c, ok := o["credentials"].(map[string]any); ok {
			s += ":" + strings.TrimSpace(func() string { t, _ := c["type"].(string); return t }())
			if _, ok := c["refresh_token"]; ok {
				s += "+refresh"
			}
		}
		if md, ok := o["metadata"].(map[string]any); ok && len(md) > 0 {
			b, _ := json.Marshal(md)
			s += string(b)
		}
		return s
	}
	if d, ok := m["data"]; ok {
		return dataIDs(d)
	}
	if list, ok := m["connections"].([]any); ok {
		var parts []string
		for _, it := range list {
			o, _ := it.(map[string]any)
			parts = append(parts, one(o))
		}
		return "[" + strings.Join(parts, " ") + "]"
	}
	if s, ok := m["success"]; ok {
		return "success=" + strconv.FormatBool(s == true)
	}
	return one(m)
}

// dataIDs summarises the "data" of a session, integration or provider
// answer: the integrations' keys and credential kinds, the provider's name
// and auth mode, the session's end user and allowed integrations.
func dataIDs(d any) string {
	one := func(o map[string]any) string {
		var parts []string
		for _, k := range []string{"unique_key", "provider", "name", "auth_mode", "isReconnecting"} {
			if v, ok := o[k]; ok {
				parts = append(parts, fmt.Sprintf("%s=%v", k, v))
			}
		}
		if c, ok := o["credentials"].(map[string]any); ok {
			parts = append(parts, fmt.Sprintf("credentials=%v/%v/%v", c["type"], c["client_id"], c["scopes"]))
		}
		if eu, ok := o["endUser"].(map[string]any); ok {
			parts = append(parts, fmt.Sprintf("endUser=%v", eu["id"]))
		}
		if a, ok := o["allowed_integrations"]; ok {
			parts = append(parts, fmt.Sprintf("allowed=%v", a))
		}
		return strings.Join(parts, " ")
	}
	if list, ok := d.([]any); ok {
		var parts []string
		for _, it := range list {
			o, _ := it.(map[string]any)
			parts = append(parts, one(o))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	o, _ := d.(map[string]any)
	return one(o)
}
