/**
 * Invitations by mail (iMIP, RFC 6047): when the organiser creates, changes or cancels an event with
 * participants, a METHOD:REQUEST (or CANCEL) copy of it goes to them through the Boîte d'envoi (the
 * account's SMTP, offline-safe), as a text/calendar part with a French text. Reminders and Ostal's
 * revision marker are personal: they are not sent.
 */
import ICAL from 'ical.js';
import type { MessageInvitation } from '../shared/contract.js';
import type { CoreContext } from '../context.js';
import { t } from '../i18n/index.js';
import { getAccountRow } from '../accounts/account-rows.js';
import type { OutboxSender } from '../mail/outbox.js';
import type { InvitationMessage } from '../mail/message-reader.js';
import { eventDetails } from './event-model.js';
import { expandCalendarObject } from './icalendar.js';
import { DavRepository } from './repository.js';
import { ImipAnswers, isLaterAnswer } from './imip-answers.js';
import { formatDayKey, formatWallSentenceTime, formatZoneName, wallClockToInstant } from '../shared/time.js';

/** When, in the organiser's wall clock (the editor's 'YYYY-MM-DDTHH:mm'): « lundi 23 novembre 2026 de 14 h 30 à 15 h ». */
function longWhen(start: string, end: string, allDay: boolean): string {
  if (allDay) return formatDayKey(start);
  return t('dav.imip.when', {
    day: formatDayKey(start),
    start: formatWallSentenceTime(start),
    end: formatWallSentenceTime(end),
    zone: formatZoneName(undefined, wallClockToInstant(start)),
  });
}

/** The iTIP text of a stored calendar resource for `method`. */
export function itipText(raw: string, method: 'REQUEST' | 'CANCEL'): string {
  const vcal = new ICAL.Component(ICAL.parse(raw) as unknown[]);
  vcal.updatePropertyWithValue('method', method);
  for (const v of vcal.getAllSubcomponents('vevent')) {
    v.removeAllProperties('x-ostal-rev');
    for (const alarm of v.getAllSubcomponents('valarm')) v.removeSubcomponent(alarm);
    if (method === 'CANCEL') v.updatePropertyWithValue('status', 'CANCELLED');
  }
  return vcal.toString() + '\r\n';
}

/**
 * Queue the invitation (or cancellation) for the participants of the event in `raw`, when the account is its
 * organiser. Never throws: a problem is logged, the event itself is already saved.
 */
export async function sendInvitations(
  ctx: CoreContext,
  outbox: OutboxSender,
  accountId: string,
  raw: string,
  method: 'REQUEST' | 'CANCEL',
): Promise<number> {
  try {
    const account = getAccountRow(ctx, accountId);
    if (!account) return 0;
    const details = eventDetails(raw, null);
    const me = account.email.toLowerCase();
    if (details.organizer && details.organizer.toLowerCase() !== me) return 0;
    const to = (details.attendees ?? []).filter((a) => a.toLowerCase() !== me);
    if (!to.length) return 0;
    const title = details.summary || t('dav.writes.untitledEvent');
    const lines = [
      t(method === 'REQUEST' ? 'dav.imip.requestText' : 'dav.imip.cancelText', {
        name: account.name || account.email,
        title,
        when: longWhen(details.start, details.end, details.allDay),
      }),
      details.location ? t('dav.imip.location', { location: details.location }) : '',
      details.meetingUrl ? t('dav.imip.visio', { url: details.meetingUrl }) : '',
      details.description ?? '',
    ].filter(Boolean);
    await outbox.queue({
      accountId,
      to,
      subject: t(method === 'REQUEST' ? 'dav.imip.requestSubject' : 'dav.imip.cancelSubject', { title }),
      text: lines.join('\n\n'),
      attachments: [
        {
          filename: method === 'REQUEST' ? 'invitation.ics' : 'annulation.ics',
          contentType: `text/calendar; charset=utf-8; method=${method}`,
          contentBase64: Buffer.from(itipText(raw, method), 'utf8').toString('base64'),
        },
      ],
    });
    ctx.log.info('imip: invitation queued', { account: accountId, method, recipients: to.length });
    return to.length;
  } catch (err) {
    ctx.log.warn('imip: invitation not queued', { account: accountId, method, err: err as Error });
    return 0;
  }
}

