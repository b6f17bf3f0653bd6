package nango

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nango-go/sdk/gen"
)

// The sync operations: run, pause and start a sync's schedule, read its
// status, change its frequency for one connection, and add or remove
// variants. The writes are never retried once the request may have reached
// Nango: a trigger sent twice runs twice.

const (
	opTriggerSync         = "POST /sync/trigger"
	opPauseSync           = "POST /sync/pause"
	opStartSync           = "POST /sync/start"
	opSyncStatus          = "GET /sync/status"
	opUpdateSyncFrequency = "PUT /sync/update-connection-frequency"
	opCreateSyncVariant   = "POST /sync/{name}/variant/{variant}"
	opDeleteSyncVariant   = "DELETE /sync/{name}/variant/{variant}"
)

// The types of the sync operations, generated from openapi.yaml.
type (
	// SyncStatus is the state of one variant of a sync for one connection
	// (SyncStatus's answer): Name, Variant, ConnectionID, Status (the
	// schedule's state, or RUNNING), Frequency, NextScheduledSyncAt (nil
	// while paused), and the latest run: FinishedAt (zero before the first
	// run), LatestExecutionStatus, LatestResult (per model), RecordCount
	// (per model).
	SyncStatus = gen.SyncStatus
	// SyncState is a sync's Status or the LatestExecutionStatus of its
	// last run: SyncStateRunning, SyncStatePaused, SyncStateSuccess,
	// SyncStateError or SyncStateStopped.
	SyncState = gen.SyncState
	// SyncType says whether the latest run was incremental (deprecated by
	// Nango).
	SyncType = gen.SyncType
	// SyncResult is what a run changed in one model.
	SyncResult = gen.SyncResult
	// TriggerSyncMode is how a triggered run treats earlier runs' work:
	// SyncModeIncremental, SyncModeFullRefresh or
	// SyncModeFullRefreshAndClearCache.
	TriggerSyncMode = gen.TriggerSyncMode
	// SyncVariantResponse is a variant CreateSyncVariant made.
	SyncVariantResponse = gen.SyncVariantResponse
)

// The states of a sync and of its runs.
const (
	SyncStateRunning = gen.SyncStateRunning
	SyncStatePaused  = gen.SyncStatePaused
	SyncStateSuccess = gen.SyncStateSuccess
	SyncStateError   = gen.SyncStateError
	SyncStateStopped = gen.SyncStateStopped
)

// The kinds of a sync's latest run (SyncStatus.Type).
const (
	SyncTypeInitial     = gen.SyncTypeInitial
	SyncTypeIncremental = gen.SyncTypeIncremental
)

// The modes of TriggerSync.
const (
	// SyncModeIncremental goes on from where the sync's last run stopped
	// (the default).
	SyncModeIncremental = gen.SyncModeIncremental
	// SyncModeFullRefresh runs the sync from the start, as its first run;
	// the records stay.
	SyncModeFullRefresh = gen.SyncModeFullRefresh
	// SyncModeFullRefreshAndClearCache deletes the sync's records, then
	// runs it from the start.
	SyncModeFullRefreshAndClearCache = gen.SyncModeFullRefreshAndClearCache
)

// SyncOption modifies a sync call: ForConnection, SyncVariant, SyncMode
// (TriggerSync only), or any RequestOption.
type SyncOption interface{ applySync(*syncParams) }

type syncOption func(*syncParams)

func (f syncOption) applySync(p *syncParams) { f(p) }

func (o RequestOption) applySync(p *syncParams) { o.applyTo(&p.req) }

type syncParams struct {
	connectionID  string
	hasConnection bool
	mode          TriggerSyncMode
	variants      []syncID
	req           requestConfig
}

// ForConnection limits a sync call to one connection. Without it, the call
// acts on every connection of the integration that has the syncs.
func ForConnection(connectionID string) SyncOption {
	return syncOption(func(p *syncParams) { p.connectionID, p.hasConnection = connectionID, true })
}

// SyncVariant adds one variant of a sync to the call's syncs (Nango's
// {name, variant} form); repeat it for more. A sync name alone in the syncs
// argument means its "base" variant; "name::variant" there is the same as
// SyncVariant(name, variant).
func SyncVariant(name, variant string) SyncOption {
	return syncOption(func(p *syncParams) {
		p.variants = append(p.variants, syncID{name: name, variant: variant, object: true})
	})
}

