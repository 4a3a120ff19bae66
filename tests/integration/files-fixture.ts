/** Helpers of the Fichiers integration tests: a fresh WebDAV area per test on the real Apache, raw requests, a Core. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { Core } from '../../src/core.js';
import { silentLogger } from '../../src/log.js';
import { caCert, getServers, testUser } from '../servers/testing.js';
import { addServerAccount } from './account-fixture.js';

export type User = ReturnType<typeof testUser>;

/** A request made directly on Apache, not through Ostal. */
export function dav(
  user: User,
  method: string,
  urlPath: string,
  body?: Buffer | string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Buffer; headers: Record<string, unknown> }> {
  const s = getServers();
  const buf = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: 'localhost',
        port: s.apache.port,
        method,
        path: urlPath
          .split('/')
          .map((seg) => encodeURIComponent(seg))
          .join('/'),
        ca: caCert(),
        auth: `${user.username}:${user.password}`,
        headers: { 'Content-Length': String(buf?.length ?? 0), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end(buf);
  });
}

/** A new folder of the user's WebDAV space, for one test: its server path ('/dav/<email>/<name>/'). */
export async function freshArea(user: User, label: string): Promise<string> {
  const p = `/dav/${user.username}/ostal-${label}-${Date.now().toString(36)}-${crypto.randomBytes(3).toString('hex')}/`;
  const res = await dav(user, 'MKCOL', p);
  if (res.status !== 201) throw new Error(`MKCOL ${p}: ${res.status}`);
  return p;
}

export function webdavUrl(areaPath: string): string {
  return `https://localhost:${getServers().apache.port}${areaPath}`;
}

export const sha256 = (b: Buffer | string) => crypto.createHash('sha256').update(b).digest('hex');

export interface FilesCore {
  core: Core;
  accountId: string;
  dir: string;
  profileDir: string;
  /** The account's sync folder (<localRoot>/<email>). */
  root: string;
}

/** A Core with one account whose WebDAV URL is `webdav`, and files.localRoot in a temp dir. */
export async function filesCore(
  user: User,
  webdav: string,
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-files-')),
): Promise<FilesCore> {
  const profileDir = path.join(dir, 'profil');
  const core = await Core.open({ profileDir, mode: 'cli', logger: silentLogger, policyPath: path.join(dir, 'no-policy.json') });
  const accountId = await addServerAccount(core, user, { webdav });
  await core.handle('settings.set', { key: 'files.localRoot', value: path.join(dir, 'Documents') });
  return { core, accountId, dir, profileDir, root: path.join(dir, 'Documents', user.email) };
}

/** Every file under a local folder: relative path → sha256 (partial files included, to catch them). */
export function localTree(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string, rel: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path.join(d, e.name), r);
      else out.set(r, sha256(fs.readFileSync(path.join(d, e.name))));
    }
  };
  if (fs.existsSync(root)) walk(root, '');
  return out;
}

/** Every file under a server folder (Depth 1 walk): relative path → sha256. */
export async function remoteTree(user: User, area: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (p: string, rel: string) => {
    const res = await dav(
      user,
      'PROPFIND',
      p,
      '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/></D:prop></D:propfind>',
      { Depth: '1', 'Content-Type': 'application/xml' },
    );
    const xml = res.body.toString('utf8');
    const responses = xml.split(/<D:response[ >]/).slice(1);
    for (const r of responses) {
      const href = decodeURIComponent(/<D:href>([^<]*)<\/D:href>/.exec(r)![1]);
      if (href === p) continue;
      const name = href.replace(/\/$/, '').split('/').pop()!;
      const relPath = rel ? `${rel}/${name}` : name;
      if (r.includes('<D:collection/>')) await walk(href, relPath);
      else out.set(relPath, sha256((await dav(user, 'GET', href)).body));
    }
  };
  await walk(area, '');
  return out;
}

export { testUser, getServers };
