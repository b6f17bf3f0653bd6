package nangotest

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nango-go/sdk/gen"
	"github.com/nango-go/sdk/nango"
)

// The fake's syncs. PutSync deploys a sync (its models) on an integration;
// every connection of the integration then has it, as in Nango, paused
// until started (a sync deployed with auto_start: false, as the captures'
// was). A run completes at once: its status is SUCCESS (or ERROR after
// FailNextSync), its counts come from the records the fake holds, and the
// fake sends the signed sync webhook, one per model, to its webhook URL
// (WithWebhookURL) before the call that caused the run returns. Nothing
// runs on a schedule: a run happens on POST /sync/start (a schedule's first
// start), POST /sync/trigger, or RunSync. A trigger's
// full_refresh_and_clear_cache runs as a full refresh: the fake's runs
// write no records (PutRecords does), so they delete none either.

// syncStore is the sync state of one environment.
type syncStore struct {
	// born is when the environment was made: a first run's changes are
	// those since then.
	born     time.Time
	deployed map[string]map[string]*syncDeploy // by integration, then sync name
	states   map[syncKey]*syncState
	seq      int
}

type syncKey struct{ key, conn, name, variant string }

// syncDeploy is a sync as deployed on an integration.
type syncDeploy struct {
	models    []string
	frequency string // as in nango.yaml: "every day"
	seq       int
}

// syncState is one variant of a sync for one connection.
type syncState struct {
	id string
	// deploySeq orders the syncs as deployed, order the variants of one
	// as created (the base first).
	deploySeq, order int
	// started: the schedule runs (not paused); everStarted: it was
	// started once, when its first run happened and its clock began.
	started, everStarted bool
	startsAt             time.Time
	// frequency is the connection's override, as given; nil for the
	// deployed one.
	frequency *string
	// lastRun is when the latest successful run read its changes from:
	// the next run reports the changes since then.
	lastRun time.Time
	job     *syncJob
	// failNext holds the messages of the next runs to fail.
	failNext []string
}

// syncJob is the latest run of a sync.
type syncJob struct {
	typ      gen.SyncType
	status   gen.SyncState // SUCCESS, or STOPPED for a failed run
	finished time.Time
	result   map[string]gen.SyncResult
}

func newSyncStore(now time.Time) *syncStore {
	return &syncStore{born: now, deployed: map[string]map[string]*syncDeploy{}, states: map[syncKey]*syncState{}}
}

// syncRecordChanges reads the record store for a run (the records'
// seam); tests of the syncs replace it to see its plumbing.
var syncRecordChanges = (*Fake).recordChangesLocked

var (
	modelPattern     = regexp.MustCompile(`^[A-Z][a-zA-Z0-9_-]+$`)
	syncNamePattern  = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)
	frequencyPattern = regexp.MustCompile(`^(every )?(([0-9]+)?\s?(s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?)|(month|week|half day|half hour|quarter hour))$`)
	frequencyAmount  = regexp.MustCompile(`^([0-9]+)\s?(s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?)$`)
)

const (
	frequencyRegexText  = `/^(?<every>every )?((?<amount>[0-9]+)?\s?(?<unit>(s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?))|(?<unit2>(month|week|half day|half hour|quarter hour)))$/`
	syncNameRegexText   = `/^[a-zA-Z0-9_-]+$/`
	configKeyRegexText  = `/^[a-zA-Z0-9~:.@ _-]+$/`
	connectionRegexText = `/^[a-zA-Z0-9,.;:=+~[\]|@${}"'\\/_ -]+$/`
	deployedFrequency   = "every day"
	msgNoSyncs          = "No syncs found given the inputs."
)

