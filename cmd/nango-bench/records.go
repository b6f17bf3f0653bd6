package main

import (
	"context"
	_ "embed"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"time"

	"github.com/nango-go/sdk/cmd/nango-bench/benchkit"
	"github.com/nango-go/sdk/nango"
	"github.com/nango-go/sdk/nango/nangotest"
)

//go:embed load-records.mjs
var loadRecordsScript []byte

const (
	recordsPages   = 20
	recordsPerPage = benchkit.RecordsPageSize
)

// runRecords compares reading records: AllRecords + Decode, a hand-written
// net/http + encoding/json loop, and @nangohq/node's listRecords loop, all
// over loopback from one in-process server that answers from memory.
func runRecords(w io.Writer, d time.Duration, skipNode bool) error {
	pages := benchkit.RecordPages(recordsPages, recordsPerPage)
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, ok := pages[r.URL.Query().Get("cursor")]
		if !ok || r.URL.Path != "/records" && r.URL.Path != "/records/" {
			http.Error(rw, `{"error":{"code":"not_found"}}`, http.StatusNotFound)
			return
		}
		rw.Header().Set("Content-Type", "application/json; charset=utf-8")
		rw.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = rw.Write(body)
	}))
	defer srv.Close()
	key := nangotest.DefaultSecretKey
	ctx := context.Background()
	fmt.Fprintf(w, "server: in-process, %d pages of %d records (%d KiB a page) from memory, loopback\n", recordsPages, recordsPerPage, len(pages[""])>>10)
	fmt.Fprintf(w, "machine: %s, %d CPUs, %s %s/%s\n\n", cpuModel(), runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH)

	client, err := nango.New(key, nango.WithHost(srv.URL))
	if err != nil {
		return err
	}
	hc := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	sdkWalk := func() (int, error) {
		n := 0
		for rec, err := range client.AllRecords(ctx, "github", "user-1", "Issue", nango.PageSize(recordsPerPage)) {
			if err != nil {
				return n, err
			}
			var v benchkit.Issue
			if err := rec.Decode(&v); err != nil {
				return n, err
			}
			n++
		}
		return n, nil
	}
	handWalk := func() (int, error) {
		return benchkit.HandWrittenRecords(ctx, hc, srv.URL, key, func(*benchkit.Record) {})
	}
	// The records as bytes (Raw) and metadata, not decoded: what a consumer
	// that stores the JSON as it came pays.
	rawWalk := func() (int, error) {
		n := 0
		for rec, err := range client.AllRecords(ctx, "github", "user-1", "Issue", nango.PageSize(recordsPerPage)) {
			if err != nil || len(rec.Raw) == 0 || rec.Metadata.Cursor == "" {
				return n, fmt.Errorf("record %d: %v", n, err)
			}
			n++
		}
		return n, nil
	}

	// Alternate short rounds so that drift in the machine's load hits
	// both loops alike.
	var sdkTime, handTime time.Duration
	var sdkN, handN int
	deadline := time.Now().Add(2 * d)
	for time.Now().Before(deadline) || sdkN == 0 {
		t0 := time.Now()
		n, err := handWalk()
		if err != nil {
			return fmt.Errorf("hand-written loop: %w", err)
		}
		t1 := time.Now()
		m, err := sdkWalk()
		if err != nil {
			return fmt.Errorf("AllRecords: %w", err)
		}
		handTime, sdkTime = handTime+t1.Sub(t0), sdkTime+time.Since(t1)
		handN, sdkN = handN+n, sdkN+m
	}
	handRate, sdkRate := float64(handN)/handTime.Seconds(), float64(sdkN)/sdkTime.Seconds()
	rawN, rawStart := 0, time.Now()
	for time.Since(rawStart) < d/2 || rawN == 0 {
		n, err := rawWalk()
		if err != nil {
			return fmt.Errorf("AllRecords: %w", err)
		}
		rawN += n
	}
	rawRate := float64(rawN) / time.Since(rawStart).Seconds()
	aHand := allocsPerRecord(func() (int, error) { return handWalk() })
	aSDK := allocsPerRecord(sdkWalk)

	fmt.Fprintf(w, "%-40s %12s %16s\n", "reader", "records/s", "allocs/record")
	fmt.Fprintf(w, "%-40s %12.0f %16.1f\n", "hand-written net/http + encoding/json", handRate, aHand)
	fmt.Fprintf(w, "%-40s %12.0f %16.1f\n", "nango-go AllRecords + Record.Decode", sdkRate, aSDK)
	fmt.Fprintf(w, "%-40s %12.0f %16.1f  Raw and Metadata only\n", "nango-go AllRecords, no Decode", rawRate, allocsPerRecord(rawWalk))
	nodeRate := 0.0
	if !skipNode {
		walks := max(1, int(d.Seconds()*handRate/float64(recordsPages*recordsPerPage)/4))
		nodeRate, err = nodeRecords(srv.URL, key, walks)
		if err != nil {
			fmt.Fprintf(w, "node SDK skipped: %v\n", err)
		} else {
			fmt.Fprintf(w, "%-40s %12.0f %16s  own process\n", "@nangohq/node listRecords loop", nodeRate, "-")
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "AllRecords time per record / hand-written: %.2f (target <= 1.25)\n", handRate/sdkRate)
	fmt.Fprintf(w, "AllRecords allocations / hand-written:     %.2f (target <= 1.5)\n", aSDK/aHand)
	if nodeRate > 0 {
		fmt.Fprintf(w, "AllRecords + Decode / Node SDK listRecords, records/s: %.2f\n", sdkRate/nodeRate)
		fmt.Fprintf(w, "AllRecords, no Decode / Node SDK listRecords, records/s: %.2f\n", rawRate/nodeRate)
	}
	return nil
}

func allocsPerRecord(walk func() (int, error)) float64 {
	var a, b runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&a)
	n, err := walk()
	runtime.ReadMemStats(&b)
	if err != nil || n == 0 {
		return 0
	}
	return float64(b.Mallocs-a.Mallocs) / float64(n)
}

func nodeRecords(host, key string, walks int) (float64, error) {
	var res struct {
		RecordsPerSecond float64 `json:"recordsPerSecond"`
	}
	err := runNodeScript("nango-bench-records.mjs", loadRecordsScript, &res, host, key, strconv.Itoa(walks), strconv.Itoa(recordsPerPage))
	return res.RecordsPerSecond, err
}
