// Drives the official Node SDK (@nangohq/node) against a Nango server and
// prints what its methods return, as one JSON object. Used by
// TestNodeSDKAgainstServe, which seeds the server (connections, a sync with
// records, actions, an environment variable, functions) and checks the
// answers; the server checks every request against openapi.yaml.
import { Nango } from '@nangohq/node';

const [host, secretKey, ...ids] = process.argv.slice(2);
const nango = new Nango({ host, secretKey });

// call runs one SDK call and keeps its answer, or the HTTP error it threw
// ({status, body}): some calls are expected to fail.
async function call(fn) {
  try {
    const res = await fn();
    // triggerSync, startSync, pauseSync and deleteIntegration return the
    // axios response itself.
    return res && res.config && res.headers && 'data' in res ? { status: res.status, data: res.data } : res;
  } catch (err) {
    if (err.response) {
      return { error: { status: err.response.status, body: err.response.data } };
    }
    throw err;
  }
}

// The auth plane.
const out = [];
for (const id of ids) {
  const token = await nango.getToken('github', id);
  const conn = await nango.getConnection('github', id);
  const raw = await nango.getRawTokenResponse('github', id);
  out.push({ id, token, connection_id: conn.connection_id, type: conn.credentials.type, raw });
}
const list = await nango.listConnections();
const oauth1 = await nango.getToken('twitter', 'user-1');

// The data plane: records, syncs, actions, management.
const r = {};
const gh = 'github';
const user = 'user-1';

r.getEnvironmentVariables = await call(() => nango.getEnvironmentVariables());
r.getScriptsConfig = await call(() => nango.getScriptsConfig());
r.getScriptsConfigOpenAI = await call(() => nango.getScriptsConfig('openai'));
r.listFunctions = await call(() => nango.listFunctions({ uniqueKey: gh }));
r.listFunctionsPaged = await call(() => nango.listFunctions({ uniqueKey: gh }, { type: 'action', search: 'ec', page: 0, limit: 5 }));
r.getFunction = await call(() => nango.getFunction({ uniqueKey: gh, name: 'issues' }, { type: 'sync' }));
r.getFunctionCode = await call(() => nango.getFunctionCode({ uniqueKey: gh, name: 'echo' }));
r.deleteFunction = await call(() => nango.deleteFunction({ uniqueKey: gh, name: 'scratch' }, { type: 'action' }));
r.getProviderTemplates = await call(() => nango.getProviderTemplates({ provider: gh }));

r.listRecords = await call(() => nango.listRecords({ providerConfigKey: gh, connectionId: user, model: 'Issue', limit: 2 }));
const cursor = r.listRecords.next_cursor ?? 'none';
r.listRecordsNext = await call(() => nango.listRecords({ providerConfigKey: gh, connectionId: user, model: 'Issue', cursor }));
r.listRecordsFiltered = await call(() =>
  nango.listRecords({ providerConfigKey: gh, connectionId: user, model: 'Issue', filter: 'added,updated', ids: ['1', '3'], modifiedAfter: new Date(Date.now() - 3600e3).toISOString() })
);
r.pruneRecords = await call(() => nango.pruneRecords({ providerConfigKey: gh, connectionId: user, model: 'Issue', untilCursor: r.listRecords.records?.[0]?._nango_metadata.cursor ?? 'none' }));
r.listRecordsAfterPrune = await call(() => nango.listRecords({ providerConfigKey: gh, connectionId: user, model: 'Issue' }));