export type InvitationResponse = 'ACCEPTED' | 'TENTATIVE' | 'DECLINED';

function parseItip(ics: string): { vcal: ICAL.Component; method: string; vevents: ICAL.Component[] } {
  const vcal = new ICAL.Component(ICAL.parse(ics) as unknown[]);
  if (vcal.name !== 'vcalendar') throw new Error('not a VCALENDAR');
  const method = String(vcal.getFirstPropertyValue('method') ?? '').toUpperCase();
  const vevents = vcal.getAllSubcomponents('vevent');
  if (!vevents.length || typeof vevents[0]!.getFirstPropertyValue('uid') !== 'string') throw new Error('no VEVENT with UID');
  return { vcal, method, vevents };
}

const mailtoOf = (p: ICAL.Property) =>
  String(p.getFirstValue())
    .replace(/^mailto:/i, '')
    .toLowerCase();
const sequenceOf = (v: ICAL.Component | undefined) => Number(v?.getFirstPropertyValue('sequence') ?? 0) || 0;

/**
 * « Accepter », « Peut-être », « Refuser » on a received METHOD:REQUEST: the event goes to (or stays in, or
 * leaves) the agenda with my answer, and a METHOD:REPLY goes to the organiser through the Boîte d'envoi.
 * Returns the stored text (null when declined) and the organiser's address.
 */
export function replyText(
  ics: string,
  me: string,
  response: InvitationResponse,
): { stored: string | null; answered: string; occurrenceOnly: boolean; reply: string; organizer: string; uid: string; summary: string } {
  const { vcal, method, vevents } = parseItip(ics);
  if (method && method !== 'REQUEST') throw new Error(`not a REQUEST: ${method}`);
  const master = vevents.find((v) => !v.hasProperty('recurrence-id')) ?? vevents[0]!;
  const organizer = String(master.getFirstPropertyValue('organizer') ?? '').replace(/^mailto:/i, '');
  if (!organizer) throw new Error('no ORGANIZER');
  for (const v of vevents) {
    const mine = v.getAllProperties('attendee').find((p) => mailtoOf(p) === me.toLowerCase());
    if (!mine) throw new Error('not invited');
    mine.setParameter('partstat', response);
    mine.removeParameter('rsvp');
  }
  vcal.removeAllProperties('method');
  const answered = vcal.toString() + '\r\n';
  const stored = response === 'DECLINED' ? null : answered;
  const occurrenceOnly = vevents.every((v) => v.hasProperty('recurrence-id'));
  // The REPLY: each VEVENT with only my ATTENDEE line.
  const reply = new ICAL.Component('vcalendar');
  reply.addPropertyWithValue('prodid', '-//Ostal//Agenda//FR');
  reply.addPropertyWithValue('version', '2.0');
  reply.addPropertyWithValue('method', 'REPLY');
  for (const z of vcal.getAllSubcomponents('vtimezone'))
    reply.addSubcomponent(new ICAL.Component(JSON.parse(JSON.stringify(z.toJSON())) as unknown[]));
  for (const v of vevents) {
    const r = new ICAL.Component('vevent');
    for (const name of ['uid', 'recurrence-id', 'dtstart', 'dtend', 'sequence', 'summary', 'organizer'])
      for (const p of v.getAllProperties(name)) r.addProperty(new ICAL.Property(JSON.parse(JSON.stringify(p.toJSON())) as unknown[]));
    for (const p of v.getAllProperties('attendee'))
      if (mailtoOf(p) === me.toLowerCase()) r.addProperty(new ICAL.Property(JSON.parse(JSON.stringify(p.toJSON())) as unknown[]));
    r.updatePropertyWithValue('dtstamp', ICAL.Time.fromJSDate(new Date(), true));
    reply.addSubcomponent(r);
  }
  return {
    stored,
    answered,
    occurrenceOnly,
    reply: reply.toString() + '\r\n',
    organizer,
    uid: String(master.getFirstPropertyValue('uid')),
    summary: String(master.getFirstPropertyValue('summary') ?? ''),
  };
}

/** PARTSTAT values a participant may answer an event with (RFC 5545 §3.2.12). */
const PARTSTATS = new Set(['NEEDS-ACTION', 'ACCEPTED', 'DECLINED', 'TENTATIVE', 'DELEGATED']);
/** Clock difference allowed between the participant's computer and this one before a DTSTAMP counts as « in the future ». */
export const FUTURE_STAMP_SKEW_MS = 15 * 60_000;

