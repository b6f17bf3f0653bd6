package nangotest

import (
	"encoding/json"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

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
	for _, i := range [][3]string{{"github", "github", "OAUTH2"}, {"twitter", "twitter", "OAUTH1"}, {"sendgrid", "sendgrid", "API_KEY"}, {"github dev", "github", "OAUTH2"}} {
		srv.AddIntegration(i[0], i[1], i[2])
	}

	errorCaptures := 0
	for _, c := range caps {
		switch c.Name {
		case "20-get-connection-list":
			// Written between 16 and 20 by the real run, without a capture.
			srv.MustPut(OAuth2("github", "legacy-imported", "t").With("metadata", nil))
		case "100-get-connections-list-tags-filter":
			// Likewise a metadata update between 98 and 100.
			req, _ := http.NewRequest(http.MethodPatch, srv.URL+"/connections/metadata",
				strings.NewReader(`{"connection_id":"user@example.com","provider_config_key":"github","metadata":{"region":"eu"}}`))
			req.Header.Set("Authorization", "Bearer "+srv.SecretKey)
			req.Header.Set("Content-Type", "application/json")
			if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
				t.Fatalf("metadata update: %v %v", resp, err)
			}
		}
		switch c.Name {
		case "42-get-connection-with-refresh-token-force_refresh", "55-get-connections-v2-with-refresh-token-force_refresh":
			// The real provider refused to refresh the fake token; the fake
			// has no provider, so the test plays its part.
			srv.FailConnection("github", "with-refresh-token", 1, InvalidCredentials(400))
		}
		t.Run(c.Name, func(t *testing.T) {
			req, err := c.Request(srv.URL, srv.SecretKey, otherEnvKey)
			if err != nil {
				t.Fatal(err)
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
				return
			}
			var got, want map[string]any
			_ = json.Unmarshal(body, &got)
			_ = json.Unmarshal(c.Resp, &want)
			if ids(got) != ids(want) {
				t.Errorf("fake answered %s\nreal Nango %s", ids(got), ids(want))
			}
		})
	}
	if errorCaptures < 25 {
		t.Errorf("only %d error captures replayed", errorCaptures)
	}
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
