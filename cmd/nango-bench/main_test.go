package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestBenchRuns: the benchmark starts `nango serve`, measures both Go
// clients and prints its table with the ratios (short rounds, no Node).
func TestBenchRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("builds cmd/nango")
	}
	var out bytes.Buffer
	if err := run(&out, 200*time.Millisecond, true); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"nango serve", "minimal net/http + encoding/json", "nango-go GetToken", "GetToken (default) / minimal, concurrency 16:", "coalescing off", "allocations / minimal:"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

// TestRecordsBenchRuns: the records comparison runs and prints its ratios
// (short rounds, no Node).
func TestRecordsBenchRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 20,000 records a round")
	}
	var out bytes.Buffer
	if err := runRecords(&out, 100*time.Millisecond, true); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"hand-written net/http + encoding/json", "nango-go AllRecords + Record.Decode", "time per record / hand-written:", "allocations / hand-written:"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
