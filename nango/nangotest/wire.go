package nangotest

import (
	"bytes"
	"encoding/json"
	"maps"
	"strings"
	"time"

	"github.com/nango-go/sdk/gen"
)

// The real server writes several optional properties as null, {} or []
// where the generated types, with omitzero, would leave them out. These
// overlays are the generated types with those properties forced into the
// server's shape; everything else (and any property the spec gains) comes
// from the embedded gen type.

// wireConnection is a gen.Connection as GET /connections/{connectionId} and
// POST /connections write it.
type wireConnection struct {
	gen.Connection
	Errors             []gen.ConnectionError `json:"errors"`
	EndUser            *wireEndUser          `json:"end_user"`
	Tags               gen.Tags              `json:"tags"`
	Metadata           map[string]any        `json:"metadata"`
	ConnectionConfig   map[string]any        `json:"connection_config"`
	WebhookURLOverride *string               `json:"webhook_url_override"`
	CreatedAt          string                `json:"created_at"`
	UpdatedAt          string                `json:"updated_at"`
	LastFetchedAt      *string               `json:"last_fetched_at"`
	Credentials        json.RawMessage       `json:"credentials"`
}

// wireSummary is a gen.ConnectionSummary as the list writes it.
type wireSummary struct {
	gen.ConnectionSummary
	Errors   []gen.ConnectionError `json:"errors"`
	EndUser  *wireEndUser          `json:"end_user"`
	Tags     gen.Tags              `json:"tags"`
	Metadata map[string]any        `json:"metadata"`
	Created  string                `json:"created"`
}

// wireMetadata is the echo of a metadata write: its metadata even when
// empty.
type wireMetadata struct {
	gen.MetadataResponse
	Metadata gen.Metadata `json:"metadata"`
}

type wireList struct {
	Connections []wireSummary `json:"connections"`
}

// wireEndUser is a gen.EndUser as the server writes it: every property
// present, null when unset.
type wireEndUser struct {
	gen.EndUser
	DisplayName  *string                  `json:"display_name"`
	Email        *string                  `json:"email"`
	Tags         map[string]string        `json:"tags"`
	Organization *gen.EndUserOrganization `json:"organization"`
}

func toWireEndUser(eu *gen.EndUser) *wireEndUser {
	if eu == nil {
		return nil
	}
	return &wireEndUser{EndUser: *eu, DisplayName: nullable(eu.DisplayName), Email: nullable(eu.Email),
		Tags: eu.Tags, Organization: eu.Organization}
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// orEmpty gives the server's {} for a map with nothing in it.
func orEmpty[M ~map[string]V, V any](m M) M {
	if m == nil {
		return M{}
	}
	return m
}

// toWire writes a stored connection; z picks the timestamps of a POST
// answer, keepRefresh the refresh token (GET sends it only when asked).
func toWire(s *stored, z, keepRefresh bool) wireConnection {
	c := s.conn
	w := wireConnection{Connection: c, Errors: c.Errors, EndUser: toWireEndUser(c.EndUser),
		Tags: orEmpty(c.Tags), Metadata: orEmpty(c.Metadata), ConnectionConfig: orEmpty(c.ConnectionConfig),
		WebhookURLOverride: nullable(c.WebhookURLOverride),
		CreatedAt:          formatTime(c.CreatedAt, z), UpdatedAt: formatTime(c.UpdatedAt, z)}
	if w.Errors == nil {
		w.Errors = []gen.ConnectionError{}
	}
	if !c.LastFetchedAt.IsZero() {
		s := formatTime(c.LastFetchedAt, z)
		w.LastFetchedAt = &s
	}
	if s.nullMetadata {
		w.Metadata = nil
	}
	// A copy, made under the fake's lock: the answer is written after it.
	raw, _ := c.Credentials.MarshalJSON()
	w.Credentials = bytes.Clone(raw)
	if !keepRefresh {
		w.Credentials = withoutRefreshToken(w.Credentials)
	}
	return w
}

// withoutRefreshToken drops the refresh token from a credentials object;
// other properties stay as stored, whatever the kind.
func withoutRefreshToken(raw json.RawMessage) json.RawMessage {
	if !strings.Contains(string(raw), `"refresh_token"`) {
		return raw
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		return raw
	}
	if _, ok := obj["refresh_token"]; !ok {
		return raw
	}
	obj = maps.Clone(obj)
	delete(obj, "refresh_token")
	out, err := json.Marshal(obj)
	if err != nil {
		return raw
	}
	return out
}

func toWireSummary(s *stored) wireSummary {
	c := s.conn
	w := wireSummary{ConnectionSummary: gen.ConnectionSummary{ID: c.ID, ConnectionID: c.ConnectionID,
		ProviderConfigKey: c.ProviderConfigKey, Provider: c.Provider, Created: c.CreatedAt},
		Errors: c.Errors, EndUser: toWireEndUser(c.EndUser), Tags: orEmpty(c.Tags), Metadata: orEmpty(c.Metadata),
		Created: formatCreated(c.CreatedAt)}
	if s.nullMetadata {
		w.Metadata = nil
	}
	if w.Errors == nil {
		w.Errors = []gen.ConnectionError{}
	}
	return w
}

// formatTime writes timestamps as Nango does: reads end in +00:00, the
// answer to a POST in Z, both with milliseconds.
func formatTime(t time.Time, z bool) string {
	s := t.UTC().Format("2006-01-02T15:04:05.000")
	if z {
		return s + "Z"
	}
	return s + "+00:00"
}

// formatCreated writes the list's "created" as Postgres does: milliseconds
// without trailing zeros (".55", none at all on a whole second).
func formatCreated(t time.Time) string {
	return t.UTC().Truncate(time.Millisecond).Format("2006-01-02T15:04:05.999") + "+00:00"
}
