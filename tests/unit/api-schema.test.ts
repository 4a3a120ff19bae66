import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { Core } from '../../src/core.js';
import { OstalError } from '../../src/errors.js';
import { handlers } from '../../src/api/handler-table.js';
import type { Logger } from '../../src/log.js';
import { isMethodName, methodNames, methodSchemas, type settingKeySchema } from '../../src/shared/api-schema.js';
import type { MethodName, Params, Results, Settings } from '../../src/shared/contract.js';

/**
 * The API's single source of truth (src/shared/api-schema.ts): one schema per method, every call validated by
 * Core.handle, one French message for every misfit, zod's issues in the log only.
 */

const INVALID_PARAMS =
  'Cette demande contient des informations manquantes ou mal formées\u00a0; elle n’a pas été traitée. Le détail est dans le journal d’Ostal.';

const event = { summary: 'Conseil municipal', start: '2026-03-02T18:00', end: '2026-03-02T20:00', allDay: false };

/** One wrong input per method: a wrong type, a missing field, a wrong nested field, a value outside an enumeration… */
const badInputs: { [M in MethodName]: unknown } = {
  'app.info': 'texte',
  'app.reportError': { view: 'contacts', message: 42 },
  'policy.get': [1],
  'settings.list': 42,
  'settings.set': { key: 'ui.couleur', value: 'rouge' },
  'accounts.list': true,
  'accounts.discover': {},
  'accounts.test': {
    email: 'agent@mairie.example',
    password: 'mot-de-passe-secret',
    settings: { imap: 993, smtp: 'smtp://mairie.example' },
  },
  'accounts.add': { email: 'agent@mairie.example', password: 'x', pinnedCertificates: ['pas un certificat'] },
  'accounts.update': { id: 'a1', settings: { imap: 'imaps://mairie.example' } },
  'accounts.remove': { id: 7 },
  'status.get': 'texte',
  'status.cli': [],
  'sync.run': { only: 'tout' },
  'mail.folders': { accountId: null },
  'mail.messages': { accountId: 'a1', folder: 'INBOX', offset: '10' },
  'mail.list': { accountId: 'a1', folder: 'INBOX', filter: 'importants' },
  'mail.message': { accountId: 'a1', folder: 'INBOX', uid: 1.5 },
  'mail.attachment': { accountId: 'a1', folder: 'INBOX', uid: 1 },
  'mail.allowRemoteContent': { accountId: 'a1', folder: 'INBOX', uid: 1, scope: 'tout' },
  'mail.act': { accountId: 'a1', folder: 'INBOX', uids: '1,2', action: 'read' },
  'mail.undo': {},
  'mail.search': { query: 'budget', server: 'oui' },
  'mail.searchCount': { query: ['budget'] },
  'mail.sieve.get': { accountId: 12 },
  'mail.vacation.set': { accountId: 'a1', vacation: { enabled: true, from: '01/12/2026', message: 'Absente' } },
  'mail.rules.set': {
    accountId: 'a1',
    rules: [{ id: 'r1', name: 'Secrétariat', enabled: true, match: 'all', conditions: [], actions: [{ type: 'supprimer' }], stop: false }],
  },
  'mail.folder.create': { accountId: 'a1', name: 42 },
  'mail.folder.rename': { accountId: 'a1', name: 'Nouveau nom' },
  'mail.folder.delete': { accountId: 'a1', folder: 'Projets', confirm: 'oui' },
  'mail.setFolderOffline': { accountId: 'a1', folder: 'INBOX', offline: 'oui' },
  'mail.download.state': 'maintenant',
  'mail.download.pause': [true],
  'mail.download.resume': 7,
  'mail.offlineSpace': 'tout',
  'mail.freeSpace': [1],
  'mail.send': { accountId: 'a1', to: 'elu@mairie.example', subject: 'x', text: 'x' },
  'mail.outbox.list': { includeDrafts: 1 },
  'mail.outbox.retry': { id: ['x'] },
  'mail.outbox.discard': {},
  'mail.outbox.sendNow': { id: 3 },
  'mail.outbox.edit': {},
  'mail.outbox.drain': { ignoreBackoff: 'true' },
  'mail.compose.prepare': { accountId: 'a1', folder: 'INBOX', uid: 1, mode: 'répondre' },
  'mail.html.clean': { html: ['<b>gras</b>'] },
  'mail.draft.save': { to: ['elu@mairie.example'] },
  'mail.launch.take': 'tout',
  'calendar.list': { from: 20260101, to: '2026-02-01' },
  'contacts.list': 42,
  'contacts.get': { uid: '' },
  'contacts.create': { contact: { fn: 'Élodie Durand', emails: 'elodie@mairie.example', phones: [] } },
  'contacts.update': { uid: 'u1', contact: { fn: 'Élodie Durand', emails: [], phones: [], organization: 5 } },
  'contacts.delete': { uid: 5 },
  'contacts.restore': { uid: [] },
  'contacts.suggest': { query: 'elo', limit: '8' },
  'calendar.calendars': 'texte',
  'calendar.occurrences': { from: '2026-01-01' },
  'calendar.event': { uid: 'u1', recurrenceId: 5 },
  'calendar.createEvent': { event: { ...event, allDay: 'non' } },
  'calendar.updateEvent': { uid: 'u1', scope: 'series', event: { ...event, attendees: 'elu@mairie.example' } },
  'calendar.deleteEvent': { uid: 'u1', scope: 'occurrence' },
  'calendar.newMeetingLink': [],
  'calendar.respondToInvitation': { accountId: 'a1', ics: 'BEGIN:VCALENDAR', response: 'OUI' },
  'calendar.removeCancelled': { accountId: 'a1', ics: 'BEGIN:VCALENDAR', messageId: 42 },
  'dav.import': { name: 'agenda.ics' },
  'dav.conflicts': 1,
  'dav.resolveConflict': { id: '3', action: 'reapply' },
  'files.list': { path: ['/'] },
  'files.status': { accountId: 3 },
  'files.sync': { accountId: false },
  'files.conflicts': { accountId: {} },
  'files.resolveConflict': { id: 'c1', keep: 'les deux' },
  'files.trash.list': { accountId: 1 },
  'files.trash.restore': {},
  'files.setOffline': { accountId: 'a1', path: '/', offline: 'oui' },
  'files.open': { accountId: 'a1' },
  'files.pause': { accountId: 2 },
  'files.resume': { accountId: [] },
  'files.confirmDeletion': { accountId: 'a1', confirm: 1 },
  'files.createFolder': { accountId: 'a1', path: '/', name: 3 },
  'files.upload.stage': { content: '' },
  'files.add': { accountId: 'a1', path: '/', name: 'rapport.pdf', content: 'QQ==', uploadId: '9b2f7a36-4f55-4c1e-8d8e-2f3a9c0b1d2e' },
  'visio.signIn': { roomId: '' },
  'migration.run': { paths: [] },
  'migration.start': { paths: ['/tmp/a.pst'], accountId: 7 },
  'migration.copyAccount': { fromAccountId: 'a1' },
  'migration.status': 'texte',
  'migration.pause': 3,
  'migration.resume': [true],
  'workspaces.list': 7,
  'workspaces.refresh': { accountId: 5 },
  'workspaces.create': { name: '', members: ['agent2@ostal.test'] },
  'chat.send': { workspaceId: 'salon@conference.ostal.test', text: 12 },
  'chat.history': { workspaceId: 'salon@conference.ostal.test', limit: 0 },
  'chat.page': { workspaceId: 'salon@conference.ostal.test', before: '', limit: 1000 },
  'workspaces.members': { workspaceId: 'salon@conference.ostal.test', add: [], remove: [] },
  'workspaces.markRead': { workspaceId: '' },
  'workspaces.documents': { workspaceId: 'salon@conference.ostal.test', sync: 'oui' },
  'workspaces.agenda': { workspaceId: 42 },
  'workspaces.documents.add': { workspaceId: 'salon@conference.ostal.test', name: '', content: '' },
  'workspaces.documents.addFromChat': { workspaceId: 'salon@conference.ostal.test', url: '' },
  'workspaces.documents.open': { workspaceId: 'salon@conference.ostal.test', path: '' },
  'chat.edit': { workspaceId: 'salon@conference.ostal.test', messageId: 'abc', text: '' },
  'chat.retract': { workspaceId: 'salon@conference.ostal.test' },
  'chat.search': { query: '   ' },
  'direct.list': 'tout',
  'presence.list': 1,
  'presence.set': { state: 'absent' },
  'direct.refresh': { accountId: 3 },
  'direct.send': { peer: 'a', text: 'Bonjour' },
  'direct.history': { peer: 'agent2@ostal.test', limit: 0 },
  'direct.markRead': { peer: '' },
  // Both a space and a peer: a file goes to one Discussion only.
  'chat.file.send': { workspaceId: 'espace@conference.mairie.example', peer: 'agent@mairie.example', name: 'a.pdf', content: 'QQ==' },
  'chat.file.info': { url: 'https://upload.mairie.example/f/a.pdf' },
  'chat.file.check': { workspaceId: 'espace@conference.mairie.example', name: 'a.pdf', size: -1 },
  'chat.file.stage': { uploadId: 'pas-un-identifiant', content: 'QQ==' },
  'chat.file.download': { workspaceId: 'espace@conference.mairie.example', url: 42 },
  'chat.file.open': { peer: 'agent@mairie.example', url: '' },
};

