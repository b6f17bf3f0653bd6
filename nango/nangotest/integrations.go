package nangotest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/nango-go/sdk/gen"
)

// integration is an integration as the fake keeps it.
type integration struct {
	provider, authMode, displayName string
	clientID, clientSecret          string
	scopes                          []string
	webhookSecret                   string
	created                         time.Time
	// Written through the API (management.go): when it last changed (zero:
	// when created), whether webhooks are not forwarded, a GitHub App's
	// credentials (APP, CUSTOM), free-form values, and whether it uses
	// Nango's developer app (a quickstart), whose client it never shows.
	updated                    time.Time
	noForwardWebhooks          bool
	appID, appLink, privateKey string
	custom                     map[string]string
	shared                     bool
}

// An IntegrationOption sets what GET /integrations/{uniqueKey} shows of an
// integration AddIntegration declares: DisplayName, OAuthClient or
// WebhookSecret.
type IntegrationOption interface{ applyIntegration(*integration) }

// DisplayName is the integration's name shown to users (default: its
// provider's name).
type DisplayName string

// OAuthClient is the OAuth client of an OAUTH2, OAUTH1 or TBA integration,
// which GET /integrations/{uniqueKey}?include=credentials returns.
type OAuthClient struct {
	ID, Secret string
	// Scopes are the scopes the integration asks for; Nango sends them
	// comma-separated.
	Scopes []string
}

// WebhookSecret is the secret the provider signs its webhooks with
// (?include=credentials).
type WebhookSecret string

func (d DisplayName) applyIntegration(in *integration) { in.displayName = string(d) }
func (w WebhookSecret) applyIntegration(in *integration) {
	in.webhookSecret = string(w)
}
func (c OAuthClient) applyIntegration(in *integration) {
	in.clientID, in.clientSecret, in.scopes = c.ID, c.Secret, slices.Clone(c.Scopes)
}

// Format keeps the client secret out of %v, as the SDK's credential types do.
func (c OAuthClient) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "OAuthClient{ID: %q, Secret: redacted, Scopes: %q}", c.ID, c.Scopes)
}

// The kinds whose integrations have an OAuth client: the others answer
// "credentials": null.
var oauthClientKinds = []string{"OAUTH2", "OAUTH1", "TBA"}

// authModeOf is the auth mode the fake shows for an integration: an
// integration of connections without credentials is NONE.
func (in *integration) authModeOf() string {
	if in.authMode == "" {
		return "NONE"
	}
	return in.authMode
}

func (in *integration) displayNameOf() string {
	if in.displayName != "" {
		return in.displayName
	}
	return in.provider
}

// wireIntegration is a gen.Integration as the server writes it: webhook_url
// and credentials are present only when asked for with include, and then
// null when unset; timestamps end in Z.
type wireIntegration struct {
	gen.Integration
	WebhookURL  json.RawMessage `json:"webhook_url,omitempty"`
	Credentials json.RawMessage `json:"credentials,omitempty"`
	CreatedAt   string          `json:"created_at"`
	UpdatedAt   string          `json:"updated_at"`
}

// wireIntegrationCredentials is a gen.IntegrationCredentials with its unset
// properties null, as the server writes them.
type wireIntegrationCredentials struct {
	gen.IntegrationCredentials
	ClientID      *string `json:"client_id"`
	ClientSecret  *string `json:"client_secret"`
	Scopes        *string `json:"scopes"`
	WebhookSecret *string `json:"webhook_secret"`
}

// logoURL is where Nango serves a provider's logo: on the server itself.
func logoURL(r *http.Request, provider string) string {
	return "http://" + r.Host + "/images/template-logos/" + provider + ".svg"
}

func toWireIntegration(r *http.Request, key string, in *integration, webhook, credentials bool) wireIntegration {
	updated := in.created
	if !in.updated.IsZero() {
		updated = in.updated
	}
	w := wireIntegration{Integration: gen.Integration{UniqueKey: key, Provider: in.provider, DisplayName: in.displayNameOf(),
		Logo: logoURL(r, in.provider), ForwardWebhooks: !in.noForwardWebhooks, CreatedAt: in.created, UpdatedAt: updated},
		CreatedAt: formatTime(in.created, true), UpdatedAt: formatTime(updated, true)}
	if webhook {
		// The fake receives no provider webhooks, so it has no URL for them.
		w.WebhookURL = json.RawMessage("null")
	}
	if credentials {
		w.Credentials = json.RawMessage("null")
		if mode := in.authModeOf(); slices.Contains(oauthClientKinds, mode) {
			c := wireIntegrationCredentials{IntegrationCredentials: gen.IntegrationCredentials{Type: mode},
				ClientID: in.clientOf(in.clientID), ClientSecret: in.clientOf(in.clientSecret),
				Scopes: nullable(strings.Join(in.scopes, ",")), WebhookSecret: nullable(in.webhookSecret)}
			w.Credentials, _ = json.Marshal(c)
		} else if mode == "APP" || mode == "CUSTOM" {
			w.Credentials = in.appCredentialsJSON(mode)
		}
	}
	return w
}

