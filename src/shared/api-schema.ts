/**
 * The API's methods and their parameters: one zod schema per method, the only source of truth for
 * method names, parameter types (src/shared/contract.ts infers `MethodName` and `Params` from here) and
 * their validation (Core.handle parses every call's parameters with its method's schema).
 *
 * Pure TypeScript and zod only: the renderer and the meeting server may import from src/shared/.
 *
 * Unknown extra keys are stripped, not refused (zod's default for objects), at every level: an older or newer
 * client that sends a field this version does not know still gets its call answered.
 * Only the shape is checked here; the rules of a domain (an account that exists, a non-blank title, a window
 * whose end follows its start…) stay in the services with their own French messages.
 */
import { z } from 'zod';

/**
 * A schema made at its first use, then kept. Making a zod schema costs ~0,1 ms (each method of each node is set on the
 * instance): the ~100 shared below, made at load, cost ~8 ms of every start where a command uses two or three.
 */
export function once<T>(make: () => T): () => T {
  let made: T | undefined;
  return () => (made ??= make());
}

// ---------------------------------------------------------------------------
// Building blocks

/** An object whose properties are built from `builders` at their first read, then kept (enumerable, as plain ones). */
function lazyTable<B extends Record<string, () => unknown>>(builders: B): { readonly [K in keyof B]: ReturnType<B[K]> } {
  const table = {} as { [K in keyof B]: ReturnType<B[K]> };
  for (const name of Object.keys(builders) as (keyof B & string)[]) {
    Object.defineProperty(table, name, {
      enumerable: true,
      configurable: true,
      get() {
        const value = builders[name]!() as ReturnType<B[typeof name]>;
        Object.defineProperty(table, name, { value, enumerable: true, writable: false, configurable: false });
        return value;
      },
    });
  }
  return table;
}

/** No parameters (extra keys are stripped). */
const none = once(() => z.object({}));

/** An identifier or name chosen by the core (account id, folder path, outbox id…): any string, the services say whether it exists. */
const id = once(() => z.string());

/** A UID of a stored event or contact: never empty. */
const uid = once(() => z.string().min(1));

/** An IMAP UID (negative for a message created locally and not synced yet). */
const messageUid = once(() => z.number().int());

/** A recurrence id as `calendar.occurrences` gives it, null or absent for the whole event. */
const recurrenceId = once(() => z.string().nullable().optional());

// ---------------------------------------------------------------------------
// Enumerations

export const syncScopeSchema = once(() => z.enum(['mail', 'calendar', 'contacts', 'files']));
/** Quick filters of the message list (« Non lus », « Suivis », « Avec pièce jointe »). */
export const messageListFilterSchema = once(() => z.enum(['all', 'unread', 'flagged', 'attachments']));
/** What the user did to messages: applied locally at once, then replayed to the server (operations journal). */
export const mailActionSchema = once(() => z.enum(['read', 'unread', 'flag', 'unflag', 'move', 'copy', 'archive', 'delete', 'junk']));
/** Where « Afficher les images » applies: this message only, or every message of its sender. */
export const remoteContentScopeSchema = once(() => z.enum(['message', 'sender']));
/** « draft » reopens a message of Brouillons (written here, on another computer or in the webmail) to finish it. */
export const composeModeSchema = once(() => z.enum(['reply', 'replyAll', 'forward', 'forwardAsAttachment', 'draft']));
/** « cet événement » (one occurrence), « cet événement et les suivants » (split the series there) or « tous les événements ». */
export const recurrenceScopeSchema = once(() => z.enum(['occurrence', 'following', 'series']));
/** An answer to an invitation, as in PARTSTAT. */
export const invitationAnswerSchema = once(() => z.enum(['ACCEPTED', 'TENTATIVE', 'DECLINED']));
/** The keys of the `Settings` interface of contract.ts (tests/unit/api-schema.test.ts checks they are the same). */
export const settingKeySchema = once(() =>
  z.enum([
    'mail.offlineWindow',
    'mail.speedLimitKbps',
    'visio.serverUrl',
    'visio.joinToken',
    'files.localRoot',
    'files.speedLimitKbps',
    'workspaces.webdavRoot',
    'workspaces.caldavRoot',
    'workspaces.mucService',
    'aide.visiteGuidee',
    'aide.visitesVues',
    'aide.versionVue',
    'mail.composeFormat',
    'mail.signatures',
    'mail.signatureTemplate',
    'desktop.closeToTray',
    'desktop.startAtLogin',
  ]),
);

// ---------------------------------------------------------------------------
// Nested inputs

