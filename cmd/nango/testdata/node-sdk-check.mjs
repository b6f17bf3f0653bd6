// Drives the official Node SDK (@nangohq/node) against a Nango server and
// prints what its four helpers return, as JSON lines. Used by
// TestNodeSDKAgainstServe and by cmd/nango-bench.
import { Nango } from '@nangohq/node';

const [host, secretKey, ...ids] = process.argv.slice(2);
const nango = new Nango({ host, secretKey });
const out = [];
for (const id of ids) {
  const token = await nango.getToken('github', id);
  const conn = await nango.getConnection('github', id);
  const raw = await nango.getRawTokenResponse('github', id);
  out.push({ id, token, connection_id: conn.connection_id, type: conn.credentials.type, raw });
}
const list = await nango.listConnections();
const oauth1 = await nango.getToken('twitter', 'user-1');
console.log(JSON.stringify({ out, list: list.connections.map((c) => c.connection_id), oauth1 }));
