package nango

import (
	"context"
	"fmt"
	"iter"
	"net/http"
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
//
// It ends after a page shorter than asked. A server that does not page (a
// self-hosted Nango of 2023, or a proxy that drops the query) would answer
// every page with the same list: a page longer than asked, or one that
// repeats the previous page, ends the walk with an error matching
// ErrUnexpectedResponse, before any item of that page, so that no item is
// yielded twice. A connection created while the walk runs shifts the pages
// (they count from the newest); an item of the previous page seen again is
// skipped.
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
		var prev map[int64]bool // the ids of the previous page
		for {
			pageOpts := append(append([]ListOption{}, opts...), PageSize(p.limit), Page(page))
			conns, err := c.ListConnections(ctx, pageOpts...)
			if err != nil {
				yield(ConnectionSummary{}, err)
				return
			}
			if err := c.checkPage(conns, p.limit, page, prev); err != nil {
				yield(ConnectionSummary{}, err)
				return
			}
			ids := make(map[int64]bool, len(conns))
			for _, conn := range conns {
				ids[conn.ID] = true
				if prev[conn.ID] {
					continue
				}
				if !yield(conn, nil) {
					return
				}
			}
			if len(conns) < p.limit {
				return
			}
			prev = ids
			page++
		}
	}
}

// checkPage tells a page of a server that ignores paging: longer than the
// limit asked, or holding only connections of the previous page.
func (c *Client) checkPage(conns []ConnectionSummary, limit, page int, prev map[int64]bool) error {
	op := opListConnections
	if c.legacyPaths {
		op = opListLegacy
	}
	if len(conns) > limit {
		return &UnexpectedResponseError{Operation: op, StatusCode: http.StatusOK,
			Reason: fmt.Sprintf("the server ignored paging: page %d holds %d connections, %d were asked for; list without PageSize and Page (ListConnections) instead", page, len(conns), limit)}
	}
	if len(conns) == 0 || prev == nil {
		return nil
	}
	for _, conn := range conns {
		if !prev[conn.ID] {
			return nil
		}
	}
	return &UnexpectedResponseError{Operation: op, StatusCode: http.StatusOK,
		Reason: fmt.Sprintf("the server ignored paging: page %d repeats page %d; list without PageSize and Page (ListConnections) instead", page, page-1)}
}