// PutSync deploys a sync on an integration, with the models it writes
// (each a capitalised name, as Nango's models are), as `nango deploy`
// does with a sync that does not start on its own: every connection of
// the integration, present and future, has it, paused, with the deployed
// frequency "every day". The integration is declared if it was not.
// Deploying the sync again replaces its models. The sync is a deployed
// function of the integration too: GET /integrations/{uniqueKey}/functions
// and GET /scripts/config list it, with its models as its returns, and as
// deployed from a repository (source "repo"), which Nango does not delete
// through DELETE …/functions/{name}; DeployFunction deploys a sync with
// more details, or from another source.
func (f *Fake) PutSync(providerConfigKey, sync string, models ...string) error {
	if providerConfigKey == "" || !configKeyPattern.MatchString(providerConfigKey) {
		return fmt.Errorf("nangotest: PutSync: provider config key %q", providerConfigKey)
	}
	if len(sync) > 255 || !syncNamePattern.MatchString(sync) {
		return fmt.Errorf("nangotest: PutSync: sync name %q: letters, digits, _ and - only", sync)
	}
	if len(models) == 0 {
		return errors.New("nangotest: PutSync: a sync writes at least one model")
	}
	for _, m := range models {
		if len(m) > 255 || !modelPattern.MatchString(m) {
			return fmt.Errorf("nangotest: PutSync: model %q: a capital letter, then letters, digits, _ and -", m)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.integrations[providerConfigKey] == nil {
		f.integrations[providerConfigKey] = &integration{provider: providerConfigKey, created: f.clock().UTC()}
	}
	d := f.deploySyncLocked(providerConfigKey, sync, models, "")
	// A deployed sync is a function of the integration: GET …/functions
	// and GET /scripts/config list it, with its models. A redeploy keeps
	// what DeployFunction said of it.
	fn := Function{Runs: d.frequency}
	if old := f.findFunctionLocked(providerConfigKey, sync, string(nango.FunctionTypeSync)); old != nil {
		fn = old.Function
	}
	fn.Returns = models
	f.registerFunctionLocked(providerConfigKey, sync, string(nango.FunctionTypeSync), fn)
	return nil
}

// deploySyncLocked deploys a sync's schedule on an integration, or
// replaces the models of a deployed one; frequency, when Nango's scheduler
// takes it, replaces the deployed frequency ("every day" at first).
func (f *Fake) deploySyncLocked(key, name string, models []string, frequency string) *syncDeploy {
	st := f.syncStoreLocked()
	if st.deployed[key] == nil {
		st.deployed[key] = map[string]*syncDeploy{}
	}
	d := st.deployed[key][name]
	if d == nil {
		st.seq++
		d = &syncDeploy{frequency: deployedFrequency, seq: st.seq}
		st.deployed[key][name] = d
	}
	d.models = slices.Clone(models)
	if _, err := frequencyInterval(frequency); err == nil && frequencyPattern.MatchString(frequency) {
		d.frequency = frequency
	}
	return d
}

// RunSync runs a sync (or "name::variant") for one connection now, as a
// trigger does, and returns once its webhooks are delivered: the error of
// a delivery that failed (or a receiver's non-2xx answer), or of an unknown
// connection or sync.
func (f *Fake) RunSync(providerConfigKey, connectionID, sync string) error {
	name, variant := splitSync(sync)
	f.mu.Lock()
	s := f.syncStateLocked(providerConfigKey, connectionID, name, variant)
	if s == nil {
		f.mu.Unlock()
		return fmt.Errorf("nangotest: RunSync: no sync %q for connection %q of %q (PutSync deploys one)", sync, connectionID, providerConfigKey)
	}
	hooks := f.runLocked(syncKey{providerConfigKey, connectionID, name, variant}, s, false)
	f.mu.Unlock()
	return f.deliverAll(hooks)
}

// FailNextSync makes the next run of a sync (or "name::variant") for one
// connection fail as a script that throws message does: its status turns
// ERROR (while started), its latest execution STOPPED, and the fake sends
// the failure webhook, one per model. The next successful run reports the
// changes since the last successful one. Each call fails one more run.
func (f *Fake) FailNextSync(providerConfigKey, connectionID, sync, message string) error {
	name, variant := splitSync(sync)
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.syncStateLocked(providerConfigKey, connectionID, name, variant)
	if s == nil {
		return fmt.Errorf("nangotest: FailNextSync: no sync %q for connection %q of %q (PutSync deploys one)", sync, connectionID, providerConfigKey)
	}
	s.failNext = append(s.failNext, message)
	return nil
}

// SyncStatuses returns the status of every sync of a connection, as GET
// /sync/status?syncs=* answers it.
func (f *Fake) SyncStatuses(providerConfigKey, connectionID string) []gen.SyncStatus {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []gen.SyncStatus
	for _, k := range f.syncKeysLocked(providerConfigKey, connectionID) {
		out = append(out, f.statusLocked(k, f.syncStoreLocked().states[k]))
	}
	return out
}

func splitSync(s string) (name, variant string) {
	name, variant, ok := strings.Cut(s, "::")
	if !ok {
		variant = "base"
	}
	return name, variant
}

func (f *Fake) syncStoreLocked() *syncStore {
	if f.syncs == nil {
		f.syncs = newSyncStore(f.clock().UTC())
	}
	return f.syncs
}

// syncStateLocked returns the state of a variant of a sync for a
// connection, made on first use for a deployed sync's base variant; nil
// when the connection, the sync or the variant does not exist.
func (f *Fake) syncStateLocked(key, conn, name, variant string) *syncState {
	st := f.syncStoreLocked()
	if f.conns[connKey{key, conn}] == nil {
		return nil
	}
	d := st.deployed[key][name]
	if d == nil {
		return nil
	}
	k := syncKey{key, conn, name, variant}
	if s := st.states[k]; s != nil {
		return s
	}
	if variant != "base" {
		return nil
	}
	s := &syncState{id: newUUID(), deploySeq: d.seq}
	st.states[k] = s
	return s
}

// syncKeysLocked lists the syncs of a connection ("" for every connection
// of the integration) in Nango's order: by connection, then as deployed,
// base first, then variants as created.
func (f *Fake) syncKeysLocked(key, conn string) []syncKey {
	st := f.syncStoreLocked()
	var conns []*stored
	for k, s := range f.conns {
		if k.key == key && (conn == "" || k.id == conn) {
			conns = append(conns, s)
		}
	}
	slices.SortFunc(conns, func(a, b *stored) int { return int(a.conn.ID - b.conn.ID) })
	var out []syncKey
	for _, c := range conns {
		id := c.conn.ConnectionID
		var ks []syncKey
		for name := range st.deployed[key] {
			f.syncStateLocked(key, id, name, "base")
		}
		for k := range st.states {
			if k.key == key && k.conn == id && st.deployed[key][k.name] != nil {
				ks = append(ks, k)
			}
		}
		slices.SortFunc(ks, func(a, b syncKey) int {
			sa, sb := st.states[a], st.states[b]
			return cmp.Or(cmp.Compare(sa.deploySeq, sb.deploySeq), cmp.Compare(sa.order, sb.order))
		})
		out = append(out, ks...)
	}
	return out
}

// frequencyOf is a sync's frequency as its status shows it.
func (f *Fake) frequencyOf(k syncKey, s *syncState) string {
	if s.frequency != nil {
		return *s.frequency
	}
	if d := f.syncStoreLocked().deployed[k.key][k.name]; d != nil {
		return d.frequency
	}
	return deployedFrequency
}

// statusLocked is a sync's entry of GET /sync/status.
func (f *Fake) statusLocked(k syncKey, s *syncState) gen.SyncStatus {
	now := f.clock().UTC()
	freq := f.frequencyOf(k, s)
	out := gen.SyncStatus{ID: s.id, ConnectionID: k.conn, Name: k.name, Variant: k.variant,
		Type: gen.SyncTypeInitial, Status: gen.SyncStatePaused, Frequency: &freq, RecordCount: map[string]int{}}
	if s.started {
		interval, _ := frequencyInterval(freq)
		next := s.startsAt
		for interval > 0 && !next.After(now) {
			next = next.Add(interval)
		}
		out.NextScheduledSyncAt = &next
		out.Status = gen.SyncStateSuccess
	}
	if j := s.job; j != nil {
		out.Type, out.FinishedAt, out.LatestExecutionStatus = j.typ, j.finished, j.status
		out.LatestResult = j.result
		if s.started && j.status == gen.SyncStateStopped {
			out.Status = gen.SyncStateError
		}
	}
	for _, m := range f.syncStoreLocked().deployed[k.key][k.name].models {
		// Nango counts the connection's records of the model, whatever
		// the variant's.
		_, _, _, out.RecordCount[m] = syncRecordChanges(f, k.key, k.conn, m, "base", time.Time{})
	}
	return out
}

// runLocked runs a sync at once and returns the webhooks to send (after
// f.mu is released). full: a full refresh, reported as INITIAL.
func (f *Fake) runLocked(k syncKey, s *syncState, full bool) []any {
	now := f.clock().UTC()
	st := f.syncStoreLocked()
	models := st.deployed[k.key][k.name].models
	typ := gen.SyncTypeIncremental
	if full || s.job == nil || s.lastRun.IsZero() {
		typ = gen.SyncTypeInitial
	}
	// Nango's webhook times have milliseconds: the next run's changes are
	// those from this instant on, as GET /records?modified_after= reads it.
	since := s.lastRun
	if since.IsZero() {
		since = st.born.Truncate(time.Millisecond)
	}
	var hooks []any
	if len(s.failNext) > 0 {
		msg := s.failNext[0]
		s.failNext = s.failNext[1:]
		s.job = &syncJob{typ: typ, status: gen.SyncStateStopped, finished: now, result: map[string]gen.SyncResult{}}
		for _, m := range models {
			hooks = append(hooks, gen.WebhookSync{Type: gen.WebhookSyncTypeSync, From: "nango", ConnectionID: k.conn,
				ProviderConfigKey: k.key, SyncName: k.name, SyncVariant: k.variant, Model: m, SyncType: string(typ),
				Error: &gen.WebhookError{Type: "script_error", Description: "An internal error occurred during the script execution",
					Payload: map[string]any{"message": msg, "name": "Error", "stacktrace": []string{"Error: " + msg}}},
				StartedAt: since, FailedAt: now})
		}
		return hooks
	}
	job := &syncJob{typ: typ, status: gen.SyncStateSuccess, finished: now, result: map[string]gen.SyncResult{}}
	for _, m := range models {
		added, updated, deleted, _ := syncRecordChanges(f, k.key, k.conn, m, k.variant, since)
		job.result[m] = gen.SyncResult{Added: added, Updated: updated, Deleted: deleted}
		hooks = append(hooks, gen.WebhookSync{Type: gen.WebhookSyncTypeSync, From: "nango", Success: true, ConnectionID: k.conn,
			ProviderConfigKey: k.key, SyncName: k.name, SyncVariant: k.variant, Model: m, SyncType: string(typ),
			ModifiedAfter: since, QueryTimeStamp: since,
			ResponseResults: &gen.WebhookSyncResults{Added: added, Updated: updated, Deleted: deleted}})
	}
	s.job = job
	s.lastRun = now.Truncate(time.Millisecond)
	return hooks
}

// deliverAll sends a run's webhooks, in order; the first failure is
// returned, and the others are still sent.
func (f *Fake) deliverAll(hooks []any) error {
	var first error
	for _, h := range hooks {
		if err := f.deliverWebhook(context.Background(), h); err != nil && first == nil {
			first = fmt.Errorf("nangotest: sync webhook: %w", err)
		}
	}
	return first
}

// serveRuns delivers the webhooks of runs an API call caused; a failed
// delivery is reported as the fake reports what goes wrong.
func (f *Fake) serveRuns(hooks []any) {
	if err := f.deliverAll(hooks); err != nil && f.report != nil {
		f.report(err)
	}
}

// syncCommand is what POST /sync/trigger, /pause and /start do.
type syncCommand int

const (
	cmdRun syncCommand = iota
	cmdRunFull
	cmdPause
	cmdStart
)

type syncID struct{ name, variant string }

// applyCommandLocked runs Nango's runSyncCommand: for one connection,
// every named sync must exist (the first that does not ends the command,
// those before it done); for every connection, the syncs matching any name.
// It writes the error answer and returns false, or returns the webhooks of
// the runs.
func (f *Fake) applyCommandLocked(w http.ResponseWriter, key, conn string, ids []syncID, cmd syncCommand) ([]any, bool) {
	if f.integrations[key] == nil {
		writeErrorDetail(w, 400, gen.ErrorDetail{Code: "unknown_provider_config",
			Message: "There is no Provider Configuration matching this key. Please make sure this value exists in the Nango dashboard {}",
			Payload: json.RawMessage(`{}`)})
		return nil, false
	}
	noSyncs := func() ([]any, bool) {
		writeErrorDetail(w, 400, gen.ErrorDetail{Code: "no_syncs_found", Message: msgNoSyncs, Payload: json.RawMessage(`{}`)})
		return nil, false
	}
	var keys []syncKey
	if conn != "" {
		if f.conns[connKey{key, conn}] == nil {
			payload, _ := json.Marshal(map[string]string{"connectionId": conn, "providerConfigKey": key})
			pretty, _ := json.MarshalIndent(map[string]string{"connectionId": conn, "providerConfigKey": key}, "", "  ")
			writeErrorDetail(w, 404, gen.ErrorDetail{Code: "unknown_connection", Payload: payload,
				Message: "No connection matching the provided params of 'connection_id' and 'provider_config_key'. Please make sure these values exist in the Nango dashboard " + string(pretty)})
			return nil, false
		}
		if len(ids) == 0 {
			keys = f.syncKeysLocked(key, conn)
		}
		var hooks []any
		for _, id := range ids {
			s := f.syncStateLocked(key, conn, id.name, id.variant)
			if s == nil {
				// Nango stops here: the syncs named before are done.
				f.commandLocked(keys, cmd, &hooks)
				return noSyncs()
			}
			keys = append(keys, syncKey{key, conn, id.name, id.variant})
		}
		f.commandLocked(keys, cmd, &hooks)
		return hooks, true
	}
	for _, k := range f.syncKeysLocked(key, "") {
		if len(ids) == 0 || slices.Contains(ids, syncID{k.name, k.variant}) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return noSyncs()
	}
	var hooks []any
	f.commandLocked(keys, cmd, &hooks)
	return hooks, true
}

func (f *Fake) commandLocked(keys []syncKey, cmd syncCommand, hooks *[]any) {
	st := f.syncStoreLocked()
	for _, k := range keys {
		s := st.states[k]
		switch cmd {
		case cmdRun, cmdRunFull:
			*hooks = append(*hooks, f.runLocked(k, s, cmd == cmdRunFull)...)
		case cmdPause:
			s.started = false
		case cmdStart:
			if s.started {
				continue
			}
			s.started = true
			if !s.everStarted {
				// A schedule's first start is due at once.
				s.everStarted, s.startsAt = true, f.clock().UTC()
				*hooks = append(*hooks, f.runLocked(k, s, false)...)
			}
		}
	}
}

// syncBody reads a JSON body as express does: {} when empty, invalid_json
// when not JSON; then the object, or nil with zod's issue.
func syncBody(w http.ResponseWriter, body []byte, z *zod) (map[string]json.RawMessage, bool) {
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	if !json.Valid(body) {
		writeError(w, 400, "invalid_json", "Unexpected end of JSON input", nil)
		return nil, false
	}
	return z.object(body, true, nil), true
}

// patternText checks an optional (or required) string against a server
// pattern, as zod's regex and max do.
func (z *zod) patternText(raw json.RawMessage, required bool, re *regexp.Regexp, reText string, path []any) (string, bool) {
	s, ok := z.str(raw, required, 0, 255, path)
	if !ok {
		return "", false
	}
	if !re.MatchString(s) {
		z.add("invalid_format", "Invalid string: must match pattern "+reText, path)
		return "", false
	}
	return s, true
}

// syncList reads a syncs array: strings and {name, variant} objects
// (strict ones: other keys refused).
func (z *zod) syncList(raw json.RawMessage, strictRefs bool, unionMessage string, maxItems int) []syncID {
	path := []any{"syncs"}
	var arr []json.RawMessage
	if kind(raw) != "array" || json.Unmarshal(raw, &arr) != nil {
		z.wrongType("array", raw, path)
		return nil
	}
	if maxItems > 0 && len(arr) > maxItems {
		z.add("too_big", fmt.Sprintf("Too big: expected array to have <=%d items", maxItems), path)
		return nil
	}
	ids := make([]syncID, 0, len(arr))
	for i, item := range arr {
		var s string
		if kind(item) == "string" && json.Unmarshal(item, &s) == nil {
			name, variant := splitSync(s)
			ids = append(ids, syncID{name, variant})
			continue
		}
		var obj map[string]json.RawMessage
		var ref gen.SyncRef
		ok := kind(item) == "object" && json.Unmarshal(item, &obj) == nil &&
			kind(obj["name"]) == "string" && kind(obj["variant"]) == "string" && json.Unmarshal(item, &ref) == nil
		if ok && strictRefs {
			for k := range obj {
				ok = ok && (k == "name" || k == "variant")
			}
		}
		if !ok {
			z.add("invalid_union", unionMessage, at(path, i))
			continue
		}
		ids = append(ids, syncID{ref.Name, ref.Variant})
	}
	return ids
}

func (f *Fake) triggerSync(w http.ResponseWriter, r *http.Request, _ string, body []byte) {
	if !requireEmptyQuery(w, r) {
		return
	}
	var z zod
	obj, ok := syncBody(w, body, &z)
	if !ok {
		return
	}
	var ids []syncID
	var mode, key, conn string
	var hasOpts, hasFull bool
	if obj != nil {
		ids = z.syncList(obj["syncs"], false, "Each sync must be either a string or a { name: string, variant: string } object", 0)
		if raw := obj["sync_mode"]; raw != nil {
			var m string
			if json.Unmarshal(raw, &m) != nil || (m != "incremental" && m != "full_refresh" && m != "full_refresh_and_clear_cache") {
				z.add("invalid_value", `Invalid option: expected one of "incremental"|"full_refresh"|"full_refresh_and_clear_cache"`, []any{"sync_mode"})
			}
			mode = m
		}
		if raw := obj["full_resync"]; raw != nil {
			hasFull = true
			if kind(raw) != "boolean" {
				z.wrongType("boolean", raw, []any{"full_resync"})
			} else if string(raw) == "true" && mode == "" {
				mode = "full_refresh"
			}
		}
		conn, _ = z.str(obj["connection_id"], false, 0, 0, []any{"connection_id"})
		key, _ = z.str(obj["provider_config_key"], false, 0, 0, []any{"provider_config_key"})
		if raw := obj["opts"]; raw != nil {
			hasOpts = true
			if o := z.object(raw, false, []any{"opts"}); o != nil {
				for _, name := range []string{"reset", "emptyCache"} {
					if v := o[name]; v != nil && kind(v) != "boolean" {
						z.wrongType("boolean", v, []any{"opts", name})
					} else if name == "reset" && string(v) == "true" {
						mode = "full_refresh"
					}
				}
			}
		}
		z.strict(obj, []string{"syncs", "sync_mode", "full_resync", "connection_id", "provider_config_key", "opts"}, nil)
	}
	if z.issues != nil {
		writeError(w, 400, "invalid_body", "", z.issues)
		return
	}
	if key == "" {
		key = r.Header.Get("Provider-Config-Key")
	}
	if key == "" {
		writeError(w, 400, "missing_provider_config_key", "Missing provider_config_key. Provide it in the body or headers.", nil)
		return
	}
	if conn == "" {
		conn = r.Header.Get("Connection-Id")
	}
	if hasOpts && (obj["sync_mode"] != nil || hasFull) {
		writeError(w, 400, "invalid_body", "Cannot use opts with deprecated sync_mode/full_resync parameters", nil)
		return
	}
	cmd := cmdRun
	if mode == "full_refresh" || mode == "full_refresh_and_clear_cache" {
		cmd = cmdRunFull
	}
	f.syncCommandAnswer(w, key, conn, ids, cmd)
}

func (f *Fake) syncCommandAnswer(w http.ResponseWriter, key, conn string, ids []syncID, cmd syncCommand) {
	f.mu.Lock()
	hooks, ok := f.applyCommandLocked(w, key, conn, ids, cmd)
	f.mu.Unlock()
	if !ok {
		return
	}
	f.serveRuns(hooks)
	writeJSON(w, 200, gen.Success{Success: true})
}

func (f *Fake) pauseSync(w http.ResponseWriter, r *http.Request, _ string, body []byte) {
	f.scheduleCommand(w, body, cmdPause)
}

func (f *Fake) startSync(w http.ResponseWriter, r *http.Request, _ string, body []byte) {
	f.scheduleCommand(w, body, cmdStart)
}

// scheduleCommand is POST /sync/pause and /sync/start (which take any
// query, unlike the other sync routes).
func (f *Fake) scheduleCommand(w http.ResponseWriter, body []byte, cmd syncCommand) {
	var z zod
	obj, ok := syncBody(w, body, &z)
	if !ok {
		return
	}
	var ids []syncID
	var key, conn string
	if obj != nil {
		ids = z.syncList(obj["syncs"], true, "Invalid input", 256)
		key, _ = z.patternText(obj["provider_config_key"], true, configKeyPattern, configKeyRegexText, []any{"provider_config_key"})
		conn, _ = z.patternText(obj["connection_id"], false, connectionIDPattern, connectionRegexText, []any{"connection_id"})
		z.strict(obj, []string{"syncs", "provider_config_key", "connection_id"}, nil)
	}
	if z.issues != nil {
		writeError(w, 400, "invalid_body", "", z.issues)
		return
	}
	f.syncCommandAnswer(w, key, conn, ids, cmd)
}

func (f *Fake) syncStatus(w http.ResponseWriter, r *http.Request, _ string, _ []byte) {
	q := r.URL.Query()
	var z zod
	one := func(name string, required bool) (json.RawMessage, bool) {
		vs, ok := q[name]
		switch {
		case !ok && required:
			z.add("invalid_type", "Invalid input: expected string, received undefined", []any{name})
		case len(vs) > 1:
			z.add("invalid_type", "Invalid input: expected string, received array", []any{name})
		case ok:
			b, _ := json.Marshal(vs[0])
			return b, true
		}
		return nil, false
	}
	var syncs, key, conn string
	if raw, ok := one("syncs", true); ok {
		syncs, _ = z.str(raw, true, 0, 0, []any{"syncs"})
	}
	if raw, ok := one("provider_config_key", true); ok {
		key, _ = z.patternText(raw, true, configKeyPattern, configKeyRegexText, []any{"provider_config_key"})
	}
	if raw, ok := one("connection_id", false); ok {
		conn, _ = z.patternText(raw, false, connectionIDPattern, connectionRegexText, []any{"connection_id"})
	}
	var unknown []string
	for k := range q {
		if k != "syncs" && k != "provider_config_key" && k != "connection_id" {
			unknown = append(unknown, k)
		}
	}
	if unknown != nil {
		is := unrecognizedKeys(unknown)
		z.issues = append(z.issues, is)
	}
	if z.issues != nil {
		writeError(w, 400, "invalid_query_params", "", z.issues)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if conn != "" && f.conns[connKey{key, conn}] == nil {
		writeError(w, 400, "invalid_body", "Connection not found", nil)
		return
	}
	st := f.syncStoreLocked()
	var keys []syncKey
	if syncs == "*" {
		keys = f.syncKeysLocked(key, conn)
	} else {
		var ids []syncID
		for _, s := range strings.Split(syncs, ",") {
			name, variant := splitSync(s)
			ids = append(ids, syncID{name, variant})
		}
		if conn != "" {
			for _, id := range ids {
				if f.syncStateLocked(key, conn, id.name, id.variant) != nil {
					keys = append(keys, syncKey{key, conn, id.name, id.variant})
				}
			}
		} else {
			for _, k := range f.syncKeysLocked(key, "") {
				if slices.Contains(ids, syncID{k.name, k.variant}) {
					keys = append(keys, k)
				}
			}
		}
	}
	out := gen.SyncStatusResponse{Syncs: []gen.SyncStatus{}}
	for _, k := range keys {
		out.Syncs = append(out.Syncs, f.statusLocked(k, st.states[k]))
	}
	writeJSON(w, 200, out)
}

// frequencyInterval reads a frequency as Nango's scheduler does
// (getInterval): the interval it answers with ("2 hours" for "every 2
// hours", "1d" for "every day"), and its length; an error for one it
// refuses.
func frequencyInterval(s string) (time.Duration, error) {
	_, d, err := scheduledFrequency(s)
	return d, err
}

func scheduledFrequency(s string) (string, time.Duration, error) {
	named := map[string]struct {
		interval string
		d        time.Duration
	}{
		"every half day": {"12h", 12 * time.Hour}, "every half hour": {"30m", 30 * time.Minute},
		"every quarter hour": {"15m", 15 * time.Minute}, "every hour": {"1h", time.Hour}, "every day": {"1d", 24 * time.Hour},
		"every month": {"30d", 30 * 24 * time.Hour}, "every week": {"1w", 7 * 24 * time.Hour},
	}
	if n, ok := named[s]; ok {
		return n.interval, n.d, nil
	}
	interval := strings.Replace(s, "every ", "", 1)
	m := frequencyAmount.FindStringSubmatch(interval)
	if m == nil {
		return "", 0, errors.New("sync_interval_invalid")
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	unit := map[byte]time.Duration{'s': time.Second, 'm': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour}[m[2][0]]
	if err != nil || n > int64(1<<62)/int64(unit) {
		return interval, 1 << 62, nil
	}
	if d := time.Duration(n) * unit; d >= 30*time.Second {
		return interval, d, nil
	}
	return "", 0, errors.New("sync_interval_too_short")
}

func (f *Fake) updateSyncFrequency(w http.ResponseWriter, r *http.Request, _ string, body []byte) {
	if !requireEmptyQuery(w, r) {
		return
	}
	var z zod
	obj, ok := syncBody(w, body, &z)
	if !ok {
		return
	}
	var name, variant, key, conn string
	var freq *string
	if obj != nil {
		name, _ = z.patternText(obj["sync_name"], true, syncNamePattern, syncNameRegexText, []any{"sync_name"})
		variant, _ = z.patternText(obj["sync_variant"], false, syncNamePattern, syncNameRegexText, []any{"sync_variant"})
		key, _ = z.patternText(obj["provider_config_key"], true, configKeyPattern, configKeyRegexText, []any{"provider_config_key"})
		conn, _ = z.patternText(obj["connection_id"], true, connectionIDPattern, connectionRegexText, []any{"connection_id"})
		if raw := obj["frequency"]; kind(raw) != "null" {
			if s, ok := z.str(raw, true, 0, 0, []any{"frequency"}); ok {
				if !frequencyPattern.MatchString(s) {
					z.add("invalid_format", "Invalid string: must match pattern "+frequencyRegexText, []any{"frequency"})
				}
				freq = &s
			}
		}
		z.strict(obj, []string{"sync_name", "sync_variant", "provider_config_key", "connection_id", "frequency"}, nil)
	}
	if z.issues != nil {
		writeError(w, 400, "invalid_body", "", z.issues)
		return
	}
	if variant == "" {
		variant = "base"
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.conns[connKey{key, conn}] == nil {
		writeError(w, 400, "unknown_connection", "", nil)
		return
	}
	s := f.syncStateLocked(key, conn, name, variant)
	if s == nil {
		writeError(w, 400, "unknown_sync", "", nil)
		return
	}
	interval := f.syncStoreLocked().deployed[key][name].frequency
	if freq != nil {
		iv, _, err := scheduledFrequency(*freq)
		if err != nil {
			writeError(w, 400, "invalid_body", "Sync interval is invalid", nil)
			return
		}
		interval = iv
	}
	s.frequency = freq
	writeJSON(w, 200, gen.SyncFrequencyResponse{Frequency: interval})
}

// variantRequest reads the body, path and query of the variant routes, in
// the server's order; it writes the error answer and returns false.
func variantRequest(w http.ResponseWriter, r *http.Request, body []byte) (key, conn, name, variant string, ok bool) {
	var z zod
	obj, ok := syncBody(w, body, &z)
	if !ok {
		return "", "", "", "", false
	}
	if obj != nil {
		key, _ = z.patternText(obj["provider_config_key"], true, configKeyPattern, configKeyRegexText, []any{"provider_config_key"})
		conn, _ = z.patternText(obj["connection_id"], true, connectionIDPattern, connectionRegexText, []any{"connection_id"})
		z.strict(obj, []string{"provider_config_key", "connection_id"}, nil)
	}
	if z.issues != nil {
		writeError(w, 400, "invalid_body", "", z.issues)
		return "", "", "", "", false
	}
	params, _ := pathParams("/sync/{name}/variant/{variant}", r.URL.EscapedPath())
	var pz zod
	for i, p := range []string{"name", "variant"} {
		raw, _ := json.Marshal(params[i])
		pz.patternText(raw, true, syncNamePattern, syncNameRegexText, []any{p})
	}
	if pz.issues != nil {
		writeError(w, 400, "invalid_uri_params", "", pz.issues)
		return "", "", "", "", false
	}
	if !requireEmptyQuery(w, r) {
		return "", "", "", "", false
	}
	return key, conn, params[0], params[1], true
}

func (f *Fake) createSyncVariant(w http.ResponseWriter, r *http.Request, _ string, body []byte) {
	key, conn, name, variant, ok := variantRequest(w, r, body)
	if !ok {
		return
	}
	if strings.EqualFold(variant, "base") {
		writeError(w, 400, "invalid_variant", fmt.Sprintf("Variant name %q is protected.", variant), nil)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	st := f.syncStoreLocked()
	switch {
	case f.conns[connKey{key, conn}] == nil:
		writeError(w, 400, "unknown_connection", "", nil)
	case st.states[syncKey{key, conn, name, variant}] != nil && st.deployed[key][name] != nil:
		writeError(w, 400, "sync_variant_already_exists", "", nil)
	case f.integrations[key] == nil:
		writeError(w, 400, "unknown_provider_config", "", nil)
	case st.deployed[key][name] == nil:
		writeError(w, 400, "unknown_sync", "", nil)
	default:
		st.seq++
		s := &syncState{id: newUUID(), deploySeq: st.deployed[key][name].seq, order: st.seq}
		st.states[syncKey{key, conn, name, variant}] = s
		writeJSON(w, 200, gen.SyncVariantResponse{ID: s.id, Name: name, Variant: variant})
	}
}

func (f *Fake) deleteSyncVariant(w http.ResponseWriter, r *http.Request, _ string, body []byte) {
	key, conn, name, variant, ok := variantRequest(w, r, body)
	if !ok {
		return
	}
	if strings.EqualFold(variant, "base") {
		writeError(w, 400, "invalid_variant", fmt.Sprintf("Cannot delete protected variant %q.", variant), nil)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	st := f.syncStoreLocked()
	k := syncKey{key, conn, name, variant}
	switch {
	case f.conns[connKey{key, conn}] == nil:
		writeError(w, 400, "unknown_connection", "", nil)
	case st.states[k] == nil || st.deployed[key][name] == nil:
		writeError(w, 404, "not_found", "", nil)
	default:
		delete(st.states, k)
		writeJSON(w, 200, gen.Success{Success: true})
	}
}
