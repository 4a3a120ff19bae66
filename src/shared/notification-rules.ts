/**
 * What Ostal shows on the desktop (issue 18), decided in pure code shared by the page (browser mode: the web
 * Notification API; Electron: the same API, which Electron hands to the system's notifications) and the tests:
 * which folders notify new mail, how new messages are grouped, quiet hours (« Ne pas déranger »), when an Agenda
 * reminder fires (all-day events included) and « Rappeler dans 5 min » (the same decision for the notice's button
 * and for the desktop notification's action in Electron), which meeting invitations and workspace mentions are
 * shown and how they are grouped. The texts are the page's (French i18n):
 * these functions return data, never words.
 */

export interface QuietHours {
  enabled: boolean;
  /** « HH:MM », local time. */
  start: string;
  end: string;
}

export interface NotificationPrefs {
  /** New mail notifications (on by default). */
  mail: boolean;
  /** Per folder, `accountId|path` → on/off; a folder not listed follows the default (Boîte de réception only). */
  mailFolders: Record<string, boolean>;
  /** Agenda reminders on the desktop (on by default; the notice inside the window stays). */
  reminders: boolean;
  /** Meeting invitations received (iMIP REQUEST in a Boîte de réception; on by default). */
  invitations: boolean;
  /** Mentions of the agent in a workspace (on by default). */
  mentions: boolean;
  quiet: QuietHours;
}

export const DEFAULT_NOTIFICATION_PREFS: NotificationPrefs = {
  mail: true,
  mailFolders: {},
  reminders: true,
  invitations: true,
  mentions: true,
  quiet: { enabled: false, start: '22:00', end: '07:00' },
};