/** Legacy parameter of ATTENDEE lines written by earlier versions (answers are now kept in Ostal's store). */
const LEGACY_RECEIVED_STAMP = 'x-ostal-received-dtstamp';

/** DTSTAMP of an iTIP VEVENT as 'YYYYMMDDTHHMMSSZ' (sorts as time), or ''. */
function stampOf(v: ICAL.Component): string {
  const value = v.getFirstPropertyValue('dtstamp');
  return value instanceof ICAL.Time ? value.convertToZone(ICAL.Timezone.utcTimezone).toICALString() : '';
}

function stampMs(stamp: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(stamp);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : Number.NaN;
}

/** Key of a VEVENT's RECURRENCE-ID ('' for the master). */
function ridKey(v: ICAL.Component): string {
  return String(v.getFirstPropertyValue('recurrence-id') ?? '');
}

/** One participant's answer carried by a REPLY. */
export interface ReplyAnswer {
  attendee: string;
  recurrenceId: string;
  status: string;
  sequence: number;
  dtstamp: string;
}

/** Why a REPLY is not applied: each has a French text under dav.imip.refused. */
export type ReplyRefusal = 'noAttendee' | 'notSender' | 'notAttendee' | 'badStatus' | 'future';

/**
 * The answers of a received METHOD:REPLY, checked before anything is written: the participant who answers is the
 * message's sender and a participant of my stored event, the PARTSTAT is one of RFC 5545's, the DTSTAMP is not in
 * the future. Otherwise the first reason it is refused.
 */
export function checkReply(
  ics: string,
  storedRaw: string,
  sender: string | null,
  now: number,
): { answers: ReplyAnswer[] } | { refused: ReplyRefusal; attendee: string } {
  const { method, vevents } = parseItip(ics);
  if (method !== 'REPLY') throw new Error(`not a REPLY: ${method}`);
  const stored = new ICAL.Component(ICAL.parse(storedRaw) as unknown[]).getAllSubcomponents('vevent');
  const invited = new Set(stored.flatMap((v) => v.getAllProperties('attendee').map(mailtoOf)));
  const from = (sender ?? '').trim().toLowerCase();
  const answers: ReplyAnswer[] = [];
  for (const rv of vevents) {
    const line = rv.getFirstProperty('attendee');
    if (!line) return { refused: 'noAttendee', attendee: '' };
    const attendee = mailtoOf(line);
    if (!from || attendee !== from) return { refused: 'notSender', attendee };
    if (!invited.has(attendee)) return { refused: 'notAttendee', attendee };
    const status = String(line.getParameter('partstat') ?? '').toUpperCase();
    if (!PARTSTATS.has(status)) return { refused: 'badStatus', attendee };
    const dtstamp = stampOf(rv);
    if (dtstamp && !(stampMs(dtstamp) <= now + FUTURE_STAMP_SKEW_MS)) return { refused: 'future', attendee };
    answers.push({ attendee, recurrenceId: ridKey(rv), status, sequence: sequenceOf(rv), dtstamp });
  }
  return { answers };
}

/**
 * Checked answers written into the organiser's stored event (the participants' PARTSTAT), the ones that are later
 * than the answer already held (`held`: SEQUENCE, then DTSTAMP). Returns the new text and the answers that are
 * later (to be recorded, even when the PARTSTAT was already that one); null when nothing is later.
 */
export function applyReplyText(
  storedRaw: string,
  answers: ReplyAnswer[],
  held: (answer: ReplyAnswer) => { sequence: number; dtstamp: string } | null,
): { raw: string; later: ReplyAnswer[]; changed: boolean } | null {
  const vcal = new ICAL.Component(ICAL.parse(storedRaw) as unknown[]);
  const later: ReplyAnswer[] = [];
  let changed = false;
  for (const answer of answers) {
    if (!isLaterAnswer(answer, held(answer))) continue;
    later.push(answer);
    for (const v of vcal.getAllSubcomponents('vevent')) {
      if (ridKey(v) !== answer.recurrenceId) continue;
      const line = v.getAllProperties('attendee').find((p) => mailtoOf(p) === answer.attendee);
      if (!line) continue;
      if (line.getParameter(LEGACY_RECEIVED_STAMP) !== undefined) {
        line.removeParameter(LEGACY_RECEIVED_STAMP);
        changed = true;
      }
      if (String(line.getParameter('partstat') ?? '').toUpperCase() === answer.status) continue;
      line.setParameter('partstat', answer.status);
      changed = true;
    }
  }
  return later.length ? { raw: vcal.toString() + '\r\n', later, changed } : null;
}