// SyncMode sets how TriggerSync's run treats what earlier runs did (the
// default is SyncModeIncremental). Other calls refuse it.
func SyncMode(mode TriggerSyncMode) SyncOption {
	return syncOption(func(p *syncParams) { p.mode = mode })
}

// syncID is one sync of a call. object: sent as {name, variant} rather
// than as the bare name.
type syncID struct {
	name, variant string
	object        bool
}

// maxSyncsPerCommand is the most syncs /sync/pause and /sync/start take.
const maxSyncsPerCommand = 256

// syncNamePattern is Nango's rule for sync and variant names (the names
// its CLI deploys, and what its sync_name and path parameters take).
var syncNamePattern = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)

func checkSyncName(what, name string) error {
	switch {
	case name == "":
		return invalidArgument("empty %s", what)
	case len(name) > maxIDLength:
		return invalidArgument("%s is %d characters long, over the limit of %d", what, len(name), maxIDLength)
	case !syncNamePattern.MatchString(name):
		return invalidArgument("%s %q: Nango's names are letters, digits, _ and -", what, name)
	}
	return nil
}

// parseSync reads one entry of a syncs argument: "name" or "name::variant".
func parseSync(s string) (syncID, error) {
	name, variant, found := strings.Cut(s, "::")
	id := syncID{name: name, variant: "base", object: found}
	if found {
		id.variant = variant
	}
	if err := checkSyncName("sync name", id.name); err != nil {
		if found || s == "" {
			return id, err
		}
		return id, fmt.Errorf("%w (a variant is SyncVariant(name, variant) or \"name::variant\")", err)
	}
	if err := checkSyncName("variant of sync "+id.name, id.variant); err != nil {
		return id, err
	}
	return id, nil
}

// syncCall checks a sync call's arguments and options before anything is
// sent.
func syncCall(method, providerConfigKey string, syncs []string, opts []SyncOption) (*syncParams, []syncID, error) {
	var p syncParams
	for _, o := range opts {
		if o != nil {
			o.applySync(&p)
		}
	}
	if err := checkID("provider config key", providerConfigKey); err != nil {
		return nil, nil, err
	}
	if p.hasConnection {
		if err := checkID("connection id (ForConnection)", p.connectionID); err != nil {
			return nil, nil, err
		}
	}
	if p.mode != "" && method != "TriggerSync" {
		return nil, nil, invalidArgument("%s: SyncMode applies to TriggerSync only", method)
	}
	switch p.mode {
	case "", SyncModeIncremental, SyncModeFullRefresh, SyncModeFullRefreshAndClearCache:
	default:
		return nil, nil, invalidArgument("%s: SyncMode(%q): want SyncModeIncremental, SyncModeFullRefresh or SyncModeFullRefreshAndClearCache", method, p.mode)
	}
	ids := make([]syncID, 0, len(syncs)+len(p.variants))
	for _, s := range syncs {
		id, err := parseSync(s)
		if err != nil {
			return nil, nil, err
		}
		ids = append(ids, id)
	}
	for _, v := range p.variants {
		if err := checkSyncName("sync name (SyncVariant)", v.name); err != nil {
			return nil, nil, err
		}
		if err := checkSyncName("variant of sync "+v.name+" (SyncVariant)", v.variant); err != nil {
			return nil, nil, err
		}
		ids = append(ids, v)
	}
	return &p, ids, nil
}

// selectors are the syncs as the command routes take them: a bare name for
// a base variant named alone, {name, variant} otherwise. Never nil: an empty
// list is sent as [], every sync.
func selectors(ids []syncID) ([]gen.SyncSelector, error) {
	out := make([]gen.SyncSelector, len(ids))
	for i, id := range ids {
		var err error
		if id.object {
			err = out[i].FromSyncRef(gen.SyncRef{Name: id.name, Variant: id.variant})
		} else {
			err = out[i].FromSyncSelector0(id.name)
		}
		if err != nil {
			return nil, invalidArgument("syncs: %v", err)
		}
	}
	return out, nil
}