const CLOCK = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Minutes since midnight of « HH:MM », null when malformed. */
export function clockMinutes(value: string): number | null {
  const m = CLOCK.exec(value);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

/** Preferences read from storage: anything missing or malformed takes its default (never throws). */
export function parseNotificationPrefs(raw: unknown): NotificationPrefs {
  const d = DEFAULT_NOTIFICATION_PREFS;
  const v = (typeof raw === 'object' && raw !== null ? raw : {}) as Partial<Record<keyof NotificationPrefs, unknown>>;
  const q = (typeof v.quiet === 'object' && v.quiet !== null ? v.quiet : {}) as Partial<Record<keyof QuietHours, unknown>>;
  const folders: Record<string, boolean> = {};
  if (typeof v.mailFolders === 'object' && v.mailFolders !== null)
    for (const [key, on] of Object.entries(v.mailFolders)) if (typeof on === 'boolean') folders[key] = on;
  const clock = (x: unknown, fallback: string) => (typeof x === 'string' && clockMinutes(x) !== null ? x : fallback);
  return {
    mail: typeof v.mail === 'boolean' ? v.mail : d.mail,
    mailFolders: folders,
    reminders: typeof v.reminders === 'boolean' ? v.reminders : d.reminders,
    invitations: typeof v.invitations === 'boolean' ? v.invitations : d.invitations,
    mentions: typeof v.mentions === 'boolean' ? v.mentions : d.mentions,
    quiet: {
      enabled: typeof q.enabled === 'boolean' ? q.enabled : d.quiet.enabled,
      start: clock(q.start, d.quiet.start),
      end: clock(q.end, d.quiet.end),
    },
  };
}

/**
 * Whether `minutesOfDay` (local time) falls in the quiet hours. A period over midnight (22:00 → 07:00) is handled;
 * start = end means the whole day.
 */
export function isQuietTime(quiet: QuietHours, minutesOfDay: number): boolean {
  if (!quiet.enabled) return false;
  const start = clockMinutes(quiet.start);
  const end = clockMinutes(quiet.end);
  if (start === null || end === null) return false;
  if (start === end) return true;
  return start < end ? minutesOfDay >= start && minutesOfDay < end : minutesOfDay >= start || minutesOfDay < end;
}

export function folderKey(accountId: string, path: string): string {
  return `${accountId}|${path}`;
}

export function isInboxFolder(folder: { path: string; specialUse?: string | null }): boolean {
  return folder.specialUse === '\\Inbox' || folder.path.toUpperCase() === 'INBOX';
}

/** Whether new mail in this folder is notified: the folder's own choice, else on for the Boîte de réception only. */
export function folderNotifies(prefs: NotificationPrefs, accountId: string, folder: { path: string; specialUse?: string | null }): boolean {
  if (!prefs.mail) return false;
  const own = prefs.mailFolders[folderKey(accountId, folder.path)];
  return own ?? isInboxFolder(folder);
}

export interface NewMailItem {
  accountId: string;
  folder: string;
  uid: number;
  /** Display name or address of the sender, '' when unknown. */
  sender: string;
  subject: string;
}

export interface NewMailGroup {
  accountId: string;
  folder: string;
  /** One notification per folder: a later one replaces it on the desktop (same tag). */
  tag: string;
  count: number;
  /** The newest message: a click on the notification opens it. */
  newest: NewMailItem;
  /** Up to `maxLines` messages, newest first, for the body. */
  lines: NewMailItem[];
}

/**
 * Group the messages that just arrived: one notification per folder, however many messages (ten messages in one
 * sync make one notification « 10 nouveaux messages », not ten).
 */
export function groupNewMail(items: readonly NewMailItem[], maxLines = 3): NewMailGroup[] {
  const groups = new Map<string, NewMailItem[]>();
  for (const item of items) {
    const key = folderKey(item.accountId, item.folder);
    const list = groups.get(key) ?? [];
    if (!list.some((m) => m.uid === item.uid)) list.push(item);
    groups.set(key, list);
  }
  return [...groups.values()].map((list) => {
    const sorted = [...list].sort((a, b) => b.uid - a.uid);
    const newest = sorted[0];
    return {
      accountId: newest.accountId,
      folder: newest.folder,
      tag: `ostal-mail-${folderKey(newest.accountId, newest.folder)}`,
      count: sorted.length,
      newest,
      lines: sorted.slice(0, maxLines),
    };
  });
}

/** What the mail watcher remembers per folder: the highest uid already seen (null until the first look). */
export function freshMessages<T extends { uid: number }>(seenUpTo: number | null, unread: readonly T[]): { fresh: T[]; seenUpTo: number } {
  const top = Math.max(seenUpTo ?? 0, ...unread.map((m) => m.uid));
  if (seenUpTo === null) return { fresh: [], seenUpTo: top };
  return { fresh: unread.filter((m) => m.uid > seenUpTo), seenUpTo: top };
}

/** A message of a folder's unread list, as the new-mail watcher sees it (mail.list). */
export interface LookedMessage {
  uid: number;
  /** Whether its body is local yet: until then the core cannot tell whether it carries a meeting invitation. */
  hasBody: boolean;
  sender: string;
  subject: string;
}

/** How long a new message of a Boîte de réception may wait for its body before it is announced anyway. */
export const BODY_WAIT_MS = 60_000;

/**
 * Whether a new message of this folder has its body brought down by the sync (the folder's own « Disponible hors
 * ligne », else the setting « Messages disponibles hors ligne », 'mail.offlineWindow'; unknown counts as yes, the
 * default keeps the recent months): only then can the core find an invitation in it, so only then is it worth waiting
 * for (as src/mail/sync-engine.ts offlineSince decides for a message that just arrived).
 */
export function bodiesComeDown(folderOffline: boolean | null | undefined, offlineWindow: unknown): boolean {
  if (folderOffline === true) return true;
  if (folderOffline === false) return false;
  return offlineWindow !== 'none';
}

/**
 * The new-mail side of the desktop notifications, for every folder watched: what is new at each look (never what was
 * there at the first one), grouped per folder. A message that the core announced as a meeting invitation
 * (`mail.invitation`, shown as « Invitation ») is not announced a second time as a new message: in a folder whose
 * invitations are notified, a new message waits for its body (the core reads the invitation from it and announces it
 * before the folder's next change) — at most `bodyWaitMs`, after which it is announced anyway. Messages that arrive
 * with it are announced as usual; a message that is no longer unread while it waits is not announced.
 */
export class NewMailPlanner {
  /** accountId|folder → highest uid seen (null until the first look). */
  private readonly seen = new Map<string, number | null>();
  /** accountId|folder → uid → the new message waiting for its body, and since when. */
  private readonly waiting = new Map<string, Map<number, number>>();
  /** accountId|folder|uid of the messages announced as invitations. */
  private readonly invitations = new Set<string>();

  constructor(private readonly bodyWaitMs = BODY_WAIT_MS) {}

  /** The core announced this message as an invitation that will be notified: no new-mail notification for it. */
  invitation(item: { accountId: string; folder: string; uid: number }): void {
    this.invitations.add(`${folderKey(item.accountId, item.folder)}|${item.uid}`);
  }

  /**
   * One look at a folder's unread messages. `announce`: false for the first look (what is there is not new).
   * `invitations`: whether this folder's invitations are notified (a Boîte de réception with invitations on).
   * `waiting`: how many new messages still wait for their body (look again when it arrives or after `bodyWaitMs`).
   */
  look(
    accountId: string,
    folder: string,
    unread: readonly LookedMessage[],
    options: { announce: boolean; invitations: boolean; now: number },
  ): { groups: NewMailGroup[]; seenUpTo: number; waiting: number } {
    const key = folderKey(accountId, folder);
    const { fresh, seenUpTo } = freshMessages(this.seen.get(key) ?? null, unread);
    this.seen.set(key, seenUpTo);
    const pending = this.waiting.get(key) ?? new Map<number, number>();
    this.waiting.set(key, pending);
    if (!options.announce) {
      pending.clear();
      return { groups: [], seenUpTo, waiting: 0 };
    }
    for (const m of fresh) if (!pending.has(m.uid)) pending.set(m.uid, options.now);
    const current = new Map(unread.map((m) => [m.uid, m]));
    const announced: NewMailItem[] = [];
    for (const [uid, since] of [...pending]) {
      const m = current.get(uid);
      if (!m || this.invitations.has(`${key}|${uid}`)) {
        pending.delete(uid);
        continue;
      }
      if (options.invitations && !m.hasBody && options.now - since < this.bodyWaitMs) continue;
      pending.delete(uid);
      announced.push({ accountId, folder, uid, sender: m.sender, subject: m.subject });
    }
    return { groups: groupNewMail(announced), seenUpTo, waiting: pending.size };
  }
}

export interface ReminderOccurrence {
  uid: string;
  recurrenceId: string | null;
  /** ISO date-time, or « YYYY-MM-DD » for an all-day event. */
  start: string;
  end: string;
  allDay: boolean;
  reminderMinutes: number | null;
}

export const SNOOZE_MINUTES = 5;

export function reminderKey(o: ReminderOccurrence): string {
  return `${o.uid}|${o.recurrenceId ?? ''}|${o.start}`;
}

/** Local midnight of « YYYY-MM-DD » (an all-day event starts at the agent's midnight, not UTC's). */
function localDayStart(day: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(day);
  if (!m) return Number.NaN;
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])).getTime();
}

