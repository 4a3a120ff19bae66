/**
 * The Agenda's services: occurrences for the grid, event writes (local at once, sent to CalDAV through the journal,
 * invitations through the Boîte d'envoi), answers to invitations, and answers received as organiser.
 */
import type {
  CalendarEventInput,
  CalendarEventSummary,
  CalendarOccurrence,
  MessageInvitation,
  Params,
  Result,
} from '../shared/contract.js';
import { OstalError } from '../errors.js';
import { readSetting } from '../store/settings-repository.js';
import { meetingLink, newRoomId } from '../shared/meet-protocol.js';
import type { CoreContext } from '../context.js';
import { t } from '../i18n/index.js';
import { getAccountRow } from '../accounts/account-rows.js';
import { AccountRepository } from '../store/account-repository.js';
import { enqueueDelete, enqueuePut, newResourceHref, newRevision, pendingHrefs } from './dav-writes.js';
import {
  attendeeNames,
  createEventObject,
  deleteOccurrence,
  EventInputError,
  eventDetails,
  type EventWriter,
  splitSeries,
  truncateSeries,
  updateOccurrence,
  updateSeries,
} from './event-model.js';
import { expandCalendarObject, MAX_SLOTS_PER_VIEW, windowBound, type Occurrence } from './icalendar.js';
import { dayKeyAt } from '../shared/time.js';
import { invitationNotifies } from '../shared/notification-rules.js';
import {
  applyReplyText,
  cancelTarget,
  checkReply,
  invitationOf,
  storedOrganizer,
  mergeOccurrences,
  replySubject,
  replyText,
  sendInvitations,
  type ReplyAnswer,
} from './imip.js';
import { ImipAnswers } from './imip-answers.js';
import type { OutboxSender } from '../mail/outbox.js';
import { CALENDAR_TYPES, invitationMessage, type InvitationMessage, type InvitationReader } from '../mail/message-reader.js';
import { parseMessage } from '../mail/mime.js';
import { MailRepository } from '../mail/repository.js';
import { DavRepository, type DavKind } from './repository.js';

/** Occurrences of every stored event overlapping [from, to), sorted by start. Reads the store only. */
export function listOccurrences(ctx: Pick<CoreContext, 'db' | 'log'>, from: string, to: string): CalendarEventSummary[] {
  return listDetailedOccurrences(ctx, from, to).map((o) => ({
    uid: o.uid,
    recurrenceId: o.recurrenceId,
    start: o.start,
    end: o.end,
    allDay: o.allDay,
    summary: o.summary,
    calendar: o.calendar,
    readOnly: o.readOnly,
  }));
}

/** An all-day item on the window's first day standing for an event none of whose occurrences could be reached. */
function standIn(obj: { uid: string; title: string }, fromMs: number): Occurrence {
  const day = dayKeyAt(fromMs);
  const next = dayKeyAt(fromMs + 36 * 3_600_000);
  const { uid, title: summary } = obj;
  return {
    uid,
    recurrenceId: null,
    start: day,
    end: next,
    allDay: true,
    summary,
    location: '',
    meetingUrl: null,
    recurring: true,
    reminderMinutes: null,
    organizer: null,
    startMs: fromMs,
  };
}

