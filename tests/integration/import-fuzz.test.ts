/**
 * Import fuzz corpus (tests/fixtures/fuzz, made by generate.ts): each malformed .ics / .vcf goes through the
 * real import path (bytes decoded as the CLI does, then `dav.import`) into a profile synced with the real
 * Radicale. Nothing throws (a file that is neither an agenda nor a contacts file is refused as a whole with a
 * French message), every refused item has a French reason, the intact items of a partly broken file are
 * imported and reach Radicale; 10 000 events and 2000 cards import in reasonable time. agent2 (unique UIDs).
 */
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportResult } from '../../src/shared/contract.js';
import { OstalError } from '../../src/errors.js';
import { decodeImportBytes } from '../../src/calendar/import.js';
import { DavRepository } from '../../src/calendar/repository.js';
import { Core } from '../../src/core.js';
import { silentLogger } from '../../src/log.js';
import { buildCorpus, type FuzzEntry } from '../fixtures/fuzz/generate.js';
import { getServers, testUser } from '../servers/testing.js';
import { davCore, radicale } from './dav-fixture.js';

const FUZZ = path.join(import.meta.dirname, '..', 'fixtures', 'fuzz');
const REPO = path.resolve(import.meta.dirname, '../..');
const user = testUser(2);
const stamp = `fz${crypto.randomBytes(4).toString('hex')}`;
const manifest = JSON.parse(fs.readFileSync(path.join(FUZZ, 'manifest.json'), 'utf8')) as FuzzEntry[];
const BULK = new Set(['ics/dix-mille.ics', 'vcf/deux-mille.vcf']);

const frImport = (
  JSON.parse(fs.readFileSync(path.join(REPO, 'src', 'i18n', 'fr.json'), 'utf8')) as { dav: { import: Record<string, string> } }
).dav.import;
const REASONS = new Set([
  frImport.unreadable,
  frImport.unreadableCard,
  frImport.noStart,
  frImport.noName,
  frImport.badDates,
  frImport.duplicate,
]);

/** The file's bytes with STAMP replaced (in the file's own encoding). */
function stampedBytes(entry: FuzzEntry): Buffer {
  const bytes = fs.readFileSync(path.join(FUZZ, entry.file));
  if (entry.encoding === 'utf-16le')
    return Buffer.concat([bytes.subarray(0, 2), Buffer.from(bytes.subarray(2).toString('utf16le').replaceAll('STAMP', stamp), 'utf16le')]);
  // Byte-preserving for UTF-8 with junk and for Windows-1252: STAMP is ASCII.
  return Buffer.from(bytes.toString('latin1').replaceAll('STAMP', stamp), 'latin1');
}
const uidOf = (u: string) => u.replaceAll('STAMP', stamp);

