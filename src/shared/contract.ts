/**
 * The API contract between the core (src/) and its clients (renderer, CLI, main).
 *
 * Every query, command and event the UI can use is listed here with its argument and
 * result types. Both transports (Electron MessagePort, browser-mode WebSocket) carry the
 * same envelope, see {@link Request}, {@link Response} and {@link EventMessage}.
 *
 * Errors cross the boundary as {@link ApiError}: `message` is French and meant for the
 * user; technical details go to the core's log only.
 */

import type { z } from 'zod';
import type {
  calendarEventInputSchema,
  composeModeSchema,
  contactInputSchema,
  invitationAnswerSchema,
  mailActionSchema,
  mailRuleActionSchema,
  mailRuleConditionSchema,
  mailRuleSchema,
  messageListFilterSchema,
  MethodSchemas,
  outgoingAttachmentSchema,
  outgoingMessageSchema,
  recurrenceScopeSchema,
  remoteContentScopeSchema,
  serverSettingsSchema,
  syncScopeSchema,
  vacationSettingsSchema,
} from './api-schema.js';

// ---------------------------------------------------------------------------
// Envelope

export interface Request<M extends MethodName = MethodName> {
  id: number;
  method: M;
  params: Params<M>;
}

export type Response = { id: number; result: unknown } | { id: number; error: ApiError };

export interface EventMessage<E extends EventName = EventName> {
  event: E;
  data: EventData<E>;
}

/** An error as the user sees it. `code` is stable, `message` is French. */
export interface ApiError {
  code: ErrorCode;
  message: string;
  /** Extra data for the UI, e.g. a certificate fingerprint to show. */
  details?: Record<string, unknown>;
}

export type ErrorCode =
  | 'auth_failed'
  | 'unreachable'
  | 'connection_refused'
  | 'timeout'
  | 'tls_untrusted'
  | 'tls_hostname'
  | 'discovery_failed'
  | 'invalid_input'
  | 'not_found'
  | 'already_exists'
  | 'locked_by_policy'
  | 'disabled_by_policy'
  | 'profile_locked'
  | 'profile_too_new'
  | 'server_error'
  | 'offline'
  // Fichiers
  | 'listing_failed'
  | 'precondition_failed'
  | 'quota_exceeded'
  | 'transfer_failed'
  | 'local_unavailable'
  | 'not_configured'
  // Espaces de travail: the room refuses the agent (not a member)
  | 'forbidden'
  | 'internal';

// ---------------------------------------------------------------------------
// Domain types

/** How to reach one server. URL schemes: imap:// (STARTTLS), imaps://, smtp:// (submission with STARTTLS), smtps://, https:// (DAV). */
export type EndpointUrl = string;

/** Servers of an account (schema: `serverSettingsSchema` in api-schema.ts). */
export type ServerSettings = z.infer<ReturnType<typeof serverSettingsSchema>>;

/** 'well-known': CalDAV/CardDAV found at https://<domain>/.well-known/caldav|carddav (RFC 6764 without SRV). */
export type DiscoverySource = 'policy' | 'autoconfig' | 'well-known-autoconfig' | 'srv' | 'well-known' | 'manual';

export interface DiscoveryResult {
  email: string;
  settings: ServerSettings;
  /** Where each part came from, shown to the user in plain French by the UI. */
  sources: {
    mail: DiscoverySource | null;
    caldav: DiscoverySource | null;
    carddav: DiscoverySource | null;
    webdav: DiscoverySource | null;
  };
  /** Fields that IT policy fixed: the UI shows them read-only. */
  locked: (keyof ServerSettings)[];
}

export type EndpointKind = 'imap' | 'smtp' | 'caldav' | 'carddav' | 'webdav';

export interface EndpointCheck {
  kind: EndpointKind;
  ok: boolean;
  error?: ApiError;
}

export interface CertificateInfo {
  subject: string;
  issuer: string;
  validFrom: string;
  validTo: string;
  /** SHA-256 fingerprint, colon-separated upper-case hex. */
  fingerprint256: string;
  /** PEM of the leaf certificate, so the user can pin it explicitly. */
  pem: string;
}

export interface AccountSummary {
  id: string;
  email: string;
  name: string;
  settings: ServerSettings;
  online: boolean;
  lastSync: string | null;
  pendingOperations: number;
  /** Short French description of the last connection problem, if any. */
  lastError: string | null;
}

export type SpecialUse = '\\Inbox' | '\\Sent' | '\\Drafts' | '\\Trash' | '\\Junk' | '\\Archive' | '\\All' | '\\Flagged' | null;

/** « Réponse automatique » (schema: `vacationSettingsSchema`). */
export type VacationSettings = z.infer<ReturnType<typeof vacationSettingsSchema>>;
export type MailRule = z.infer<ReturnType<typeof mailRuleSchema>>;
export type MailRuleCondition = z.infer<ReturnType<typeof mailRuleConditionSchema>>;
export type MailRuleAction = z.infer<ReturnType<typeof mailRuleActionSchema>>;

/** The account's Sieve filters as Ostal manages them on the ManageSieve server. */
export interface SieveState {
  accountId: string;
  /** `sieve://host:port` used. */
  server: string;
  vacation: VacationSettings;
  rules: MailRule[];
  /** A script written by someone else (webmail, IT) that was active before Ostal's: kept running by `include`. */
  keptScript: string | null;
  /** The vacation is on and today is within its dates. */
  vacationActiveNow: boolean;
  /** Domains whose senders get the « organisation » message and may receive redirections. */
  organisationDomains: string[];
}

