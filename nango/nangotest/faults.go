package nangotest

import (
	"net/http"
	"strconv"
	"time"
)

// Fault is a deliberate failure the fake serves instead of its answer.
type Fault struct {
	// Status and Body of the answer; ContentType defaults to JSON.
	Status      int
	Body        string
	ContentType string
	Header      http.Header
	// Delay holds the answer (or the real one, with no Status) this long.
	Delay time.Duration
	// Drop closes the connection without an answer.
	Drop bool
	// Truncate sends the headers and half the body, then closes.
	Truncate bool
	// OffContract marks a fault that breaks the spec on purpose (HTML from
	// a proxy): its response is not validated.
	OffContract bool
}

type fault struct {
	Fault
	remaining int // < 0: forever
	key, id   string
}

func (x *fault) matches(key, id string) bool {
	return (x.key == "" || x.key == key) && (x.id == "" || x.id == id)
}

// FailNext serves fault to the next n requests (n < 0: until Reset).
func (f *Fake) FailNext(n int, fault Fault) {
	f.addFault(n, fault, "", "")
}

// FailConnection serves fault to the next n reads or writes of one
// connection (n < 0: until Reset).
func (f *Fake) FailConnection(providerConfigKey, connectionID string, n int, fault Fault) {
	f.addFault(n, fault, providerConfigKey, connectionID)
}

func (f *Fake) addFault(n int, x Fault, key, id string) {
	if n == 0 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = append(f.faults, &fault{Fault: x, remaining: n, key: key, id: id})
}

// takeFault returns the first pending fault for this request and uses it up.
func (f *Fake) takeFault(key, id string) *Fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, x := range f.faults {
		if !x.matches(key, id) {
			continue
		}
		out := x.Fault
		if x.remaining > 0 {
			x.remaining--
			if x.remaining == 0 {
				f.faults = append(f.faults[:i], f.faults[i+1:]...)
			}
		}
		return &out
	}
	return nil
}

// RateLimited is Nango's 429, with Retry-After in whole seconds: the
// duration rounded up, and at least 1, as Nango never sends 0.
func RateLimited(retryAfter time.Duration) Fault {
	secs := max(1, int64((retryAfter+time.Second-1)/time.Second))
	if retryAfter > time.Duration(1<<62) {
		secs = int64(1<<62) / int64(time.Second)
	}
	h := http.Header{}
	h.Set("Retry-After", strconv.FormatInt(secs, 10))
	h.Set("X-RateLimit-Limit", "200")
	h.Set("X-RateLimit-Remaining", "0")
	return Fault{Status: http.StatusTooManyRequests, Header: h,
		Body: `{"error":{"code":"too_many_request","message":"Too many requests"}}`}
}

// HTMLBadGateway is what a proxy in front of Nango sends when Nango is down.
func HTMLBadGateway() Fault {
	return Fault{Status: http.StatusBadGateway, ContentType: "text/html",
		Body: "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>"}
}

// ServerError is Nango's 500.
func ServerError() Fault {
	return Fault{Status: http.StatusInternalServerError, Body: `{"error":{"code":"server_error","message":"An unexpected error occurred"}}`}
}

// InvalidCredentials is the answer to a read whose token refresh failed at
// the provider (400), or was refused after a recent failure (424).
func InvalidCredentials(status int) Fault {
	return Fault{Status: status, Body: `{"error":{"code":"invalid_credentials","message":"The external API returned an error when trying to refresh the access token. Please try again later."}}`}
}

// DropConnection closes the connection before any answer.
func DropConnection() Fault { return Fault{Drop: true} }

// Delay holds the real answer for d.
func Delay(d time.Duration) Fault { return Fault{Delay: d} }
