/**
 * A child process of the network integration tests: it applies the machine's network setup the way the core does
 * at start (policy file from OSTAL_POLICIES, proxy, the system's certificate store), sends one PROPFIND through the
 * core's DAV client and prints one JSON line: `{ "ok": true, "status": 207 }` or `{ "ok": false, "code", "message" }`
 * (the French message the user would see). Run with `node --import tsx`, URL and credentials in argv.
 */
import { DavClient } from '../../../src/dav/client.js';
import { OstalError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/log.js';
import { applyNetworkPolicy } from '../../../src/policy/network.js';
import { loadSystemPolicy } from '../../../src/policy/registry-policy.js';

const [url, username = 'nobody', password = 'none'] = process.argv.slice(2);
const policy = loadSystemPolicy({ log: silentLogger });
applyNetworkPolicy(policy.proxy, { log: silentLogger });
const client = new DavClient(url, { username, password, pinnedCertificates: [] }, { timeoutMs: 5000 });
try {
  const res = await client.request('PROPFIND', new URL(url).pathname, {
    depth: '0',
    body: '<propfind xmlns="DAV:"><prop><resourcetype/></prop></propfind>',
  });
  console.log(JSON.stringify({ ok: true, status: res.status }));
} catch (err) {
  const e = err instanceof OstalError ? err : null;
  console.log(JSON.stringify({ ok: false, code: e?.code ?? 'unknown', message: e?.message ?? String(err) }));
} finally {
  client.close();
}
