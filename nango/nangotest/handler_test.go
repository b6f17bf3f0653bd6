package nangotest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestListPageOverflow: a page far past the end, even one whose offset does
// not fit an int, is an empty page or the server's 400, never a panic.
func TestListPageOverflow(t *testing.T) {
	s := Start(t, AllowInvalidRequests()) // some pages break the spec on purpose
	s.MustPut(OAuth2("github", "u1", "t"))
	for _, tc := range []struct {
		query string
		want  int
	}{
		{"limit=2000&page=9007199254740991", 200}, // page*limit overflows an int64
		{"limit=2000&page=9007199254740992", 400},
		{"limit=2&page=4611686018427387904", 400},
		{"limit=1&page=9223372036854775807", 400},
		{"page=99999999999999999999", 400},
		{"page=-1", 400},
		{"limit=1&page=0", 200},
	} {
		status, body := get(t, s, "/connections?"+tc.query)
		if status != tc.want {
			t.Errorf("%s: status %d, want %d (%v)", tc.query, status, tc.want, body)
		}
		if status == 400 {
			if e, _ := body["error"].(map[string]any); e["code"] != "invalid_query_params" {
				t.Errorf("%s: %v", tc.query, body)
			}
		}
	}
}

// TestRequestBodyCapped: a body over the cap is answered 413 at once, before
// any validation or decoding.
func TestRequestBodyCapped(t *testing.T) {
	var violations []error
	s := Start(t, OnViolation(func(err error) { violations = append(violations, err) }))
	s.MustPut(OAuth2("github", "u1", "t"))
	big := `{"connection_id":"u1","provider_config_key":"github","metadata":{"x":"` + strings.Repeat("a", 3<<20) + `"}}`
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/connections/metadata", strings.NewReader(big))
	req.Header.Set("Authorization", "Bearer "+s.SecretKey)
	req.Header.Set("Content-Type", "application/json")
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413: %s", resp.StatusCode, body)
	}
	var e struct {
		Error struct{ Code string } `json:"error"`
	}
	if json.Unmarshal(body, &e) != nil || e.Error.Code != "payload_too_large" {
		t.Errorf("body %s", body)
	}
	if len(violations) != 0 {
		t.Errorf("an over-cap body was validated: %v", violations)
	}
	t.Logf("413 after %v", time.Since(start))
	// Just under the cap still goes through.
	ok := `{"connection_id":"u1","provider_config_key":"github","metadata":{"x":"` + strings.Repeat("a", 1000) + `"}}`
	req, _ = http.NewRequest(http.MethodPost, s.URL+"/connections/metadata", bytes.NewReader([]byte(ok)))
	req.Header.Set("Authorization", "Bearer "+s.SecretKey)
	req.Header.Set("Content-Type", "application/json")
	resp2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp2.Body.Close()
	if resp2.StatusCode != 201 {
		t.Errorf("a small body: status %d", resp2.StatusCode)
	}
}
