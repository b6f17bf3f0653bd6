package benchkit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// RecordsPageSize is the page the records benchmarks read.
const RecordsPageSize = 1000

// Issue is the synced model the records benchmarks read: a few strings, a
// number, a flag, a list and a nested object.
type Issue struct {
	ID        string   `json:"id"`
	Number    int      `json:"number"`
	Title     string   `json:"title"`
	State     string   `json:"state"`
	Body      string   `json:"body"`
	Labels    []string `json:"labels"`
	Draft     bool     `json:"draft"`
	Author    struct{ Login, URL string }
	UpdatedAt string `json:"updated_at"`
}

// Record is a record as the hand-written loop decodes it: the payload and
// Nango's metadata, typed.
type Record struct {
	Issue
	Meta struct {
		FirstSeenAt    time.Time  `json:"first_seen_at"`
		LastModifiedAt time.Time  `json:"last_modified_at"`
		LastAction     string     `json:"last_action"`
		DeletedAt      *time.Time `json:"deleted_at"`
		PrunedAt       *time.Time `json:"pruned_at"`
		Cursor         string     `json:"cursor"`
	} `json:"_nango_metadata"`
}

// RecordPages builds pages of n records each, chained by cursor, as
// GET /records answers them: the first page answers no cursor, page k the
// cursor "p<k>". Each record carries a cursor of Nango's form.
func RecordPages(pages, n int) map[string][]byte {
	out := map[string][]byte{}
	id := 0
	for p := 0; p < pages; p++ {
		var b bytes.Buffer
		b.WriteString(`{"next_cursor":`)
		if p == pages-1 {
			b.WriteString("null")
		} else {
			fmt.Fprintf(&b, `"p%d"`, p+1)
		}
		b.WriteString(`,"records":[`)
		for i := 0; i < n; i++ {
			id++
			if i > 0 {
				b.WriteByte(',')
			}
			cursor := fmt.Sprintf("MjAyNi0xMi0wM1QwNzoyMDoyNC43NzgxMDYrMDA6MDB8fDRhOTNkZDI3LTNkYjAtNWU3Yy05YWRjLTNhYzQ3%08d", id)
			fmt.Fprintf(&b, `{"id":"%d","number":%d,"title":"Issue %d: the sync stored this title","state":"open","body":"%s","labels":["bug","p%d"],"draft":false,"author":{"login":"octocat","url":"https://github.com/octocat"},"updated_at":"2026-12-03T07:20:24.604Z","_nango_metadata":{"first_seen_at":"2026-12-03T07:20:24.778106+00:00","last_modified_at":"2026-12-03T07:20:24.778106+00:00","last_action":"ADDED","deleted_at":null,"pruned_at":null,"cursor":"%s"}}`,
				id, id, id, strings.Repeat("Some text of the issue. ", 8), id%4, cursor)
		}
		b.WriteString("]}")
		key := ""
		if p > 0 {
			key = "p" + strconv.Itoa(p)
		}
		out[key] = b.Bytes()
	}
	return out
}

// HandWrittenRecords is the loop a Go developer writes without the SDK:
// net/http and encoding/json over every page of connection user-1's Issue
// records of integration github, calling each on every record. It returns
// how many it read.
func HandWrittenRecords(ctx context.Context, hc *http.Client, host, key string, each func(*Record)) (int, error) {
	cursor, n := "", 0
	for {
		q := url.Values{"model": {"Issue"}, "limit": {strconv.Itoa(RecordsPageSize)}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, host+"/records?"+q.Encode(), nil)
		if err != nil {
			return n, err
		}
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Connection-Id", "user-1")
		req.Header.Set("Provider-Config-Key", "github")
		resp, err := hc.Do(req)
		if err != nil {
			return n, err
		}
		var page struct {
			NextCursor *string  `json:"next_cursor"`
			Records    []Record `json:"records"`
		}
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if err != nil {
			return n, err
		}
		for i := range page.Records {
			each(&page.Records[i])
			n++
		}
		if page.NextCursor == nil {
			return n, nil
		}
		cursor = *page.NextCursor
	}
}
