package nango_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/nango-go/sdk/nango"
	"github.com/nango-go/sdk/nango/nangotest"
)

// FuzzIDRoundTrip sends ids through the SDK to the fake: each is refused
// before sending, refused by the server as Nango would, or arrives intact.
func FuzzIDRoundTrip(f *testing.F) {
	for _, s := range []string{"u1", "a/b", "a b", "user@example.com", "a?b#c", "100%", "%2F", "..", ".", "a/../b", "ünï", "a+b", "", "[x]|{y}"} {
		f.Add(s)
	}
	srv := nangotest.Start(f, nangotest.WithoutValidation())
	srv.AddIntegration("github", "github", "OAUTH2")
	c, err := nango.New(srv.SecretKey(), nango.WithHost(srv.URL), nango.WithMaxRetries(0))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, id string) {
		if err := srv.Put(nangotest.OAuth2("github", id, "tok")); err != nil {
			return // the fake cannot hold it (an empty id)
		}
		defer srv.Remove("github", id)
		srv.Reset()
		tok, err := c.GetToken(context.Background(), "github", id)
		var apiErr *nango.APIError
		switch {
		case errors.Is(err, nango.ErrInvalidArgument):
			if id != "" && id != "." && id != ".." && utf8.ValidString(id) && utf8.RuneCountInString(id) <= 255 && !strings.ContainsFunc(id, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
				t.Fatalf("%q refused: %v", id, err)
			}
		case errors.As(err, &apiErr):
			if apiErr.Code != "invalid_uri_params" {
				t.Fatalf("%q: %v", id, err)
			}
		case err != nil:
			t.Fatalf("%q: %v", id, err)
		default:
			reqs := srv.Requests()
			if tok.AccessToken != "tok" || len(reqs) != 1 || reqs[0].Path != "/connections/"+id {
				t.Fatalf("%q: token %q, server saw %+v", id, tok.AccessToken, reqs)
			}
		}
	})
}