function startMs(o: ReminderOccurrence): number {
  return o.allDay ? localDayStart(o.start) : Date.parse(o.start);
}

function endMs(o: ReminderOccurrence): number {
  return o.allDay ? localDayStart(o.end) : Date.parse(o.end);
}

/** When the reminder fires (ms), null without a reminder. An all-day event's reminder counts from its local midnight. */
export function reminderFireAt(o: ReminderOccurrence): number | null {
  if (o.reminderMinutes === null) return null;
  const start = startMs(o);
  return Number.isNaN(start) ? null : start - o.reminderMinutes * 60_000;
}

/**
 * The reminders to show now. `handled`: key → 0 when closed, or the time until which it was put off
 * (« Rappeler dans 5 min »). A reminder stays due until the event ends (at least one minute after its start).
 */
export function dueReminders<T extends ReminderOccurrence>(
  list: readonly T[],
  now: number,
  handled: Readonly<Record<string, number>>,
): T[] {
  return list.filter((o) => {
    const fireAt = reminderFireAt(o);
    if (fireAt === null) return false;
    const start = startMs(o);
    const until = handled[reminderKey(o)];
    return now >= fireAt && now < Math.max(endMs(o), start + 60_000) && (until === undefined || (until > 0 && now >= until));
  });
}

/** « Rappeler dans 5 min »: the time until which the reminder is put off. */
export function snoozeUntil(now: number, minutes = SNOOZE_MINUTES): number {
  return now + minutes * 60_000;
}

/**
 * The desktop notifications to show for due reminders: each due reminder once per firing (a put-off reminder fires
 * again at the end of its delay). `shown`: key → the time it was last shown on the desktop; returns the new ones.
 */
export function remindersToNotify<T extends ReminderOccurrence>(
  due: readonly T[],
  shown: Readonly<Record<string, number>>,
  handled: Readonly<Record<string, number>>,
): T[] {
  return due.filter((o) => {
    const key = reminderKey(o);
    const last = shown[key];
    if (last === undefined) return true;
    const until = handled[key];
    return until !== undefined && until > 0 && last < until;
  });
}

/** What can be done from a reminder, in the notice and as an action of the desktop notification (Electron). */
export type ReminderAction = 'snooze' | 'close';

