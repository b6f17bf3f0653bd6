package nango

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"testing"
	"time"

	"github.com/nango-go/sdk/cmd/nango-bench/benchkit"
)

// The records benchmarks read the same pages, served from memory (no
// network), with AllRecords + Record.Decode and with the loop a Go
// developer would write by hand with net/http and encoding/json: the
// difference is the SDK's own cost per record. The targets: at most 1.25x
// the time and 1.5x the allocations of the hand-written loop.
//
//	go test ./nango -run '^$' -bench 'Records' -benchmem

// pageTransport answers GET /records from memory, by cursor.
type pageTransport struct{ pages map[string][]byte }

func (t pageTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_ = r.Body.Close()
	}
	body, ok := t.pages[r.URL.Query().Get("cursor")]
	if !ok {
		return nil, fmt.Errorf("no page for %s", r.URL.RawQuery)
	}
	return &http.Response{StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json; charset=utf-8"}},
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)), Request: r}, nil
}

const (
	benchPages   = 5
	benchPerPage = benchkit.RecordsPageSize
)

// BenchmarkRecords reads benchPages pages of benchPerPage records per
// iteration; ns/record and allocs/record are the figures to compare.
func BenchmarkRecords(b *testing.B) {
	pages := benchkit.RecordPages(benchPages, benchkit.RecordsPageSize)
	hc := &http.Client{Transport: pageTransport{pages}}
	ctx := context.Background()
	sink := 0
	b.Run("handwritten", func(b *testing.B) {
		start := mallocs()
		for b.Loop() {
			n, err := benchkit.HandWrittenRecords(ctx, hc, "http://nango.test", testKey, func(r *benchkit.Record) { sink += r.Number + len(r.Meta.Cursor) })
			if err != nil || n != benchPages*benchPerPage {
				b.Fatal(n, err)
			}
		}
		perRecord(b, start)
	})
	b.Run("sdk", func(b *testing.B) {
		c, err := New(testKey, WithHost("http://localhost:3003"), WithHTTPClient(hc))
		if err != nil {
			b.Fatal(err)
		}
		start := mallocs()
		for b.Loop() {
			n := 0
			for rec, err := range c.AllRecords(ctx, "github", "user-1", "Issue", PageSize(benchPerPage)) {
				if err != nil {
					b.Fatal(err)
				}
				var issue benchkit.Issue
				if err := rec.Decode(&issue); err != nil {
					b.Fatal(err)
				}
				sink += issue.Number + len(rec.Metadata.Cursor)
				n++
			}
			if n != benchPages*benchPerPage {
				b.Fatal(n)
			}
		}
		perRecord(b, start)
	})
	_ = sink
}

// perRecord reports the time and allocations of one record.
func perRecord(b *testing.B, startMallocs uint64) {
	records := float64(b.N) * benchPages * benchPerPage
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/records, "ns/record")
	b.ReportMetric(float64(mallocs()-startMallocs)/records, "allocs/record")
}

func mallocs() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.Mallocs
}

// BenchmarkRecordsRatio alternates the two loops walk by walk, so that a
// change in the machine's load hits both alike, and reports the SDK's
// time and allocations per record as ratios of the hand-written loop's
// (targets: time <= 1.25, allocs <= 1.5).
func BenchmarkRecordsRatio(b *testing.B) {
	pages := benchkit.RecordPages(benchPages, benchkit.RecordsPageSize)
	hc := &http.Client{Transport: pageTransport{pages}}
	c, err := New(testKey, WithHost("http://localhost:3003"), WithHTTPClient(hc))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	sink := 0
	var handTime, sdkTime time.Duration
	var handAllocs, sdkAllocs uint64
	for b.Loop() {
		m0, t0 := mallocs(), time.Now()
		if _, err := benchkit.HandWrittenRecords(ctx, hc, "http://nango.test", testKey, func(r *benchkit.Record) { sink += r.Number }); err != nil {
			b.Fatal(err)
		}
		m1, t1 := mallocs(), time.Now()
		for rec, err := range c.AllRecords(ctx, "github", "user-1", "Issue", PageSize(benchPerPage)) {
			if err != nil {
				b.Fatal(err)
			}
			var issue benchkit.Issue
			if err := rec.Decode(&issue); err != nil {
				b.Fatal(err)
			}
			sink += issue.Number
		}
		m2, t2 := mallocs(), time.Now()
		handTime, sdkTime = handTime+t1.Sub(t0), sdkTime+t2.Sub(t1)
		handAllocs, sdkAllocs = handAllocs+m1-m0, sdkAllocs+m2-m1
	}
	records := float64(b.N) * benchPages * benchPerPage
	b.ReportMetric(float64(sdkTime)/float64(handTime), "time-ratio")
	b.ReportMetric(float64(sdkAllocs)/float64(handAllocs), "allocs-ratio")
	b.ReportMetric(float64(sdkTime.Nanoseconds())/records, "sdk-ns/record")
	b.ReportMetric(float64(handTime.Nanoseconds())/records, "hand-ns/record")
	_ = sink
}

// BenchmarkRecordsPage1000 is the cost of one page of 1000 records (about
// 640 KiB of JSON) read from memory: the request, the page, and, in
// "decoded", every record decoded into a struct.
func BenchmarkRecordsPage1000(b *testing.B) {
	pages := benchkit.RecordPages(1, 1000)
	c, err := New(testKey, WithHost("http://localhost:3003"), WithHTTPClient(&http.Client{Transport: pageTransport{pages}}))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.Logf("page of %d bytes", len(pages[""]))
	b.Run("page", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.ListRecords(ctx, "github", "user-1", "Issue", PageSize(1000)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decoded", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			page, err := c.ListRecords(ctx, "github", "user-1", "Issue", PageSize(1000))
			if err != nil {
				b.Fatal(err)
			}
			for _, rec := range page.Records {
				var issue benchkit.Issue
				if err := rec.Decode(&issue); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
