package nango

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// lazyPages answers GET /records with page k of n records for cursor "pk",
// built when asked: the server side holds nothing, so the memory measured
// is the client's.
type lazyPages struct{ pages, perPage int }

func (l lazyPages) RoundTrip(r *http.Request) (*http.Response, error) {
	k := 0
	if c := r.URL.Query().Get("cursor"); c != "" {
		k, _ = strconv.Atoi(strings.TrimPrefix(c, "p"))
	}
	var b bytes.Buffer
	b.Grow(l.perPage * 420)
	if k+1 < l.pages {
		fmt.Fprintf(&b, `{"next_cursor":"p%d","records":[`, k+1)
	} else {
		b.WriteString(`{"next_cursor":null,"records":[`)
	}
	for i := 0; i < l.perPage; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		id := strconv.Itoa(k*l.perPage + i)
		b.WriteString(`{"id":"` + id + `","title":"Issue ` + id + ` with a title of some length","state":"open","body":"` + strings.Repeat("text ", 20) + `","_nango_metadata":{"first_seen_at":"2026-12-03T07:20:24.778106+00:00","last_modified_at":"2026-12-03T07:20:24.778106+00:00","last_action":"ADDED","deleted_at":null,"pruned_at":null,"cursor":"c` + id + `"}}`)
	}
	b.WriteString("]}")
	return &http.Response{StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json; charset=utf-8"}},
		Body:          io.NopCloser(&b),
		ContentLength: int64(b.Len()), Request: r}, nil
}

// heldReading reads n records through AllRecords (pages of 1000) and
// returns the most heap in use above where it started, sampled after
// each page.
func heldReading(t *testing.T, n int) (peak uint64) {
	t.Helper()
	c, err := New(testKey, WithHost("http://localhost:3003"), WithHTTPClient(&http.Client{Transport: lazyPages{pages: n / 1000, perPage: 1000}}))
	if err != nil {
		t.Fatal(err)
	}
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	read := 0
	var issue struct{ ID, Title, Body string }
	for rec, err := range c.AllRecords(context.Background(), "github", "u1", "Issue") {
		if err != nil {
			t.Fatal(err)
		}
		if err := rec.Decode(&issue); err != nil {
			t.Fatal(err)
		}
		if read++; read%1000 == 0 {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > base && ms.HeapInuse-base > peak {
				peak = ms.HeapInuse - base
			}
		}
	}
	if read != n {
		t.Fatalf("read %d records, want %d", read, n)
	}
	return peak
}

// TestAllRecordsMemoryFlat: reading ten times more records does not hold
// ten times more memory: AllRecords keeps a page at a time (a size bound,
// not a timing).
func TestAllRecordsMemoryFlat(t *testing.T) {
	small, large := 20000, 200000
	if raceEnabled || testing.Short() {
		small, large = 5000, 50000
	}
	a, b := heldReading(t, small), heldReading(t, large)
	t.Logf("heap in use above the start: %.1f MiB reading %d records, %.1f MiB reading %d", float64(a)/(1<<20), small, float64(b)/(1<<20), large)
	// All the records of the large run are over 70 MiB of pages alone.
	if b > 3*max(a, 4<<20) {
		t.Errorf("reading %d records held %d bytes, %d records %d: memory grows with the total", large, b, small, a)
	}
}