export interface FolderInfo {
  accountId: string;
  /** The server's folder path decoded to UTF-8. */
  path: string;
  /** French display name (special-use folders get the glossary's names). */
  name: string;
  specialUse: SpecialUse;
  delimiter: string;
  total: number;
  unread: number;
  bodiesCached: number;
  /** The folder's own « Disponible hors ligne »: null follows the setting 'mail.offlineWindow'. */
  offline?: boolean | null;
}

/** Which messages keep their text on this computer (« Messages disponibles hors ligne »). */
export type OfflineWindow = 'all' | '12months' | '3months' | 'none';

/** The download of message bodies for offline reading that continues after a sync (see src/mail/mail-sync.ts). */
export interface MailDownloadState {
  /** True while it runs for at least one account. */
  running: boolean;
  /** « Suspendre »: no body is downloaded until « Reprendre » (opening a message still fetches it). */
  paused: boolean;
  done: number;
  total: number;
}

/** Space used on this computer by offline reading (Réglages: « 2,4 Go sur cet ordinateur »). */
export interface MailOfflineSpace {
  /** Message sources kept on this computer (one file per distinct source). */
  bodies: number;
  bodiesBytes: number;
  /** The database: headers of every message and the search index. */
  databaseBytes: number;
  /** bodiesBytes + databaseBytes: what Réglages shows. */
  bytes: number;
}

/** « Libérer de l'espace »: bodies outside the chosen window forgotten (headers and list unchanged). */
export interface MailFreeSpaceResult {
  /** Messages whose local source was forgotten. */
  droppedBodies: number;
  /** Bytes of the source files removed from disk. */
  freedBytes: number;
  /** The space used after. */
  space: MailOfflineSpace;
}

/** Quick filters of the message list (« Non lus », « Suivis », « Avec pièce jointe »). */
export type MessageListFilter = z.infer<ReturnType<typeof messageListFilterSchema>>;

/** A window of a folder's message list: `total` rows match the filter, `messages` start at `offset`. */
export interface MessagePage {
  total: number;
  offset: number;
  messages: MessageSummary[];
}

export interface Address {
  name: string;
  address: string;
}

export interface MessageSummary {
  accountId: string;
  folder: string;
  uid: number;
  messageId: string | null;
  subject: string;
  from: Address | null;
  to: Address[];
  date: string | null;
  flags: string[];
  size: number;
  hasBody: boolean;
  hasAttachments: boolean;
}

export type ConnectionState = 'online' | 'offline' | 'syncing';

export interface SyncProgress {
  /** French label of what is being done now. */
  label: string;
  done: number;
  total: number;
}

export interface AppStatus {
  state: ConnectionState;
  progress: SyncProgress | null;
  accounts: { id: string; email: string; online: boolean; lastSync: string | null; lastError: string | null }[];
}

/** `status --json` of the CLI: this shape is an interface for IT scripts; keep it stable. */
export interface CliStatus {
  accounts: {
    email: string;
    online: boolean;
    lastSync: string | null;
    pendingOperations: number;
    folders: { path: string; name: string; specialUse: SpecialUse; total: number; unread: number; bodiesCached: number }[];
  }[];
}

export type SyncScope = z.infer<ReturnType<typeof syncScopeSchema>>;

/** What the user did to messages: applied locally at once, then replayed to the server (operations journal). */
export type MailAction = z.infer<ReturnType<typeof mailActionSchema>>;

export interface MailActionResult {
  /** Messages changed locally. */
  applied: number;
  /** Folder the messages went to (move, copy, archive, delete, junk), or null. */
  target: string | null;
  /** Token for `mail.undo` (« Annuler »), or null when the action cannot be undone (deleted for good). */
  undoToken: string | null;
}

export interface SyncReport {
  /** `scopes`: what was synced; `skipped`: asked for but not available yet in this version (nothing to do). */
  accounts: { email: string; ok: boolean; error?: ApiError; scopes: SyncScope[]; skipped?: SyncScope[] }[];
}

/** Boîte d'envoi: draft → queued → sending → sent | failed | uncertain (see src/mail/outbox.ts). */
export type OutboxState = 'draft' | 'queued' | 'sending' | 'sent' | 'failed' | 'uncertain';

/** A file to send: its content in base64 (UI), or a local path (CLI only). */
export type OutgoingAttachment = z.infer<ReturnType<typeof outgoingAttachmentSchema>>;

/** A message to send. Recipients are as typed: `Name <a@b>` or `a@b`, one per entry or comma-separated. */
export type OutgoingMessage = z.infer<ReturnType<typeof outgoingMessageSchema>>;

/**
 * A message asked by another program (issue 18: mailto link, `ostal --compose`, « Envoyer vers »), its local files
 * already read by the core. `problems`: French lines for the files left out (missing, unreadable, too large).
 */
export interface LaunchCompose {
  id: string;
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  body: string;
  attachments: { filename: string; contentBase64: string; size: number }[];
  problems: string[];
}

/** One message of the Boîte d'envoi (or a local draft). `lastError` is French. */
export interface OutboxEntry {
  id: string;
  accountId: string;
  state: OutboxState;
  messageId: string;
  subject: string;
  to: string[];
  cc: string[];
  bcc: string[];
  size: number;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string | null;
  createdAt: string;
  updatedAt: string;
  sentAt: string | null;
  /** True once the copy is in the server's Envoyés. */
  filedInSent: boolean;
  /** « Envoyer plus tard »: the moment chosen (ISO UTC), distinct from the retry back-off (nextAttemptAt); null = at once. */
  scheduledAt: string | null;
}

export type ComposeMode = z.infer<ReturnType<typeof composeModeSchema>>;