/** How to reach one server. URL schemes: imap:// (STARTTLS), imaps://, smtp:// (submission with STARTTLS), smtps://, https:// (DAV). */
const endpointUrl = once(() => z.string());

export const serverSettingsSchema = once(() =>
  z.object({
    imap: endpointUrl(),
    smtp: endpointUrl(),
    caldav: endpointUrl().nullable().optional(),
    carddav: endpointUrl().nullable().optional(),
    webdav: endpointUrl().nullable().optional(),
    /** ManageSieve (RFC 5804), `sieve://host[:4190]`: absent or null means the IMAP host on port 4190. */
    sieve: endpointUrl().nullable().optional(),
    /** XMPP server of the espaces de travail, `xmpp://host:5222` (STARTTLS required); null/absent: found by SRV. */
    xmpp: endpointUrl().nullable().optional(),
    /** Login name when it differs from the e-mail address. */
    username: z.string().nullable().optional(),
  }),
);

/** PEM certificates the user chose to trust for this account's servers. */
const pinnedCertificates = once(() =>
  z.array(z.string().refine((pem) => pem.includes('BEGIN CERTIFICATE'), { message: 'not a PEM certificate' })),
);

/** A file to send: its content in base64 (UI), or a local path (CLI only). */
export const outgoingAttachmentSchema = once(() =>
  z.object({
    filename: z.string(),
    contentBase64: z.string().optional(),
    path: z.string().optional(),
    contentType: z.string().optional(),
  }),
);

/** A message to send. Recipients are as typed: `Name <a@b>` or `a@b`, one per entry or comma-separated. */
export const outgoingMessageSchema = once(() =>
  z.object({
    accountId: id(),
    to: z.array(z.string()),
    cc: z.array(z.string()).optional(),
    bcc: z.array(z.string()).optional(),
    subject: z.string(),
    text: z.string(),
    html: z.string().optional(),
    attachments: z.array(outgoingAttachmentSchema()).optional(),
    inReplyTo: z.string().nullable().optional(),
    references: z.array(z.string()).optional(),
    /**
     * « Envoyer plus tard »: ISO 8601 date-time (with an offset, or without one = this computer's time); the core
     * refuses a time already past (by more than a minute) or more than a year ahead, in French.
     */
    sendAt: z.string().max(64).optional(),
  }),
);

/** Fields of the contact editor. */
export const contactInputSchema = once(() =>
  z.object({
    fn: z.string(),
    emails: z.array(z.string()),
    phones: z.array(z.string()),
    organization: z.string().optional(),
    note: z.string().optional(),
    /** TITLE (« Fonction »); left out: not changed. */
    title: z.string().optional(),
    /** The card's (first) postal address, ADR; left out: not changed, every part empty: removed. */
    address: z.object({ street: z.string(), postalCode: z.string(), locality: z.string() }).optional(),
    /** BDAY (« Anniversaire »): 'YYYY-MM-DD' or '--MM-DD' (no year), '' removes it; left out: not changed. */
    birthday: z.string().optional(),
  }),
);

/** Fields of the event editor. Times are wall clock of the user's zone (the computer's, src/shared/time.ts) 'YYYY-MM-DDTHH:mm'; all-day: 'YYYY-MM-DD', end exclusive. */
export const calendarEventInputSchema = once(() =>
  z.object({
    summary: z.string(),
    start: z.string(),
    end: z.string(),
    allDay: z.boolean(),
    location: z.string().optional(),
    description: z.string().optional(),
    /** E-mail addresses of the participants. */
    attendees: z.array(z.string()).optional(),
    /** RRULE value (e.g. 'FREQ=WEEKLY;BYDAY=MO'), null for a single event. */
    rrule: z.string().nullable().optional(),
    /** Minutes before the start for a reminder (VALARM), null for none. */
    reminderMinutes: z.number().nullable().optional(),
    /** Meeting link (`<visio.serverUrl>/salle/<roomId>`). */
    meetingUrl: z.string().nullable().optional(),
  }),
);

/** A single occurrence or the series' tail needs the occurrence's recurrence id; the whole series does not. */
const scopeWithRecurrence = (p: { scope: z.infer<ReturnType<typeof recurrenceScopeSchema>>; recurrenceId?: string | null }) =>
  p.scope === 'series' || typeof p.recurrenceId === 'string';
const scopeIssue = { message: 'recurrenceId is required unless scope is series', path: ['recurrenceId'] };

const mailRef = once(() => ({ accountId: id(), folder: z.string(), uid: messageUid() }));

