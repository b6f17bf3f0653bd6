package nango

import (
	"net/http"
	"testing"

	"github.com/nango-go/sdk/gen"
)

// TestConnectionURLMatchesGenerated: the hand-built read URL is the one the
// generated client builds from openapi.yaml, for odd ids and keys, every
// flag and both route eras, under a path prefix.
func TestConnectionURLMatchesGenerated(t *testing.T) {
	ids := []string{"u1", "a/b", "a?b#c", "100%", "spaces here", "user@example.com", "a+b", "ünïcode", "a:b;c,d=e", `q"'\`, "[x]{y}|$&"}
	keys := []string{"github", "github dev", "a~b:c.d@e_f-g", "x+y&z=1"}
	flags := []getParams{{}, {forceRefresh: true}, {refreshToken: true}, {forceRefresh: true, refreshToken: true, refreshGitHubAppJWT: true}}
	for _, host := range []string{"http://127.0.0.1:3003", "https://example.com/nango/"} {
		c, err := New(testKey, WithHost(host))
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			for _, key := range keys {
				for _, p := range flags {
					got := c.connectionURL("connections/", key, id, &p)
					req, err := gen.NewGetConnectionRequest(c.server, id, &gen.GetConnectionParams{ProviderConfigKey: key,
						ForceRefresh: optTrue(p.forceRefresh), RefreshToken: optTrue(p.refreshToken), RefreshGitHubAppJWTToken: optTrue(p.refreshGitHubAppJWT)})
					if err != nil {
						t.Fatal(err)
					}
					if want := req.URL.String(); got != want {
						t.Errorf("id %q key %q %+v:\n got  %s\n want %s", id, key, p, got, want)
					}
					if !p.refreshGitHubAppJWT {
						legacy, _ := gen.NewGetConnectionLegacyRequest(c.server, id, &gen.GetConnectionLegacyParams{ProviderConfigKey: key,
							ForceRefresh: optTrue(p.forceRefresh), RefreshToken: optTrue(p.refreshToken)})
						if got := c.connectionURL("connection/", key, id, &p); got != legacy.URL.String() {
							t.Errorf("legacy: %s != %s", got, legacy.URL)
						}
					}
					// And net/http sends it as built.
					r, err := http.NewRequest(http.MethodGet, got, nil)
					if err != nil || r.URL.String() != got {
						t.Errorf("net/http re-encodes %s as %v (%v)", got, r.URL, err)
					}
				}
			}
		}
	}
}