/** Prefilled fields of the composer for Répondre, Répondre à tous, Transférer, or a draft reopened from Brouillons. */
export interface ComposeDraft {
  accountId: string;
  mode: ComposeMode;
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  text: string;
  /**
   * The body as HTML for formatted writing (a reply or forward quotes the original in HTML, inline images as data:
   * URLs); null when the original (or the draft) is plain text: the composer then starts in plain text.
   */
  html: string | null;
  inReplyTo: string | null;
  references: string[];
  attachments: OutgoingAttachment[];
  /** Mode 'draft': the local draft that stands for the server copy (pass it to mail.draft.save and mail.send). */
  draftId?: string;
}

export type Feature = 'courrier' | 'agenda' | 'contacts' | 'fichiers' | 'visio' | 'espaces';

/** Effective IT policy as the UI needs it. */
export interface PolicyView {
  /** Path of the policy file that was read, or null when none. */
  source: string | null;
  disabledFeatures: Feature[];
  /** Setting keys (dotted) locked by policy: shown with a lock in Réglages. */
  lockedSettings: string[];
  hiddenSettings: string[];
  /** Mail domains for which IT preset the servers. */
  presetDomains: string[];
  /** Whether users may add accounts outside the preset domains. */
  allowOtherDomains: boolean;
  /** An error reading the policy file, in French (the app still starts with no policy). */
  error: string | null;
}

/** An espace de travail: a team or project with its Discussion, Documents, Agenda and Visio. */
export interface Workspace {
  /** The address of its Discussion room (e.g. projet-mediatheque-4f2a@conference.mairie.fr): stable id. */
  id: string;
  accountId: string;
  name: string;
  description: string;
  /** Members' addresses (e-mail = XMPP address), the owner included. */
  members: string[];
  /** Address of whoever created it, when known. */
  owner: string | null;
  /** The Documents folder on the shared WebDAV root, or null when IT gave no shared root. */
  documentsUrl: string | null;
  /**
   * Id of the standing meeting room (Visio): random, carried by the room's subject to members only, drawn again when a
   * member is removed (`espace-<room name>` for a space made before, until its owner's Ostal sets one).
   */
  visioRoom: string;
  createdAt: string;
  /** Messages of others not read yet (workspaces.markRead). */
  unread: number;
  /** Among them, those naming the agent (« @Élodie »). */
  mentions: number;
}

/** One file of a space's « Documents » (its local copy, synced with the space's folder on the shared root). */
export interface WorkspaceDocument {
  /** '/'-separated from the space's folder, with a leading '/'. */
  path: string;
  name: string;
  size: number;
  /** ISO 8601 UTC. */
  modified: string;
}

/** A space's « Documents »: where they are on this computer, who can see them, their files (newest first). */
export interface WorkspaceDocumentsView {
  workspaceId: string;
  /** The local folder, synced by the same engine as Fichiers. */
  folder: string;
  /** The server folder (on the organisation's shared WebDAV root). */
  url: string;
  /** True: the shared root does not restrict access per space (« visibles par tous les agents de l'organisation »). */
  visibleToOrganisation: boolean;
  files: WorkspaceDocument[];
  lastSync: string | null;
  /** French message of the last sync's failure, or null. */
  lastError: string | null;
}

/** A space's « Agenda »: its calendar on the shared CalDAV root, once synced as a calendar of the account. */
export interface WorkspaceAgenda {
  workspaceId: string;
  accountId: string;
  /** The calendar's URL, or null when IT gave no shared CalDAV root (`workspaces.caldavRoot`). */
  url: string | null;
  /** Its href among the account's calendars (calendar.occurrences, calendar.createEvent), or null while not synced. */
  calendarHref: string | null;
  /** The account has a CalDAV server (the space's calendar is synced with it). */
  hasCaldav: boolean;
}

/** One message of a space's Discussion. */
export interface ChatMessage {
  /** The id the archive gave it (XEP-0359 stanza-id), or the sender's id while not yet archived. */
  id: string;
  workspaceId: string;
  /** Sender's address (real address, from the room). */
  from: string;
  /** Plain text, shown as text (never as HTML). */
  text: string;
  /** ISO 8601 UTC. */
  sentAt: string;
  /** « en attente »: written here, not yet confirmed by the server (sent once on reconnection). */
  pending: boolean;
  /** The message names the agent (« @Élodie », its display name or the local part of its address). */
  mentionsMe: boolean;
  /**
   * The message answered (XEP-0461): its archive id, with its sender and text when this computer has it (null
   * otherwise); `retracted` when its sender deleted it.
   */
  replyTo: { id: string; from: string | null; text: string | null; retracted: boolean } | null;
  /** When its sender last corrected it (XEP-0308; `text` is the corrected text), or null. */
  editedAt: string | null;
  /** Its sender deleted it (XEP-0424): `text` is empty, the view says « Message supprimé ». */
  retracted: boolean;
  /**
   * The file the message carries (XEP-0363: its text is one address on the account's own server), shown as a file
   * card; null for any other message (an address elsewhere stays a plain link).
   */
  file: ChatFile | null;
}

/** A file shared in a Discussion through the account's server (XMPP HTTP File Upload). */
export interface ChatFile {
  /** Its address on the server (the message's text). */
  url: string;
  /** Its name (from the address). */
  name: string;
}

/** A shared file with its size (null while the server does not say) and the copy on this computer, if downloaded. */
export interface ChatFileInfo extends ChatFile {
  size: number | null;
  localPath: string | null;
}

/** One page of a space's Discussion (chat.page), oldest first. */
export interface ChatPage {
  messages: ChatMessage[];
  /** Nothing older exists, on this computer or in the room's archive. */
  complete: boolean;
  /** The server could not be reached: the page holds what this computer has (older ones come back online). */
  offline: boolean;
}