/** Occurrences with what the Agenda grid needs (where the event lives, place, meeting link, waiting write). */
export function listDetailedOccurrences(ctx: Pick<CoreContext, 'db' | 'log'>, from: string, to: string): CalendarOccurrence[] {
  let fromMs: number;
  let toMs: number;
  try {
    fromMs = windowBound(from);
    toMs = windowBound(to);
  } catch {
    throw new OstalError('invalid_input', t('dav.errors.invalidWindow'));
  }
  if (toMs <= fromMs) throw new OstalError('invalid_input', t('dav.errors.invalidWindow'));
  const out: (CalendarOccurrence & { startMs: number })[] = [];
  const waiting = new Map<string, Set<string>>();
  const viewSlots = { left: MAX_SLOTS_PER_VIEW };
  const emails = new Map(new AccountRepository(ctx.db).list().map((a) => [a.id, a.email.toLowerCase()]));
  for (const obj of new DavRepository(ctx.db).objectsOfKind('calendar')) {
    if (!waiting.has(obj.accountId)) waiting.set(obj.accountId, pendingHrefs(ctx, obj.accountId, 'calendar'));
    const pending = waiting.get(obj.accountId)!.has(obj.href);
    try {
      const report = { truncated: false, viewSlots };
      const occurrences = expandCalendarObject(obj.raw, fromMs, toMs, report);
      if (report.truncated) {
        ctx.log.warn('calendar object expanded in part only: it repeats too often', { href: obj.href, listed: occurrences.length });
        if (!occurrences.length) occurrences.push(standIn(obj, fromMs));
      }
      const me = emails.get(obj.accountId) ?? null;
      for (const o of occurrences) {
        out.push({
          uid: o.uid,
          recurrenceId: o.recurrenceId,
          start: o.start,
          end: o.end,
          allDay: o.allDay,
          summary: o.summary,
          calendar: obj.collectionName,
          accountId: obj.accountId,
          calendarHref: obj.collectionHref,
          color: obj.color,
          location: o.location,
          meetingUrl: o.meetingUrl,
          recurring: o.recurring,
          reminderMinutes: o.reminderMinutes,
          invitation: !!o.organizer && o.organizer !== me,
          readOnly: obj.collectionReadOnly,
          pending,
          startMs: o.startMs,
          ...(report.truncated ? { truncated: true } : {}),
        });
      }
    } catch (err) {
      ctx.log.warn('calendar object skipped: cannot expand', { href: obj.href, err: err as Error });
    }
  }
  out.sort((a, b) => a.startMs - b.startMs || a.summary.localeCompare(b.summary, 'fr'));
  return out.map(({ startMs: _startMs, ...rest }) => rest);
}

/**
 * Send the account's waiting writes now (a calendar or contacts sync of that account, whose first step is the
 * replay). Offline, the sync fails quietly and the writes wait for the next one. Coalesced per account.
 */
export function requestDavReplay(ctx: Pick<CoreContext, 'sync'>, accountId: string, kind: DavKind): void {
  ctx.sync.requestReplay(accountId, kind === 'calendar' ? 'calendar' : 'contacts');
}

/** The account writing the event (ORGANIZER, with its name) and the address book's names of the participants (CN). */
function writerOf(ctx: CoreContext, accountId: string): EventWriter {
  const account = getAccountRow(ctx, accountId);
  return {
    organizer: account?.email ?? null,
    organizerName: account?.name ?? null,
    names: attendeeNames(new DavRepository(ctx.db).objectsOfKind('addressbook')),
  };
}

/** An event the model refuses: a French message for the agent (naming a wrong participant's entry), the reason in the log. */
function inputError(ctx: Pick<CoreContext, 'log'>, err: unknown): never {
  if (!(err instanceof EventInputError)) throw err;
  ctx.log.warn('calendar: event refused', { err });
  if (err.attendee !== undefined)
    throw new OstalError('invalid_input', t('dav.writes.invalidAttendee', { value: err.attendee }), { cause: err });
  throw new OstalError('invalid_input', t('dav.writes.invalidEvent'), { cause: err });
}

/** An event needs a title (the rest of the fields is checked by the API schema, then by the event model). */
function checkInput(event: CalendarEventInput): CalendarEventInput {
  if (!event.summary.trim()) throw new OstalError('invalid_input', t('dav.writes.titleRequired'));
  return event;
}

function findEvent(ctx: CoreContext, uid: string) {
  const obj = new DavRepository(ctx.db).objectByUid('calendar', uid);
  if (!obj) throw new OstalError('not_found', t('dav.writes.eventNotFound'));
  return obj;
}

/**
 * A calendar shared to the agent in read-only (migration 020) receives no write: refused here with a French message,
 * before anything is written in the store or queued in the journal (the server would refuse it anyway).
 */
