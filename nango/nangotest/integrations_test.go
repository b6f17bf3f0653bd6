package nangotest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestIntegrations(t *testing.T) {
	s := Start(t, AllowInvalidRequests())
	s.AddIntegration("gh", "github", "OAUTH2", DisplayName("GitHub"),
		OAuthClient{ID: "cid", Secret: "csecret", Scopes: []string{"repo", "user"}}, WebhookSecret("whsec"))
	s.AddIntegration("tw", "twitter", "OAUTH1")
	s.MustPut(APIKey("sendgrid", "acme", "SG.key")) // declares sendgrid
	s.MustPut(Unauthenticated("open", "c1"))        // declares open, auth mode NONE

	cases := []struct {
		name, path string
		status     int
		want       []string // parts of the body
		not        []string
	}{
		{"list", "/integrations", 200, []string{`"unique_key":"gh"`, `"unique_key":"sendgrid"`, `"unique_key":"open"`, `"display_name":"GitHub"`, `"forward_webhooks":true`},
			[]string{`credentials`, `webhook_url`, `csecret`}},
		{"get", "/integrations/gh", 200, []string{`"data":{`, `"provider":"github"`, `/images/template-logos/github.svg"`}, []string{`credentials`, `webhook_url`}},
		{"credentials", "/integrations/gh?include=credentials", 200,
			[]string{`"credentials":{"type":"OAUTH2","client_id":"cid","client_secret":"csecret","scopes":"repo,user","webhook_secret":"whsec"}`}, []string{`webhook_url`}},
		{"webhook and credentials", "/integrations/tw?include=webhook&include=credentials", 200,
			[]string{`"webhook_url":null`, `"credentials":{"type":"OAUTH1","client_id":null,"client_secret":null,"scopes":null,"webhook_secret":null}`}, nil},
		{"API key: no client", "/integrations/sendgrid?include=credentials", 200, []string{`"credentials":null`}, nil},
		{"none: no client", "/integrations/open?include=credentials", 200, []string{`"credentials":null`}, nil},
		{"unknown", "/integrations/nope", 404, []string{`"code":"not_found"`}, nil},
		{"bad include", "/integrations/gh?include=secrets", 400, []string{`"invalid_query_params"`}, nil},
		{"unknown query", "/integrations/gh?x=1", 400, []string{`"invalid_query_params"`}, nil},
		{"list query", "/integrations?x=1", 400, []string{`"invalid_query_params"`}, nil},
		{"bad key", "/integrations/a%2Fb", 400, []string{`"invalid_uri_params"`}, nil},
		{"providers", "/providers", 200, []string{`{"name":"github","display_name":"GitHub","auth_mode":"OAUTH2"`, `"name":"twitter"`, `"name":"sendgrid"`, `"auth_mode":"API_KEY"`, `"name":"open"`, `"auth_mode":"NONE"`}, []string{`authorization_url`, `token_url`}},
		{"provider", "/providers/twitter", 200, []string{`"data":{"name":"twitter"`, `"auth_mode":"OAUTH1"`}, nil},
		{"unknown provider", "/providers/nope", 404, []string{`{"error":{"code":"not_found","message":"Unknown provider nope"}}`}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, body := send(t, s, http.MethodGet, c.path, "")
			if status != c.status {
				t.Fatalf("%d %s", status, body)
			}
			for _, w := range c.want {
				if !strings.Contains(body, w) {
					t.Errorf("no %s in %s", w, body)
				}
			}
			for _, n := range c.not {
				if strings.Contains(body, n) {
					t.Errorf("%s in %s", n, body)
				}
			}
		})
	}

	// Sorted by provider, then key, as Nango lists them.
	_, body := send(t, s, http.MethodGet, "/integrations", "")
	var list struct {
		Data []struct {
			UniqueKey string `json:"unique_key"`
		}
	}
	_ = json.Unmarshal([]byte(body), &list)
	var keys []string
	for _, d := range list.Data {
		keys = append(keys, d.UniqueKey)
	}
	if got := strings.Join(keys, ","); got != "gh,open,sendgrid,tw" {
		t.Errorf("order %s", got)
	}
}

// TestIntegrationsPerEnvironment: an environment lists only its own.
func TestIntegrationsPerEnvironment(t *testing.T) {
	s := Start(t)
	const otherKey = "44444444-4444-4444-8444-444444444444"
	other := s.AddEnvironment(otherKey)
	s.AddIntegration("github", "github", "OAUTH2")
	other.AddIntegration("hubspot", "hubspot", "OAUTH2")
	_, mine := send(t, s, http.MethodGet, "/integrations", "")
	_, theirs := sendAs(t, s, "Bearer "+otherKey, http.MethodGet, "/integrations", "")
	if !strings.Contains(mine, "github") || strings.Contains(mine, "hubspot") || !strings.Contains(theirs, "hubspot") || strings.Contains(theirs, "github") {
		t.Errorf("mine %s\ntheirs %s", mine, theirs)
	}
	if status, _ := send(t, s, http.MethodGet, "/providers/hubspot", ""); status != 404 {
		t.Errorf("another environment's provider: %d", status)
	}
}

// TestAddIntegrationReplaces: a second AddIntegration replaces the first
// (and what Put inferred), keeping its creation time.
func TestAddIntegrationReplaces(t *testing.T) {
	s := Start(t)
	s.MustPut(OAuth2("github", "u1", "t"))
	_, before := send(t, s, http.MethodGet, "/integrations/github", "")
	s.AddIntegration("github", "github", "OAUTH2", OAuthClient{ID: "new"})
	_, after := send(t, s, http.MethodGet, "/integrations/github?include=credentials", "")
	var b, a struct {
		Data struct {
			CreatedAt string `json:"created_at"`
		}
	}
	_ = json.Unmarshal([]byte(before), &b)
	_ = json.Unmarshal([]byte(after), &a)
	if !strings.Contains(after, `"client_id":"new"`) || a.Data.CreatedAt != b.Data.CreatedAt || b.Data.CreatedAt == "" {
		t.Errorf("before %s\nafter %s", before, after)
	}
	if v := fmt.Sprint(OAuthClient{ID: "id", Secret: "s3cr3t"}); strings.Contains(v, "s3cr3t") {
		t.Errorf("OAuthClient prints its secret: %s", v)
	}
}