/** A day as `AAAA-MM-JJ` (the « Réponse automatique » runs from the start of `from` to the end of `to`). */
const isoDay = once(() => z.string().regex(/^\d{4}-\d{2}-\d{2}$/));

/** « Réponse automatique »: run by the server (Sieve `vacation`, RFC 5230), so it answers while Ostal is closed. */
export const vacationSettingsSchema = once(() =>
  z.object({
    enabled: z.boolean(),
    from: isoDay().nullable().optional(),
    to: isoDay().nullable().optional(),
    /** Subject of the answer; blank for « Réponse automatique ». */
    subject: z.string().max(200).optional(),
    message: z.string().max(20_000),
    /** A different text for senders outside the organisation; null or absent: the same message for everyone. */
    externalMessage: z.string().max(20_000).nullable().optional(),
  }),
);

/** One condition of a « Règle ». `size` compares in kilobytes (`over`/`under`), the others match text. */
export const mailRuleConditionSchema = once(() =>
  z.object({
    field: z.enum(['from', 'to', 'subject', 'list', 'size']),
    op: z.enum(['contains', 'is', 'over', 'under']),
    value: z.string().max(500),
  }),
);

export const mailRuleActionSchema = once(() =>
  z.discriminatedUnion('type', [
    z.object({ type: z.literal('move'), folder: z.string().min(1) }),
    z.object({ type: z.literal('read') }),
    z.object({ type: z.literal('flag') }),
    z.object({ type: z.literal('redirect'), to: z.string().min(3).max(320) }),
    z.object({ type: z.literal('delete') }),
  ]),
);

/** A « Règle » run by the server at delivery (Sieve), in the list's order. */
export const mailRuleSchema = once(() =>
  z.object({
    id: z.string().min(1).max(64),
    name: z.string().max(200),
    enabled: z.boolean(),
    match: z.enum(['all', 'any']),
    conditions: z.array(mailRuleConditionSchema()).max(20),
    actions: z.array(mailRuleActionSchema()).min(1).max(10),
    /** « Ne pas appliquer les règles suivantes ». */
    stop: z.boolean(),
  }),
);

// ---------------------------------------------------------------------------
// Methods

/** A Discussion: a space's (`workspaceId`) or a direct one (`peer`), exactly one of them. */
const chatTarget = once(() =>
  z.object({
    workspaceId: z.string().min(1).max(400).optional(),
    peer: z.string().trim().min(3).max(320).optional(),
    accountId: id().optional(),
  }),
);
const oneTarget = (p: { workspaceId?: string; peer?: string }): boolean => (p.workspaceId === undefined) !== (p.peer === undefined);
const targetMessage = { message: 'give either workspaceId or peer' };

