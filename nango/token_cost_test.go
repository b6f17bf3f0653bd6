package nango

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nango-go/sdk/cmd/nango-bench/benchkit"
)

// inMemoryPair is the SDK (coalescing off) and the bare minimal client over
// the in-memory transport.
func inMemoryPair(tb testing.TB) (sdk, bare func() error) {
	c, err := New(testKey, WithHost("http://localhost:3003"), WithHTTPClient(&http.Client{Transport: memTransport{}}), WithCoalescing(false))
	if err != nil {
		tb.Fatal(err)
	}
	m := benchkit.NewBareMinimal("http://nango.test", testKey, memTransport{})
	ctx := context.Background()
	sdk = func() error {
		tok, err := c.GetToken(ctx, "github", "u1")
		if err == nil && tok.AccessToken == "" {
			err = fmt.Errorf("no token")
		}
		return err
	}
	bare = func() error {
		tok, err := m.GetToken(ctx, "github", "u1")
		if err == nil && tok == "" {
			err = fmt.Errorf("no token")
		}
		return err
	}
	return sdk, bare
}

// BenchmarkGetTokenRatio measures GetToken's own cost against the bare
// minimal client's, in paired rounds: each round runs b.N calls of each (in
// alternating order) and takes the ratio of the CPU time they used; the
// median of the rounds is reported as sdk/minimal-cpu (target: at most 1.1),
// with each side's allocations per call (target: at most 37 for the SDK).
// No assertion on time: read the metric.
//
//	go test -run '^$' -bench GetTokenRatio -benchtime 20000x ./nango
func BenchmarkGetTokenRatio(b *testing.B) {
	sdk, bare := inMemoryPair(b)
	const rounds = 15
	run := func(fn func() error) float64 {
		start := cpuTime()
		for range b.N {
			if err := fn(); err != nil {
				b.Fatal(err)
			}
		}
		return float64(cpuTime() - start)
	}
	ratios := make([]float64, 0, rounds)
	for i := range rounds {
		var s, m float64
		if i%2 == 0 {
			s, m = run(sdk), run(bare)
		} else {
			m, s = run(bare), run(sdk)
		}
		if m > 0 {
			ratios = append(ratios, s/m)
		}
	}
	slices.Sort(ratios)
	if len(ratios) > 0 {
		b.ReportMetric(ratios[len(ratios)/2], "sdk/minimal-cpu")
	}
	b.ReportMetric(testing.AllocsPerRun(200, func() { _ = sdk() }), "sdk-allocs/call")
	b.ReportMetric(testing.AllocsPerRun(200, func() { _ = bare() }), "minimal-allocs/call")
}

// TestGetTokenAllocations holds GetToken's allocations in memory (coalescing
// off) at 37 or fewer, with and without a deadline on the context: the bare
// minimal client makes 33. Allocation counts are deterministic; time is left
// to BenchmarkGetTokenRatio.
func TestGetTokenAllocations(t *testing.T) {
	sdk, bare := inMemoryPair(t)
	floor := testing.AllocsPerRun(500, func() { _ = bare() })
	c, err := New(testKey, WithHost("http://localhost:3003"), WithHTTPClient(&http.Client{Transport: memTransport{}}), WithCoalescing(false))
	if err != nil {
		t.Fatal(err)
	}
	withDeadline := func(d time.Duration) func() error {
		return func() error {
			ctx, cancel := context.WithTimeout(context.Background(), d)
			defer cancel()
			_, err := c.GetToken(ctx, "github", "u1")
			return err
		}
	}
	// What a caller's own deadline costs it, outside GetToken.
	ctxCost := testing.AllocsPerRun(500, func() {
		_, cancel := context.WithTimeout(context.Background(), time.Hour)
		cancel()
	})
	for _, tc := range []struct {
		name string
		call func() error
		own  float64
	}{
		{"no deadline", sdk, 0},
		{"a deadline after the per-attempt timeout", withDeadline(time.Hour), ctxCost},
		{"a deadline before the per-attempt timeout", withDeadline(time.Second), ctxCost},
	} {
		got := testing.AllocsPerRun(500, func() {
			if err := tc.call(); err != nil {
				t.Fatal(err)
			}
		}) - tc.own
		t.Logf("GetToken, %s: %.0f allocations per call; bare minimal client: %.0f", tc.name, got, floor)
		if got > 37 {
			t.Errorf("GetToken, %s: %.0f allocations per call, want at most 37", tc.name, got)
		}
	}
}