/**
 * An invitation about single occurrences (VEVENTs with RECURRENCE-ID only, as other clients send when one date
 * changes) merged into the stored series: those occurrences replaced or added, the rest of the series kept.
 */
export function mergeOccurrences(storedRaw: string, occurrences: string): string {
  const vcal = new ICAL.Component(ICAL.parse(storedRaw) as unknown[]);
  const incoming = new ICAL.Component(ICAL.parse(occurrences) as unknown[]);
  const key = (v: ICAL.Component) => {
    const rid = v.getFirstPropertyValue('recurrence-id');
    return rid instanceof ICAL.Time ? (rid.isDate ? rid.toString().slice(0, 10) : String(rid.toJSDate().getTime())) : '';
  };
  const zones = new Set(vcal.getAllSubcomponents('vtimezone').map((z) => String(z.getFirstPropertyValue('tzid'))));
  for (const z of incoming.getAllSubcomponents('vtimezone')) {
    if (zones.has(String(z.getFirstPropertyValue('tzid')))) continue;
    vcal.addSubcomponent(new ICAL.Component(JSON.parse(JSON.stringify(z.toJSON())) as unknown[]));
  }
  for (const v of incoming.getAllSubcomponents('vevent')) {
    const k = key(v);
    for (const old of vcal.getAllSubcomponents('vevent'))
      if (old.hasProperty('recurrence-id') && key(old) === k) vcal.removeSubcomponent(old);
    vcal.addSubcomponent(new ICAL.Component(JSON.parse(JSON.stringify(v.toJSON())) as unknown[]));
  }
  return vcal.toString() + '\r\n';
}

/** The three subjects of a REPLY, by answer (the same text `calendar.respondToInvitation` gives it). */
export function replySubject(response: InvitationResponse, summary: string): string {
  const title = summary || t('dav.writes.untitledEvent');
  const key =
    response === 'ACCEPTED'
      ? 'dav.imip.acceptedSubject'
      : response === 'TENTATIVE'
        ? 'dav.imip.tentativeSubject'
        : 'dav.imip.declinedSubject';
  return t(key, { title });
}

const ANSWERS: readonly InvitationResponse[] = ['ACCEPTED', 'TENTATIVE', 'DECLINED'];

/** My last answer to the invitation `messageId`, from the REPLY I queued in the Boîte d'envoi (sent ones stay listed). */
function answerSent(ctx: CoreContext, accountId: string, messageId: string | null, summary: string): InvitationResponse | null {
  if (!messageId) return null;
  const rows = ctx.db
    .prepare(
      `SELECT subject FROM outbox WHERE account_id = ? AND json_extract(draft_json, '$.inReplyTo') = ? ORDER BY created_at DESC, rowid DESC`,
    )
    .all(accountId, messageId) as { subject: string }[];
  for (const row of rows) {
    const found = ANSWERS.find((a) => replySubject(a, summary) === row.subject);
    if (found) return found;
  }
  return null;
}

/** Event fields of an iTIP text; a REPLY may carry no DTSTART (it then only needs its UID and attendee). */
function safeDetails(ics: string, itip: ReturnType<typeof parseItip>): ReturnType<typeof eventDetails> {
  try {
    return eventDetails(ics, null);
  } catch (err) {
    if (itip.method !== 'REPLY') throw err;
    const v = itip.vevents[0]!;
    return {
      uid: String(v.getFirstPropertyValue('uid')),
      recurrenceId: null,
      summary: String(v.getFirstPropertyValue('summary') ?? ''),
      start: '',
      end: '',
      allDay: false,
      location: '',
      description: '',
      attendees: [],
      attendeeStatus: [],
      organizer: null,
      rrule: null,
      reminderMinutes: null,
      meetingUrl: null,
    };
  }
}