/** The desktop notification's actions for a reminder: « Rappeler dans 5 min » (the label is the page's). */
export const REMINDER_ACTIONS: readonly ReminderAction[] = ['snooze'];

/**
 * The reminders' state after an action, for the notice's buttons and the desktop notification's action alike:
 * « Rappeler dans 5 min » puts it off until now + 5 min, « Fermer » closes it for the session. An unknown action
 * (anything the desktop side may send back) changes nothing.
 */
export function applyReminderAction(
  handled: Readonly<Record<string, number>>,
  key: string,
  action: string,
  now: number,
): Record<string, number> {
  if (action === 'snooze') return { ...handled, [key]: snoozeUntil(now) };
  if (action === 'close') return { ...handled, [key]: 0 };
  return { ...handled };
}

/** A meeting invitation as the core announces it (event `mail.invitation`) once its message is downloaded. */
export interface InvitationItem {
  accountId: string;
  folder: string;
  uid: number;
  eventUid: string;
  summary: string;
  /** The message's sender (From), as the reader shows it. */
  sender: string;
}

/**
 * Whether a received calendar part is notified as an invitation: a REQUEST that can be read, that no refusal stops
 * (an event of mine sent by someone who is not its organiser) and whose sender the receiving server did not find
 * forged (failed DKIM/DMARC). Anything else stays an ordinary new message.
 */
export function invitationNotifies(inv: {
  method: string;
  problem: string | null;
  refusal: string | null;
  authWarning: string | null;
}): boolean {
  return inv.method === 'REQUEST' && inv.problem === null && inv.refusal === null && inv.authWarning === null;
}

export interface InvitationGroup {
  /** One per account: a later one replaces it on the desktop. */
  tag: string;
  count: number;
  /** The newest invitation: a click opens its message. */
  newest: InvitationItem;
  lines: InvitationItem[];
}

/**
 * Invitations announced together are grouped per account (three invitations in one sync make one notification), only
 * those of messages that arrived after the first look at their folder (`seenUpTo`: accountId|folder → highest uid
 * already there; a folder not looked at yet announces nothing), each message once (`announced`: accountId|folder|uid).
 */
export function groupInvitations(
  items: readonly InvitationItem[],
  seenUpTo: ReadonlyMap<string, number | null>,
  announced: ReadonlySet<string>,
  maxLines = 3,
): InvitationGroup[] {
  const groups = new Map<string, InvitationItem[]>();
  for (const item of items) {
    const base = seenUpTo.get(folderKey(item.accountId, item.folder));
    if (base === undefined || base === null || item.uid <= base) continue;
    if (announced.has(`${folderKey(item.accountId, item.folder)}|${item.uid}`)) continue;
    const list = groups.get(item.accountId) ?? [];
    if (!list.some((i) => i.folder === item.folder && i.uid === item.uid)) list.push(item);
    groups.set(item.accountId, list);
  }
  return [...groups.entries()].map(([accountId, list]) => {
    const sorted = [...list].sort((a, b) => b.uid - a.uid);
    return { tag: `ostal-invitation-${accountId}`, count: sorted.length, newest: sorted[0], lines: sorted.slice(0, maxLines) };
  });
}

/** A mention of the agent in a workspace (core event `workspaces.mention`). */
export interface MentionItem {
  workspaceId: string;
  workspaceName: string;
  messageId: string;
  from: string;
  text: string;
}

export interface MentionGroup {
  workspaceId: string;
  workspaceName: string;
  /** One per workspace: a later one replaces it on the desktop. */
  tag: string;
  count: number;
  newest: MentionItem;
}

/** Mentions that arrive together are grouped per workspace, each message once. */
export function groupMentions(items: readonly MentionItem[]): MentionGroup[] {
  const groups = new Map<string, MentionItem[]>();
  for (const item of items) {
    const list = groups.get(item.workspaceId) ?? [];
    if (!list.some((m) => m.messageId === item.messageId)) list.push(item);
    groups.set(item.workspaceId, list);
  }
  return [...groups.values()].map((list) => {
    const newest = list[list.length - 1];
    return {
      workspaceId: newest.workspaceId,
      workspaceName: newest.workspaceName,
      tag: `ostal-mention-${newest.workspaceId}`,
      count: list.length,
      newest,
    };
  });
}

/** At most this many characters of a message in a notification's body. */
export const NOTIFICATION_TEXT_MAX = 160;

export function shortText(text: string, max = NOTIFICATION_TEXT_MAX): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`;
}
