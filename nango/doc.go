// Package nango is a Go client for Nango (https://nango.dev), the platform
// that stores and refreshes your end users' API credentials.
//
// # Getting a token
//
// Create one client per environment and share it; it is safe for concurrent
// use:
//
//	client, err := nango.New(os.Getenv("NANGO_SECRET_KEY"))               // Nango Cloud
//	client, err := nango.New(key, nango.WithHost("http://localhost:3003")) // self-hosted
//
// Then, before each call to the provider's API, ask for the token:
//
//	tok, err := client.GetToken(ctx, "github", "user-1")
//	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
//
// Nango refreshes an expired OAuth token before it answers, so every call goes
// to the server: the SDK never caches a token. Token has AccessToken for
// OAuth 2, OAuthToken and OAuthTokenSecret for OAuth 1, and the full typed
// credentials of every kind in Token.Credentials (APIKeyCredentials,
// BasicCredentials, …; switch on the type).
//
// # The types are the spec's
//
// The data types are generated from the SDK's OpenAPI document (package
// github.com/nango-go/sdk/gen): Connection embeds gen.Connection, the
// credentials kinds, ConnectionSummary, EndUser and the request types
// (ImportConnectionRequest, PatchConnectionRequest, …) are gen's types under
// this package's names. A property added to the document is a field here
// after `go generate`. Every operation of the document is callable through
// API(), the generated client over this client's key, retries and limits.
//
// The other helpers:
//
//	conn, err := client.GetConnection(ctx, "github", "user-1")       // *Connection, credentials typed
//	raw, err := client.GetRawTokenResponse(ctx, "github", "user-1")  // json.RawMessage, byte for byte
//	conns, err := client.ListConnections(ctx, nango.FilterIntegrations("github"))
//	for c, err := range client.AllConnections(ctx) { ... }           // every page, lazily
//
// and the writes: DeleteConnection, PatchConnection, SetMetadata,
// UpdateMetadata (and their …Many forms), GetMetadata, GetMetadataAs and
// ImportConnection.
//
// Actions run a function deployed to Nango against the provider's API:
// TriggerAction (TriggerActionAs), TriggerActionAsync, GetAsyncActionResult
// and WaitForActionResult. An action is never sent twice; a failed one is an
// *ActionError.
//
// The records that syncs store: ListRecords, AllRecords (every page,
// lazily, from a cursor), ListRecordsAs and AllRecordsAs, PruneRecords.
// The syncs themselves: TriggerSync, StartSync, PauseSync, SyncStatus,
// UpdateSyncFrequency, CreateSyncVariant and DeleteSyncVariant. Nango
// sends a sync webhook when a run ends: NewWebhookHandler verifies and
// parses it (Webhook.Sync names the model and the run's ModifiedAfter),
// and the handler reads the changes with AllRecords from its stored cursor.
//
// The environment itself: GetEnvironmentVariables and GetScriptsConfig; the
// integrations' writes (CreateIntegration, CreateQuickstartIntegration,
// UpdateIntegration, DeleteIntegration) and GetProviderTemplates; the
// deployed functions (ListFunctions, AllFunctions, GetFunction,
// GetFunctionCode, DeleteFunction); and WaitForConnection, which reads a
// connection until the end user has made it.
//
// # Errors
//
// An answer outside 2xx is an *APIError with the status, Nango's error code
// and message, the request id and Retry-After when sent. It is built from
// both of Nango's error bodies, and from the HTML or empty bodies of proxies.
// Common cases have sentinels for errors.Is:
//
//	switch {
//	case errors.Is(err, nango.ErrNotFound):           // no such connection
//	case errors.Is(err, nango.ErrInvalidCredentials): // refresh failed: the user must reconnect
//	case errors.Is(err, nango.ErrUnauthorized):       // bad secret key
//	}
//
// Arguments are checked before any request: an empty, over-long or dot-segment
// id is an error matching ErrInvalidArgument. A 2xx that is not the expected
// JSON matches ErrUnexpectedResponse and keeps its status.
//
// # Reliability
//
// Reads (GET) are retried, by default twice, after a transport error or a
// 408, 429, 500, 502, 503 or 504, with exponential backoff and full jitter;
// Retry-After is honoured up to WithMaxRetryAfter (30s), and a wait that
// would overrun the context's deadline or the call's retry budget
// (WithRetryBudget, 5s) is not made: the 429 comes back at once. 400, 401,
// 403, 404, 415, 424 and invalid_credentials are never retried. Writes and
// actions are retried only when the connection was never established; an
// action's own failure never is.
//
// Each attempt has a 10s limit (WithTimeout), or less when the context's
// deadline (or RequestTimeout) comes first: a stalled answer costs one
// attempt, and a read is retried while the deadline leaves time.
//
// Bodies are read through a cap (4 MiB for a connection, 32 MiB for a list
// page; WithMaxResponseBytes), error bodies through 64 KiB, of which 4 KiB are
// kept on the APIError. Reading up to a cap allocates about the cap, not
// several times it.
//
// Identical reads in flight at the same time (same key, id and options) share
// one request; nothing is kept once it completes (WithCoalescing(false) turns
// this off). A caller that gives up does not fail the others: when it is the
// one whose request they share, the next of them sends it again.
//
// # Fitting in
//
// TokenSource and HTTPClient adapt a connection to golang.org/x/oauth2: an
// *http.Client that sends the connection's current token with every request
// to the provider. WithLogger logs each attempt to a log/slog logger at
// debug level, without secrets.
//
// # Security
//
// The secret key and tokens are never printed: Client, Token, every
// credentials type, Connection and APIError redact them under every fmt verb
// and in log/slog. The key is sent only to the configured host: a redirect
// to another host loses the Authorization header. Plain http:// is refused
// for hosts that are not loopback unless WithInsecureHTTP is given.
//
// # Older servers
//
// WithLegacyPaths uses the /connection routes of servers from before mid-2025;
// WithBasicAuth sends the key as HTTP Basic, for servers from before July
// 2023. Connections and lists in the 2023 shapes decode too.
//
// # Testing your code
//
// Package nangotest is a fake Nango for tests, checked against the same
// OpenAPI document as this package:
//
//	srv := nangotest.Start(t)
//	srv.MustPut(nangotest.OAuth2("github", "user-1", "gho_test"))
//	client := srv.Client() // a *Client for the fake
package nango
