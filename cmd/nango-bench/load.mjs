// Load for cmd/nango-bench: the official Node SDK calling getToken from
// `conc` concurrent loops for `seconds`, then printing calls per second.
import { Nango } from '@nangohq/node';

const [host, secretKey, seconds, conc] = process.argv.slice(2);
const nango = new Nango({ host, secretKey });
const deadline = Date.now() + Number(seconds) * 1000;
let calls = 0;
const start = Date.now();
async function worker(w) {
  const id = `user-${w}@example.com`;
  while (Date.now() < deadline) {
    const token = await nango.getToken('github', id);
    if (typeof token !== 'string') throw new Error('not a token: ' + JSON.stringify(token));
    calls++;
  }
}
await Promise.all(Array.from({ length: Number(conc) }, (_, w) => worker(w)));
console.log(JSON.stringify({ callsPerSecond: calls / ((Date.now() - start) / 1000) }));