function refuseReadOnly(ctx: Pick<CoreContext, 'log'>, calendar: { readOnly: boolean; name: string }): void {
  if (!calendar.readOnly) return;
  ctx.log.info('calendar: write refused, read-only calendar');
  throw new OstalError('forbidden', t('dav.writes.readOnly', { calendar: calendar.name }));
}

/** The event, which the agent may change (its calendar is not read-only). */
function findWritableEvent(ctx: CoreContext, uid: string) {
  const obj = findEvent(ctx, uid);
  refuseReadOnly(ctx, { readOnly: obj.collectionReadOnly, name: obj.collectionName });
  return obj;
}

/**
 * A received METHOD:REPLY written in the organiser's stored event (the participant's PARTSTAT), sent to the
 * server through the journal — only when checkReply accepts it (the participant is the sender and one of the
 * event's participants, a known PARTSTAT, no DTSTAMP in the future) and only the answers later than the one held
 * (Ostal's own record, imip_answers). Idempotent: an answer already held changes nothing. Only that account's events.
 */
export function applyReply(ctx: CoreContext, ics: string, accountId: string, message: InvitationMessage): { updated: boolean } {
  const uid = /^UID:(.+)$/im.exec(ics.replace(/\r?\n[ \t]/g, ''))?.[1]?.trim();
  const obj = uid ? new DavRepository(ctx.db).objectByUid('calendar', uid) : null;
  if (!obj || obj.accountId !== accountId) return { updated: false };
  if (obj.collectionReadOnly) {
    // The event sits in a calendar shared to me in read-only: its organiser's own client records the answers.
    ctx.log.info('imip: reply not applied, read-only calendar', { account: accountId });
    return { updated: false };
  }
  const answers = new ImipAnswers(ctx.db);
  const key = (a: ReplyAnswer) => ({ accountId, uid: obj.uid, recurrenceId: a.recurrenceId, attendee: a.attendee });
  let applied: ReturnType<typeof applyReplyText>;
  try {
    const check = checkReply(ics, obj.raw, message.sender, Date.now());
    if ('refused' in check) {
      ctx.log.warn('imip: reply refused', { account: accountId, reason: check.refused });
      return { updated: false };
    }
    applied = applyReplyText(obj.raw, check.answers, (a) => answers.held(key(a)));
  } catch (err) {
    throw new OstalError('invalid_input', t('dav.imip.unreadable'), { cause: err });
  }
  if (!applied) return { updated: false };
  ctx.db.transaction(() => {
    for (const a of applied.later) answers.record(key(a), { sequence: a.sequence, dtstamp: a.dtstamp, partstat: a.status });
    if (!applied.changed) return;
    const rev = newRevision();
    const raw = applied.raw.replace(/^X-OSTAL-REV:.*$/gim, `X-OSTAL-REV:${rev}`);
    enqueuePut(ctx, 'calendar', obj.accountId, { collectionHref: obj.collectionHref, href: obj.href, uid: obj.uid, raw, rev });
  })();
  if (!applied.changed) return { updated: false };
  requestDavReplay(ctx, obj.accountId, 'calendar');
  ctx.log.info('imip: reply applied', { account: obj.accountId, statuses: applied.later.map((a) => a.status) });
  return { updated: true };
}

export function eventWithPlace(ctx: CoreContext, params: Params<'calendar.event'>): Result<'calendar.event'> {
  const obj = findEvent(ctx, params.uid);
  try {
    const details = eventDetails(obj.raw, params.recurrenceId ?? null);
    return {
      ...details,
      accountId: obj.accountId,
      calendarHref: obj.collectionHref,
      calendar: obj.collectionName,
      pending: pendingHrefs(ctx, obj.accountId, 'calendar').has(obj.href),
      readOnly: obj.collectionReadOnly,
    };
  } catch (err) {
    return inputError(ctx, err);
  }
}

