/**
 * Migration of the contacts and calendar of the sample OST (with its weekly, daily and yearly repetitions as RRULE) (pst-extractor's) into CalDAV on the test Radicale: each readable
 * appointment becomes one event on the server (counted there, not in Ostal's store); a second run adds none; the
 * items the reader cannot read are in the report with a French reason. Contacts: the vCards on the CardDAV address
 * book equal readpst's count (`-cv`) on the same file — zero: the three sample files of pst-extractor hold no
 * contact (their Contacts folders, Recipient Cache and GAL Contacts are empty), so this checks that nothing is
 * invented; contacts themselves are checked on a generated file (migration-outlook-generated.test.ts). A fresh user
 * on Dovecot and Radicale.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Core } from '../../src/core.js';
import { silentLogger } from '../../src/log.js';
import { radicaleRequest } from '../servers/http.js';
import { runLayout } from '../servers/layout.js';
import { getServers } from '../servers/testing.js';
import { addImapUser, imapConnection } from './mail-offline-fixture.js';
import { addServerAccount, radicaleUrl } from './account-fixture.js';

const REPO = path.resolve(import.meta.dirname, '../..');
const OST = path.join(REPO, 'node_modules/pst-extractor/example/testdata/pstextractortest@outlook.com.ost');

/** readpst's count of contacts in a file (vCards, `-cv`), every folder included. */
function readpstContacts(file: string): number {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-readpst-vcf-'));
  execFileSync('readpst', ['-j', '0', '-D', '-q', '-r', '-cv', '-o', out, file]);
  let n = 0;
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(dir, e.name));
      else n += (fs.readFileSync(path.join(dir, e.name), 'latin1').match(/^BEGIN:VCARD/gm) ?? []).length;
    }
  };
  walk(out);
  fs.rmSync(out, { recursive: true, force: true });
  return n;
}

describe('importation des rendez-vous d’un fichier Outlook dans l’agenda CalDAV', () => {
  it(
    'les rendez-vous lisibles de l’OST arrivent sur Radicale, une seule fois ; ses contacts comptés sur CardDAV comme par readpst',
    { timeout: 180_000 },
    async () => {
      const s = getServers();
      const user = addImapUser(s, 'mig-dav');
      fs.appendFileSync(runLayout(s.dir).radicale.users, `${user.username}:${user.password}\n`);
      await (await imapConnection(s, user)).logout();
      const base = `/${encodeURIComponent(user.username)}/`;
      // Radicale reads its users file again when it changes: wait until the new user is let in.
      for (let i = 0; ; i++) {
        const r = await radicaleRequest(s, user, 'PROPFIND', base);
        if (r.status === 207) break;
        if (i > 40) throw new Error(`Radicale refuses the new user: ${r.status}`);
        await new Promise((res) => setTimeout(res, 250));
      }
      const cal = `${base}agenda/`;
      const empty = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Ostal//Test//FR\r\nEND:VCALENDAR\r\n';
      expect((await radicaleRequest(s, user, 'PUT', cal, empty)).status).toBe(201);
      const events = async () => {
        const r = await radicaleRequest(s, user, 'PROPFIND', cal);
        return (r.body.match(/<(?:\w+:)?href>[^<]*\.ics<\/(?:\w+:)?href>/g) ?? []).length;
      };
      expect(await events()).toBe(0);
      const book = `${base}contacts/`;
      const mkcol =
        '<?xml version="1.0" encoding="utf-8"?><D:mkcol xmlns:D="DAV:" xmlns:CR="urn:ietf:params:xml:ns:carddav"><D:set><D:prop>' +
        '<D:resourcetype><D:collection/><CR:addressbook/></D:resourcetype><D:displayname>Contacts</D:displayname></D:prop></D:set></D:mkcol>';
      expect((await radicaleRequest(s, user, 'MKCOL', book, mkcol)).status).toBe(201);
      const cards = async () => {
        const r = await radicaleRequest(s, user, 'PROPFIND', book);
        expect(r.status).toBe(207);
        return (r.body.match(/<(?:\w+:)?href>[^<]*\.vcf<\/(?:\w+:)?href>/g) ?? []).length;
      };

      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-mig-dav-'));
      const core = await Core.open({ profileDir: path.join(dir, 'profil'), mode: 'cli', logger: silentLogger, policyPath: null });
      try {
        const dav = radicaleUrl();
        const accountId = await addServerAccount(core, user, { caldav: dav, carddav: dav });
        await core.handle('sync.run', { accountId, only: 'calendar' });
        await core.handle('sync.run', { accountId, only: 'contacts' });
        const report = await core.handle('migration.run', { paths: [OST], accountId });
        const calendarFolders = report.folders.filter((f) => f.kind === 'calendar');
        const imported = calendarFolders.reduce((n, f) => n + f.imported, 0);
        expect(imported).toBeGreaterThanOrEqual(9);
        expect(await events()).toBe(imported);
        // Items pst-extractor cannot read (most of « United States holidays ») are listed, in French.
        const unreadable = report.skipped.filter((x) => x.source.includes('Calendar'));
        expect(imported + unreadable.length).toBe(169);
        for (const u of unreadable) expect(u.reason).toContain('illisible');
        // Outlook's repetitions carried over as RRULE (weekly ×10, daily ×3, yearly), no « première occurrence » note.
        const listing = await radicaleRequest(s, user, 'PROPFIND', cal);
        const hrefs = (listing.body.match(/<(?:\w+:)?href>([^<]*\.ics)<\/(?:\w+:)?href>/g) ?? []).map((h) => h.replace(/<[^>]+>/g, ''));
        const bodies = await Promise.all(hrefs.map(async (h) => (await radicaleRequest(s, user, 'GET', h)).body));
        const weekly = bodies.find((b) => b.includes('SUMMARY:repeats every monday for 10 weeks'));
        expect(weekly).toMatch(/RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=10/);
        expect(bodies.find((b) => b.includes('SUMMARY:repeats for 3 days'))).toMatch(/RRULE:FREQ=DAILY;COUNT=3/);
        expect(bodies.find((b) => b.includes('SUMMARY:Occurs every August 13'))).toMatch(/RRULE:FREQ=YEARLY;BYMONTH=8;BYMONTHDAY=13/);
        expect(report.notes).toEqual([]);
        // Contacts on CardDAV: as many as readpst finds in the file (none in this sample), none invented.
        const contactsInFile = readpstContacts(OST);
        expect(await cards()).toBe(contactsInFile);
        const contactFolders = report.folders.filter((f) => f.kind === 'contacts');
        expect(contactFolders.reduce((n, f) => n + f.imported, 0)).toBe(contactsInFile);
        const again = await core.handle('migration.run', { paths: [OST], accountId });
        expect(again.totals.imported).toBe(0);
        expect(await events()).toBe(imported);
      } finally {
        await core.close();
      }
    },
  );
});
