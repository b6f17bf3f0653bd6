package nango

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
)

// redactor hides the credentials a request carried in what came back: a
// server (or a proxy or debugging tool in front of Nango) can echo the
// Authorization header it received into a status line, a header, a Location
// or an error message, all of which end up in errors and logs.
type redactor []string

// minRedacted is the shortest credential hidden: shorter strings (a test
// token set through API()) would cut words out of every message.
const minRedacted = 8

// redactorOf lists the secret key, the header built from it (base64 under
// WithBasicAuth), the call's own token (a connect session's) and the
// secrets its body carries.
func (c *Client) redactorOf(cl *call) redactor {
	r := redactor{c.secret.key}
	for _, v := range append(c.secret.authValue[:len(c.secret.authValue):len(c.secret.authValue)], cl.auth...) {
		_, cred, _ := strings.Cut(v, " ")
		if cred = strings.TrimSpace(cred); len(cred) >= minRedacted && cred != c.secret.key {
			r = append(r, cred)
		}
	}
	for _, s := range cl.secrets {
		r = append(r, secretForms(s)...)
	}
	return r
}

// secretForms lists the ways a secret of a request body can come back: as
// sent, JSON-escaped (a server quoting the body), and, for a PEM key, each
// line of its material (a server re-escaping or re-wrapping it). The armor
// lines are no secret.
func secretForms(s string) []string {
	var out []string
	add := func(v string) {
		if len(v) >= minRedacted && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	add(s)
	// Quoted once (a server repeating the body) or twice (a message that
	// quotes the body, itself in a JSON string), the way encoding/json
	// escapes and the way JSON.stringify does (which leaves <, > and &).
	for _, html := range []bool{true, false} {
		once := jsonEscape(s, html)
		add(once)
		add(jsonEscape(once, html))
	}
	if strings.ContainsAny(s, "\r\n") {
		for _, line := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' }) {
			if line = strings.TrimSpace(line); !strings.HasPrefix(line, "-----") {
				add(line)
			}
		}
	}
	return out
}

// jsonEscape is s as it reads between the quotes of a JSON string, with
// <, > and & escaped or not.
func jsonEscape(s string, html bool) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(html)
	if enc.Encode(s) != nil {
		return s
	}
	out := strings.TrimSuffix(b.String(), "\n")
	return out[1 : len(out)-1]
}

func (r redactor) string(s string) string {
	for _, secret := range r {
		if strings.Contains(s, secret) {
			s = strings.ReplaceAll(s, secret, "[redacted]")
		}
	}
	return s
}

func (r redactor) bytes(b []byte) []byte {
	for _, secret := range r {
		if bytes.Contains(b, []byte(secret)) {
			b = bytes.ReplaceAll(b, []byte(secret), []byte("[redacted]"))
		}
	}
	return b
}

// apiError hides the credentials in every field a server wrote.
func (r redactor) apiError(e *APIError) {
	e.Code, e.Message, e.RequestID = r.string(e.Code), r.string(e.Message), r.string(e.RequestID)
	for i := range e.Issues {
		is := &e.Issues[i]
		is.Code, is.Message = r.string(is.Code), r.string(is.Message)
		for j := range is.Path {
			if raw, err := is.Path[j].MarshalJSON(); err == nil {
				if clean := r.bytes(raw); !bytes.Equal(clean, raw) {
					_ = is.Path[j].UnmarshalJSON(clean)
				}
			}
		}
	}
	e.Body, e.Payload = r.bytes(e.Body), r.bytes(e.Payload)
}

// header hides the credentials in the values of h, which the caller owns.
func (r redactor) header(h http.Header) {
	for _, vs := range h {
		for i, v := range vs {
			vs[i] = r.string(v)
		}
	}
}