/** Words that must never reach a user: raw exception text, JavaScript leftovers. */
const RAW = /undefined|null|\[object|Error|TypeError|exception|stack|NaN|\bat \w+ \(/;

describe('Import of malformed .ics and .vcf files (fuzz corpus)', () => {
  let core: Core;
  let accountId: string;
  const results = new Map<string, ImportResult>();

  beforeAll(async () => {
    ({ core, accountId } = await davCore(user));
    for (const only of ['calendar', 'contacts'] as const)
      expect((await core.handle('sync.run', { accountId, only })).accounts[0]).toMatchObject({ ok: true });
  });
  afterAll(async () => {
    // Whatever this run sent to Radicale (the journal's PUTs) is deleted, even when a test failed.
    if (core) await cleanServer(core, '');
    await core?.close();
  });

  it('the corpus on disk is exactly what generate.ts makes (seeded, reproducible)', () => {
    const built = buildCorpus();
    expect(built.map((b) => b.entry)).toEqual(manifest);
    for (const b of built)
      expect(
        crypto
          .createHash('sha256')
          .update(fs.readFileSync(path.join(FUZZ, b.entry.file)))
          .digest('hex'),
        b.entry.file,
      ).toBe(crypto.createHash('sha256').update(b.bytes).digest('hex'));
    expect(manifest.length).toBeGreaterThanOrEqual(20);
  });

  it('every malformed file: no crash, French reasons, the intact items imported', { timeout: 180_000 }, async () => {
    const repo = new DavRepository(core.ctx.db);
    const problems: string[] = [];
    for (const entry of manifest.filter((e) => !BULK.has(e.file))) {
      const name = path.basename(entry.file);
      const started = Date.now();
      let result: ImportResult | undefined;
      try {
        result = await core.handle('dav.import', { content: decodeImportBytes(stampedBytes(entry)), name });
      } catch (err) {
        if (
          entry.wholeFileRefused &&
          err instanceof OstalError &&
          err.code === 'invalid_input' &&
          err.message.includes('n’est ni un agenda (.ics) ni un carnet d’adresses (.vcf)')
        )
          continue;
        problems.push(`${entry.file}: threw ${(err as Error).name}: ${(err as Error).message}`);
        continue;
      }
      const took = Date.now() - started;
      if (took > 15_000) problems.push(`${entry.file}: ${took} ms`);
      if (entry.wholeFileRefused) problems.push(`${entry.file}: not refused as a whole (${result.message})`);
      if (name.startsWith('pas-un-')) {
        // Junk named .ics / .vcf: nothing imported; named otherwise: refused as a whole, in French.
        if (result.imported !== 0 || !result.message.startsWith('Aucun')) problems.push(`${entry.file}: ${result.message}`);
        await core.handle('dav.import', { content: decodeImportBytes(stampedBytes(entry)), name: name.replace(/\.\w+$/, '.txt') }).then(
          () => problems.push(`${entry.file} as .txt: not refused`),
          (err: unknown) => {
            if (!(err instanceof OstalError) || !err.message.includes('n’est ni un agenda (.ics) ni un carnet d’adresses (.vcf)'))
              problems.push(`${entry.file} as .txt: ${(err as Error).message}`);
          },
        );
      }
      results.set(entry.file, result);
      if (result.kind !== entry.kind) problems.push(`${entry.file}: kind ${result.kind}`);
      for (const r of result.refused) {
        if (!REASONS.has(r.reason)) problems.push(`${entry.file}: refusal reason not French: ${r.reason}`);
        if (!r.item.trim() || RAW.test(r.item)) problems.push(`${entry.file}: refused item label ${JSON.stringify(r.item.slice(0, 80))}`);
      }
      if (entry.refusals && result.refused.length === 0) problems.push(`${entry.file}: nothing refused`);
      if (RAW.test(result.message) || !/import|Aucun/.test(result.message))
        problems.push(`${entry.file}: message ${result.message.slice(0, 200)}`);
      // However many are refused, the message stays readable: ten named, the others counted.
      if (result.message.length > 3000) problems.push(`${entry.file}: message of ${result.message.length} characters`);
      if (result.refused.length > 10 && !result.message.includes(`et ${result.refused.length - 10} autre(s).`))
        problems.push(`${entry.file}: message does not count the other refusals`);
      for (const u of entry.intact) if (!repo.objectByUid(entry.kind, uidOf(u))) problems.push(`${entry.file}: intact ${u} not imported`);
      if (result.imported < entry.intact.length)
        problems.push(`${entry.file}: ${result.imported} imported < ${entry.intact.length} intact`);
      if (entry.exactTitle) {
        const got = repo.objectByUid(entry.kind, uidOf(entry.exactTitle.uid))?.title;
        if (got !== entry.exactTitle.title)
          problems.push(`${entry.file}: title ${JSON.stringify(got)} instead of ${JSON.stringify(entry.exactTitle.title)}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('the imported items reach Radicale; nothing waits in the journal, no conflict', { timeout: 240_000 }, async () => {
    for (const only of ['calendar', 'contacts'] as const) {
      // As the app does: a run cut by a network hiccup (two shared cores, loaded machine) is run again.
      let report = (await core.handle('sync.run', { accountId, only })).accounts[0];
      for (let again = 0; again < 2 && !report?.ok; again++) report = (await core.handle('sync.run', { accountId, only })).accounts[0];
      expect(report, JSON.stringify(report)).toMatchObject({ ok: true });
    }
    const waiting = core.ctx.db.prepare("SELECT kind, last_error FROM operations WHERE kind LIKE 'dav.%' AND state != 'done'").all();
    expect(waiting).toEqual([]);
    expect(await core.handle('dav.conflicts', {})).toEqual([]);
    const repo = new DavRepository(core.ctx.db);
    for (const entry of manifest.filter((e) => !BULK.has(e.file)))
      for (const u of entry.intact) {
        const obj = repo.objectByUid(entry.kind, uidOf(u));
        // An ETag given by Radicale: the server holds it.
        expect(obj?.etag, `${entry.file} ${u}`).toBeTruthy();
        const got = await radicaleGet(obj!.href);
        expect(got.status, `${entry.file} ${u}`).toBe(200);
        expect(got.body).toContain(uidOf(u));
      }
  });

  it('the CLI reads Windows-1252 and UTF-16 files and prints the French summary', { timeout: 120_000 }, async () => {
    const s = getServers();
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-import-fuzz-cli-'));
    try {
      const env = {
        ...process.env,
        NODE_EXTRA_CA_CERTS: s.caCertPath,
        OSTAL_POLICIES: path.join(profile, 'no-policy.json'),
        OSTAL_TEST_PW: user.password,
      };
      const dav = `https://localhost:${s.radicale.port}/`;
      const cli = async (args: string[]) => {
        try {
          const { stdout, stderr } = await promisify(execFile)(
            process.execPath,
            ['bin/ostal.mjs', ...args, '--profile', path.join(profile, 'p')],
            { cwd: REPO, env, timeout: 90_000 },
          );
          return { code: 0, stdout, stderr };
        } catch (err) {
          const e = err as { code?: number; stdout?: string; stderr?: string };
          return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
        }
      };
      const add = await cli([
        'account',
        'add',
        '--email',
        user.email,
        '--password-env',
        'OSTAL_TEST_PW',
        '--imap',
        `imaps://localhost:${s.imap.tlsPort}`,
        '--smtp',
        `smtp://localhost:${s.smtp.port}`,
        '--caldav',
        dav,
        '--carddav',
        dav,
      ]);
      expect(add.code, add.stderr).toBe(0);
      for (const only of ['calendar', 'contacts']) expect((await cli(['sync', '--only', only])).code).toBe(0);
      const cliStamp = (entry: FuzzEntry) => stampedBytes(entry).toString('latin1').replaceAll(stamp, `${stamp}cli`);
      for (const file of ['vcf/windows-1252.vcf', 'ics/utf-16.ics']) {
        const entry = manifest.find((e) => e.file === file)!;
        const target = path.join(profile, path.basename(file));
        const bytes =
          entry.encoding === 'utf-16le'
            ? Buffer.concat([
                Buffer.from([0xff, 0xfe]),
                Buffer.from(stampedBytes(entry).subarray(2).toString('utf16le').replaceAll(stamp, `${stamp}cli`), 'utf16le'),
              ])
            : Buffer.from(cliStamp(entry), 'latin1');
        fs.writeFileSync(target, bytes);
        const r = await cli(['import', target]);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toContain(entry.kind === 'calendar' ? '2 événement(s) importé(s).' : '2 contact(s) importé(s).');
        expect(r.stdout + r.stderr).not.toMatch(RAW);
      }
      const contacts = JSON.parse((await cli(['contacts', 'list', '--json'])).stdout) as { uid: string; fn: string }[];
      expect(contacts.find((c) => c.uid === `carte-latin-1-${stamp}cli`)?.fn).toBe('Cécile Dubœuf');
      const junk = path.join(profile, 'pas-un-carnet.txt');
      fs.writeFileSync(junk, fs.readFileSync(path.join(FUZZ, 'vcf/pas-un-carnet.vcf')));
      const refused = await cli(['import', junk]);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr + refused.stdout).toContain('n’est ni un agenda (.ics) ni un carnet d’adresses (.vcf)');
      // Clean up the server: the items imported by the CLI.
      for (const href of await importedHrefs(path.join(profile, 'p'), `${stamp}cli`)) await radicaleDelete(href);
    } finally {
      fs.rmSync(profile, { recursive: true, force: true });
    }
  });

  it('10 000 events and 2000 cards in one file each: all imported, in reasonable time', { timeout: 300_000 }, async () => {
    // Keep the bulk away from the server (the journal keeps it): the account points to a closed port.
    core.ctx.db
      .prepare("UPDATE accounts SET settings = json_set(settings, '$.caldav', ?, '$.carddav', ?) WHERE id = ?")
      .run('https://localhost:9/', 'https://localhost:9/', accountId);
    for (const file of BULK) {
      const entry = manifest.find((e) => e.file === file)!;
      const started = Date.now();
      const result = await core.handle('dav.import', { content: decodeImportBytes(stampedBytes(entry)), name: path.basename(file) });
      const took = Date.now() - started;
      const count = file.endsWith('.ics') ? 10_000 : 2000;
      expect(result).toMatchObject({ imported: count, refused: [] });
      expect(result.message).toContain(file.endsWith('.ics') ? '10000 événement(s) importé(s).' : '2000 contact(s) importé(s).');
      expect(took, `${file}: ${took} ms`).toBeLessThan(count === 10_000 ? 120_000 : 30_000);
      const repo = new DavRepository(core.ctx.db);
      for (const u of entry.intact) expect(repo.objectByUid(entry.kind, uidOf(u)), u).toBeTruthy();
    }
    // The agenda stays usable: a week of that calendar is listed in well under a second on a desktop
    // (each event carries Outlook's own zone, expanded from 1601: it took two minutes when hydrated per event).
    const started = Date.now();
    const week = (await core.handle('calendar.list', { from: '2027-03-01', to: '2027-03-08' })).filter((e) => e.uid.startsWith('masse-'));
    const took = Date.now() - started;
    expect(week.length).toBeGreaterThan(100);
    expect(took, `calendar.list: ${took} ms`).toBeLessThan(10_000);
  });
});

const radicaleGet = (href: string) => radicale(user, 'GET', href);
const radicaleDelete = (href: string) => radicale(user, 'DELETE', href);

/** Hrefs written to the server by the imports of a profile (the journal's PUTs done) whose text holds `needle`. */
async function importedHrefs(profileDir: string, needle: string): Promise<string[]> {
  const core = await Core.open({ profileDir, mode: 'cli', logger: silentLogger, policyPath: path.join(profileDir, 'no-policy.json') });
  try {
    return hrefsOf(core, needle);
  } finally {
    await core.close();
  }
}

function hrefsOf(core: Core, needle: string): string[] {
  const rows = core.ctx.db
    .prepare(
      "SELECT DISTINCT json_extract(payload, '$.href') AS href, json_extract(payload, '$.raw') AS raw FROM operations WHERE kind LIKE 'dav.%' AND state = 'done'",
    )
    .all() as { href: string; raw: string | null }[];
  return rows.filter((r) => r.raw?.includes(needle) || r.href.includes(needle)).map((r) => r.href);
}

/** Delete from Radicale everything the imports of this profile wrote (hrefs from the journal). */
async function cleanServer(core: Core, needle: string): Promise<void> {
  for (const href of hrefsOf(core, needle)) await radicaleDelete(href);
}
