/**
 * Invitations by mail (iMIP, RFC 6047): when the organiser creates, changes or cancels an event with
 * participants, a METHOD:REQUEST (or CANCEL) copy of it goes to them through the Boîte d'envoi (the
 * account's SMTP, offline-safe), as a text/calendar part with a French text. Reminders and Ostal's
 * revision marker are personal: they are not sent.
 */
import ICAL from 'ical.js';
import type { CoreContext } from '../core.js';
import { t } from '../i18n/index.js';
import { getAccountRow } from '../mail/accounts-store.js';
import { getOutboxSender } from '../mail/outbox.js';
import { eventDetails } from './event-model.js';

function longWhen(start: string, end: string, allDay: boolean): string {
  const day = (iso: string) => new Intl.DateTimeFormat('fr-FR', { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(new Date(`${iso.slice(0, 10)}T12:00:00Z`));
  if (allDay) return day(start);
  return t('dav.imip.when', { day: day(start), start: start.slice(11, 16), end: end.slice(11, 16) });
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
export async function sendInvitations(ctx: CoreContext, accountId: string, raw: string, method: 'REQUEST' | 'CANCEL'): Promise<number> {
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
      t(method === 'REQUEST' ? 'dav.imip.requestText' : 'dav.imip.cancelText', { name: account.name || account.email, title, when: longWhen(details.start, details.end, details.allDay) }),
      details.location ? t('dav.imip.location', { location: details.location }) : '',
      details.meetingUrl ? t('dav.imip.visio', { url: details.meetingUrl }) : '',
      details.description ?? '',
    ].filter(Boolean);
    await getOutboxSender(ctx).queue({
      accountId,
      to,
      subject: t(method === 'REQUEST' ? 'dav.imip.requestSubject' : 'dav.imip.cancelSubject', { title }),
      text: lines.join('\n\n'),
      attachments: [{ filename: method === 'REQUEST' ? 'invitation.ics' : 'annulation.ics', contentType: `text/calendar; charset=utf-8; method=${method}`, contentBase64: Buffer.from(itipText(raw, method), 'utf8').toString('base64') }],
    });
    ctx.log.info('imip: invitation queued', { account: accountId, method, recipients: to.length });
    return to.length;
  } catch (err) {
    ctx.log.warn('imip: invitation not queued', { account: accountId, method, err: err as Error });
    return 0;
  }
}
