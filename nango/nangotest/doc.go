// Package nangotest is a fake Nango server for tests: in memory, on loopback,
// and checked against the SDK's openapi.yaml on every exchange.
//
// Seed it with typed connections and get a client for it:
//
//	srv := nangotest.Start(t, nangotest.WithRefresher(provider))
//	srv.MustPut(nangotest.ExpiredOAuth2("github", "user-1", "stale", "refresh-1"))
//	client := srv.Client()
//	tok, err := client.GetToken(ctx, "github", "user-1") // refreshed through provider
//
// Conn builds a connection with any nango.Credentials, and there is one
// constructor per credential kind (OAuth2, ExpiredOAuth2, OAuth1, OAuth2CC,
// APIKey, Basic, App, Custom, JWT, TBA, TwoStep, Signature, Bill, AWSSigV4,
// Unauthenticated); each takes ConnOptions: Tags, Metadata, EndUser,
// Provider, Expires. Put also takes a nango.Connection you build or read
// with GetConnection, and PutJSON and Seed the JSON that GET
// /connections/{connectionId} returns (the format of `nango serve --data`).
//
// Put declares the integration of the connection it stores, so reads under
// its key answer as Nango's do. AddIntegration is for what Put cannot know:
// an integration without connections (an import into it, or a read of an
// unknown id that must be 404 rather than 400 unknown_provider_config), or
// the auth mode an import must match. Its options (DisplayName, OAuthClient,
// WebhookSecret) set what GET /integrations/{uniqueKey}?include=credentials
// shows; GET /integrations lists every integration, declared or implied by
// Put. GET /providers is a stub catalog: only the providers of those
// integrations, with their name, display name and auth mode (Nango's
// templates of authorization URLs and proxy settings are not in the fake).
//
// Connect sessions work as in Nango: POST /connect/sessions and
// /connect/sessions/reconnect check the body as the server's schemas do and
// issue a nango_connect_session_… token, valid 30 minutes on the fake's
// clock, with which GET and DELETE /connect/session authenticate (the
// secret key there is 401 invalid_connect_session_token_format). Sessions
// belong to the environment whose key made them; ConnectSessions returns
// them, typed, so a test can check what its code asked for.
//
// The fake answers as Nango v0.71 does: its error codes, strict query
// parameters and bodies, both route eras, paths routed as Express routes
// them (one trailing slash ignored), timestamps as Nango writes them,
// null and empty values where Nango sends them. It routes by the operations
// of openapi.yaml (built from the generated server's routes): an operation
// it does not implement answers 501 not_implemented naming it, and a path
// that is no operation answers 404 not_found. Request bodies over Nango's
// 75 MB limit are refused with 413 before they are parsed. Where Nango would
// call a provider, the fake does not: an APP or CUSTOM import (app_id and
// installation_id) stores a made-up installation token
// ("ghs_nangotest_<installation id>", valid for an hour), and OAuth 2
// refreshes go through the Refresher you give WithRefresher.
//
// Syncs: PutSync deploys a sync (its models) on an integration, paused on
// each of its connections until started. A run (a schedule's first start,
// a trigger, RunSync) completes at once and sends Nango's signed sync
// webhook, one per model, to WithWebhookURL before the call returns;
// FailNextSync makes the next run fail; SyncStatuses reads the state.
//
// Records are stored as a sync run stores them: PutRecords (a new id is
// ADDED, a changed one UPDATED), DeleteRecords (DELETED), and their Variant
// forms for a sync variant; the connection must exist. GET /records and
// PATCH /records/prune serve them as Nango's records store does: its order,
// cursors of its form, filters, modified_after, paging, pruning, and its
// answers to an unknown connection (400) and a garbage cursor (500).
//
// The environment's management routes work too: SetEnvironmentVariable sets
// what GET /environment-variables lists; DeployFunction deploys a sync, an
// action or an on-event script as `nango deploy` would (listed and read under
// /integrations/{uniqueKey}/functions, and built into GET /scripts/config);
// integrations are created (also by quickstart, as on Nango Cloud), updated
// and deleted with Nango's answers, for the providers of the fake's
// integrations and a few common ones; provider templates are an empty
// catalog, as on a self-hosted Nango. What PutSync and HandleAction deploy
// is listed there too, as Nango lists deployed scripts. A deletion takes
// with it what Nango's does: a deleted function undeploys its sync (with its
// records) or its action; a deleted integration takes its connections,
// syncs, records, actions and functions with it, a renamed one moves them;
// a deleted connection takes its records and the state of its syncs.
//
// It can inject faults: a status of your choice, a 429 with Retry-After, a
// delay, an HTML 502, a dropped connection (FailNext, FailConnection).
package nangotest