// TriggerSync runs syncs of an integration now (Node: triggerSync): the
// named ones, or every sync when syncs is empty, for the connection of
// ForConnection or for every connection that has them. The run happens in
// Nango's workers: TriggerSync returns once it is scheduled, and a sync
// webhook says when it finished (SyncStatus shows it too). SyncMode asks
// for a full refresh. Each entry of syncs is a sync name, for its base
// variant, or "name::variant"; SyncVariant adds variants too.
//
// An unknown sync or variant is an *APIError with Code "no_syncs_found"; an
// unknown connection matches ErrNotFound; an unknown integration
// ErrUnknownProviderConfig. A trigger is not retried once it may have
// reached Nango.
func (c *Client) TriggerSync(ctx context.Context, providerConfigKey string, syncs []string, opts ...SyncOption) error {
	p, ids, err := syncCall("TriggerSync", providerConfigKey, syncs, opts)
	if err != nil {
		return err
	}
	sels, err := selectors(ids)
	if err != nil {
		return err
	}
	body, err := json.Marshal(gen.TriggerSyncRequest{Syncs: sels, ProviderConfigKey: providerConfigKey,
		ConnectionID: p.connectionID, SyncMode: p.mode})
	if err != nil {
		return invalidArgument("TriggerSync: %v", err)
	}
	return c.syncCommand(ctx, &call{method: http.MethodPost, op: opTriggerSync, maxBody: c.maxBody, req: p.req.callConfig(),
		build: func(server string) (*http.Request, error) {
			return gen.NewTriggerSyncRequestWithBody(server, &gen.TriggerSyncParams{}, jsonContentType, bytes.NewReader(body))
		}})
}

// PauseSync pauses the schedule of syncs (Node: pauseSync): the named ones,
// or every sync when syncs is empty, for the connection of ForConnection or
// every connection of the integration. A run in progress finishes; the
// records stay. Arguments and errors are TriggerSync's.
func (c *Client) PauseSync(ctx context.Context, providerConfigKey string, syncs []string, opts ...SyncOption) error {
	return c.syncSchedule(ctx, "PauseSync", opPauseSync, gen.NewPauseSyncRequestWithBody, providerConfigKey, syncs, opts)
}

// StartSync starts (or resumes) the schedule of syncs (Node: startSync): a
// paused sync runs at once, then at its frequency; a started one is left as
// it is. Arguments and errors are PauseSync's.
func (c *Client) StartSync(ctx context.Context, providerConfigKey string, syncs []string, opts ...SyncOption) error {
	return c.syncSchedule(ctx, "StartSync", opStartSync, gen.NewStartSyncRequestWithBody, providerConfigKey, syncs, opts)
}

type bodyBuilder func(server, contentType string, body io.Reader) (*http.Request, error)

func (c *Client) syncSchedule(ctx context.Context, method, op string, build bodyBuilder, providerConfigKey string, syncs []string, opts []SyncOption) error {
	p, ids, err := syncCall(method, providerConfigKey, syncs, opts)
	if err != nil {
		return err
	}
	if len(ids) > maxSyncsPerCommand {
		return invalidArgument("%s: %d syncs, over Nango's limit of %d a call", method, len(ids), maxSyncsPerCommand)
	}
	sels, err := selectors(ids)
	if err != nil {
		return err
	}
	body, err := json.Marshal(gen.SyncCommandRequest{Syncs: sels, ProviderConfigKey: providerConfigKey, ConnectionID: p.connectionID})
	if err != nil {
		return invalidArgument("%s: %v", method, err)
	}
	return c.syncCommand(ctx, &call{method: http.MethodPost, op: op, maxBody: c.maxBody, req: p.req.callConfig(),
		build: func(server string) (*http.Request, error) {
			return build(server, jsonContentType, bytes.NewReader(body))
		}})
}

// syncCommand sends a trigger, pause or start and reads its {"success": true}.
func (c *Client) syncCommand(ctx context.Context, cl *call) error {
	r, err := c.do(ctx, cl)
	if err != nil {
		return err
	}
	var out gen.Success
	if err := json.Unmarshal(r.body, &out); err != nil {
		return r.malformed("sync command answer", err)
	}
	if !out.Success {
		return r.malformed("sync command answer", errMissing(`"success": true`))
	}
	return nil
}