export async function createEvent(
  ctx: CoreContext,
  outbox: OutboxSender,
  params: Params<'calendar.createEvent'>,
): Promise<Result<'calendar.createEvent'>> {
  const input = checkInput(params.event);
  const calendars = new DavRepository(ctx.db).allCollections('calendar');
  // Without a calendar named, the first one the agent may write in.
  const target = params.calendarHref
    ? calendars.find((c) => c.href === params.calendarHref && (!params.accountId || c.accountId === params.accountId))
    : calendars.find((c) => !c.readOnly && (!params.accountId || c.accountId === params.accountId));
  if (!target) throw new OstalError('not_found', t('dav.writes.noCalendar'));
  refuseReadOnly(ctx, { readOnly: target.readOnly, name: target.displayName });
  const rev = newRevision();
  let created: { uid: string; raw: string };
  try {
    created = createEventObject(input, { ...writerOf(ctx, target.accountId), rev });
  } catch (err) {
    return inputError(ctx, err);
  }
  const href = newResourceHref(target.href, created.uid, 'calendar');
  enqueuePut(ctx, 'calendar', target.accountId, { collectionHref: target.href, href, uid: created.uid, raw: created.raw, rev });
  requestDavReplay(ctx, target.accountId, 'calendar');
  await sendInvitations(ctx, outbox, target.accountId, created.raw, 'REQUEST');
  return { uid: created.uid };
}

export async function updateEvent(
  ctx: CoreContext,
  outbox: OutboxSender,
  params: Params<'calendar.updateEvent'>,
): Promise<Result<'calendar.updateEvent'>> {
  const obj = findWritableEvent(ctx, params.uid);
  const input = checkInput(params.event);
  // The schema requires a recurrence id unless the whole series is meant.
  const { scope } = params;
  const recurrenceId = params.recurrenceId ?? null;
  const rev = newRevision();
  let raw: string;
  try {
    const options = { ...writerOf(ctx, obj.accountId), rev };
    if (scope === 'following' && recurrenceId) {
      // « Cet événement et les suivants »: the series ends before it (If-Match), a new one starts there (If-None-Match).
      const newRev = newRevision();
      const split = splitSeries(obj.raw, recurrenceId, input, { ...options, newRev });
      if (split.kind === 'split') {
        enqueuePut(ctx, 'calendar', obj.accountId, {
          collectionHref: obj.collectionHref,
          href: obj.href,
          uid: obj.uid,
          raw: split.truncated,
          rev,
        });
        const created = split.created;
        enqueuePut(ctx, 'calendar', obj.accountId, {
          collectionHref: obj.collectionHref,
          href: newResourceHref(obj.collectionHref, created.uid, 'calendar'),
          uid: created.uid,
          raw: created.raw,
          rev: newRev,
        });
        requestDavReplay(ctx, obj.accountId, 'calendar');
        await sendInvitations(ctx, outbox, obj.accountId, split.truncated, 'REQUEST');
        await sendInvitations(ctx, outbox, obj.accountId, created.raw, 'REQUEST');
        return { uid: created.uid };
      }
      raw = split.raw;
    } else
      raw =
        scope === 'occurrence' && recurrenceId
          ? updateOccurrence(obj.raw, recurrenceId, input, options)
          : updateSeries(obj.raw, input, { ...options, fromOccurrence: recurrenceId });
  } catch (err) {
    return inputError(ctx, err);
  }
  enqueuePut(ctx, 'calendar', obj.accountId, { collectionHref: obj.collectionHref, href: obj.href, uid: obj.uid, raw, rev });
  requestDavReplay(ctx, obj.accountId, 'calendar');
  await sendInvitations(ctx, outbox, obj.accountId, raw, 'REQUEST');
  return { uid: obj.uid };
}