/** « en ligne », « absent », « en réunion » (XMPP show: none or chat, away or xa, dnd). */
export type PresenceState = 'online' | 'away' | 'meeting';

/** A direct discussion with another agent (one-to-one XMPP messages), as kept on this computer. */
export interface DirectConversation {
  /** The other agent's address (bare JID). */
  peer: string;
  accountId: string;
  /** Messages of the other agent not read yet. */
  unread: number;
  /** Latest message: when, its text and its author (as the server named it). */
  lastAt: string;
  lastText: string;
  lastFrom: string;
}

export interface Settings {
  /** Messages whose text is kept on this computer (« Messages disponibles hors ligne »); replaces 'mail.prefetchDays'. */
  'mail.offlineWindow': OfflineWindow;
  /** Speed limit of the download of message bodies in KiB/s, 0 = no limit. */
  'mail.speedLimitKbps': number;
  /** Address of the organisation's meeting server. */
  'visio.serverUrl': string;
  /**
   * Deprecated (kept for one version): a shared join token (JWT) IT gave for that server by policy; sent only to
   * 'visio.serverUrl', and only when the agent's own sign-in (`visio.signIn`) is not possible. Empty = none.
   */
  'visio.joinToken': string;
  /** Local folder synced with Fichiers. */
  'files.localRoot': string;
  /** Fichiers transfer speed limit in KiB/s (uploads and downloads each), 0 = no limit. */
  'files.speedLimitKbps': number;
  /** Shared WebDAV root under which each espace de travail gets its Documents folder ('' = not provided by IT). */
  'workspaces.webdavRoot': string;
  /** Shared CalDAV root under which each espace gets its Agenda ('' = not provided by IT). */
  'workspaces.caldavRoot': string;
  /** XMPP multi-user chat service of the organisation, e.g. conference.mairie.fr ('' = conference.<mail domain>). */
  'workspaces.mucService': string;
  /** « Visite guidée » shown the first time each module is opened: 'on' or 'off' (IT may turn it off by policy). */
  'aide.visiteGuidee': 'on' | 'off';
  /** Modules whose visite guidée was seen or skipped, comma-separated ('courrier,agenda'). */
  'aide.visitesVues': string;
  /** The version whose « Quoi de neuf » was last shown ('' = none yet: the first launch shows nothing). */
  'aide.versionVue': string;
  /** How a new message is written: 'html' (« Mise en forme ») or 'text' (« Texte brut »). */
  'mail.composeFormat': 'html' | 'text';
  /** The agent's signatures, one per account: a JSON object account id → HTML ('' = none). */
  'mail.signatures': string;
  /**
   * The organisation's signature (HTML) set by IT policy, with {prenom}, {nom}, {fonction}, {service}, {telephone},
   * {courriel} filled from the account; locked by policy, the agent can complete it but not remove it.
   */
  'mail.signatureTemplate': string;
  /** Desktop app: closing the window keeps Ostal in the notification area ('yes', default) or quits ('no'). */
  'desktop.closeToTray': 'yes' | 'no';
  /** Desktop app: start Ostal (window hidden, in the notification area) when the session opens. */
  'desktop.startAtLogin': 'yes' | 'no';
}

/** One screen or window the desktop app offers to share (main process → page, see src/host/screen-share.ts). */
export interface ScreenSourceChoice {
  id: string;
  kind: 'screen' | 'window';
  /** French label: « Écran entier », « Écran 2 », or the window's title. */
  label: string;
  /** PNG/JPEG data URL of the thumbnail, or ''. */
  thumbnail: string;
}

export interface SettingEntry<K extends keyof Settings = keyof Settings> {
  key: K;
  value: Settings[K];
  locked: boolean;
  hidden: boolean;
}

/** A join token of the organisation's meeting server for one agent and one room (see MeetSignInResult). */
export interface VisioSignIn {
  /** Goes in the meeting's `join` message, never in a URL. */
  token: string;
  /** Expiry, seconds since the epoch (a few minutes: ask again at each (re)connection). */
  expiresAt: number;
  /** The name the meeting server shows for this agent. */
  displayName: string;
}

export interface AppInfo {
  version: string;
  mode: 'electron' | 'browser' | 'cli';
  profileDir: string;
  locale: 'fr';
}

export interface CalendarEventSummary {
  uid: string;
  recurrenceId: string | null;
  start: string;
  end: string;
  allDay: boolean;
  summary: string;
  calendar: string;
  /** Its calendar is shared to the agent in read-only: it cannot be changed nor deleted (added field of the CLI's JSON). */
  readOnly: boolean;
}

export interface ContactSummary {
  uid: string;
  fn: string;
  emails: string[];
  phones: string[];
  /** ORG, TITLE (« Fonction ») and NOTE of the vCard, '' when absent: shown on the contact's card. */
  organization: string;
  title: string;
  note: string;
  /** The first ADR, one line per '\n' as on an envelope (street lines, « 75001 Paris », country), '' when absent. */
  address: string;
  /** BDAY: 'YYYY-MM-DD', '--MM-DD' when the year is not known, '' when absent. */
  birthday: string;
  addressBook: string;
}

/** A recipient proposed by the composer as the user types (contacts first, then past correspondents). */
export interface RecipientSuggestion {
  name: string;
  email: string;
  source: 'contact' | 'correspondent';
}

/** Fields of the contact editor. */
export type ContactInput = z.infer<ReturnType<typeof contactInputSchema>>;

