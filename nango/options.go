package nango

import (
	"log/slog"
	"net/http"
	"time"
)

// Option configures a Client; pass options to New.
type Option func(*Client) error

// WithHost sets the base URL of the Nango server. The default is Nango Cloud,
// https://api.nango.dev. A path prefix ("https://example.com/nango") is kept.
// Plain http:// is accepted for loopback hosts only, unless WithInsecureHTTP is
// also given.
func WithHost(baseURL string) Option {
	return func(c *Client) error { c.rawHost = baseURL; return nil }
}

// WithHTTPClient sets the HTTP client used for every request. The SDK copies
// it and wraps its redirect policy so that the secret key never follows a
// redirect to another host; the client passed in is not modified.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) error {
		if hc == nil {
			return invalidArgument("WithHTTPClient: nil *http.Client")
		}
		c.httpClient = hc
		return nil
	}
}

// WithUserAgent appends s to the User-Agent header ("nango-go/<version> s").
func WithUserAgent(s string) Option {
	return func(c *Client) error {
		for _, r := range s {
			if r < 0x20 || r == 0x7f {
				return invalidArgument("WithUserAgent: control character in %q", s)
			}
		}
		c.userAgentSuffix = s
		return nil
	}
}

// WithMaxRetries sets how many times a failed read is retried (default 2;
// 0 disables retries). See the package documentation for what is retried.
func WithMaxRetries(n int) Option {
	return func(c *Client) error {
		if n < 0 {
			return invalidArgument("WithMaxRetries: negative count %d", n)
		}
		c.maxRetries = n
		return nil
	}
}

// WithBackoff sets the exponential backoff between retries: the ceiling
// starts at base and doubles up to max; each wait is drawn uniformly below it
// (full jitter). Defaults: 250ms and 4s.
func WithBackoff(base, max time.Duration) Option {
	return func(c *Client) error {
		if base < 0 || max < base {
			return invalidArgument("WithBackoff: need 0 <= base <= max, got %s and %s", base, max)
		}
		c.backoffBase, c.backoffMax = base, max
		return nil
	}
}

// WithMaxRetryAfter caps how long the client waits when Nango answers 429 or
// 503 with Retry-After (default 30s). A longer Retry-After, or one that would
// overrun the context's deadline, returns the *APIError at once with
// RetryAfter set.
func WithMaxRetryAfter(d time.Duration) Option {
	return func(c *Client) error {
		if d < 0 {
			return invalidArgument("WithMaxRetryAfter: negative duration %s", d)
		}
		c.maxRetryAfter = d
		return nil
	}
}

// WithRetryBudget bounds the time one call may take across its attempts and
// the waits between them (default 5s, which suits a call on the path of a
// request your service is answering). A retry whose wait would end past the
// budget is not made: the last failure comes back at once, a 429 with
// APIError.RetryAfter set, so that the caller can pass the wait on. Batch
// jobs that would rather wait can raise it. Each attempt is still bounded by
// WithTimeout or the context.
func WithRetryBudget(d time.Duration) Option {
	return func(c *Client) error {
		if d <= 0 {
			return invalidArgument("WithRetryBudget: need a positive duration, got %s", d)
		}
		c.retryBudget = d
		return nil
	}
}

// WithTimeout sets the time limit of one attempt (default 10s). An attempt
// ends at the earlier of this limit and the caller's deadline (the context's,
// or RequestTimeout's): an answer that stalls costs one attempt, and a read
// is retried while the deadline leaves time. A write that timed out after it
// may have been sent is not retried.
func WithTimeout(d time.Duration) Option {
	return func(c *Client) error {
		if d <= 0 {
			return invalidArgument("WithTimeout: need a positive duration, got %s", d)
		}
		c.timeout = d
		return nil
	}
}

// WithInsecureHTTP allows a plain http:// host that is not a loopback address,
// for self-hosted servers inside a trusted network. Without it New refuses
// such a host: the secret key would cross the network in clear text.
func WithInsecureHTTP() Option {
	return func(c *Client) error { c.insecureHTTP = true; return nil }
}

// WithBasicAuth sends the secret key as HTTP Basic credentials (the key as
// user name, no password) instead of a bearer token, for self-hosted servers
// from before July 2023.
func WithBasicAuth() Option {
	return func(c *Client) error { c.basicAuth = true; return nil }
}

// WithLegacyPaths uses the /connection routes instead of /connections, for
// servers from before mid-2025 (today's servers answer both).
func WithLegacyPaths() Option {
	return func(c *Client) error { c.legacyPaths = true; return nil }
}

// WithLogger logs each attempt (method, route template, status, duration,
// retry) at debug level. Secrets, tokens, ids and bodies are never logged.
func WithLogger(l *slog.Logger) Option {
	return func(c *Client) error { c.logger = l; return nil }
}