export async function deleteEvent(
  ctx: CoreContext,
  outbox: OutboxSender,
  params: Params<'calendar.deleteEvent'>,
): Promise<Result<'calendar.deleteEvent'>> {
  const obj = findWritableEvent(ctx, params.uid);
  const { scope } = params;
  const recurrenceId = params.recurrenceId ?? null;
  let truncated: string | null = null;
  const rev = newRevision();
  if (scope === 'following' && recurrenceId) {
    try {
      truncated = truncateSeries(obj.raw, recurrenceId, { rev });
    } catch (err) {
      return inputError(ctx, err);
    }
  }
  if (truncated) {
    enqueuePut(ctx, 'calendar', obj.accountId, { collectionHref: obj.collectionHref, href: obj.href, uid: obj.uid, raw: truncated, rev });
    await sendInvitations(ctx, outbox, obj.accountId, truncated, 'REQUEST');
  } else if (scope === 'occurrence' && recurrenceId) {
    let raw: string;
    try {
      raw = deleteOccurrence(obj.raw, recurrenceId, { rev });
    } catch (err) {
      return inputError(ctx, err);
    }
    enqueuePut(ctx, 'calendar', obj.accountId, { collectionHref: obj.collectionHref, href: obj.href, uid: obj.uid, raw, rev });
    await sendInvitations(ctx, outbox, obj.accountId, raw, 'REQUEST');
  } else {
    enqueueDelete(ctx, 'calendar', obj.accountId, { collectionHref: obj.collectionHref, href: obj.href, uid: obj.uid });
    await sendInvitations(ctx, outbox, obj.accountId, obj.raw, 'CANCEL');
  }
  requestDavReplay(ctx, obj.accountId, 'calendar');
  return { deleted: true };
}

export function newMeetingLink(ctx: CoreContext): Result<'calendar.newMeetingLink'> {
  const server = String(readSetting(ctx, 'visio.serverUrl') ?? '');
  const url = server ? meetingLink(server, newRoomId()) : null;
  if (!url) throw new OstalError('invalid_input', t('dav.writes.noVisioServer'));
  return { url };
}

export async function respondToInvitation(
  ctx: CoreContext,
  outbox: OutboxSender,
  params: Params<'calendar.respondToInvitation'>,
): Promise<Result<'calendar.respondToInvitation'>> {
  const account = getAccountRow(ctx, params.accountId);
  if (!account) throw new OstalError('not_found', t('errors.accountNotFound'));
  let answer: ReturnType<typeof replyText>;
  try {
    answer = replyText(params.ics, account.email, params.response);
  } catch (err) {
    ctx.log.warn('imip: invitation unreadable', { err: err as Error });
    throw new OstalError('invalid_input', t('dav.imip.unreadable'), { cause: err });
  }
  const repo = new DavRepository(ctx.db);
  const existing = repo.objectByUid('calendar', answer.uid);
  // The answer is written in the event where it is stored (a PUT to its calendar): in a calendar shared to me in
  // read-only, the server would refuse it, so nothing is stored nor sent (RFC 6638 leaves such answers to the
  // calendar's owner). A new invitation goes to the first calendar I may write in.
  if (existing) refuseReadOnly(ctx, { readOnly: existing.collectionReadOnly, name: existing.collectionName });
  checkFromOrganizer(ctx, account.id, existing, answer.organizer, params.messageId ?? null);
  const target = existing ?? repo.allCollections('calendar').find((c) => c.accountId === account.id && !c.readOnly);
  if (existing && answer.occurrenceOnly) {
    // One date of a series I have: that occurrence changes (declined ones stay, marked so), the series stays.
    const rev = newRevision();
    const raw = mergeOccurrences(existing.raw, answer.answered)
      .replace(/^X-OSTAL-REV:.*\r?\n/gim, '')
      .replace(/END:VEVENT/g, `X-OSTAL-REV:${rev}\r\nEND:VEVENT`);
    enqueuePut(ctx, 'calendar', account.id, { collectionHref: existing.collectionHref, href: existing.href, uid: existing.uid, raw, rev });
  } else if (answer.stored && target) {
    const collectionHref = existing ? existing.collectionHref : (target as { href: string }).href;
    const href = existing ? existing.href : newResourceHref(collectionHref, answer.uid, 'calendar');
    const rev = newRevision();
    const raw = answer.stored.replace(/END:VEVENT/g, `X-OSTAL-REV:${rev}\r\nEND:VEVENT`);
    enqueuePut(ctx, 'calendar', account.id, { collectionHref, href, uid: answer.uid, raw, rev });
  } else if (!answer.stored && existing) {
    enqueueDelete(ctx, 'calendar', account.id, { collectionHref: existing.collectionHref, href: existing.href, uid: existing.uid });
  }
  requestDavReplay(ctx, account.id, 'calendar');
  const subject = replySubject(params.response, answer.summary);
  const messageId = params.messageId || null;
  await outbox.queue({
    accountId: account.id,
    to: [answer.organizer],
    subject,
    text: subject,
    inReplyTo: messageId,
    references: messageId ? [messageId] : [],
    attachments: [
      {
        filename: 'reponse.ics',
        contentType: 'text/calendar; charset=utf-8; method=REPLY',
        contentBase64: Buffer.from(answer.reply, 'utf8').toString('base64'),
      },
    ],
  });
  return { uid: answer.uid };
}