export interface ContactDetails extends ContactInput {
  uid: string;
  accountId: string;
  addressBookHref: string;
  addressBook: string;
  pending: boolean;
}

/** What an .ics or .vcf import did: `message` is the French summary (imported, replaced, refused and why). */
export interface ImportResult {
  kind: 'calendar' | 'addressbook';
  accountId: string;
  imported: number;
  replaced: number;
  refused: { item: string; reason: string }[];
  message: string;
}

/** A calendar of the user (Agenda). */
export interface CalendarInfo {
  accountId: string;
  href: string;
  name: string;
  color: string | null;
  /**
   * Shared to the agent in read-only (its DAV:current-user-privilege-set grants no write; false when the server does
   * not say): its events are shown, none can be created, changed or deleted in it.
   */
  readOnly: boolean;
}

/** One occurrence for the Agenda grid: the CLI fields plus where it lives and what it offers. */
export interface CalendarOccurrence extends CalendarEventSummary {
  accountId: string;
  calendarHref: string;
  color: string | null;
  location: string;
  meetingUrl: string | null;
  recurring: boolean;
  /** Minutes before the start of its reminder (VALARM), null for none. */
  reminderMinutes: number | null;
  /**
   * Someone else organises it (an invitation received): the agent answers it but does not move it (the Agenda
   * offers no dragging of it).
   */
  invitation: boolean;
  /** The change has not reached the server yet. */
  pending: boolean;
  /**
   * The event repeats too often to be expanded in full (src/calendar/icalendar.ts MAX_SLOTS_PER_RESOURCE): only part
   * of its occurrences are listed. When none of the window's was reached, one all-day item on the window's first day
   * stands for the event (so that it can be seen and deleted). The Agenda says so.
   */
  truncated?: boolean;
}

/** Fields of the event editor. Times are wall clock of the user's zone (the computer's, src/shared/time.ts) 'YYYY-MM-DDTHH:mm'; all-day: 'YYYY-MM-DD', end exclusive. */
export type CalendarEventInput = z.infer<ReturnType<typeof calendarEventInputSchema>>;

export interface CalendarEventDetails extends CalendarEventInput {
  uid: string;
  recurrenceId: string | null;
  accountId: string;
  calendarHref: string;
  calendar: string;
  organizer: string | null;
  /**
   * Every participant of the event (or of the occurrence): its address, the name the event gives it (the ATTENDEE's
   * CN — Ostal writes the name of the one contact having the address; null when the event gives none) and its
   * answer (PARTSTAT, upper case: NEEDS-ACTION, ACCEPTED, TENTATIVE, DECLINED…). The Agenda shows the agent's own
   * contact name first, this name otherwise.
   */
  attendeeStatus: { email: string; name: string | null; status: string }[];
  pending: boolean;
  /** Its calendar is shared to the agent in read-only: the details offer neither « Modifier » nor « Supprimer ». */
  readOnly: boolean;
}

/** « cet événement » (one occurrence), « cet événement et les suivants » (split the series there) or « tous les événements ». */
export type RecurrenceScope = z.infer<ReturnType<typeof recurrenceScopeSchema>>;

/** A change of the user that the server refused because the event (or contact) changed there meanwhile. */
export interface DavConflictSummary {
  id: number;
  accountId: string;
  kind: 'calendar' | 'addressbook';
  uid: string;
  title: string;
  action: 'put' | 'delete';
  /** French explanation for the notice. */
  message: string;
  createdAt: string;
}

/** Sync state of one item of Fichiers (the UI says synchronisé, en attente, en cours, conflit, erreur, en ligne seulement). */
export type FileSyncState = 'synced' | 'pending' | 'syncing' | 'conflict' | 'error' | 'online-only';

/** One file or folder of Fichiers. Paths are '/'-separated from the account's sync folder, NFC, with a leading '/' ('/' = root). */
/** An item added from Fichiers (« Nouveau dossier », « Ajouter des fichiers »). */
export interface FileAdded {
  /** Sync path of the new item, as in FileEntrySummary. */
  path: string;
  name: string;
  /** The name asked for was taken: the new file got « nom (2).ext » (both kept, nothing replaced). */
  renamed: boolean;
}

export interface FileEntrySummary {
  accountId: string;
  path: string;
  name: string;
  kind: 'file' | 'folder';
  /** Same as kind === 'folder' (kept for the first Fichiers view). */
  isFolder: boolean;
  /** Bytes (0 for folders). */
  size: number;
  /** ISO date of the last change known (local or server), or null. */
  modified: string | null;
  state: FileSyncState;
  /** Kept on the disk (« Disponible hors ligne »); false = listed only, downloaded when opened. */
  availableOffline: boolean;
  /** Absolute path on the disk when the item is there, else null. */
  localPath: string | null;
  /** French text of the problem when state is 'error' or 'conflict', else null. */
  error: string | null;
}

/** A name that cannot cross systems (Windows-reserved, case clash, too long, hostile): reported, not synced. */
export interface FileNameProblem {
  accountId: string;
  path: string;
  side: 'local' | 'server';
  /** French explanation and suggested fix. */
  message: string;
}

/** `files status --json` of the CLI (one entry per account with a WebDAV server): keep it stable. */
export interface FilesAccountStatus {
  accountId: string;
  email: string;
  /** Absolute local folder of this account. */
  localRoot: string;
  /** WebDAV URL of the synced server folder. */
  remoteRoot: string;
  counts: Record<FileSyncState, number>;
  lastSync: string | null;
  /** French text of the last sync problem, or null. */
  lastError: string | null;
  paused: boolean;
  /** A big deletion waits for the user (« confirmation requise »): how many files each side would lose. */
  pendingDeletion: { local: number; server: number } | null;
  /** RFC 4331 quota of the server folder when offered. */
  quota: { used: number; available: number | null } | null;
  problems: FileNameProblem[];
}

