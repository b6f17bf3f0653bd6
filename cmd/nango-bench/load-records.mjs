// Load for cmd/nango-bench -records: the official Node SDK reading every
// page of a model with listRecords, following next_cursor, `walks` times,
// then printing records per second.
import { Nango } from '@nangohq/node';

const [host, secretKey, walks, limit] = process.argv.slice(2);
const nango = new Nango({ host, secretKey });
let records = 0;
const start = Date.now();
for (let w = 0; w < Number(walks); w++) {
  let cursor = undefined;
  do {
    const page = await nango.listRecords({ providerConfigKey: 'github', connectionId: 'user-1', model: 'Issue', limit: Number(limit), cursor });
    for (const r of page.records) {
      if (typeof r.title !== 'string') throw new Error('not a record: ' + JSON.stringify(r));
      records++;
    }
    cursor = page.next_cursor;
  } while (cursor);
}
console.log(JSON.stringify({ recordsPerSecond: records / ((Date.now() - start) / 1000) }));