/**
 * An invitation or a cancellation about an event I already have is honoured only from that event's organiser: the
 * part's ORGANIZER is the stored one, and the message that carried it (found by its Message-ID among the account's
 * stored messages) was sent by that address. An event I organise is never changed by someone's invitation. Throws the
 * French refusal the card also shows.
 */
function checkFromOrganizer(
  ctx: CoreContext,
  accountId: string,
  existing: { raw: string } | null,
  organizer: string,
  messageId: string | null,
): void {
  if (!existing) return;
  const owner = storedOrganizer(existing.raw);
  const me = (getAccountRow(ctx, accountId)?.email ?? '').toLowerCase();
  const sender = messageId ? (new MailRepository(ctx.db).senderOf(accountId, messageId)?.toLowerCase() ?? null) : null;
  if (owner && owner === me) throw new OstalError('invalid_input', t('dav.imip.refused.mine'));
  if (!owner || owner !== organizer.toLowerCase() || sender !== owner) {
    ctx.log.warn('imip: refused, not from the organiser of the stored event', { account: accountId });
    throw new OstalError('invalid_input', t('dav.imip.refused.notOrganizer', { sender: sender ?? '?' }));
  }
}

/**
 * « Retirer de mon agenda » on a received cancellation: the event (or that occurrence) leaves my agenda, written
 * through the journal. Honoured only from the event's organiser (see checkFromOrganizer); it never sends anything,
 * not even when I am the organiser (that case is refused).
 */
export function removeCancelled(ctx: CoreContext, params: Params<'calendar.removeCancelled'>): Result<'calendar.removeCancelled'> {
  const account = getAccountRow(ctx, params.accountId);
  if (!account) throw new OstalError('not_found', t('errors.accountNotFound'));
  let target: ReturnType<typeof cancelTarget>;
  try {
    target = cancelTarget(params.ics);
  } catch (err) {
    throw new OstalError('invalid_input', t('dav.imip.unreadable'), { cause: err });
  }
  const obj = new DavRepository(ctx.db).objectByUid('calendar', target.uid);
  if (!obj || obj.accountId !== account.id) return { removed: false };
  checkFromOrganizer(ctx, account.id, obj, target.organizer, params.messageId ?? null);
  refuseReadOnly(ctx, { readOnly: obj.collectionReadOnly, name: obj.collectionName });
  if (target.recurrenceId) {
    const rev = newRevision();
    let raw: string;
    try {
      raw = deleteOccurrence(obj.raw, target.recurrenceId, { rev });
    } catch (err) {
      return inputError(ctx, err);
    }
    enqueuePut(ctx, 'calendar', obj.accountId, { collectionHref: obj.collectionHref, href: obj.href, uid: obj.uid, raw, rev });
  } else {
    enqueueDelete(ctx, 'calendar', obj.accountId, { collectionHref: obj.collectionHref, href: obj.href, uid: obj.uid });
  }
  requestDavReplay(ctx, obj.accountId, 'calendar');
  ctx.log.info('imip: cancelled event removed', { account: account.id, occurrence: !!target.recurrenceId });
  return { removed: true };
}

