package nangotest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/nango-go/sdk/gen"
	"github.com/nango-go/sdk/nango"
	"github.com/nango-go/sdk/nango/internal/contract"
	"github.com/nango-go/sdk/nango/internal/routes"
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
	routes      *routes.Table
	// handlers are the operations the fake implements, by the spec's
	// "METHOD /template"; every other operation of the spec answers 501.
	handlers map[string]handler
	maxBody  int
	proxy    proxyTargets // the upstreams of /proxy, by provider config key

	mu           sync.Mutex
	conns        map[connKey]*stored
	integrations map[string]*integration // by provider config key
	sessions     map[string]*session     // connect sessions by token
	sessionSeq   int64
	nextID       int64
	faults       []*fault
	log          []Request
	refreshes    map[connKey]int
	clock        func() time.Time
	validator    *contract.Validator
	refresher    Refresher
	// webhookURL is where the fake sends the webhooks Nango would send on
	// its own (a sync run's, an async action's); "" sends none.
	webhookURL string
	// envs are other environments of the same account: their keys are
	// valid, and they see none of this environment's data.
	envs map[string]*Fake
	// actions are the actions HandleAction registered and their async runs
	// (actions.go).
	actions actionState
	// syncs are the deployed syncs and their state (syncs.go).
	syncs *syncStore
	// records are the records syncs stored (records.go), by connection
	// and model; recordSeq numbers them.
	records   map[recordsKey]map[string]*fakeRecord
	recordSeq int64
	// mgmt holds the environment's variables and deployed functions
	// (management.go).
	mgmt managementState
}

type connKey struct{ key, id string }

// stored is a connection as the fake keeps it: the generated type, its
// credentials as the JSON object GET returns.
type stored struct {
	conn gen.Connection
	// nullMetadata: the connection predates metadata, which reads as null
	// until written.
	nullMetadata bool
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
// token's expires_at. It gets the current credentials (refresh token
// included) and returns the new ones; the fake sets their type and, when
// empty, their raw. An error makes the read fail as Nango's does, with 400
// invalid_credentials.
type Refresher func(ctx context.Context, providerConfigKey, connectionID string, current nango.OAuth2Credentials) (nango.OAuth2Credentials, error)

// WithRefresher makes the fake refresh OAUTH2 tokens through fn. Without
// it, reads never change a token (force_refresh is only counted).
func WithRefresher(fn Refresher) Option { return func(f *Fake) { f.refresher = fn } }

// WithWebhookURL makes the fake send the webhooks Nango sends on its own (a
// sync run finished, an async action done) to url, signed with the fake's
// key, as Nango sends them to the environment's webhook URL.
func WithWebhookURL(url string) Option { return func(f *Fake) { f.webhookURL = url } }

// SetWebhookURL changes where the fake sends its webhooks ("" sends none).
func (f *Fake) SetWebhookURL(url string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.webhookURL = url
}

// deliverWebhook sends payload to the webhook URL, if one is set, and waits
// for the answer: an error, or a non-2xx answer, is returned (the caller
// reports it). It must be called without f.mu held: the receiver usually
// calls the fake back.
func (f *Fake) deliverWebhook(ctx context.Context, payload any) error {
	f.mu.Lock()
	url := f.webhookURL
	f.mu.Unlock()
	if url == "" {
		return nil
	}
	resp, err := f.SendWebhook(ctx, url, payload)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("nangotest: the webhook receiver at %s answered %s", url, resp.Status)
	}
	return nil
}

// withValidator replaces the validator built from the embedded openapi.yaml;
// tests of the contract tests use it with a deliberately broken spec.
func withValidator(v *contract.Validator) Option { return func(f *Fake) { f.validator = v } }

// NewFake returns an empty fake.
func NewFake(opts ...Option) (*Fake, error) {
	f := newEnv(DefaultSecretKey, time.Now)
	f.validate = true
	f.report = func(err error) { fmt.Fprintln(os.Stderr, "nangotest:", err) }
	f.routes = routes.New("")
	f.handlers = implemented()
	f.maxBody = maxRequestBody
	for _, o := range opts {
		o(f)
	}
	f.syncs = newSyncStore(f.clock().UTC()) // by the clock the options chose
	if f.validate && f.validator == nil {
		v, err := contract.Load()
		if err != nil {
			return nil, err
		}
		f.validator = v
	}
	return f, nil
}

