package nangotest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/nango-go/sdk/nango/internal/contract"
)

// errCode is the code of an error body, "" for any other body.
func errCode(body string) string {
	var e struct {
		Error struct{ Code string } `json:"error"`
	}
	_ = json.Unmarshal([]byte(body), &e)
	return e.Error.Code
}

// TestPerIDMetadataEchoesTheBody: the deprecated POST|PATCH
// /connection/{connectionId}/metadata answer with the request body, as the
// server's res.send(req.body), not {"success":true}. The fake checks its
// answers against the spec, so the spec's answer is held here too.
func TestPerIDMetadataEchoesTheBody(t *testing.T) {
	s := Start(t)
	s.MustPut(OAuth2("github", "a+b", "t"))
	for _, tc := range []struct {
		method string
		status int
		body   string
	}{
		{http.MethodPost, http.StatusCreated, `{"legacy": 1, "nested": {"x": [1, "two"]}}`},
		{http.MethodPatch, http.StatusOK, `{"legacy2":2}`},
	} {
		status, got := send(t, s, tc.method, "/connection/"+url.PathEscape("a+b")+"/metadata?provider_config_key=github", tc.body)
		want := strings.NewReplacer(" ", "").Replace(tc.body)
		if status != tc.status || got != want {
			t.Errorf("%s: %d %s, want %d %s", tc.method, status, got, tc.status, want)
		}
	}
	conn, err := s.Client().GetConnection(t.Context(), "github", "a+b")
	if err != nil {
		t.Fatal(err)
	}
	if conn.Metadata["legacy"] != 1.0 || conn.Metadata["legacy2"] != 2.0 {
		t.Errorf("metadata %v", conn.Metadata)
	}
}

// TestMetadataEmptyIDList: "connection_id": [] is a request the server takes
// (201, or 200 to a PATCH); it writes nothing and echoes the empty list.
func TestMetadataEmptyIDList(t *testing.T) {
	s := Start(t) // the request and the answer are validated against the spec
	s.MustPut(OAuth2("github", "u1", "t", Metadata{"keep": true}))
	for _, tc := range []struct {
		method, path string
		status       int
	}{
		{http.MethodPost, "/connections/metadata", 201},
		{http.MethodPatch, "/connections/metadata", 200},
		{http.MethodPost, "/connection/metadata", 201},
		{http.MethodPatch, "/connection/metadata", 200},
	} {
		body := `{"connection_id":[],"provider_config_key":"github","metadata":{"x":1}}`
		status, got := send(t, s, tc.method, tc.path, body)
		if status != tc.status || got != body {
			t.Errorf("%s %s: %d %s", tc.method, tc.path, status, got)
		}
	}
	if conn, _ := s.Client().GetConnection(t.Context(), "github", "u1"); conn.Metadata["keep"] != true || conn.Metadata["x"] != nil {
		t.Errorf("metadata %v: an empty list wrote something", conn.Metadata)
	}
}

// TestImportRefusesQueryParameters: POST /connections has an empty strict
// query schema on the server: any parameter is 400 invalid_query_params,
// and nothing is created.
func TestImportRefusesQueryParameters(t *testing.T) {
	s := Start(t)
	s.AddIntegration("github", "github", "OAUTH2")
	body := `{"provider_config_key":"github","connection_id":"q","credentials":{"type":"OAUTH2","access_token":"t"}}`
	for _, q := range []string{"?provider_config_key=github", "?x=1", "?connection_id=q&y"} {
		status, got := send(t, s, http.MethodPost, "/connections"+q, body)
		if status != 400 || errCode(got) != "invalid_query_params" {
			t.Errorf("%s: %d %s", q, status, got)
		}
	}
	if s.Len() != 0 {
		t.Errorf("%d connections created", s.Len())
	}
	if status, got := send(t, s, http.MethodPost, "/connections", body); status != 201 {
		t.Errorf("without a query: %d %s", status, got)
	}
}

// TestListOffsetPastSafeInteger: the server's validation takes any page >= 0
// and computes the offset page × limit (limit 10,000 when absent) without a
// check; past 2^53 − 1 its database query fails and it answers its
// catch-all 500 generic_error_support, with the error report's id as the
// payload. The fake answers the same, at the same boundary as the SDK's
// local refusal.
func TestListOffsetPastSafeInteger(t *testing.T) {
	// Pages past an int64, negative or not numbers break the spec's integer.
	s := Start(t, AllowInvalidRequests())
	s.MustPut(APIKey("sendgrid", "a", "k"))
	const maxSafe = 1<<53 - 1
	cases := []struct {
		query  string
		status int
	}{
		{"limit=1&page=" + strconv.Itoa(maxSafe), 200},
		{"limit=1&page=" + strconv.Itoa(maxSafe+1), 500},
		{"limit=2000&page=" + strconv.Itoa(maxSafe/2000), 200},
		{"limit=2000&page=" + strconv.Itoa(maxSafe/2000+1), 500},
		{"page=" + strconv.Itoa(maxSafe/10000), 200},
		{"page=" + strconv.Itoa(maxSafe/10000+1), 500},
		{"limit=2000&page=9223372036854775807", 500},
		{"limit=2000&page=99999999999999999999999", 500},
		{"limit=2000&page=-1", 400},
		{"limit=2000&page=-99999999999999999999999", 400},
		{"limit=2000&page=x", 400},
	}
	for _, tc := range cases {
		status, got := send(t, s, http.MethodGet, "/connections?"+tc.query, "")
		if status != tc.status {
			t.Errorf("%s: %d %s, want %d", tc.query, status, got, tc.status)
			continue
		}
		switch tc.status {
		case 200:
			if got != `{"connections":[]}` {
				t.Errorf("%s: %s", tc.query, got)
			}
		case 500:
			var e struct {
				Error struct {
					Code, Message string
					Payload       string
				} `json:"error"`
			}
			if json.Unmarshal([]byte(got), &e) != nil || e.Error.Code != "generic_error_support" || len(e.Error.Payload) != 36 ||
				!strings.Contains(e.Error.Message, e.Error.Payload) {
				t.Errorf("%s: %s", tc.query, got)
			}
		case 400:
			if errCode(got) != "invalid_query_params" {
				t.Errorf("%s: %s", tc.query, got)
			}
		}
	}
}