/**
 * The Agenda's reading of a message's invitation for Courrier. A REPLY received by the organiser is written in the
 * event when the message is read (idempotent: opening it again changes nothing). Never throws.
 */
export function invitationReader(ctx: CoreContext): InvitationReader {
  return {
    read(accountId: string, ics: string, message: InvitationMessage): MessageInvitation | null {
      let invitation = invitationOf(ctx, accountId, ics, message);
      if (
        invitation?.method === 'REPLY' &&
        invitation.reply &&
        !invitation.refusal &&
        !invitation.reply.applied &&
        !invitation.reply.superseded &&
        invitation.inAgenda
      ) {
        try {
          if (applyReply(ctx, ics, accountId, message).updated) invitation = invitationOf(ctx, accountId, ics, message);
        } catch (err) {
          ctx.log.warn('imip: reply not applied', { account: accountId, err: err as Error });
        }
      }
      return invitation;
    },
  };
}

/**
 * A meeting invitation downloaded into a Boîte de réception (issue 18): a `mail.invitation` event for the desktop
 * notifications, only for a REQUEST that invitationNotifies accepts (readable, not refused as coming from someone who
 * is not the organiser of an event of mine, sender not found forged by the receiving server). Never throws.
 */
export async function announceInvitationOfSource(
  ctx: CoreContext,
  accountId: string,
  source: Buffer,
  where: { folder: string; uid: number },
): Promise<void> {
  // Cheap test on the raw text first: most messages carry no invitation.
  if (!/method\s*[=:]\s*"?request/i.test(source.toString('latin1'))) return;
  try {
    const parsed = await parseMessage(source);
    const part = parsed.parts.find((p) => CALENDAR_TYPES.has(p.mimeType));
    if (!part) return;
    const invitation = invitationOf(ctx, accountId, new TextDecoder('utf-8').decode(part.content), invitationMessage(parsed));
    if (!invitation || !invitationNotifies(invitation)) return;
    ctx.emit('mail.invitation', {
      accountId,
      folder: where.folder,
      uid: where.uid,
      eventUid: invitation.uid,
      summary: invitation.summary,
      sender: parsed.from ? parsed.from.name || parsed.from.address : '',
    });
  } catch (err) {
    ctx.log.warn('imip: invitation not announced', { account: accountId, err: err as Error });
  }
}

/**
 * A message fetched by the mail sync: when it carries an answer to one of my invitations (text/calendar,
 * method=REPLY), the answer is written in my event at once, without waiting for the message to be opened.
 * Idempotent, never throws (a problem is logged).
 */
export async function applyReplyOfSource(ctx: CoreContext, accountId: string, source: Buffer): Promise<void> {
  // Cheap test on the raw text first: most messages carry no REPLY.
  if (!/method\s*=\s*"?reply/i.test(source.toString('latin1'))) return;
  try {
    const parsed = await parseMessage(source);
    const part = parsed.parts.find((p) => CALENDAR_TYPES.has(p.mimeType));
    if (!part) return;
    const ics = new TextDecoder('utf-8').decode(part.content);
    const message = invitationMessage(parsed);
    const invitation = invitationOf(ctx, accountId, ics, message);
    if (
      invitation?.method !== 'REPLY' ||
      invitation.refusal ||
      !invitation.reply ||
      invitation.reply.applied ||
      invitation.reply.superseded ||
      !invitation.inAgenda
    )
      return;
    applyReply(ctx, ics, accountId, message);
  } catch (err) {
    ctx.log.warn('imip: reply not applied at sync', { account: accountId, err: err as Error });
  }
}