r.startSync = await call(() => nango.startSync(gh, ['issues'], user));
r.syncStatusStarted = await call(() => nango.syncStatus(gh, ['issues'], user));
r.triggerSync = await call(() => nango.triggerSync(gh, ['issues'], user));
r.triggerSyncReset = await call(() => nango.triggerSync(gh, ['issues'], user, { reset: true }));
r.triggerSyncLegacyMode = await call(() => nango.triggerSync(gh, ['issues'], user, 'full_refresh'));
r.triggerSyncAllConnections = await call(() => nango.triggerSync(gh, ['issues']));
r.pauseSync = await call(() => nango.pauseSync(gh, ['issues'], user));
r.syncStatusAll = await call(() => nango.syncStatus(gh, '*'));
r.updateFrequency = await call(() => nango.updateSyncConnectionFrequency(gh, 'issues', user, 'every hour'));
r.revertFrequency = await call(() => nango.updateSyncConnectionFrequency(gh, { name: 'issues', variant: 'base' }, user, null));
r.createSyncVariant = await call(() => nango.createSyncVariant({ provider_config_key: gh, connection_id: user, name: 'issues', variant: 'v2' }));
r.syncStatusVariant = await call(() => nango.syncStatus(gh, [{ name: 'issues', variant: 'v2' }], user));
r.startSyncVariant = await call(() => nango.startSync(gh, [{ name: 'issues', variant: 'v2' }], user));
r.deleteSyncVariant = await call(() => nango.deleteSyncVariant({ provider_config_key: gh, connection_id: user, name: 'issues', variant: 'v2' }));

r.triggerAction = await call(() => nango.triggerAction(gh, user, 'echo', { title: 'hello' }));
r.triggerActionNoInput = await call(() => nango.triggerAction(gh, user, 'echo'));
r.triggerActionFailing = await call(() => nango.triggerAction(gh, user, 'fail', {}));
r.triggerActionAsync = await call(() => nango.triggerActionAsync(gh, user, 'echo', { title: 'later' }));
// 404 until the run is over.
for (let i = 0; i < 200; i++) {
  r.getAsyncActionResult = await call(() => nango.getAsyncActionResult({ id: r.triggerActionAsync.id ?? 'none' }));
  if (!r.getAsyncActionResult?.error) break;
  await new Promise((resolve) => setTimeout(resolve, 10));
}
r.getAsyncActionResultByURL = await call(() => nango.getAsyncActionResult({ statusUrl: r.triggerActionAsync.statusUrl ?? '/action/none' }));

r.createIntegration = await call(() =>
  nango.createIntegration({ unique_key: 'node-gh', provider: gh, display_name: 'Node GH', credentials: { type: 'OAUTH2', client_id: 'cid', client_secret: 'csec', scopes: 'repo' } })
);
r.updateIntegration = await call(() => nango.updateIntegration({ uniqueKey: 'node-gh' }, { display_name: 'Node GH 2', forward_webhooks: false }));
r.getIntegration = await call(() => nango.getIntegration({ uniqueKey: 'node-gh' }, { include: ['webhook'] }));
r.createQuickstartIntegration = await call(() => nango.createQuickstartIntegration({ unique_key: 'node-quick', provider: gh }));
r.deleteIntegration = await call(() => nango.deleteIntegration('node-gh'));
r.deleteQuickstart = await call(() => nango.deleteIntegration('node-quick'));
r.listIntegrations = await call(async () => (await nango.listIntegrations()).configs.map((c) => c.unique_key));
r.listProviders = await call(async () => (await nango.listProviders()).data.map((p) => p.name));
r.getProvider = await call(() => nango.getProvider({ provider: gh }));
r.setMetadata = await call(() => nango.setMetadata(gh, user, { plan: 'team' }));
r.updateMetadata = await call(() => nango.updateMetadata(gh, user, { seats: 3 }));
r.getMetadata = await call(() => nango.getMetadata(gh, user));
r.patchConnection = await call(() => nango.patchConnection({ connectionId: user, provider_config_key: gh }, { tags: { team: 'node' } }));
r.createConnectSession = await call(() => nango.createConnectSession({ end_user: { id: 'eu-9' }, allowed_integrations: [gh] }));
r.createReconnectSession = await call(() => nango.createReconnectSession({ connection_id: user, integration_id: gh }));
r.deleteConnection = await call(() => nango.deleteConnection(gh, 'to-delete'));
r.waitForConnection = await call(async () => (await nango.waitForConnection(gh, 'eu-1')).connection_id);

console.log(JSON.stringify({ out, list: list.connections.map((c) => c.connection_id), oauth1, r }));
