package nango

import (
	"context"
	"fmt"
	"net/http"
	"testing"
)

// BenchmarkCoalesceOverhead: the cost of the flight machinery on reads that
// have nothing to merge (distinct ids), with no network.
func BenchmarkCoalesceOverhead(b *testing.B) {
	for _, on := range []bool{false, true} {
		for _, conc := range []int{1, 16} {
			b.Run(fmt.Sprintf("coalesce=%t/c%d", on, conc), func(b *testing.B) {
				c, err := New(testKey, WithHost("http://localhost:3003"), WithHTTPClient(&http.Client{Transport: memTransport{}}), WithCoalescing(on))
				if err != nil {
					b.Fatal(err)
				}
				runConcurrent(b, conc, func(w int) error { _, err := c.GetToken(context.Background(), "github", benchIDs[w]); return err })
			})
		}
	}
}
