package contract

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestRecordsRefusalsBothWays: on the records routes the server's query
// and headers are strict, and so is the spec: every request a real server
// refused there as invalid (query, headers or body) is refused by the spec
// too. TestCapturesBothWays checks the answers and the accepted requests.
func TestRecordsRefusalsBothWays(t *testing.T) {
	v, caps := loadAll(t)
	refused := 0
	for _, c := range caps {
		u, err := url.Parse(c.URL)
		if err != nil || !strings.HasPrefix(u.Path, "/records") || c.Status != http.StatusBadRequest {
			continue
		}
		if !strings.Contains(string(c.Resp), `"code":"invalid_`) {
			continue // unknown_connection: a valid request about nothing
		}
		t.Run(c.Name, func(t *testing.T) {
			refused++
			req, err := c.Request("http://127.0.0.1:3003", testKey, testKey)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := v.ValidateRequest(req.WithContext(context.Background()), c.Body, false); err == nil {
				t.Errorf("the server refused this request (%s), the spec takes it", c.Resp)
			}
		})
	}
	if refused < 5 {
		t.Errorf("only %d refused records requests", refused)
	}
}

// TestRecordsRequestsRefused: requests Nango's schemas refuse (read in its
// source, not captured) that the spec refuses too.
func TestRecordsRequestsRefused(t *testing.T) {
	v, caps := loadAll(t)
	var list, prune Capture
	for _, c := range caps {
		switch c.Name {
		case "606-get-records-limit2-page1":
			list = c
		case "631-patch-records-prune":
			prune = c
		}
	}
	for _, tc := range []struct {
		name, query string
		drop        string
	}{
		{"an offset instead of Z", "model=Issue&modified_after=2026-12-03T07:20:40.000%2B00:00", ""},
		{"a date without time", "model=Issue&modified_after=2026-12-03", ""},
		{"the old name with an offset", "model=Issue&delta=2026-12-03T07:20:40+01:00", ""},
		{"limit 0", "model=Issue&limit=0", ""},
		{"limit 10001", "model=Issue&limit=10001", ""},
		{"limit not a number", "model=Issue&limit=ten", ""},
		{"a lower-case model", "model=issue", ""},
		{"a one-letter model", "model=I", ""},
		{"an empty filter item", "model=Issue&filter=added,", ""},
		{"a mixed-case filter", "model=Issue&filter=Added", ""},
		{"an empty cursor", "model=Issue&cursor=", ""},
		{"101 ids", "model=Issue" + strings.Repeat("&ids=x", 101), ""},
		{"a variant with a dot", "model=Issue&variant=v.2", ""},
		{"no Provider-Config-Key", "model=Issue", "Provider-Config-Key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := list.Request("http://127.0.0.1:3003", testKey, testKey)
			req.URL.RawQuery = tc.query
			if tc.drop != "" {
				req.Header.Del(tc.drop)
			}
			if _, err := v.ValidateRequest(req, nil, false); err == nil {
				t.Errorf("%s validated, want a contract error", tc.query)
			}
		})
	}
	for _, ok := range []string{"model=Issue&modified_after=2026-12-03T07:20Z", "model=Issue&filter=ADDED,deleted&limit=10000",
		"model=Issue&ids=1&ids=2&variant=v2&cursor=abc", "model=My_Model-2&delta=2026-12-03T07:20:40.123456Z"} {
		req, _ := list.Request("http://127.0.0.1:3003", testKey, testKey)
		req.URL.RawQuery = ok
		if _, err := v.ValidateRequest(req, nil, false); err != nil {
			t.Errorf("%s refused: %v", ok, err)
		}
	}
	for _, body := range []string{`{"model":"Issue"}`, `{"model":"Issue","until_cursor":""}`, `{"model":"Issue","until_cursor":"x","limit":0}`,
		`{"model":"Issue","until_cursor":"x","limit":10001}`, `{"model":"issue","until_cursor":"x"}`, `{"model":"Issue","until_cursor":"x","extra":1}`} {
		req, _ := prune.Request("http://127.0.0.1:3003", testKey, testKey)
		if _, err := v.ValidateRequest(req, []byte(body), false); err == nil {
			t.Errorf("prune %s validated, want a contract error", body)
		}
	}
}