// sameToken compares two decodes of one body: the same token (secrets,
// expiry and typed credentials included) or the same error.
func sameToken(t *testing.T, body []byte) {
	t.Helper()
	r := reply{op: "GET /connections/{connectionId}", status: 200, body: body}
	got, gotErr := decodeToken(r)
	want, wantErr := decodeTokenFull(r)
	if (gotErr == nil) != (wantErr == nil) || gotErr != nil && gotErr.Error() != wantErr.Error() {
		t.Fatalf("body %q:\nerror %v\nwant  %v", body, gotErr, wantErr)
	}
	if gotErr != nil {
		return
	}
	if got.Type != want.Type || got.AccessToken != want.AccessToken || got.OAuthToken != want.OAuthToken ||
		got.OAuthTokenSecret != want.OAuthTokenSecret || (got.ExpiresAt == nil) != (want.ExpiresAt == nil) ||
		got.ExpiresAt != nil && !got.ExpiresAt.Equal(*want.ExpiresAt) ||
		!reflect.DeepEqual(got.Credentials, want.Credentials) {
		t.Fatalf("body %q:\ntoken %#v %+v\nwant  %#v %+v", body, got.Credentials, got, want.Credentials, want)
	}
}

// TestScanConnectionValidity: scanConnection never takes a body that is not
// valid JSON, and takes every plain valid connection body.
func TestScanConnectionValidity(t *testing.T) {
	for _, tc := range []struct {
		body string
		ok   bool
	}{
		{string(benchBody), true},
		{`{}`, true},
		{` {"connection_id":"u","credentials":{"type":"OAUTH2","access_token":"t"}} `, true},
		{`{"a":[1,-2.5e+3,0.1,true,false,null,{"b":"\u00e9\n"}],"connection_id":"u"}`, true},
		{`{"a":1,}`, false},
		{`{"a":01}`, false},
		{`{"a":1.}`, false},
		{`{"a":-}`, false},
		{`{"a":1e}`, false},
		{`{"a":"\x"}`, false},
		{`{"a":"\u12"}`, false},
		{"{\"a\":\"\x01\"}", false},
		{`{"a":tru}`, false},
		{`{"a":1} x`, false},
		{`{"a":1`, false},
		{`{"a" 1}`, false},
		{`[1]`, false},
		{`"x"`, false},
		{`{"a":[1,]}`, false},
		{`{"a":{"b":1,}}`, false},
		// Valid, but left to encoding/json.
		{`{"Credentials":{}}`, false},
		{`{"CONNECTION_ID":"x"}`, false},
		{`{"credential\u0073":{}}`, false},
		{`{"credentials":{},"credentials":{}}`, false},
		{`{"connection_id":"a","connection_id":"b"}`, false},
		{`{"credentials":{"type":"x","raw":{"TYPE":1}}}`, true},
		{`{"credentials":{"TYPE":"x"}}`, false},
		{`{"credentials":{"typ\u0065":"x"}}`, false},
		{`{"credentials":{"type":"x",}}`, false},
		{`{"credentials":{"type":"x"`, false},
		{`{"a":` + strings.Repeat("[", scanMaxDepth) + strings.Repeat("]", scanMaxDepth) + `}`, false},
	} {
		_, _, ok := scanConnection([]byte(tc.body))
		if ok != tc.ok {
			t.Errorf("scanConnection(%q) ok = %t, want %t", tc.body, ok, tc.ok)
		}
		if ok && !json.Valid([]byte(tc.body)) {
			t.Errorf("scanConnection took %q, which is not valid JSON", tc.body)
		}
	}
}

// TestDecodeTokenFastPath: on the bodies where the fast path and the old
// decode could part (case, escapes, twice-given members, nulls, kinds), the
// token or error is the same.
func TestDecodeTokenFastPath(t *testing.T) {
	for _, body := range decodeTokenSeeds() {
		sameToken(t, []byte(body))
	}
}