export interface FilesStatus {
  accounts: FilesAccountStatus[];
}

/** A file changed on both sides: both versions are kept; the local one was renamed to `conflictPath`. */
export interface FileConflict {
  id: string;
  accountId: string;
  /** The file as on the server. */
  path: string;
  /** The local version, renamed « nom (conflit du 23-11-2026 14 h 30).ext ». */
  conflictPath: string;
  detectedAt: string;
  /** French notice. */
  message: string;
}

/** A local file that sync removed (deleted on the server, or replaced): kept 30 days in Ostal's Corbeille. */
export interface FileTrashEntry {
  id: string;
  accountId: string;
  /** Where it was in the sync folder. */
  path: string;
  name: string;
  size: number;
  deletedAt: string;
  expiresAt: string;
}

/** A part of a message being read: an attachment or an inline image. `id` is the part's position ("1", "2", …). */
export interface MessagePartInfo {
  id: string;
  filename: string | null;
  mimeType: string;
  size: number;
  inline: boolean;
  /** Content-ID without angle brackets, or null. */
  contentId: string | null;
}

/** Where « Afficher les images » applies: this message only, or every message of its sender. */
export type RemoteContentScope = z.infer<ReturnType<typeof remoteContentScopeSchema>>;

/**
 * A message opened for reading. `html` is already sanitised by the core (no script, no event handler,
 * no remote load unless `remoteContentAllowed`); the UI still shows it in a sandboxed frame with its own CSP.
 */
export interface MessageView {
  accountId: string;
  folder: string;
  uid: number;
  messageId: string | null;
  subject: string;
  from: Address | null;
  to: Address[];
  cc: Address[];
  replyTo: Address[];
  date: string | null;
  /** Plain text: the text part, else the text of the HTML part. */
  text: string;
  html: string | null;
  /** The HTML refers to remote images or backgrounds (blocked unless allowed). */
  hasRemoteContent: boolean;
  remoteContentAllowed: boolean;
  attachments: MessagePartInfo[];
  flags: string[];
  /** French notice when the message could not be fully understood (its raw text is shown), else null. */
  notice: string | null;
  /** The invitation (iMIP text/calendar part: REQUEST, CANCEL or REPLY) the message carries, else null. */
  invitation?: MessageInvitation | null;
}

/** An answer to an invitation, as in PARTSTAT. */
export type InvitationAnswer = z.infer<ReturnType<typeof invitationAnswerSchema>>;

/**
 * The invitation carried by a message being read. Times are wall clock of the user's zone ('YYYY-MM-DDTHH:mm', or
 * 'YYYY-MM-DD' all day). `myAnswer` comes from the stored agenda (my PARTSTAT), or from the REPLY I sent.
 */
export interface MessageInvitation {
  method: 'REQUEST' | 'CANCEL' | 'REPLY';
  /** The text/calendar part, for calendar.respondToInvitation. */
  ics: string;
  /** French message when the part cannot be read (the message itself stays readable), else null. */
  problem: string | null;
  uid: string;
  /** The one occurrence the message is about (its VEVENTs all carry RECURRENCE-ID), as calendar.list gives it; null for the whole event. */
  recurrenceId: string | null;
  summary: string;
  start: string;
  end: string;
  allDay: boolean;
  location: string;
  meetingUrl: string | null;
  organizer: Address | null;
  /** REQUEST: my answer (null: not answered yet). */
  myAnswer: InvitationAnswer | null;
  /** The event (or that occurrence) is in my agenda. */
  inAgenda: boolean;
  /** REPLY: who answered and how; `applied` when the organiser's event holds that answer, `superseded` when it holds a later one. */
  reply: { email: string; name: string | null; status: string; applied: boolean; superseded: boolean } | null;
  /**
   * French reason why this message cannot change my agenda (a REQUEST or CANCEL about an event of mine not sent by
   * its organiser; a REPLY not sent by the participant it speaks for, with an unknown answer or a date in the
   * future): the card offers nothing that changes the event. Null when it may.
   */
  refusal: string | null;
  /** French warning when the receiving server found the sender's address forged (failed DKIM/DMARC), else null. */
  authWarning: string | null;
}

// ---------------------------------------------------------------------------
// Migration (issue « Migration »): import of Outlook data files, .msg, .eml and mbox into an account

/** What a source file was recognised as. */
export type MigrationSourceKind = 'pst' | 'ost' | 'msg' | 'eml' | 'mbox' | 'folder' | 'unknown';

/** Counts of one folder of a source and where its items went. */
export interface MigrationFolderReport {
  /** Folder as the source names it (Outlook path with « / », or the file name). */
  source: string;
  /** IMAP path of the target folder, or 'carnet d’adresses' / 'agenda' for contacts and events. */
  target: string;
  kind: 'mail' | 'contacts' | 'calendar';
  imported: number;
  /** Already on the server (same Message-ID, date and size) or already handled by an earlier run. */
  alreadyPresent: number;
  skipped: number;
}

/** Final report of an import: the stable JSON of `ostal import --json` (documented in README « Migration »). */
export interface MigrationReport {
  accountId: string;
  email: string;
  state: 'done' | 'failed' | 'stopped';
  sources: { path: string; kind: MigrationSourceKind; error: string | null }[];
  folders: MigrationFolderReport[];
  totals: { imported: number; alreadyPresent: number; skipped: number };
  /** Every item skipped, with its French reason. */
  skipped: { source: string; item: string; reason: string }[];
  /** French lines about what was changed on the way (a repetition imported as occurrences…). */
  notes: string[];
  startedAt: string;
  finishedAt: string;
  /** French summary in one sentence. */
  message: string;
}