/** What a METHOD:CANCEL removes: the event (or one occurrence of it), and who sent it as organiser. */
export function cancelTarget(ics: string): { uid: string; organizer: string; recurrenceId: string | null } {
  const { method, vevents } = parseItip(ics);
  if (method !== 'CANCEL') throw new Error(`not a CANCEL: ${method}`);
  const master = vevents.find((v) => !v.hasProperty('recurrence-id')) ?? vevents[0]!;
  const organizer = master.getFirstProperty('organizer');
  eventDetails(ics, null); // registers the time zones of the text, so that a TZID resolves below
  return {
    uid: String(master.getFirstPropertyValue('uid')),
    organizer: organizer ? mailtoOf(organizer) : '',
    recurrenceId: occurrenceOf(ics),
  };
}

/** The organiser of a stored calendar text (lower-case address), or '' for an event nobody organises (mine alone). */
export function storedOrganizer(raw: string): string {
  const vevents = new ICAL.Component(ICAL.parse(raw) as unknown[]).getAllSubcomponents('vevent');
  const master = vevents.find((v) => !v.hasProperty('recurrence-id')) ?? vevents[0];
  const organizer = master?.getFirstProperty('organizer');
  return organizer ? mailtoOf(organizer) : '';
}

/** RECURRENCE-ID of an iTIP text whose VEVENTs are all single occurrences, as calendar.list gives it ('YYYY-MM-DD' or ISO instant). */
function occurrenceOf(ics: string): string | null {
  // Parsed again now that eventDetails registered its time zones, so that a TZID resolves.
  const vevents = new ICAL.Component(ICAL.parse(ics) as unknown[]).getAllSubcomponents('vevent');
  if (!vevents.length || !vevents.every((v) => v.hasProperty('recurrence-id'))) return null;
  const rid = vevents[0]!.getFirstPropertyValue('recurrence-id');
  if (!(rid instanceof ICAL.Time)) return null;
  return rid.isDate ? rid.toString().slice(0, 10) : rid.toJSDate().toISOString();
}

/** The stored event still has that occurrence (not cancelled nor deleted). */
function hasOccurrence(ctx: CoreContext, raw: string, recurrenceId: string): boolean {
  const ms = Date.parse(recurrenceId.length === 10 ? `${recurrenceId}T00:00:00Z` : recurrenceId);
  if (Number.isNaN(ms)) return true;
  try {
    return expandCalendarObject(raw, ms - 2 * 86_400_000, ms + 2 * 86_400_000).some((o) => o.recurrenceId === recurrenceId);
  } catch (err) {
    ctx.log.warn('imip: stored event cannot be expanded', { err: err as Error });
    return true;
  }
}

/**
 * What the Courrier reader shows of a text/calendar part: the event, and where it stands in my agenda (my
 * answer read from the stored event, or from the REPLY I sent when I declined). Null for methods other than
 * REQUEST, CANCEL and REPLY. An unreadable part gives a French `problem` and a log line; never throws.
 */