func newEnv(secretKey string, clock func() time.Time) *Fake {
	return &Fake{secretKey: secretKey, conns: map[connKey]*stored{}, integrations: map[string]*integration{},
		sessions: map[string]*session{}, refreshes: map[connKey]int{}, clock: clock, syncs: newSyncStore(clock().UTC())}
}

// AddEnvironment accepts another secret key, for an environment of its own
// (empty until you Put into the returned Fake). Requests with that key see
// only that environment, as in Nango.
func (f *Fake) AddEnvironment(secretKey string) *Fake {
	f.mu.Lock()
	defer f.mu.Unlock()
	env := newEnv(secretKey, f.clock)
	if f.envs == nil {
		f.envs = map[string]*Fake{}
	}
	f.envs[secretKey] = env
	return env
}

// SecretKey returns the key the fake accepts.
func (f *Fake) SecretKey() string { return f.secretKey }

// AddIntegration declares an integration: its provider and the credentials
// type it takes ("OAUTH2", "API_KEY", …), and optionally what GET
// /integrations/{uniqueKey} shows of it (DisplayName, OAuthClient,
// WebhookSecret).
//
// Put declares the integration of each connection it stores (provider from
// the connection, auth mode from its credentials), so most tests never call
// it. Call it for what Put cannot tell: an integration that has no
// connection yet (reads of an unknown id then answer 404 not_found rather
// than 400 unknown_provider_config, and imports into it succeed), the auth
// mode that imports must match (an import of another kind answers 400
// invalid_body, as Nango does), or the integration's display name and OAuth
// client. It replaces what Put inferred.
func (f *Fake) AddIntegration(providerConfigKey, provider, authMode string, opts ...IntegrationOption) {
	f.mu.Lock()
	defer f.mu.Unlock()
	in := &integration{provider: provider, authMode: authMode, created: f.clock().UTC()}
	if prev := f.integrations[providerConfigKey]; prev != nil {
		in.created = prev.created
	}
	for _, o := range opts {
		if o != nil {
			o.applyIntegration(in)
		}
	}
	f.integrations[providerConfigKey] = in
}