/** The running (or last) import, for the progress view. */
export interface MigrationProgress {
  state: 'idle' | 'running' | 'paused' | 'done' | 'failed';
  accountId: string | null;
  /** Items handled so far out of those announced by the sources (total grows while folders are opened). */
  done: number;
  total: number;
  imported: number;
  alreadyPresent: number;
  skipped: number;
  /** Folder being imported, as the source names it. */
  current: string | null;
  /** Estimated seconds left, null until it can be estimated. */
  remainingSeconds: number | null;
  /** French error when the import stopped (server unreachable, file unreadable). */
  error: string | null;
  report: MigrationReport | null;
}

// ---------------------------------------------------------------------------
// Methods
//
// Method names and parameters come from one zod schema per method (src/shared/api-schema.ts, where each method is
// documented); the core validates every call's parameters with it. Results are typed here and not validated.

/** Every method of the API: the keys of `methodSchemas`. */
export type MethodName = keyof MethodSchemas;
/** What a caller sends (optional fields may be left out). */
export type Params<M extends MethodName> = z.input<MethodSchemas[M]>;
/** What a handler receives once the core has validated the call (unknown extra keys stripped). */
export type ValidParams<M extends MethodName> = z.output<MethodSchemas[M]>;

/** The result of each method (tests/unit/api-schema.test.ts checks that its keys are the method names). */
export interface Results {
  'app.info': AppInfo;
  'app.reportError': { logged: true };
  'policy.get': PolicyView;
  'settings.list': SettingEntry[];
  'settings.set': SettingEntry;

  'accounts.list': AccountSummary[];
  'accounts.discover': DiscoveryResult;
  'accounts.test': EndpointCheck[];
  'accounts.add': AccountSummary;
  'accounts.update': AccountSummary;
  'accounts.remove': { removed: true };

  'visio.signIn': VisioSignIn;

  'status.get': AppStatus;
  'status.cli': CliStatus;
  'sync.run': SyncReport;

  'mail.folders': FolderInfo[];
  'mail.messages': MessageSummary[];
  'mail.list': MessagePage;
  'mail.message': MessageView;
  'mail.attachment': { filename: string; mimeType: string; size: number; contentBase64: string };
  'mail.allowRemoteContent': { allowed: true };
  'mail.act': MailActionResult;
  'mail.undo': MailActionResult;
  'mail.search': MessageSummary[];
  /** Exact number of stored messages a search matches (every folder, no limit), for « 368 résultats ». */
  'mail.searchCount': { total: number };
  /** A folder's own « Disponible hors ligne » (null: follow the setting); bodies come with the next sync. */
  'mail.sieve.get': SieveState;
  'mail.vacation.set': SieveState;
  'mail.rules.set': SieveState;
  'mail.folder.create': FolderInfo[];
  'mail.folder.rename': FolderInfo[];
  'mail.folder.delete': FolderInfo[];
  'mail.setFolderOffline': FolderInfo;
  'mail.download.state': MailDownloadState;
  /** « Suspendre » / « Reprendre » the download of message bodies for offline reading. */
  'mail.download.pause': MailDownloadState;
  'mail.download.resume': MailDownloadState;
  /** Space used on this computer by offline reading. */
  'mail.offlineSpace': MailOfflineSpace;
  /** « Libérer de l'espace »: forget the bodies outside the chosen window; never anything unsent. */
  'mail.freeSpace': MailFreeSpaceResult;
  'mail.send': OutboxEntry;
  'mail.outbox.list': OutboxEntry[];
  'mail.outbox.retry': OutboxEntry;
  'mail.outbox.discard': { removed: true };
  'mail.outbox.sendNow': OutboxEntry;
  'mail.outbox.edit': ComposeDraft;
  'mail.outbox.drain': OutboxEntry[];
  'mail.compose.prepare': ComposeDraft;
  'mail.html.clean': { html: string };
  'mail.draft.save': { id: string; savedAt: string };
  'mail.launch.take': LaunchCompose[];