// TestImportTBAWithoutAccountID: the server refuses a TBA import whose
// connection_config has no (or a falsy) accountId with 400 invalid_body,
// after checking the integration and the kind; nothing is stored.
func TestImportTBAWithoutAccountID(t *testing.T) {
	s := Start(t)
	s.AddIntegration("netsuite-tba", "netsuite-tba", "TBA")
	const creds = `"credentials":{"type":"TBA","token_id":"tid","token_secret":"ts"}`
	for _, cfg := range []string{``, `,"connection_config":{}`, `,"connection_config":{"accountId":""}`,
		`,"connection_config":{"accountId":null}`, `,"connection_config":{"accountId":0}`, `,"connection_config":{"accountId":false}`} {
		status, got := send(t, s, http.MethodPost, "/connections", `{"provider_config_key":"netsuite-tba","connection_id":"n1",`+creds+cfg+`}`)
		if status != 400 || errCode(got) != "invalid_body" || !strings.Contains(got, "Missing accountId in connection_config") {
			t.Errorf("%q: %d %s", cfg, status, got)
		}
	}
	if s.Len() != 0 {
		t.Fatalf("%d connections stored", s.Len())
	}
	// The order of the server's checks: an unknown integration is still 404.
	if status, got := send(t, s, http.MethodPost, "/connections", `{"provider_config_key":"nope",`+creds+`}`); status != 404 {
		t.Errorf("unknown integration: %d %s", status, got)
	}
	status, got := send(t, s, http.MethodPost, "/connections", `{"provider_config_key":"netsuite-tba","connection_id":"n1",`+creds+`,"connection_config":{"accountId":"1234567"}}`)
	if status != 201 || !strings.Contains(got, `"accountId":"1234567"`) {
		t.Errorf("with accountId: %d %s", status, got)
	}
}

// TestNullOptionalProperties: null is not "absent" to the server's optional
// properties: a patch or an import with "webhook_url_override": null (or
// tags, end_user, … null) is 400 invalid_body, and changes nothing. The spec
// refuses these bodies too.
func TestNullOptionalProperties(t *testing.T) {
	v, err := contract.Load()
	if err != nil {
		t.Fatal(err)
	}
	s := Start(t, AllowInvalidRequests())
	hook := "https://example.com/hook"
	s.MustPut(OAuth2("github", "u1", "t"))
	if status, got := send(t, s, http.MethodPatch, "/connections/u1?provider_config_key=github", `{"webhook_url_override":"`+hook+`"}`); status != 200 {
		t.Fatalf("set the override: %d %s", status, got)
	}
	const imp = `"provider_config_key":"github","connection_id":"u2","credentials":{"type":"OAUTH2","access_token":"t"}`
	cases := []struct{ method, path, body string }{
		{http.MethodPatch, "/connections/u1?provider_config_key=github", `{"webhook_url_override":null}`},
		{http.MethodPatch, "/connections/u1?provider_config_key=github", `{"tags":null}`},
		{http.MethodPatch, "/connections/u1?provider_config_key=github", `{"end_user":null}`},
		{http.MethodPost, "/connections", `{` + imp + `,"webhook_url_override":null}`},
		{http.MethodPost, "/connections", `{` + imp + `,"tags":null}`},
		{http.MethodPost, "/connections", `{` + imp + `,"metadata":null}`},
		{http.MethodPost, "/connections", `{` + imp + `,"end_user":null}`},
		{http.MethodPost, "/connections", `{` + imp + `,"connection_config":null}`},
		{http.MethodPost, "/connections", `{"provider_config_key":"github","connection_id":null,"credentials":{"type":"OAUTH2","access_token":"t"}}`},
	}
	for _, tc := range cases {
		status, got := send(t, s, tc.method, tc.path, tc.body)
		if status != 400 || errCode(got) != "invalid_body" {
			t.Errorf("%s %s: %d %s", tc.method, tc.body, status, got)
		}
		req, _ := http.NewRequest(tc.method, "http://127.0.0.1:3003"+tc.path, strings.NewReader(tc.body))
		req.Header.Set("Authorization", "Bearer "+s.SecretKey())
		req.Header.Set("Content-Type", "application/json")
		if _, err := v.ValidateRequest(req, []byte(tc.body), false); err == nil {
			t.Errorf("the spec takes %s", tc.body)
		}
	}
	conn, err := s.Client().GetConnection(t.Context(), "github", "u1")
	if err != nil || conn.WebhookURLOverride != hook || s.Len() != 1 {
		t.Errorf("after the refusals: override %q, %d connections, %v", conn.WebhookURLOverride, s.Len(), err)
	}
}