export function invitationOf(ctx: CoreContext, accountId: string, ics: string, message: InvitationMessage): MessageInvitation | null {
  const messageId = message.messageId;
  const empty = {
    ics,
    uid: '',
    recurrenceId: null,
    summary: '',
    start: '',
    end: '',
    allDay: false,
    location: '',
    meetingUrl: null,
    organizer: null,
    myAnswer: null,
    inAgenda: false,
    reply: null,
    refusal: null,
    authWarning: null,
  };
  let itip: ReturnType<typeof parseItip>;
  let details: ReturnType<typeof eventDetails>;
  try {
    itip = parseItip(ics);
    details = safeDetails(ics, itip);
  } catch (err) {
    const declared = /^METHOD:\s*(REQUEST|CANCEL|REPLY)\s*$/im.exec(ics)?.[1]?.toUpperCase() as MessageInvitation['method'] | undefined;
    ctx.log.warn('imip: calendar part unreadable', { account: accountId, err: err as Error });
    return { ...empty, method: declared ?? 'REQUEST', problem: t('dav.imip.unreadablePart') };
  }
  const method = itip.method;
  if (method !== 'REQUEST' && method !== 'CANCEL' && method !== 'REPLY') return null;
  const master = itip.vevents.find((v) => !v.hasProperty('recurrence-id')) ?? itip.vevents[0]!;
  const organizerProp = master.getFirstProperty('organizer');
  const organizer = organizerProp ? { address: mailtoOf(organizerProp), name: String(organizerProp.getParameter('cn') ?? '') } : null;
  const account = getAccountRow(ctx, accountId);
  const me = (account?.email ?? '').toLowerCase();
  // My own copies (Envoyés): the invitation I sent as organiser, the answer I sent as participant. Nothing to answer or apply.
  if (method !== 'REPLY' && organizer?.address === me) return null;
  if (method === 'REPLY') {
    const answer = master.getFirstProperty('attendee');
    if ((answer && mailtoOf(answer) === me) || (organizer && organizer.address !== me)) return null;
  }
  const stored = new DavRepository(ctx.db).objectByUid('calendar', details.uid);
  const mine = stored && stored.accountId === accountId ? stored : null;
  const recurrenceId = occurrenceOf(ics);
  const view: MessageInvitation = {
    ...empty,
    method,
    problem: null,
    uid: details.uid,
    summary: details.summary,
    start: details.start,
    end: details.end,
    allDay: details.allDay,
    location: details.location ?? '',
    meetingUrl: details.meetingUrl ?? null,
    organizer,
    recurrenceId,
    inAgenda: mine !== null && (!recurrenceId || hasOccurrence(ctx, mine.raw, recurrenceId)),
  };
  let storedVcal: ICAL.Component | null = null;
  if (mine) {
    try {
      storedVcal = new ICAL.Component(ICAL.parse(mine.raw) as unknown[]);
    } catch (err) {
      ctx.log.warn('imip: stored event unreadable', { account: accountId, err: err as Error });
    }
  }
  const storedMaster = storedVcal?.getAllSubcomponents('vevent').find((v) => !v.hasProperty('recurrence-id'));
  const sender = (message.sender ?? '').trim().toLowerCase();
  if (message.authentication === 'failed') view.authWarning = t('dav.imip.authFailed', { sender: sender || '?' });
  if (mine && method !== 'REPLY') {
    // A REQUEST or CANCEL about an event I have is honoured only from its organiser, sent by the organiser.
    const storedOrganizer = storedMaster?.getFirstProperty('organizer');
    const owner = storedOrganizer ? mailtoOf(storedOrganizer) : '';
    if (!owner || owner !== organizer?.address || sender !== owner) {
      view.refusal = t('dav.imip.refused.notOrganizer', { sender: sender || '?' });
      ctx.log.warn('imip: request or cancel for a stored event not from its organiser', { account: accountId, method });
    }
  }
  if (method === 'REQUEST') {
    if (storedMaster && sequenceOf(storedMaster) >= sequenceOf(master)) {
      const line = storedMaster.getAllProperties('attendee').find((p) => mailtoOf(p) === me);
      const status = String(line?.getParameter('partstat') ?? '').toUpperCase() as InvitationResponse;
      view.myAnswer = ANSWERS.includes(status) ? status : null;
    } else if (!mine) {
      view.myAnswer = answerSent(ctx, accountId, messageId, details.summary) === 'DECLINED' ? 'DECLINED' : null;
    }
  } else if (method === 'REPLY') {
    const line = master.getFirstProperty('attendee');
    if (line) {
      const email = mailtoOf(line);
      const status = String(line.getParameter('partstat') ?? 'NEEDS-ACTION').toUpperCase();
      const heldLine = storedMaster?.getAllProperties('attendee').find((p) => mailtoOf(p) === email);
      const applied = !!heldLine && String(heldLine.getParameter('partstat') ?? '').toUpperCase() === status;
      const heldAnswer = mine
        ? new ImipAnswers(ctx.db).held({ accountId, uid: details.uid, recurrenceId: ridKey(master), attendee: email })
        : null;
      const superseded = !applied && !!heldAnswer && !isLaterAnswer({ sequence: sequenceOf(master), dtstamp: stampOf(master) }, heldAnswer);
      view.reply = { email, name: (line.getParameter('cn') as string | undefined) ?? null, status, applied, superseded };
    }
    if (mine) {
      try {
        const check = checkReply(ics, mine.raw, message.sender, Date.now());
        if ('refused' in check)
          view.refusal = t(`dav.imip.refused.${check.refused}`, { sender: sender || '?', attendee: check.attendee || '?' });
      } catch (err) {
        ctx.log.warn('imip: reply cannot be checked', { account: accountId, err: err as Error });
        view.refusal = t('dav.imip.unreadablePart');
      }
    }
  }
  return view;
}
