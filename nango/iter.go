package nango

import (
	"context"
	"iter"
)

// defaultPageSize is the page AllConnections asks for when no PageSize is
// given: large pages, few round trips.
const defaultPageSize = 1000

// AllConnections walks every page of ListConnections lazily, newest first.
// Filters apply as for ListConnections; PageSize sets the page size and
// Page the first page. It stops at the first error, which it yields.
//
//	for conn, err := range client.AllConnections(ctx, nango.FilterIntegrations("github")) {
//		if err != nil { return err }
//		...
//	}
func (c *Client) AllConnections(ctx context.Context, opts ...ListOption) iter.Seq2[ConnectionSummary, error] {
	return func(yield func(ConnectionSummary, error) bool) {
		var p listParams
		for _, o := range opts {
			if o != nil {
				o.applyList(&p)
			}
		}
		if !p.hasLimit {
			p.limit, p.hasLimit = defaultPageSize, true
		}
		page := 0
		if p.hasPage {
			page = p.page
		}
		for {
			pageOpts := append(append([]ListOption{}, opts...), PageSize(p.limit), Page(page))
			conns, err := c.ListConnections(ctx, pageOpts...)
			if err != nil {
				yield(ConnectionSummary{}, err)
				return
			}
			for _, conn := range conns {
				if !yield(conn, nil) {
					return
				}
			}
			if len(conns) < p.limit {
				return
			}
			page++
		}
	}
}