/** Inputs the API accepted before the schemas and still accepts: optional fields left out, nulls where allowed, extra keys. */
const acceptedInputs: { [M in MethodName]?: Params<M> }[] = [
  { 'app.info': {} },
  // An empty file is a file; an empty folder name reaches the service, which answers in French.
  { 'files.add': { accountId: 'a1', path: '/', name: 'vide.txt', content: '' } },
  { 'files.createFolder': { accountId: 'a1', path: '/', name: '' } },
  { 'settings.set': { key: 'mail.speedLimitKbps', value: 60 } },
  { 'mail.setFolderOffline': { accountId: 'a1', folder: 'INBOX', offline: null } },
  { 'accounts.add': { email: 'agent@mairie.example', password: 'x' } },
  {
    'accounts.test': {
      email: 'agent@mairie.example',
      password: 'x',
      settings: {
        imap: 'imaps://mairie.example',
        smtp: 'smtps://mairie.example',
        caldav: null,
        carddav: null,
        webdav: null,
        username: null,
      },
      pinnedCertificates: ['-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----'],
    },
  },
  { 'sync.run': {} },
  { 'sync.run': { accountId: undefined, only: 'files' } },
  { 'mail.list': { accountId: 'a1', folder: 'INBOX', offset: -3, limit: 5000 } },
  {
    'mail.send': {
      accountId: 'a1',
      to: ['elu@mairie.example'],
      subject: '',
      text: '',
      inReplyTo: null,
      attachments: [{ filename: 'note.txt', contentBase64: '' }],
    },
  },
  { 'mail.draft.save': { accountId: 'a1' } },
  { 'calendar.event': { uid: 'u1', recurrenceId: null } },
  { 'calendar.updateEvent': { uid: 'u1', scope: 'series', event: { ...event, rrule: null, reminderMinutes: null, meetingUrl: null } } },
  { 'calendar.deleteEvent': { uid: 'u1', scope: 'following', recurrenceId: '2026-03-09T18:00' } },
  { 'calendar.respondToInvitation': { accountId: 'a1', ics: 'BEGIN:VCALENDAR', response: 'TENTATIVE', messageId: null } },
  { 'files.list': {} },
];