// SyncStatus returns the status of syncs (Node: syncStatus): of the named
// ones, or of every sync when syncs is nil or empty, one entry per sync,
// variant and connection; for the connection of ForConnection, or every
// connection of the integration. Names that match no sync are left out (an
// empty list when none does). Each entry of syncs is a name or
// "name::variant"; SyncVariant adds variants.
//
// An unknown connection matches ErrNotFound (Nango answers 400
// invalid_body "Connection not found").
func (c *Client) SyncStatus(ctx context.Context, providerConfigKey string, syncs []string, opts ...SyncOption) ([]SyncStatus, error) {
	p, ids, err := syncCall("SyncStatus", providerConfigKey, syncs, opts)
	if err != nil {
		return nil, err
	}
	params := gen.GetSyncStatusParams{Syncs: "*", ProviderConfigKey: providerConfigKey}
	if len(ids) > 0 {
		names := make([]string, len(ids))
		for i, id := range ids {
			names[i] = id.name
			if id.object {
				names[i] += "::" + id.variant
			}
		}
		params.Syncs = strings.Join(names, ",")
	}
	if p.hasConnection {
		params.ConnectionID = &p.connectionID
	}
	req, err := gen.NewGetSyncStatusRequest(c.server, &params)
	if err != nil {
		return nil, invalidArgument("SyncStatus: %v", err)
	}
	r, err := c.do(ctx, &call{method: http.MethodGet, op: opSyncStatus, maxBody: c.maxListBody, idempotent: true,
		url: req.URL.String(), req: p.req.callConfig()})
	if err != nil {
		var apiErr *APIError
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusBadRequest && apiErr.Code == "invalid_body" &&
			apiErr.Message == "Connection not found" {
			// The caller's own copy: a merged read's failure is shared.
			cp := *apiErr
			cp.also = append(slices.Clone(cp.also), ErrNotFound)
			return nil, &cp
		}
		return nil, err
	}
	var out gen.SyncStatusResponse
	if err := json.Unmarshal(r.body, &out); err != nil {
		return nil, r.malformed("sync status", err)
	}
	if out.Syncs == nil {
		return nil, r.malformed("sync status", errMissing("syncs"))
	}
	return out.Syncs, nil
}

// UpdateSyncFrequency changes how often a sync runs for one connection
// (Node: updateSyncConnectionFrequency) and returns the frequency now in
// force, as Nango schedules it ("every 2 hours" comes back as "2 hours").
// sync is a name, or "name::variant" for a variant. frequency is Nango's
// notation: an amount and a unit ("30m", "every 2 hours", "1d"; at least 30
// seconds) or one of "every hour", "every day", "every week", "every
// month", "every half day", "every half hour", "every quarter hour". An
// empty frequency goes back to the one the sync was deployed with.
//
// An unknown connection matches ErrNotFound (Nango answers 400
// unknown_connection); an unknown sync is an *APIError with Code
// "unknown_sync".
func (c *Client) UpdateSyncFrequency(ctx context.Context, providerConfigKey, connectionID, sync, frequency string, opts ...RequestOption) (string, error) {
	if err := checkKeyAndID(providerConfigKey, connectionID); err != nil {
		return "", err
	}
	id, err := parseSync(sync)
	if err != nil {
		return "", err
	}
	req := gen.SyncFrequencyRequest{SyncName: id.name, ProviderConfigKey: providerConfigKey, ConnectionID: connectionID}
	if id.object {
		req.SyncVariant = id.variant
	}
	if frequency != "" {
		if _, err := checkFrequency(frequency); err != nil {
			return "", err
		}
		req.Frequency = &frequency
	}
	body, err := json.Marshal(req)
	if err != nil {
		return "", invalidArgument("UpdateSyncFrequency: %v", err)
	}
	r, err := c.do(ctx, &call{method: http.MethodPut, op: opUpdateSyncFrequency, maxBody: c.maxBody, req: requestConfigOf(opts),
		build: func(server string) (*http.Request, error) {
			return gen.NewUpdateSyncConnectionFrequencyRequestWithBody(server, jsonContentType, bytes.NewReader(body))
		}})
	if err != nil {
		return "", err
	}
	var out gen.SyncFrequencyResponse
	if err := json.Unmarshal(r.body, &out); err != nil {
		return "", r.malformed("sync frequency", err)
	}
	if out.Frequency == "" {
		return "", r.malformed("sync frequency", errMissing("frequency"))
	}
	return out.Frequency, nil
}

// CreateSyncVariant adds a variant of a deployed sync to one connection
// (Node: createSyncVariant): the same script, with records and a schedule
// of its own. Read its records with the records options' variant, run it
// with TriggerSync and SyncVariant. "base" is the sync itself and cannot be
// created.
//
// An existing variant is an *APIError with Code
// "sync_variant_already_exists"; an unknown sync "unknown_sync"; an unknown
// connection matches ErrNotFound.
func (c *Client) CreateSyncVariant(ctx context.Context, providerConfigKey, connectionID, sync, variant string, opts ...RequestOption) (*SyncVariantResponse, error) {
	body, err := variantCall("CreateSyncVariant", providerConfigKey, connectionID, sync, variant)
	if err != nil {
		return nil, err
	}
	r, err := c.do(ctx, &call{method: http.MethodPost, op: opCreateSyncVariant, maxBody: c.maxBody, req: requestConfigOf(opts),
		build: func(server string) (*http.Request, error) {
			return gen.NewCreateSyncVariantRequestWithBody(server, sync, variant, jsonContentType, bytes.NewReader(body))
		}})
	if err != nil {
		return nil, err
	}
	var out gen.SyncVariantResponse
	if err := json.Unmarshal(r.body, &out); err != nil {
		return nil, r.malformed("sync variant", err)
	}
	if out.ID == "" || out.Name == "" || out.Variant == "" {
		return nil, r.malformed("sync variant", errMissing("id, name or variant"))
	}
	return &out, nil
}