  'calendar.list': CalendarEventSummary[];
  'contacts.list': ContactSummary[];
  'contacts.get': ContactDetails;
  'contacts.create': { uid: string };
  'contacts.update': { uid: string };
  'contacts.delete': { deleted: true };
  'contacts.restore': { uid: string };
  'contacts.suggest': RecipientSuggestion[];
  'calendar.calendars': CalendarInfo[];
  'calendar.occurrences': CalendarOccurrence[];
  'calendar.event': CalendarEventDetails;
  'calendar.createEvent': { uid: string };
  'calendar.updateEvent': { uid: string };
  'calendar.deleteEvent': { deleted: true };
  'calendar.newMeetingLink': { url: string };
  'calendar.respondToInvitation': { uid: string };
  'calendar.removeCancelled': { removed: boolean };
  'dav.import': ImportResult;
  'dav.conflicts': DavConflictSummary[];
  'dav.resolveConflict': { resolved: true };
  'files.list': FileEntrySummary[];
  'files.status': FilesStatus;
  'workspaces.list': Workspace[];
  'workspaces.refresh': Workspace[];
  'workspaces.create': Workspace;
  'chat.send': ChatMessage;
  'chat.edit': ChatMessage;
  'chat.retract': ChatMessage;
  'chat.search': ChatMessage[];
  'chat.history': ChatMessage[];
  'chat.page': ChatPage;
  'direct.list': DirectConversation[];
  'presence.list': Record<string, PresenceState>;
  'presence.set': { ok: true };
  'direct.send': ChatMessage;
  'direct.refresh': DirectConversation[];
  'direct.history': ChatMessage[];
  'direct.markRead': { ok: true };
  'chat.file.send': ChatMessage;
  'chat.file.check': { maxSize: number | null };
  'chat.file.stage': { uploadId: string; size: number };
  'chat.file.info': ChatFileInfo;
  'chat.file.download': ChatFileInfo;
  /** « Ouvrir » a downloaded file, with the same safety as Fichiers (see 'files.open'). */
  'chat.file.open': { localPath: string; launched: boolean; warning: string | null };
  'workspaces.members': Workspace;
  'workspaces.markRead': { ok: true };
  'workspaces.documents': WorkspaceDocumentsView;
  'workspaces.documents.add': WorkspaceDocumentsView;
  'workspaces.documents.addFromChat': { path: string; name: string; lastError: string | null };
  'workspaces.documents.open': { localPath: string; launched: boolean; warning: string | null };
  'workspaces.agenda': WorkspaceAgenda;
  'files.sync': SyncReport;
  'files.conflicts': FileConflict[];
  'files.resolveConflict': { resolved: true };
  'files.trash.list': FileTrashEntry[];
  'files.trash.restore': { restored: true; path: string };
  'files.setOffline': FileEntrySummary;
  /**
   * Makes sure the item is on the disk (downloads an online-only file) and, where the desktop host can, opens it with
   * the system application (`launched`). '/' is the account's folder. In browser mode `launched` is false: the view
   * shows `localPath`. A file that could run code (program, script, shortcut, name with bidirectional controls:
   * src/files/open-safety.ts) is never opened: it is shown selected in its folder (`launched` then says whether the
   * folder was shown) and `warning` says why in French.
   */
  'files.open': { localPath: string; launched: boolean; warning: string | null };
  'files.pause': { paused: true };
  'files.resume': { paused: false };
  'files.confirmDeletion': { done: true };
  'files.createFolder': FileAdded;
  'files.upload.stage': { uploadId: string; size: number };
  'files.add': FileAdded;
  /** Runs an import to its end (the CLI); progress comes as 'migration.progress' events. */
  'migration.run': MigrationReport;
  /** Starts an import in the background (the UI); refused while another runs. */
  'migration.start': MigrationProgress;
  /** Copy from another account to its end (`ostal import-account`). */
  'migration.copyAccount': MigrationReport;
  'migration.status': MigrationProgress;
  'migration.pause': MigrationProgress;
  'migration.resume': MigrationProgress;
}

export type Result<M extends MethodName> = Results[M];

/** Each method's parameters and result, as one map. */
export type Methods = { [M in MethodName]: { params: Params<M>; result: Result<M> } };

// ---------------------------------------------------------------------------
// Events (core → UI)

export interface Events {
  'status.changed': AppStatus;
  'accounts.changed': { accountIds: string[] };
  'mail.changed': { accountId: string; folders: string[] };
  /** Another program asked for a message (mailto, --compose, « Envoyer vers »): take it with mail.launch.take. */
  'mail.launchCompose': { id: string };
  'settings.changed': { keys: (keyof Settings)[] };
  'outbox.changed': { accountId: string; ids: string[] };
  /** Items of Fichiers changed (paths as in FileEntrySummary; the parent folders too). */
  'files.changed': { accountId: string; paths: string[] };
  /** Espaces de travail created, found or removed (workspaces.create, workspaces.refresh). */
  'workspaces.changed': { workspaceIds: string[] };
  /** A space's « Documents » changed on this computer (a sync brought or sent files, a document was added). */
  'workspaces.documents': { workspaceId: string };
  /** A space left the agent's list; its Documents changed here and not sent were moved to `folder` (French message). */
  'workspaces.documentsKept': { workspaceId: string; folder: string; count: number; message: string };
  /** Messages of a space stored or changed (live from the room, archive, offline queue sent). */
  'workspaces.messages': { workspaceId: string; messageIds: string[] };
  /**
   * A meeting invitation (iMIP REQUEST) arrived in a Boîte de réception and its message was downloaded: for desktop
   * notifications (the page decides whether the message is new, src/shared/notification-rules.ts). Only invitations
   * that src/shared/notification-rules.ts invitationNotifies accepts (no refusal, sender not found forged).
   */
  'mail.invitation': { accountId: string; folder: string; uid: number; eventUid: string; summary: string; sender: string };
  /** A message of someone else names the agent (« @Élodie »): for the in-app badge and desktop notifications. */
  /** The presence of these colleagues changed (presence.list). */
  'workspaces.presence': { addresses: string[] };
  'workspaces.mention': { workspaceId: string; workspaceName: string; messageId: string; from: string; text: string };
  /** Events or contacts changed in the local store (local write, replay, sync). */
  'dav.changed': { accountId: string; kind: 'calendar' | 'addressbook' };
  /** A change of the user could not be applied because the server changed the same item: French notice. */
  'dav.conflict': DavConflictSummary;
  /** Transfers of a running files sync. `label` is French. */
  'files.progress': {
    accountId: string;
    label: string;
    done: number;
    total: number;
    bytesDone: number;
    bytesTotal: number;
    current: string | null;
  };
  /** French notice for the user: a conflict, a big deletion waiting for confirmation, a refused name, a folder that failed to list. */
  'files.notice': { accountId: string; kind: 'conflict' | 'confirmation' | 'name' | 'listing'; message: string; path: string | null };
  /** Progress of the running import (at most a few per second). */
  'migration.progress': MigrationProgress;
}

export type EventName = keyof Events;
export type EventData<E extends EventName> = Events[E];