let dir: string;
let core: Core;
const logged: { msg: string; extra?: Record<string, unknown> }[] = [];
const logger: Logger = {
  info() {},
  warn: (msg, extra) => logged.push({ msg, extra }),
  error: (msg, extra) => logged.push({ msg, extra }),
};

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-api-schema-'));
  core = await Core.open({ profileDir: dir, mode: 'cli', policyPath: null, logger });
});

afterAll(async () => {
  await core.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function failure(method: string, params: unknown): Promise<OstalError> {
  const call = core.handle.bind(core) as (m: string, p: unknown) => Promise<unknown>;
  try {
    await call(method, params);
  } catch (err) {
    return err as OstalError;
  }
  throw new Error(`${method} accepted ${JSON.stringify(params)}`);
}

/** A value the key's schema refuses, whatever the other keys hold. */
function wrongValueFor(schema: z.ZodType): unknown {
  const candidates: unknown[] = [12345, 'texte', true, { objet: 1 }, ['liste'], null];
  const wrong = candidates.find((v) => !schema.safeParse(v).success);
  if (wrong === undefined) throw new Error('no wrong value found for this field');
  return wrong;
}

/** For every top-level field of every method: that field alone with a wrong type (and nothing else). */
function generatedBadInputs(): [string, string, unknown][] {
  const out: [string, string, unknown][] = [];
  for (const method of methodNames) {
    const schema = methodSchemas[method];
    expect(schema).toBeInstanceOf(z.ZodObject);
    for (const [key, field] of Object.entries((schema as z.ZodObject).shape))
      out.push([method, key, { [key]: wrongValueFor(field as z.ZodType) }]);
  }
  return out;
}

describe('one schema per method', () => {
  it('builds each method’s schema at its first use, once (none at load: a command calls one or two methods)', () => {
    const property = () => Object.getOwnPropertyDescriptor(methodSchemas, 'contacts.suggest')!;
    // No other test of this file reads it before this one.
    expect(typeof property().get).toBe('function');
    const schema = methodSchemas['contacts.suggest'];
    expect(property().value).toBe(schema);
    expect(methodSchemas['contacts.suggest']).toBe(schema);
    expect(Object.keys(methodSchemas)).toContain('contacts.suggest');
    expect(isMethodName('contacts.suggest')).toBe(true);
  });
  it('has a schema for every handler and a handler for every schema', () => {
    expect(Object.keys(handlers).sort()).toEqual([...methodNames].sort());
  });

  it('types: method names, results and setting keys agree with the schemas', () => {
    expectTypeOf<keyof Results>().toEqualTypeOf<MethodName>();
    expectTypeOf<z.infer<ReturnType<typeof settingKeySchema>>>().toEqualTypeOf<keyof Settings>();
    expectTypeOf<Params<'mail.list'>>().toEqualTypeOf<{
      accountId: string;
      folder: string;
      offset?: number;
      limit?: number;
      filter?: 'all' | 'unread' | 'flagged' | 'attachments';
    }>();
    expect(isMethodName('mail.list')).toBe(true);
    expect(isMethodName('app.formatHardDisk')).toBe(false);
    expect(isMethodName('toString')).toBe(false);
  });

  it('the table of wrong inputs covers every method, and each is refused by its schema', () => {
    expect(Object.keys(badInputs).sort()).toEqual([...methodNames].sort());
    for (const method of methodNames) expect(methodSchemas[method].safeParse(badInputs[method]).success, method).toBe(false);
  });

  it('keeps accepting what was accepted before (optional fields, nulls, extra keys stripped)', () => {
    for (const entry of acceptedInputs) {
      for (const [method, params] of Object.entries(entry)) {
        const parsed = methodSchemas[method as MethodName].safeParse({ ...params, ajoutéParUnAutreClient: 1 });
        expect(parsed.error?.issues ?? [], method).toEqual([]);
        expect(parsed.data).not.toHaveProperty('ajoutéParUnAutreClient');
      }
    }
  });
});

describe('Core.handle validates every call in one place', () => {
  it.each(methodNames.map((m) => [m]))('%s: a wrong input is refused with the one French message', async (method) => {
    const err = await failure(method, badInputs[method]);
    expect(err).toBeInstanceOf(OstalError);
    expect(err).toMatchObject({ code: 'invalid_input', message: INVALID_PARAMS });
  });

  it('every field of every method, given a wrong type, is refused with the same message', async () => {
    const cases = generatedBadInputs();
    expect(cases.length).toBeGreaterThan(100);
    for (const [method, key, params] of cases) {
      const err = await failure(method, params);
      expect({ method, key, code: err.code, message: err.message }).toEqual({
        method,
        key,
        code: 'invalid_input',
        message: INVALID_PARAMS,
      });
    }
  });

  it('parameters that are not an object are refused for every method', async () => {
    for (const method of methodNames) {
      for (const params of [42, 'texte', [1], true]) {
        const err = await failure(method, params);
        expect({ method, code: err.code, message: err.message }).toEqual({ method, code: 'invalid_input', message: INVALID_PARAMS });
      }
    }
  });

  it('logs the technical issue (method, field, zod code), never the value sent', async () => {
    logged.length = 0;
    await failure('accounts.test', badInputs['accounts.test']);
    expect(logged).toHaveLength(1);
    expect(logged[0]!.msg).toBe('invalid parameters refused');
    expect(logged[0]!.extra).toMatchObject({ method: 'accounts.test', issues: [{ path: 'settings.imap', code: 'invalid_type' }] });
    expect(JSON.stringify(logged)).not.toContain('mot-de-passe-secret');
  });

  it('answers an unknown method with its own French message', async () => {
    const err = await failure('app.formatHardDisk', {});
    expect(err).toMatchObject({ code: 'invalid_input', message: 'Cette action n’existe pas dans cette version d’Ostal.' });
  });

  it('strips unknown extra keys, and treats absent parameters as empty', async () => {
    const call = core.handle.bind(core) as (m: string, p: unknown) => Promise<unknown>;
    await expect(call('app.info', { ajoutéParUnAutreClient: true })).resolves.toMatchObject({ mode: 'cli', locale: 'fr' });
    await expect(call('accounts.list', undefined)).resolves.toEqual([]);
    await expect(call('contacts.list', null)).resolves.toEqual([]);
  });

  it('leaves the rules of each domain to the services, with their own messages', async () => {
    await expect(core.handle('mail.folders', { accountId: 'inconnu' })).rejects.toMatchObject({
      code: 'not_found',
      message: 'Ce compte n’existe pas ou a été supprimé.',
    });
    await expect(core.handle('calendar.createEvent', { event: { ...event, summary: '  ' } })).rejects.toMatchObject({
      code: 'invalid_input',
      message: 'Donnez un titre à l’événement.',
    });
    await expect(core.handle('contacts.create', { contact: { fn: ' ', emails: [], phones: [] } })).rejects.toMatchObject({
      code: 'invalid_input',
      message: 'Indiquez le nom du contact.',
    });
    await expect(core.handle('calendar.list', { from: '2026-02-01', to: '2026-01-01' })).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining('période'),
    });
    await expect(core.handle('settings.set', { key: 'files.speedLimitKbps', value: -5 })).rejects.toMatchObject({
      code: 'invalid_input',
      message: 'La valeur proposée pour ce réglage n’est pas valable.',
    });
    await expect(
      core.handle('accounts.test', {
        email: 'agent@mairie.example',
        password: '',
        settings: { imap: 'imaps://mairie.example', smtp: 'smtps://mairie.example' },
      }),
    ).rejects.toMatchObject({
      code: 'invalid_input',
      message: 'Saisissez le mot de passe du compte.',
    });
  });
});