func decodeTokenSeeds() []string {
	return []string{
		string(benchBody),
		connectionJSON(`{"type":"OAUTH2","access_token":"t","expires_at":"2030-01-01T00:00:00.000Z","raw":{"a":1},"refresh_token":"r"}`),
		connectionJSON(`{"type":"OAUTH2","access_token":""}`),
		connectionJSON(`{"type":"OAUTH2"}`),
		connectionJSON(`{"type":"OAUTH2","access_token":"t","expires_at":"garbage"}`),
		connectionJSON(`{"type":"OAUTH2","access_token":"t","Access_Token":"u"}`),
		connectionJSON(`{"type":"OAUTH2","TYPE":"API_KEY","access_token":"t"}`),
		connectionJSON(`{"TYPE":"OAUTH2","access_token":"t"}`),
		connectionJSON(`{"Type":"OAUTH2","access_token":"t"}`),
		connectionJSON(`{"type":"API_KEY","Type":"OAUTH2","access_token":"t"}`),
		connectionJSON(`{"typ\u0065":"OAUTH2","access_token":"t"}`),
		connectionJSON(`{"T\u0079pe":"OAUTH2","access_token":"t"}`),
		connectionJSON(`{"type":"OAUTH2","type":"OAUTH2","access_token":"t","raw":{"TYPE":"x"}}`),
		`{"connection_id":"u","x\u0041":1,"credentials":{"TYPE":"OAUTH2","access_token":"t"}}`,
		connectionJSON(`{"type":"API_KEY","apiKey":"k"}`),
		connectionJSON(`{"type":"OAUTH1","oauth_token":"a","oauth_token_secret":"b"}`),
		// Other kinds that carry an access_token: never an OAuth 2 token.
		connectionJSON(`{"type":"APP","access_token":"ghs_1","expires_at":"2030-01-01T00:00:00.000Z","raw":{}}`),
		connectionJSON(`{"type":"OAUTH2_CC","token":"t","access_token":"x","client_id":"c","client_secret":"s","raw":{}}`),
		connectionJSON(`{"type":"SOMETHING_NEW","access_token":"t"}`),
		connectionJSON(`null`),
		connectionJSON(`{}`),
		connectionJSON(`[]`),
		`{"connection_id":"","credentials":{"type":"OAUTH2","access_token":"t"}}`,
		`{"connection_id":null,"credentials":{"type":"OAUTH2","access_token":"t"}}`,
		`{"connection_id":5,"credentials":{"type":"OAUTH2","access_token":"t"}}`,
		`{"connection_id":"\u0000","credentials":{"type":"OAUTH2","access_token":"t"}}`,
		`{"Connection_Id":"u","credentials":{"type":"OAUTH2","access_token":"t"}}`,
		`{"connection_id":"u","Credentials":{"type":"OAUTH2","access_token":"t"}}`,
		`{"connection_id":"u","credentials":{"type":"OAUTH2","access_token":"a","raw":{"x":1}},"credentials":{"type":"OAUTH2","access_token":"b"}}`,
		`{"connection_id":"u","credentials":{"type":"OAUTH2","access_token":"a"},"Credentials":{"type":"API_KEY","apiKey":"k"}}`,
		`{"connection_id":"u","credential\u0073":{"type":"OAUTH2","access_token":"t"}}`,
		`{"connection_id":"u","credentials":{"type":"OAUTH2","access_token":"t"}} trailing`,
		`{"connection_id":"u","credentials":{"type":"OAUTH2","access_token":"t"},}`,
		`{"connection_id":"u","credentials":{"type":"OAUTH2","access_token":"t"},"x":01}`,
		`{"connection_id":"u","credentials":{"type":"OAUTH2","access_token":"t"},"x":"\u00"}`,
		`{"connection_id":"u","credentials":{"type":"OAUTH2","access_token":"t\ud800"}}`,
		"{\"connection_id\":\"u\xff\",\"credentials\":{\"type\":\"OAUTH2\",\"access_token\":\"t\xfe\"}}",
		`[{"connection_id":"u"}]`,
		``,
		`null`,
	}
}

// FuzzDecodeToken holds the fast path to the old decode on any body.
func FuzzDecodeToken(f *testing.F) {
	for _, s := range decodeTokenSeeds() {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if _, _, ok := scanConnection(body); ok && !json.Valid(body) {
			t.Fatalf("scanConnection took %q, which is not valid JSON", body)
		}
		sameToken(t, body)
	})
}