const methodSchemaBuilders = {
  'app.info': () => none(),
  /** A screen of the interface failed to draw (its error boundary caught it): a technical line in the core's log. */
  'app.reportError': () =>
    z.object({
      view: z.string().min(1).max(40),
      message: z.string().max(2000),
      stack: z.string().max(20_000).optional(),
      componentStack: z.string().max(20_000).optional(),
    }),
  'policy.get': () => none(),
  'settings.list': () => none(),
  /** The value's range per setting (an absolute folder, a URL…) is checked by the setting's definition. */
  'settings.set': () => z.object({ key: settingKeySchema(), value: z.union([z.string(), z.number()]) }),

  'accounts.list': () => none(),
  /** Find servers for an address (policy, autoconfig, DNS SRV, .well-known). */
  'accounts.discover': () => z.object({ email: z.string() }),
  /** Test every endpoint with these credentials; nothing is saved. */
  'accounts.test': () =>
    z.object({
      email: z.string(),
      password: z.string(),
      settings: serverSettingsSchema(),
      pinnedCertificates: pinnedCertificates().optional(),
    }),
  /** Test then save. Fails with the first endpoint error. */
  'accounts.add': () =>
    z.object({
      email: z.string(),
      name: z.string().optional(),
      password: z.string(),
      settings: serverSettingsSchema().optional(),
      pinnedCertificates: pinnedCertificates().optional(),
    }),
  'accounts.update': () =>
    z.object({
      id: id(),
      name: z.string().optional(),
      password: z.string().optional(),
      settings: serverSettingsSchema().optional(),
      pinnedCertificates: pinnedCertificates().optional(),
    }),
  'accounts.remove': () => z.object({ id: id() }),

  /**
   * Sign the agent in to the organisation's meeting server (`visio.serverUrl`) with a mail account (the first one
   * when `accountId` is absent): a join token for `roomId` only, valid a few minutes. `serverUrl` is the server of the
   * meeting link: the password goes nowhere else than the configured server (another one → not_configured).
   */
  'visio.signIn': () => z.object({ roomId: z.string().min(1), serverUrl: z.string().optional(), accountId: id().optional() }),

  'status.get': () => none(),
  'status.cli': () => none(),
  'sync.run': () => z.object({ accountId: id().optional(), only: syncScopeSchema().optional() }),

  'mail.folders': () => z.object({ accountId: id() }),
  /** `offset` and `limit` are clamped by the core (a window holds 1 to 1000 messages). */
  'mail.messages': () => z.object({ accountId: id(), folder: z.string(), offset: z.number().optional(), limit: z.number().optional() }),
  /** One window of a folder's list for the virtualised list: newest first, with the size of the whole (filtered) list. */
  'mail.list': () =>
    z.object({
      accountId: id(),
      folder: z.string(),
      offset: z.number().optional(),
      limit: z.number().optional(),
      filter: messageListFilterSchema().optional(),
    }),
  /** Open a message: from its local source, else fetched from the server (French 'offline' error when it cannot be). */
  'mail.message': () => z.object(mailRef()),
  /** « Enregistrer » an attachment: its name, type and content (base64), from the local source (fetched when missing). */
  'mail.attachment': () => z.object({ ...mailRef(), partId: z.string() }),
  /** « Afficher les images » for this message, or « Toujours pour cet expéditeur ». */
  'mail.allowRemoteContent': () => z.object({ ...mailRef(), scope: remoteContentScopeSchema() }),
  /** Read/unread, suivi, move, copy, archive, delete (to Corbeille, or for good from it), indésirable. */
  'mail.act': () =>
    z.object({
      accountId: id(),
      folder: z.string(),
      uids: z.array(messageUid()),
      action: mailActionSchema(),
      target: z.string().optional(),
    }),
  /** « Annuler »: reverse an action (the inverse goes through the journal too). */
  'mail.undo': () => z.object({ token: z.string() }),
  /** Full-text search with the French operators (de:, à:, objet:, avant:, après:, pj:), best first; `server` adds IMAP SEARCH hits (default true). */
  'mail.search': () =>
    z.object({
      query: z.string(),
      accountId: id().optional(),
      folder: z.string().optional(),
      limit: z.number().optional(),
      server: z.boolean().optional(),
    }),
  /** Exact number of stored messages a search matches (every folder, no limit), for « 368 résultats ». */
  'mail.searchCount': () => z.object({ query: z.string(), accountId: id().optional(), folder: z.string().optional() }),
  /** A folder's own « Disponible hors ligne » (null: follow the setting); bodies come with the next sync. */
  /** « Réponse automatique » and « Règles » as the account's ManageSieve server holds them (read there, not stored locally). */
  'mail.sieve.get': () => z.object({ accountId: id() }),
  'mail.vacation.set': () => z.object({ accountId: id(), vacation: vacationSettingsSchema() }),
  'mail.rules.set': () => z.object({ accountId: id(), rules: z.array(mailRuleSchema()).max(200) }),
  /** « Nouveau dossier », « Renommer », « Supprimer »: local at once, replayed to the server (offline too). */
  'mail.folder.create': () => z.object({ accountId: id(), parent: z.string().nullable().optional(), name: z.string().max(200) }),
  'mail.folder.rename': () => z.object({ accountId: id(), folder: z.string(), name: z.string().max(200) }),
  /** A folder that holds messages needs `confirm: true` (its messages go to the Corbeille). */
  'mail.folder.delete': () => z.object({ accountId: id(), folder: z.string(), confirm: z.boolean().optional() }),
  'mail.setFolderOffline': () => z.object({ accountId: id(), folder: z.string(), offline: z.boolean().nullable() }),
  'mail.download.state': () => none(),
  /** « Suspendre » / « Reprendre » the download of message bodies for offline reading. */
  'mail.download.pause': () => none(),
  'mail.download.resume': () => none(),
  /** Space used on this computer by offline reading (« 2,4 Go sur cet ordinateur »). */
  'mail.offlineSpace': () => none(),
  /** « Libérer de l'espace »: forget the bodies outside the chosen window (headers stay; never anything unsent). */
  'mail.freeSpace': () => none(),
  /** Store the message durably in the Boîte d'envoi (state 'queued') and return at once; sending follows in the background. */
  'mail.send': () => outgoingMessageSchema().extend({ draftId: z.string().optional() }),
  /** Messages of the Boîte d'envoi not yet sent (and drafts with includeDrafts). */
  'mail.outbox.list': () =>
    z.object({ accountId: id().optional(), includeDrafts: z.boolean().optional(), includeSent: z.boolean().optional() }),
  /** Send again a failed or uncertain message (an uncertain one found in Envoyés is marked sent, not resent). */
  'mail.outbox.retry': () => z.object({ id: id() }),
  /** Remove a message (or a draft) from the Boîte d'envoi without sending it. */
  'mail.outbox.discard': () => z.object({ id: id() }),
  /** « Envoyer maintenant »: a scheduled message leaves at once instead of at its time. */
  'mail.outbox.sendNow': () => z.object({ id: id() }),
  /**
   * « Modifier »: a scheduled (or failed) message goes back to a local draft, never sent, and comes back as the
   * composer's fields (mode 'draft', draftId = its id).
   */
  'mail.outbox.edit': () => z.object({ id: id() }),
  /** Send what is due now and wait for the attempt (the CLI and tests; the UI relies on the background loop). */
  'mail.outbox.drain': () => z.object({ accountId: id().optional(), ignoreBackoff: z.boolean().optional() }),
  /** Fields of a reply or forward of a stored message, or of a draft of Brouillons reopened (mode 'draft'). */
  'mail.compose.prepare': () =>
    z.object({
      ...mailRef(),
      mode: composeModeSchema(),
      /** IANA zone of the attribution line's time (the user's), default the system's. */
      timeZone: z.string().optional(),
    }),
  /** HTML pasted in the composer (from Word, LibreOffice, a web page) passed through the reader's sanitiser. */
  'mail.html.clean': () => z.object({ html: z.string().max(20 * 1024 * 1024) }),
  /** Keep a local draft (state 'draft'); returns its id for the next saves. */
  'mail.draft.save': () => outgoingMessageSchema().partial().extend({ accountId: id(), id: z.string().optional() }),
  /** The messages other programs asked for (mailto, --compose, « Envoyer vers »), taken once: the composer opens them. */
  'mail.launch.take': () => none(),

  'calendar.list': () => z.object({ from: z.string(), to: z.string() }),
  'contacts.list': () => none(),
  'contacts.get': () => z.object({ uid: uid() }),
  /** Written locally at once, sent to the server through the operations journal (like events). */
  'contacts.create': () => z.object({ contact: contactInputSchema(), addressBookHref: z.string().optional(), accountId: id().optional() }),
  'contacts.update': () => z.object({ uid: uid(), contact: contactInputSchema() }),
  'contacts.delete': () => z.object({ uid: uid() }),
  /** « Annuler » after `contacts.delete`: the same vCard (same UID) comes back, on the server too. */
  'contacts.restore': () => z.object({ uid: uid() }),
  /** Recipients for the composer: contacts then past correspondents matching `query` (accent- and case-insensitive), at most `limit` (8). */
  'contacts.suggest': () => z.object({ query: z.string(), limit: z.number().optional() }),
  /** Calendars that can receive new events. */
  'calendar.calendars': () => none(),
  /** Occurrences overlapping [from, to) with what the Agenda grid needs. */
  'calendar.occurrences': () => z.object({ from: z.string(), to: z.string() }),
  'calendar.event': () => z.object({ uid: uid(), recurrenceId: recurrenceId() }),
  /** Written locally at once, sent to the server through the operations journal. */
  'calendar.createEvent': () =>
    z.object({ event: calendarEventInputSchema(), calendarHref: z.string().optional(), accountId: id().optional() }),
  /**
   * `recurrenceId` names the occurrence the editor was opened on. With scope 'series' it is optional: given (« tous
   * les événements » chosen from an occurrence), `event` carries that occurrence's dates and the core keeps the
   * series' first day with the new hours and length in days (seriesTimesFromOccurrence in src/calendar/event-model.ts).
   */
  'calendar.updateEvent': () =>
    z
      .object({ uid: uid(), event: calendarEventInputSchema(), scope: recurrenceScopeSchema(), recurrenceId: recurrenceId() })
      .refine(scopeWithRecurrence, scopeIssue),
  'calendar.deleteEvent': () =>
    z.object({ uid: uid(), scope: recurrenceScopeSchema(), recurrenceId: recurrenceId() }).refine(scopeWithRecurrence, scopeIssue),
  /** A new meeting link on the configured Visio server (128-bit room id). */
  'calendar.newMeetingLink': () => none(),
  /** « Accepter » / « Peut-être » / « Refuser » on a received invitation (the text/calendar part, METHOD:REQUEST): stores it with my answer and sends the REPLY. */
  'calendar.respondToInvitation': () =>
    z.object({
      accountId: id(),
      ics: z.string(),
      response: invitationAnswerSchema(),
      /** Message-ID of the invitation (the REPLY answers it). */
      messageId: z.string().nullable().optional(),
    }),
  /** « Retirer de mon agenda » on a received METHOD:CANCEL: removes the event (or that occurrence) from my agenda, sending nothing; refused unless it comes from the event's organiser. */
  'calendar.removeCancelled': () =>
    z.object({
      accountId: id(),
      ics: z.string(),
      /** Message-ID of the cancellation (its sender is checked). */
      messageId: z.string().nullable().optional(),
    }),
  /** Import the text of an .ics or .vcf file (events or contacts, sent to the server through the journal). */
  'dav.import': () =>
    z.object({
      content: z.string(),
      name: z.string().optional(),
      collectionHref: z.string().optional(),
      accountId: id().optional(),
    }),
  /** Changes kept aside because the server changed the same event or contact. */
  'dav.conflicts': () => none(),
  /** « Réappliquer ma modification » or « Ignorer ». */
  'dav.resolveConflict': () => z.object({ id: z.number().int(), action: z.enum(['reapply', 'dismiss']) }),
  /**
   * Import Outlook data files (.pst, .ost), .msg, .eml, mbox files and folders of them into an account (default: the
   * first): mail by IMAP APPEND, contacts and events through the DAV journal. Resumable; a second run adds nothing.
   */
  'migration.run': () => z.object({ paths: z.array(z.string().min(1)).min(1).max(1000), accountId: id().optional() }),
  'migration.start': () => z.object({ paths: z.array(z.string().min(1)).min(1).max(1000), accountId: id().optional() }),
  /** Copy chosen folders (default: all) of another configured account into `accountId`, like imapsync; resumable. */
  'migration.copyAccount': () =>
    z.object({ fromAccountId: id(), accountId: id(), folders: z.array(z.string().min(1)).max(1000).optional() }),
  'migration.status': () => none(),
  /** « Suspendre » after the message being appended; « Reprendre » goes on from there. */
  'migration.pause': () => none(),
  'migration.resume': () => none(),
  /** Children of a folder (default: root of every account with a WebDAV server). */
  'files.list': () => z.object({ accountId: id().optional(), path: z.string().optional() }),
  'files.status': () => z.object({ accountId: id().optional() }),
  /** Two-way sync now (same as sync.run with only 'files'); returns when in sync or failed. */
  'files.sync': () => z.object({ accountId: id().optional() }),
  'files.conflicts': () => z.object({ accountId: id().optional() }),
  /** Keep the local version, the server's, or both (the conflict copy becomes an ordinary file). */
  'files.resolveConflict': () => z.object({ id: id(), keep: z.enum(['local', 'server', 'both']) }),
  'files.trash.list': () => z.object({ accountId: id().optional() }),
  /** Put the file back where it was (a free name is chosen if taken); it is uploaded at the next sync. */
  'files.trash.restore': () => z.object({ id: id() }),
  /** « Disponible hors ligne » on a file or folder (false: the local copy is freed, the server copy stays). */
  'files.setOffline': () => z.object({ accountId: id(), path: z.string(), offline: z.boolean() }),
  /**
   * Makes sure the item is on the disk (downloads an online-only file) and, where the desktop host can, opens it with
   * the system application (`launched`). '/' is the account's folder. In browser mode `launched` is false: the view
   * shows `localPath`.
   */
  'files.open': () => z.object({ accountId: id(), path: z.string() }),
  'files.pause': () => z.object({ accountId: id().optional() }),
  'files.resume': () => z.object({ accountId: id().optional() }),
  /** Answer « confirmation requise » for a big deletion: true propagates it, false restores the files. */
  'files.confirmDeletion': () => z.object({ accountId: id(), confirm: z.boolean() }),
  /**
   * « Nouveau dossier » in the folder `path` (spaces around the name dropped), then synced. An empty name, a name taken
   * (without case) or one Windows refuses is refused in French (src/files/additions.ts).
   */
  'files.createFolder': () => z.object({ accountId: id(), path: z.string().max(1000), name: z.string().max(255) }),
  /** One part (base64, at most 4 Mio of data) of a file to add; the first part (no uploadId) starts a new file. */
  'files.upload.stage': () => z.object({ uploadId: z.string().uuid().optional(), content: z.string().min(1).max(5_600_000) }),
  /**
   * « Ajouter des fichiers »: a file (small: `content` in base64; larger: `uploadId` of the parts given to
   * files.upload.stage) written into the folder `path`, then synced. A name taken is never replaced: the new file is
   * « nom (2).ext ». `modified`: the original's date (ms since 1970), kept.
   */
  'files.add': () =>
    z
      .object({
        accountId: id(),
        path: z.string().max(1000),
        name: z.string().min(1).max(255),
        content: z.string().max(5_600_000).optional(),
        uploadId: z.string().uuid().optional(),
        modified: z.number().int().min(0).optional(),
      })
      .refine((p) => (p.content === undefined) !== (p.uploadId === undefined), { message: 'give either content or uploadId' }),
  /** Espaces de travail known on this computer (run workspaces.refresh to learn those created elsewhere). */
  'workspaces.list': () => none(),
  /** Asks the XMPP server for the spaces the agent belongs to (invitations kept for them, bookmarks) and their archives. */
  'workspaces.refresh': () => z.object({ accountId: id().optional() }),
  /** Creates the space: its members-only room with archive, its Documents folder, its standing meeting room. */
  'workspaces.create': () =>
    z.object({
      name: z.string().trim().min(1).max(120),
      description: z.string().max(2000).optional(),
      members: z.array(z.string().trim().min(3).max(320)).max(200),
      accountId: id().optional(),
    }),
  /** Sends a message to the space's Discussion. */
  'chat.send': () =>
    z.object({
      workspaceId: z.string().min(1).max(400),
      text: z.string().min(1),
      /** Answers this message (its id, XEP-0461). */
      replyTo: z.string().min(1).max(400).optional(),
    }),
  /** Corrects one of the agent's own messages (XEP-0308): every member sees the new text, « modifié ». */
  'chat.edit': () => z.object({ workspaceId: z.string().min(1).max(400), messageId: z.string().min(1).max(400), text: z.string().min(1) }),
  /**
   * Searches the Discussions kept on this computer (offline too): messages holding every word, accents and case
   * ignored, newest first; in one space or in all.
   */
  'chat.search': () =>
    z.object({
      query: z.string().trim().min(1).max(200),
      workspaceId: z.string().min(1).max(400).optional(),
      limit: z.number().int().min(1).max(500).optional(),
    }),
  /** Deletes one of the agent's own messages for every member (XEP-0424). */
  'chat.retract': () => z.object({ workspaceId: z.string().min(1).max(400), messageId: z.string().min(1).max(400) }),
  /** Latest messages of the space's Discussion, oldest first (from the server's archive when it answers, else local). */
  'chat.history': () => z.object({ workspaceId: z.string().min(1).max(400), limit: z.number().int().min(1).max(500).optional() }),
  /** A page of the Discussion, oldest first: the latest messages, or those before the message `before` (archive id). */
  'chat.page': () =>
    z.object({
      workspaceId: z.string().min(1).max(400),
      before: z.string().min(1).max(400).optional(),
      limit: z.number().int().min(1).max(200).optional(),
    }),
  /** Colleagues seen connected (in a space's room or by their own presence): address → state. Absent: offline. */
  'presence.list': () => none(),
  /** The agent's own state for its colleagues: « en réunion » while in a Visio meeting, « en ligne » after. */
  'presence.set': () => z.object({ state: z.enum(['online', 'meeting']) }),
  /** Direct discussions kept on this computer (one-to-one), latest first, with their unread counts. */
  'direct.list': () => none(),
  /** Reads the agent's archive for new direct messages (and keeps the connection for the live ones). */
  'direct.refresh': () => z.object({ accountId: id().optional() }),
  /** Writes to another agent directly (queued offline, sent once). */
  'direct.send': () => z.object({ peer: z.string().trim().min(3).max(320), text: z.string().min(1), accountId: id().optional() }),
  /** Latest messages with another agent, oldest first (from the agent's own archive when the server answers, else local). */
  'direct.history': () =>
    z.object({
      peer: z.string().trim().min(3).max(320),
      limit: z.number().int().min(1).max(500).optional(),
      accountId: id().optional(),
    }),
  /** Everything of the direct discussion counts as read. */
  'direct.markRead': () => z.object({ peer: z.string().trim().min(3).max(320), accountId: id().optional() }),
  /**
   * « Joindre un fichier » in a Discussion (a space's, or a direct one with `peer`): the file (content in base64) is put
   * on the account's own server (XMPP HTTP File Upload, XEP-0363), then its address is sent as a message.
   */
  'chat.file.send': () =>
    chatTarget()
      .extend({
        name: z.string().trim().min(1).max(255),
        contentType: z.string().trim().max(200).optional(),
        /** The whole file, or (larger files) `uploadId` of the parts given to chat.file.stage. */
        content: z.string().max(140_000_000).optional(),
        uploadId: z.string().uuid().optional(),
      })
      .refine(oneTarget, targetMessage)
      .refine((p) => (p.content === undefined) !== (p.uploadId === undefined), { message: 'give either content or uploadId' }),
  /** Before « Joindre un fichier » moves any byte: the name, the connection and the server's size limit (French refusals). */
  'chat.file.check': () =>
    chatTarget()
      .extend({ name: z.string().trim().min(1).max(255), size: z.number().int().min(0) })
      .refine(oneTarget, targetMessage),
  /** One part (base64, at most 4 Mio of data) of a file to send; the first part (no uploadId) starts a new file. */
  'chat.file.stage': () => z.object({ uploadId: z.string().uuid().optional(), content: z.string().min(1).max(5_600_000) }),
  /** Name, size and copy on this computer of a file shared in a Discussion (its address must be on the account's server). */
  'chat.file.info': () =>
    chatTarget()
      .extend({ url: z.string().min(1).max(4000) })
      .refine(oneTarget, targetMessage),
  /** « Télécharger »: the shared file into the profile (never opened by itself). */
  'chat.file.download': () =>
    chatTarget()
      .extend({ url: z.string().min(1).max(4000) })
      .refine(oneTarget, targetMessage),
  /** « Ouvrir » a downloaded shared file (same safety as Fichiers). */
  'chat.file.open': () =>
    chatTarget()
      .extend({ url: z.string().min(1).max(4000) })
      .refine(oneTarget, targetMessage),
  /** Adds or removes members (owners and admins of the space only: the room's server checks it). */
  'workspaces.members': () =>
    z
      .object({
        workspaceId: z.string().min(1).max(400),
        add: z.array(z.string().trim().min(3).max(320)).max(200).optional(),
        remove: z.array(z.string().trim().min(3).max(320)).max(200).optional(),
      })
      .refine((p) => (p.add?.length ?? 0) + (p.remove?.length ?? 0) > 0, { message: 'add or remove at least one address' }),
  /** Everything of the space counts as read (unread count back to zero). */
  'workspaces.markRead': () => z.object({ workspaceId: z.string().min(1).max(400) }),
  /** The space's « Documents »: synced first (same engine as Fichiers) unless `sync` is false, then listed. */
  'workspaces.documents': () => z.object({ workspaceId: z.string().min(1).max(400), sync: z.boolean().optional() }),
  /** « Ajouter un document »: a file (content in base64) put in the space's Documents, then synced. */
  'workspaces.documents.add': () =>
    z.object({
      workspaceId: z.string().min(1).max(400),
      name: z.string().trim().min(1).max(255),
      content: z.string().max(140_000_000),
    }),
  /**
   * « Ajouter aux documents de l'espace »: a file of the space's Discussion (its address on the account's own server and
   * carried by one of its messages) copied into the space's Documents (downloaded first if needed), then synced.
   */
  'workspaces.documents.addFromChat': () => z.object({ workspaceId: z.string().min(1).max(400), url: z.string().min(1).max(4000) }),
  /** The space's « Agenda »: its calendar (synced first when not yet among the account's calendars). */
  'workspaces.agenda': () => z.object({ workspaceId: z.string().min(1).max(400) }),
  /** « Ouvrir » (or, with reveal, « Afficher dans le dossier ») a file of the space's Documents. */
  'workspaces.documents.open': () =>
    z.object({
      workspaceId: z.string().min(1).max(400),
      path: z.string().min(1).max(1000),
      reveal: z.boolean().optional(),
    }),
} satisfies Record<string, () => z.ZodType<object>>;

/**
 * Each method's schema, built at its first call. zod builds a schema in ~0,2 ms (every method of every node is set on
 * the instance); building the ~110 of them at load cost ~20 ms of every `ostal` command's start and of the core's,
 * where a command calls one or two methods.
 */
export const methodSchemas = lazyTable(methodSchemaBuilders);

export type MethodSchemas = typeof methodSchemas;

/** True when `name` is a method of this version's API. */
export function isMethodName(name: unknown): name is keyof MethodSchemas {
  return typeof name === 'string' && Object.hasOwn(methodSchemas, name);
}

/** Every method name, in the order of {@link methodSchemas}. */
export const methodNames = Object.keys(methodSchemas) as (keyof MethodSchemas)[];