// WithCoalescing turns the merging of identical in-flight reads on or off
// (on by default). When on, concurrent calls with the same arguments and
// options share one request; nothing is kept once it completes, so the next
// call asks the server again.
func WithCoalescing(on bool) Option {
	return func(c *Client) error { c.coalesce = on; return nil }
}

// WithMaxResponseBytes caps the size of a response body (default 4 MiB for a
// connection, 32 MiB for a list page). A larger body is an error that matches
// ErrUnexpectedResponse; it is never read whole into memory.
func WithMaxResponseBytes(n int64) Option {
	return func(c *Client) error {
		if n <= 0 {
			return invalidArgument("WithMaxResponseBytes: need a positive size, got %d", n)
		}
		c.maxBody, c.maxListBody = n, n
		return nil
	}
}

// GetOption modifies one read of a connection or token: ForceRefresh,
// IncludeRefreshToken, RefreshGitHubAppJWT, or any RequestOption.
type GetOption interface{ applyGet(*getParams) }

type getOption func(*getParams)

func (f getOption) applyGet(p *getParams) { f(p) }

type getParams struct {
	forceRefresh        bool
	refreshToken        bool
	refreshGitHubAppJWT bool
	req                 requestConfig
}

// ForceRefresh asks Nango to refresh the OAuth token even if it has not
// expired yet.
func ForceRefresh() GetOption { return getOption(func(p *getParams) { p.forceRefresh = true }) }

// IncludeRefreshToken asks Nango to include the refresh token, which it strips
// from the credentials otherwise.
func IncludeRefreshToken() GetOption { return getOption(func(p *getParams) { p.refreshToken = true }) }

// RefreshGitHubAppJWT asks Nango to refresh the JWT of a GitHub App
// connection too. Today's routes only: it is an error with WithLegacyPaths.
func RefreshGitHubAppJWT() GetOption {
	return getOption(func(p *getParams) { p.refreshGitHubAppJWT = true })
}

// ListOption filters or pages ListConnections and AllConnections: the
// Filter… options, PageSize and Page, or any RequestOption. (Client options,
// for New, are the With… ones.)
type ListOption interface{ applyList(*listParams) }

type listOption func(*listParams)

func (f listOption) applyList(p *listParams) { f(p) }

type listParams struct {
	connectionID, search, endUserID, endUserOrgID string
	integrationIDs                                []string
	tags                                          map[string]string
	limit, page                                   int
	hasLimit, hasPage                             bool
	req                                           requestConfig
}

// FilterConnectionID lists only the connections with exactly this id.
func FilterConnectionID(id string) ListOption {
	return listOption(func(p *listParams) { p.connectionID = id })
}

// FilterSearch lists only the connections whose id contains s.
func FilterSearch(s string) ListOption { return listOption(func(p *listParams) { p.search = s }) }

// FilterEndUser lists only the connections of this end user (by your id).
func FilterEndUser(id string) ListOption {
	return listOption(func(p *listParams) { p.endUserID = id })
}

// FilterEndUserOrganization lists only the connections of this
// organization's end users.
func FilterEndUserOrganization(id string) ListOption {
	return listOption(func(p *listParams) { p.endUserOrgID = id })
}

// FilterIntegrations lists only the connections of these provider config
// keys.
func FilterIntegrations(providerConfigKeys ...string) ListOption {
	return listOption(func(p *listParams) { p.integrationIDs = append(p.integrationIDs, providerConfigKeys...) })
}

// FilterTag lists only the connections that carry this tag; repeat for more.
// The key follows Nango's rule (a letter, then letters, digits and _-./, at
// most 64 characters) and the value is 1 to 255 characters of valid UTF-8;
// ListConnections refuses anything else with ErrInvalidArgument.
func FilterTag(key, value string) ListOption {
	return listOption(func(p *listParams) {
		if p.tags == nil {
			p.tags = map[string]string{}
		}
		p.tags[key] = value
	})
}

// PageSize sets the number of items a page holds: for ListConnections and
// AllConnections 1 to 2000 (without it the server returns up to 10,000 at
// once), for ListRecords and AllRecords 1 to 10,000 (default 100, and 1000
// for AllRecords), for ListFunctions and AllFunctions 1 to 100 (default 20,
// and 100 for AllFunctions).
func PageSize(n int) PageSizeOption { return PageSizeOption(n) }

// PageSizeOption is PageSize's option: a ListOption, a RecordsOption and
// a FunctionOption, so that one name pages every list.
type PageSizeOption int

func (n PageSizeOption) applyList(p *listParams) { p.limit, p.hasLimit = int(n), true }

// Page selects a page, counting from 0, of ListConnections or
// ListFunctions (the lists paged by number; records page by cursor).
func Page(n int) PageOption { return PageOption(n) }

// PageOption is Page's option: a ListOption and a FunctionOption.
type PageOption int

func (n PageOption) applyList(p *listParams) { p.page, p.hasPage = int(n), true }