// DeleteSyncVariant removes a variant made with CreateSyncVariant (Node:
// deleteSyncVariant), with its schedule. An unknown variant matches
// ErrNotFound (404 not_found), as does an unknown connection; "base" cannot
// be deleted.
func (c *Client) DeleteSyncVariant(ctx context.Context, providerConfigKey, connectionID, sync, variant string, opts ...RequestOption) error {
	body, err := variantCall("DeleteSyncVariant", providerConfigKey, connectionID, sync, variant)
	if err != nil {
		return err
	}
	return c.syncCommand(ctx, &call{method: http.MethodDelete, op: opDeleteSyncVariant, maxBody: c.maxBody, req: requestConfigOf(opts),
		build: func(server string) (*http.Request, error) {
			return gen.NewDeleteSyncVariantRequestWithBody(server, sync, variant, jsonContentType, bytes.NewReader(body))
		}})
}

func variantCall(method, providerConfigKey, connectionID, sync, variant string) ([]byte, error) {
	if err := checkKeyAndID(providerConfigKey, connectionID); err != nil {
		return nil, err
	}
	if err := checkSyncName("sync name", sync); err != nil {
		return nil, err
	}
	if err := checkSyncName("variant", variant); err != nil {
		return nil, err
	}
	if strings.EqualFold(variant, "base") {
		return nil, invalidArgument("%s: %q is the sync itself, not a variant", method, variant)
	}
	body, err := json.Marshal(gen.SyncVariantRequest{ProviderConfigKey: providerConfigKey, ConnectionID: connectionID})
	if err != nil {
		return nil, invalidArgument("%s: %v", method, err)
	}
	return body, nil
}

// frequencyPattern is the frequencies Nango's schema takes (its own
// pattern, without the group names).
var frequencyPattern = regexp.MustCompile(`^(every )?(([0-9]+)?\s?(s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?)|(month|week|half day|half hour|quarter hour))$`)

// frequencyAmount is what Nango then reads of the rest: an amount and a unit.
var frequencyAmount = regexp.MustCompile(`^([0-9]+)\s?(s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?)$`)

// namedFrequencies are the phrases Nango reads without an amount.
var namedFrequencies = map[string]time.Duration{
	"every half day": 12 * time.Hour, "every half hour": 30 * time.Minute, "every quarter hour": 15 * time.Minute,
	"every hour": time.Hour, "every day": 24 * time.Hour, "every month": 30 * 24 * time.Hour, "every week": 7 * 24 * time.Hour,
}

// minSyncInterval is the shortest frequency Nango schedules.
const minSyncInterval = 30 * time.Second

// checkFrequency holds a frequency to Nango's rules (its schema's pattern,
// then its scheduler's reading of it) and returns its interval.
func checkFrequency(s string) (time.Duration, error) {
	if !frequencyPattern.MatchString(s) {
		return 0, invalidArgument("frequency %q: want an amount and a unit (\"30m\", \"every 2 hours\") or \"every day\", \"every week\"…", s)
	}
	if d, ok := namedFrequencies[s]; ok {
		return d, nil
	}
	m := frequencyAmount.FindStringSubmatch(strings.TrimPrefix(s, "every "))
	if m == nil {
		return 0, invalidArgument("frequency %q: Nango needs an amount here (\"every 1h\"; the bare phrases are \"every hour\", \"every day\", \"every week\", \"every month\", \"every half day\", \"every half hour\", \"every quarter hour\")", s)
	}
	unit := map[byte]time.Duration{'s': time.Second, 'm': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour}[m[2][0]]
	n, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil || n > int64(1<<62)/int64(unit) {
		return 1 << 62, nil // longer than any schedule needs; Nango takes it
	}
	if d := time.Duration(n) * unit; d >= minSyncInterval {
		return d, nil
	}
	return 0, invalidArgument("frequency %q: shorter than Nango's minimum of %s", s, minSyncInterval)
}
