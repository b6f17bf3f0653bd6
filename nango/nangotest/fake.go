// Package nangotest is a fake Nango server for tests: in memory, on loopback,
// and checked against the SDK's openapi.yaml on every exchange.
//
//	srv := nangotest.Start(t)
//	srv.Put(nangotest.OAuth2("github", "user-1", "gho_test"))
//	client, _ := nango.New(srv.SecretKey, nango.WithHost(srv.URL))
//	tok, _ := client.GetToken(ctx, "github", "user-1")
//
// It answers as Nango does (see the package documentation of nango for the
// API), with today's error codes, strict query parameters and both route
// eras, and it can inject faults: a status of your choice, a 429 with
// Retry-After, a delay, an HTML 502, a dropped connection.
package nangotest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/nango-go/sdk/nango/internal/contract"
)

// DefaultSecretKey is the key a fake accepts unless told otherwise.
const DefaultSecretKey = "8c5dbb2d-5a1f-4d7c-9d5e-2f2a4c3b1e00"

// Fake is the fake Nango server as an http.Handler. Start wraps it in a
// loopback server for a test; `nango serve` mounts it directly.
type Fake struct {
	secretKey   string
	acceptBasic bool
	validate    bool
	allowBadReq bool
	report      func(error)

	mu           sync.Mutex
	conns        map[connKey]*stored
	integrations map[string]string // provider config key → provider
	authModes    map[string]string // provider config key → credentials type
	nextID       int64
	faults       []*fault
	log          []Request
	refreshes    map[connKey]int
	clock        func() time.Time
	validator    *contract.Validator
	refresher    Refresher
	// envs are other environments of the same account: their keys are
	// valid, and they see none of this environment's data.
	envs map[string]*Fake
}

type connKey struct{ key, id string }

// stored is a connection as GET returns it, as decoded JSON.
type stored struct {
	obj     map[string]any
	created time.Time
}

// Option configures a Fake.
type Option func(*Fake)

// WithSecretKey sets the key the fake accepts (default DefaultSecretKey).
func WithSecretKey(k string) Option { return func(f *Fake) { f.secretKey = k } }

// AcceptBasicAuth makes the fake accept the key as HTTP Basic user name, as
// servers from before July 2023 did.
func AcceptBasicAuth() Option { return func(f *Fake) { f.acceptBasic = true } }

// WithoutValidation turns off the checks against openapi.yaml (for load
// tests, where they would cost more than the server).
func WithoutValidation() Option { return func(f *Fake) { f.validate = false } }

// AllowInvalidRequests stops reporting requests that break the spec: the fake
// still answers them as Nango would (400 and so on). For tests that send bad
// requests on purpose.
func AllowInvalidRequests() Option { return func(f *Fake) { f.allowBadReq = true } }

// OnViolation receives each contract violation (default: logged to stderr;
// Start reports them to the test instead).
func OnViolation(fn func(error)) Option { return func(f *Fake) { f.report = fn } }

// WithClock sets the fake's clock, for stable timestamps.
func WithClock(now func() time.Time) Option { return func(f *Fake) { f.clock = now } }

// Refresher plays the provider's token endpoint when the fake refreshes an
// OAUTH2 connection, as Nango does on a read with force_refresh or after the
// token's expires_at. It gets the current credentials and returns the new
// ones (access_token, expires_at, …); an error makes the read fail as
// Nango's does, with 400 invalid_credentials.
type Refresher func(providerConfigKey, connectionID string, current map[string]any) (map[string]any, error)

// WithRefresher makes the fake refresh OAUTH2 tokens through fn. Without
// it, reads never change a token (force_refresh is only counted).
func WithRefresher(fn Refresher) Option { return func(f *Fake) { f.refresher = fn } }

// withValidator replaces the validator built from the embedded openapi.yaml;
// tests of the contract tests use it with a deliberately broken spec.
func withValidator(v *contract.Validator) Option { return func(f *Fake) { f.validator = v } }

// NewFake returns an empty fake.
func NewFake(opts ...Option) (*Fake, error) {
	f := &Fake{
		secretKey:    DefaultSecretKey,
		validate:     true,
		conns:        map[connKey]*stored{},
		integrations: map[string]string{},
		authModes:    map[string]string{},
		refreshes:    map[connKey]int{},
		clock:        time.Now,
		report:       func(err error) { fmt.Fprintln(os.Stderr, "nangotest:", err) },
	}
	for _, o := range opts {
		o(f)
	}
	if f.validate && f.validator == nil {
		v, err := contract.Load()
		if err != nil {
			return nil, err
		}
		f.validator = v
	}
	return f, nil
}

// AddEnvironment accepts another secret key, for an environment of its own
// (empty until you Put into the returned Fake). Requests with that key see
// only that environment, as in Nango.
func (f *Fake) AddEnvironment(secretKey string) *Fake {
	f.mu.Lock()
	defer f.mu.Unlock()
	env := &Fake{secretKey: secretKey, conns: map[connKey]*stored{}, integrations: map[string]string{},
		authModes: map[string]string{}, refreshes: map[connKey]int{}, clock: f.clock}
	if f.envs == nil {
		f.envs = map[string]*Fake{}
	}
	f.envs[secretKey] = env
	return env
}

// SecretKey returns the key the fake accepts.
func (f *Fake) SecretKey() string { return f.secretKey }

// AddIntegration declares an integration, so that reads under its key
// answer 404 for unknown ids rather than 400 unknown_provider_config.
// authMode is the credentials type it takes ("OAUTH2", "API_KEY", …).
func (f *Fake) AddIntegration(providerConfigKey, provider, authMode string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.integrations[providerConfigKey] = provider
	f.authModes[providerConfigKey] = authMode
}