// sortedIntegrations lists integrations by provider then key, as Nango's
// list does.
func (f *Fake) sortedIntegrations() []string {
	keys := make([]string, 0, len(f.integrations))
	for k := range f.integrations {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if c := strings.Compare(f.integrations[a].provider, f.integrations[b].provider); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	return keys
}

// requireEmptyQuery refuses any query parameter, as the server's strict
// empty query schema does.
func requireEmptyQuery(w http.ResponseWriter, r *http.Request, allowed ...string) bool {
	var keys []string
	for k := range r.URL.Query() {
		if !slices.Contains(allowed, k) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return true
	}
	writeError(w, 400, "invalid_query_params", "", []gen.ValidationIssue{unrecognizedKeys(keys)})
	return false
}

// unrecognizedKeys is zod's issue for the unknown keys of a strict object.
func unrecognizedKeys(keys []string, path ...string) gen.ValidationIssue {
	slices.Sort(keys)
	quoted := make([]string, len(keys))
	for i, k := range keys {
		quoted[i] = fmt.Sprintf("%q", k)
	}
	msg := "Unrecognized key: " + quoted[0]
	if len(keys) > 1 {
		msg = "Unrecognized keys: " + strings.Join(quoted, ", ")
	}
	is := issue("unrecognized_keys", msg, path...)
	if is.Path == nil {
		is.Path = []gen.ValidationIssue_Path_Item{}
	}
	return is
}

func (f *Fake) listIntegrations(w http.ResponseWriter, r *http.Request, _ string, _ []byte) {
	if !requireEmptyQuery(w, r) {
		return
	}
	f.mu.Lock()
	out := struct {
		Data []wireIntegration `json:"data"`
	}{Data: []wireIntegration{}}
	for _, k := range f.sortedIntegrations() {
		out.Data = append(out.Data, toWireIntegration(r, k, f.integrations[k], false, false))
	}
	f.mu.Unlock()
	writeJSON(w, 200, out)
}

func (f *Fake) getIntegration(w http.ResponseWriter, r *http.Request, key string, _ []byte) {
	if !requireEmptyQuery(w, r, "include") {
		return
	}
	var webhook, credentials bool
	var issues []gen.ValidationIssue
	for _, v := range r.URL.Query()["include"] {
		switch v {
		case "webhook":
			webhook = true
		case "credentials":
			credentials = true
		default:
			issues = append(issues, issue("invalid_value", `Invalid option: expected one of "webhook"|"credentials"`, "include"))
		}
	}
	if issues != nil {
		writeError(w, 400, "invalid_query_params", "", issues)
		return
	}
	if len(key) > 255 || !configKeyPattern.MatchString(key) {
		writeError(w, 400, "invalid_uri_params", "", []gen.ValidationIssue{issue("invalid_format", "Invalid string: must match pattern /^[a-zA-Z0-9~:.@ _-]+$/", "uniqueKey")})
		return
	}
	f.mu.Lock()
	in := f.integrations[key]
	var out struct {
		Data wireIntegration `json:"data"`
	}
	if in != nil {
		out.Data = toWireIntegration(r, key, in, webhook, credentials)
	}
	f.mu.Unlock()
	if in == nil {
		writeError(w, 404, "not_found", "Integration does not exist", nil)
		return
	}
	writeJSON(w, 200, out)
}

// The fake's provider catalog is a stub: Nango ships hundreds of provider
// templates (authorization and token URLs, proxy settings, …); the fake
// knows only the providers of its integrations, with the little it can tell
// of them.
func (f *Fake) providerLocked(r *http.Request, name string) (gen.Provider, bool) {
	for _, k := range f.sortedIntegrations() {
		in := f.integrations[k]
		if in.provider != name {
			continue
		}
		return gen.Provider{Name: name, DisplayName: in.displayNameOf(), AuthMode: in.authModeOf(),
			Docs: "https://nango.dev/docs/api-integrations/" + name, LogoURL: logoURL(r, name)}, true
	}
	return gen.Provider{}, false
}

// wireProvider is a gen.Provider as the stub writes it. gen.Provider's own
// MarshalJSON writes every property of the template, "" and null included,
// which would claim an empty authorization URL the stub does not know.
type wireProvider struct {
	Name        string `json:"name"`
	DisplayName string `json:"display_name"`
	AuthMode    string `json:"auth_mode"`
	Docs        string `json:"docs"`
	LogoURL     string `json:"logo_url"`
}

func toWireProvider(p gen.Provider) wireProvider {
	return wireProvider{Name: p.Name, DisplayName: p.DisplayName, AuthMode: p.AuthMode, Docs: p.Docs, LogoURL: p.LogoURL}
}

func (f *Fake) listProviders(w http.ResponseWriter, r *http.Request, _ string, _ []byte) {
	if !requireEmptyQuery(w, r) {
		return
	}
	out := struct {
		Data []wireProvider `json:"data"`
	}{Data: []wireProvider{}}
	f.mu.Lock()
	seen := map[string]bool{}
	for _, k := range f.sortedIntegrations() {
		name := f.integrations[k].provider
		if seen[name] {
			continue
		}
		seen[name] = true
		p, _ := f.providerLocked(r, name)
		out.Data = append(out.Data, toWireProvider(p))
	}
	f.mu.Unlock()
	writeJSON(w, 200, out)
}

func (f *Fake) getProvider(w http.ResponseWriter, r *http.Request, name string, _ []byte) {
	if !requireEmptyQuery(w, r) {
		return
	}
	f.mu.Lock()
	p, ok := f.providerLocked(r, name)
	f.mu.Unlock()
	if !ok {
		writeError(w, 404, "not_found", "Unknown provider "+name, nil)
		return
	}
	writeJSON(w, 200, struct {
		Data wireProvider `json:"data"`
	}{toWireProvider(p)})
}