// Put adds or replaces a connection, in the shape GetConnection returns it.
// Its typed Credentials win over the JSON ones of the embedded
// gen.Connection; unset fields get defaults (ID: the next free one;
// Provider: the integration's, else the provider config key; CreatedAt and
// UpdatedAt: now). Its integration is declared if it was not.
func (f *Fake) Put(conn nango.Connection) error {
	c := conn.Connection
	if conn.Credentials != nil {
		raw, err := credentialsJSON(conn.Credentials)
		if err != nil {
			return err
		}
		if err := setCredentials(&c.Credentials, raw); err != nil {
			return fmt.Errorf("nangotest: credentials: %w", err)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.putLocked(c, false)
}

// MustPut is Put for tests and seeds: it panics on a malformed connection.
func (f *Fake) MustPut(conn nango.Connection) {
	if err := f.Put(conn); err != nil {
		panic(err)
	}
}

// PutJSON is Put for a connection as JSON, in the shape GET
// /connections/{connectionId} returns (seed files). "metadata": null stays
// null, as on connections made before Nango had metadata.
func (f *Fake) PutJSON(b []byte) error {
	var c gen.Connection
	if err := json.Unmarshal(b, &c); err != nil {
		return fmt.Errorf("nangotest: connection: %w", err)
	}
	var md struct {
		Metadata json.RawMessage `json:"metadata"`
	}
	_ = json.Unmarshal(b, &md)
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.putLocked(c, string(md.Metadata) == "null")
}

// credentialsJSON writes typed credentials with their "type", which a
// struct literal such as nango.OAuth2Credentials{AccessToken: "t"} leaves
// empty.
func credentialsJSON(c nango.Credentials) (json.RawMessage, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("nangotest: credentials: %w", err)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(b, &obj); err != nil {
		return nil, fmt.Errorf("nangotest: credentials: want an object: %w", err)
	}
	if kind := c.CredentialsType(); kind != "" {
		obj["type"], _ = json.Marshal(kind)
	}
	return json.Marshal(obj)
}

func (f *Fake) putLocked(c gen.Connection, nullMetadata bool) error {
	if c.ProviderConfigKey == "" || c.ConnectionID == "" {
		return errors.New("nangotest: a connection needs provider_config_key and connection_id")
	}
	if c.ID < 0 {
		return fmt.Errorf("nangotest: connection id %d: want a positive number", c.ID)
	}
	k := connKey{c.ProviderConfigKey, c.ConnectionID}
	prev := f.conns[k]
	switch {
	case c.ID == 0 && prev != nil:
		c.ID = prev.conn.ID
	case c.ID == 0:
		f.nextID++
		c.ID = f.nextID
	case c.ID > f.nextID:
		f.nextID = c.ID
	}
	if c.Provider == "" {
		if in := f.integrations[c.ProviderConfigKey]; in != nil {
			c.Provider = in.provider
		}
		if c.Provider == "" {
			c.Provider = c.ProviderConfigKey
		}
	}
	now := f.clock().UTC()
	if c.CreatedAt.IsZero() {
		c.CreatedAt = now
	}
	if c.UpdatedAt.IsZero() {
		c.UpdatedAt = c.CreatedAt
	}
	raw, _ := c.Credentials.MarshalJSON()
	if len(bytes.TrimSpace(raw)) == 0 || string(raw) == "null" {
		raw = []byte("{}")
	}
	// A copy: the caller's value shares its bytes otherwise.
	_ = setCredentials(&c.Credentials, raw)
	in := f.integrations[c.ProviderConfigKey]
	if in == nil {
		in = &integration{provider: c.Provider, created: now}
		f.integrations[c.ProviderConfigKey] = in
	}
	if in.authMode == "" {
		in.authMode = credentialsKind(c.Credentials)
	}
	f.conns[k] = &stored{conn: c, nullMetadata: nullMetadata}
	return nil
}

// setCredentials stores a copy of raw in u. The generated union's
// UnmarshalJSON reuses the bytes it holds, which other copies of the union
// (answers being written, values handed to callers) may share: never write
// into them.
func setCredentials(u *gen.Connection_Credentials, raw []byte) error {
	*u = gen.Connection_Credentials{}
	return u.UnmarshalJSON(bytes.Clone(raw))
}

// credentialsKind is the "type" of stored credentials ("" for none).
func credentialsKind(c gen.Connection_Credentials) string {
	creds, err := c.AsCredentials()
	if err != nil {
		return ""
	}
	kind, _ := creds.Discriminator()
	return kind
}

// Remove deletes a connection, with its records and the state of its
// syncs, as DELETE /connections/{connectionId} does; it reports whether
// there was one.
func (f *Fake) Remove(providerConfigKey, connectionID string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	k := connKey{providerConfigKey, connectionID}
	_, ok := f.conns[k]
	delete(f.conns, k)
	f.forgetConnectionLocked(providerConfigKey, connectionID)
	return ok
}

// Connection returns a stored connection, refresh token included, and
// whether there is one.
func (f *Fake) Connection(providerConfigKey, connectionID string) (nango.Connection, bool) {
	f.mu.Lock()
	s := f.conns[connKey{providerConfigKey, connectionID}]
	var c gen.Connection
	if s != nil {
		c = s.conn
		c.Metadata = maps.Clone(c.Metadata)
		c.Tags = maps.Clone(c.Tags)
		raw, _ := c.Credentials.MarshalJSON()
		_ = setCredentials(&c.Credentials, raw)
	}
	f.mu.Unlock()
	if s == nil {
		return nango.Connection{}, false
	}
	out := nango.Connection{Connection: c}
	if creds, err := c.Credentials.AsCredentials(); err == nil {
		if v, err := creds.ValueByDiscriminator(); err == nil {
			out.Credentials, _ = v.(nango.Credentials)
		}
	}
	return out, true
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

// Seed loads a JSON file (see SeedJSON).
func (f *Fake) Seed(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return f.SeedJSON(b)
}

// SeedData is the object form of a seed file: what `nango serve --data`
// loads. Connections are in the shape GET /connections/{connectionId}
// returns; they are put first, then the syncs, the records (whose
// connections must exist), the environment variables, the actions.
type SeedData struct {
	Connections []json.RawMessage `json:"connections"`
	Syncs       []SeedSync        `json:"syncs"`
	Records     []SeedRecords     `json:"records"`
	// EnvironmentVariables are name → value.
	EnvironmentVariables map[string]string `json:"environment_variables"`
	// Actions are canned actions (HandleAction with a fixed answer).
	Actions []SeedAction `json:"actions"`
}

// SeedAction is an action a seed deploys with a canned answer, for a fake
// run outside Go (`nango serve`): it returns Output, or its input when
// Echo is set, or fails with Error as its ActionError payload.
type SeedAction struct {
	ProviderConfigKey string          `json:"provider_config_key"`
	Name              string          `json:"name"`
	Output            json.RawMessage `json:"output,omitempty"`
	Echo              bool            `json:"echo,omitempty"`
	Error             json.RawMessage `json:"error,omitempty"`
}

// handler is the function HandleAction runs for a.
func (a SeedAction) handler() func(context.Context, string, json.RawMessage) (any, error) {
	return func(_ context.Context, _ string, input json.RawMessage) (any, error) {
		switch {
		case len(a.Error) > 0:
			return nil, &ActionError{Payload: a.Error}
		case a.Echo:
			return input, nil
		case len(a.Output) > 0:
			return a.Output, nil
		}
		return nil, nil
	}
}

// SeedSync is a sync deployed by a seed (PutSync).
type SeedSync struct {
	ProviderConfigKey string   `json:"provider_config_key"`
	Name              string   `json:"name"`
	Models            []string `json:"models"`
}

// SeedRecords are records of a connection's model stored by a seed
// (PutRecords, or PutVariantRecords with a variant). Each is a JSON object
// with an "id".
type SeedRecords struct {
	ProviderConfigKey string            `json:"provider_config_key"`
	ConnectionID      string            `json:"connection_id"`
	Model             string            `json:"model"`
	Variant           string            `json:"variant,omitempty"`
	Records           []json.RawMessage `json:"records"`
}

// SeedJSON loads seed data: either a JSON array of connections, each in
// the shape GET /connections/{connectionId} returns, or a SeedData object
// (connections, syncs, records, environment variables, actions). An unknown key of
// the object is an error, so that a misspelt one does not load nothing
// quietly.
func (f *Fake) SeedJSON(b []byte) error {
	trimmed := bytes.TrimLeft(b, " \t\r\n")
	var data SeedData
	if len(trimmed) > 0 && trimmed[0] == '{' {
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&data); err != nil {
			return fmt.Errorf("nangotest: seed: want an array of connections or an object of connections, syncs, records and environment_variables: %w", err)
		}
	} else if err := json.Unmarshal(b, &data.Connections); err != nil {
		return fmt.Errorf("nangotest: seed: want a JSON array of connections, or an object: %w", err)
	}
	for i, raw := range data.Connections {
		if err := f.PutJSON(raw); err != nil {
			return fmt.Errorf("nangotest: seed connection %d: %w", i, err)
		}
	}
	for i, s := range data.Syncs {
		if err := f.PutSync(s.ProviderConfigKey, s.Name, s.Models...); err != nil {
			return fmt.Errorf("nangotest: seed sync %d: %w", i, err)
		}
	}
	for i, r := range data.Records {
		recs := make([]any, len(r.Records))
		for j, raw := range r.Records {
			recs[j] = raw
		}
		var err error
		if r.Variant != "" {
			err = f.PutVariantRecords(r.ProviderConfigKey, r.ConnectionID, r.Model, r.Variant, recs...)
		} else {
			err = f.PutRecords(r.ProviderConfigKey, r.ConnectionID, r.Model, recs...)
		}
		if err != nil {
			return fmt.Errorf("nangotest: seed records %d: %w", i, err)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(data.EnvironmentVariables)) {
		f.SetEnvironmentVariable(name, data.EnvironmentVariables[name])
	}
	for i, a := range data.Actions {
		if !configKeyPattern.MatchString(a.ProviderConfigKey) || !actionNamePattern.MatchString(a.Name) {
			return fmt.Errorf("nangotest: seed action %d: provider_config_key %q and name %q: Nango's patterns", i, a.ProviderConfigKey, a.Name)
		}
		for what, raw := range map[string]json.RawMessage{"output": a.Output, "error": a.Error} {
			if len(raw) > 0 && !json.Valid(raw) {
				return fmt.Errorf("nangotest: seed action %d: %s is not JSON", i, what)
			}
		}
		f.HandleAction(a.ProviderConfigKey, a.Name, a.handler())
	}
	return nil
}

// sortedConns lists connections newest first, as Nango's list does.
func (f *Fake) sortedConns() []*stored {
	out := slices.Collect(maps.Values(f.conns))
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].conn, out[j].conn
		if !a.CreatedAt.Equal(b.CreatedAt) {
			return a.CreatedAt.After(b.CreatedAt)
		}
		return a.ID > b.ID
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