// Put adds or replaces a connection. conn is a connection object in exactly
// the shape GET /connections/{id} returns (a nango.Connection, a map, or
// JSON bytes); missing fields get defaults, and its integration is declared.
func (f *Fake) Put(conn any) error {
	obj, err := toObject(conn)
	if err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.putLocked(obj, false)
}

// MustPut is Put for tests and seeds: it panics on a malformed connection.
func (f *Fake) MustPut(conn any) {
	if err := f.Put(conn); err != nil {
		panic(err)
	}
}

func toObject(conn any) (map[string]any, error) {
	var b []byte
	switch v := conn.(type) {
	case []byte:
		b = v
	case json.RawMessage:
		b = v
	case string:
		b = []byte(v)
	default:
		var err error
		if b, err = json.Marshal(v); err != nil {
			return nil, fmt.Errorf("nangotest: connection: %w", err)
		}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		return nil, fmt.Errorf("nangotest: connection: %w", err)
	}
	return obj, nil
}

func (f *Fake) putLocked(obj map[string]any, writeFormat bool) error {
	key, _ := obj["provider_config_key"].(string)
	id, _ := obj["connection_id"].(string)
	if key == "" || id == "" {
		return errors.New("nangotest: a connection needs provider_config_key and connection_id")
	}
	now := f.clock().UTC()
	k := connKey{key, id}
	prev := f.conns[k]
	if _, ok := obj["id"]; !ok || obj["id"] == nil {
		if prev != nil {
			obj["id"] = prev.obj["id"]
		} else {
			f.nextID++
			obj["id"] = json.Number(fmt.Sprint(f.nextID))
		}
	} else if n, err := obj["id"].(json.Number).Int64(); err == nil && n > f.nextID {
		f.nextID = n
	}
	provider, _ := obj["provider"].(string)
	if provider == "" {
		provider = f.integrations[key]
		if provider == "" {
			provider = key
		}
		obj["provider"] = provider
	}
	defaults := map[string]any{"errors": []any{}, "end_user": nil, "tags": map[string]any{}, "metadata": map[string]any{},
		"connection_config": map[string]any{}, "webhook_url_override": nil, "last_fetched_at": nil, "credentials": map[string]any{}}
	for name, v := range defaults {
		if _, ok := obj[name]; !ok {
			obj[name] = v
		}
	}
	ts := formatTime(now, writeFormat)
	created := now
	if s, ok := obj["created_at"].(string); ok {
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			created = t
		}
	} else {
		obj["created_at"] = ts
	}
	if _, ok := obj["updated_at"].(string); !ok {
		obj["updated_at"] = ts
	}
	if _, ok := f.integrations[key]; !ok {
		f.integrations[key] = provider
	}
	if _, ok := f.authModes[key]; !ok {
		if creds, ok := obj["credentials"].(map[string]any); ok {
			if t, ok := creds["type"].(string); ok {
				f.authModes[key] = t
			}
		}
	}
	f.conns[k] = &stored{obj: obj, created: created}
	return nil
}

// formatTime writes timestamps as Nango does: reads end in +00:00, the
// answer to a POST in Z.
func formatTime(t time.Time, z bool) string {
	s := t.UTC().Format("2006-01-02T15:04:05.000")
	if z {
		return s + "Z"
	}
	return s + "+00:00"
}

// Remove deletes a connection; it reports whether there was one.
func (f *Fake) Remove(providerConfigKey, connectionID string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	k := connKey{providerConfigKey, connectionID}
	_, ok := f.conns[k]
	delete(f.conns, k)
	return ok
}

// Connection returns a copy of a stored connection as JSON, or nil.
func (f *Fake) Connection(providerConfigKey, connectionID string) json.RawMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.conns[connKey{providerConfigKey, connectionID}]
	if s == nil {
		return nil
	}
	b, _ := json.Marshal(s.obj)
	return b
}

// Len returns the number of stored connections.
func (f *Fake) Len() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.conns)
}

// Refreshes returns how many force_refresh reads a connection has had.
func (f *Fake) Refreshes(providerConfigKey, connectionID string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.refreshes[connKey{providerConfigKey, connectionID}]
}

// Seed loads a JSON file holding an array of connection objects, each in the
// shape GET /connections/{id} returns.
func (f *Fake) Seed(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return f.SeedJSON(b)
}

// SeedJSON is Seed from bytes.
func (f *Fake) SeedJSON(b []byte) error {
	var arr []json.RawMessage
	if err := json.Unmarshal(b, &arr); err != nil {
		return fmt.Errorf("nangotest: seed: want a JSON array of connections: %w", err)
	}
	for i, raw := range arr {
		if err := f.Put(raw); err != nil {
			return fmt.Errorf("nangotest: seed item %d: %w", i, err)
		}
	}
	return nil
}

// sortedConns lists connections newest first, as Nango's list does.
func (f *Fake) sortedConns() []*stored {
	out := slices.Collect(maps.Values(f.conns))
	sort.Slice(out, func(i, j int) bool {
		if !out[i].created.Equal(out[j].created) {
			return out[i].created.After(out[j].created)
		}
		a, _ := out[i].obj["id"].(json.Number).Int64()
		b, _ := out[j].obj["id"].(json.Number).Int64()
		return a > b
	})
	return out
}

// Request is one request the fake received.
type Request struct {
	Method string
	// Path is decoded; EscapedPath is as sent.
	Path, EscapedPath string
	Query             map[string][]string
	Header            http.Header
	Body              []byte
	// Status is what the fake answered (0 for a dropped connection).
	Status int
}

// Requests returns the requests received so far, oldest first.
func (f *Fake) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.log)
}

// Reset forgets the request log and pending faults.
func (f *Fake) Reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log, f.faults = nil, nil
}

func lower(s string) string { return strings.ToLower(s) }
