/** Desktop notifications (issue 18): folders, grouping, quiet hours, reminders (all-day included) and snooze. */
import { describe, expect, it } from 'vitest';
import {
  bodiesComeDown,
  DEFAULT_NOTIFICATION_PREFS,
  dueReminders,
  folderNotifies,
  freshMessages,
  groupNewMail,
  isQuietTime,
  NewMailPlanner,
  parseNotificationPrefs,
  reminderFireAt,
  reminderKey,
  remindersToNotify,
  snoozeUntil,
  type ReminderOccurrence,
} from '../../src/shared/notification-rules.js';

const at = (h: number, m = 0) => h * 60 + m;

describe('quiet hours', () => {
  it('over midnight, within a day, whole day, and off', () => {
    const night = { enabled: true, start: '22:00', end: '07:00' };
    expect(isQuietTime(night, at(23, 30))).toBe(true);
    expect(isQuietTime(night, at(6, 59))).toBe(true);
    expect(isQuietTime(night, at(7, 0))).toBe(false);
    expect(isQuietTime(night, at(12))).toBe(false);
    const lunch = { enabled: true, start: '12:00', end: '13:30' };
    expect(isQuietTime(lunch, at(12, 15))).toBe(true);
    expect(isQuietTime(lunch, at(13, 30))).toBe(false);
    expect(isQuietTime({ enabled: true, start: '09:00', end: '09:00' }, at(3))).toBe(true);
    expect(isQuietTime({ ...night, enabled: false }, at(23))).toBe(false);
  });

  it('malformed stored preferences fall back to the defaults', () => {
    expect(parseNotificationPrefs('n’importe quoi')).toEqual(DEFAULT_NOTIFICATION_PREFS);
    const p = parseNotificationPrefs({
      mail: false,
      quiet: { enabled: true, start: '25:00', end: '08:15' },
      mailFolders: { 'a|INBOX': 'oui', 'a|Projets': true },
    });
    expect(p.mail).toBe(false);
    expect(p.quiet).toEqual({ enabled: true, start: '22:00', end: '08:15' });
    expect(p.mailFolders).toEqual({ 'a|Projets': true });
    expect(p.reminders).toBe(true);
  });
});

describe('which folders notify', () => {
  it('the Boîte de réception by default, another folder when turned on, none when mail is off', () => {
    const p = parseNotificationPrefs({ mailFolders: { 'a1|Projets': true, 'a1|INBOX': false } });
    expect(folderNotifies(DEFAULT_NOTIFICATION_PREFS, 'a1', { path: 'INBOX' })).toBe(true);
    expect(folderNotifies(DEFAULT_NOTIFICATION_PREFS, 'a1', { path: 'Boîte', specialUse: '\\Inbox' })).toBe(true);
    expect(folderNotifies(DEFAULT_NOTIFICATION_PREFS, 'a1', { path: 'Projets' })).toBe(false);
    expect(folderNotifies(p, 'a1', { path: 'Projets' })).toBe(true);
    expect(folderNotifies(p, 'a1', { path: 'INBOX' })).toBe(false);
    expect(folderNotifies(p, 'a2', { path: 'INBOX' })).toBe(true);
    expect(folderNotifies({ ...p, mail: false }, 'a1', { path: 'Projets' })).toBe(false);
  });
});

describe('new mail grouping', () => {
  it('one notification per folder, newest first, duplicates once', () => {
    const m = (uid: number, folder = 'INBOX', accountId = 'a1') => ({
      accountId,
      folder,
      uid,
      sender: `Expéditeur ${uid}`,
      subject: `Objet ${uid}`,
    });
    const groups = groupNewMail([m(11), m(12), m(13), m(14), m(12), m(5, 'Projets'), m(3, 'INBOX', 'a2')]);
    expect(groups).toHaveLength(3);
    const inbox = groups.find((g) => g.accountId === 'a1' && g.folder === 'INBOX')!;
    expect(inbox.count).toBe(4);
    expect(inbox.newest.uid).toBe(14);
    expect(inbox.lines.map((l) => l.uid)).toEqual([14, 13, 12]);
    expect(inbox.tag).toBe('ostal-mail-a1|INBOX');
    expect(groups.find((g) => g.folder === 'Projets')?.count).toBe(1);
  });

  it('nothing for the messages found at the first look, then only newer ones', () => {
    const first = freshMessages(null, [{ uid: 4 }, { uid: 9 }]);
    expect(first).toEqual({ fresh: [], seenUpTo: 9 });
    const next = freshMessages(first.seenUpTo, [{ uid: 4 }, { uid: 9 }, { uid: 10 }, { uid: 12 }]);
    expect(next.fresh.map((m) => m.uid)).toEqual([10, 12]);
    expect(freshMessages(next.seenUpTo, [{ uid: 4 }]).fresh).toEqual([]);
  });
});

describe('reminders', () => {
  const event = (start: string, end: string, reminderMinutes: number | null, allDay = false): ReminderOccurrence => ({
    uid: `u-${start}`,
    recurrenceId: null,
    start,
    end,
    allDay,
    reminderMinutes,
  });

  it('fires before a timed event, and for an all-day event from its local midnight', () => {
    const timed = event('2026-12-07T14:00:00.000Z', '2026-12-07T15:00:00.000Z', 15);
    expect(reminderFireAt(timed)).toBe(Date.parse('2026-12-07T13:45:00.000Z'));
    const allDay = event('2026-12-08', '2026-12-09', 15 * 60, true);
    expect(reminderFireAt(allDay)).toBe(new Date(2026, 11, 7, 9, 0).getTime());
    expect(reminderFireAt(event('2026-12-08', '2026-12-09', null, true))).toBeNull();
    expect(dueReminders([allDay], new Date(2026, 11, 7, 9, 1).getTime(), {})).toEqual([allDay]);
    expect(dueReminders([allDay], new Date(2026, 11, 7, 8, 59).getTime(), {})).toEqual([]);
    expect(dueReminders([allDay], new Date(2026, 11, 9, 0, 1).getTime(), {})).toEqual([]);
  });

  it('« Rappeler dans 5 min » puts it off and shows it again once on the desktop', () => {
    const o = event('2026-12-07T14:00:00.000Z', '2026-12-07T15:00:00.000Z', 10);
    const key = reminderKey(o);
    const t0 = Date.parse('2026-12-07T13:51:00.000Z');
    expect(remindersToNotify(dueReminders([o], t0, {}), {}, {})).toEqual([o]);
    const shown = { [key]: t0 };
    expect(remindersToNotify(dueReminders([o], t0 + 30_000, {}), shown, {})).toEqual([]);
    const handled = { [key]: snoozeUntil(t0) };
    expect(dueReminders([o], t0 + 4 * 60_000, handled)).toEqual([]);
    const later = t0 + 5 * 60_000;
    expect(remindersToNotify(dueReminders([o], later, handled), shown, handled)).toEqual([o]);
    expect(remindersToNotify(dueReminders([o], later, handled), { [key]: later }, handled)).toEqual([]);
    expect(dueReminders([o], later, { [key]: 0 })).toEqual([]);
  });
});

describe('new mail and invitations: one notification per message', () => {
  const msg = (uid: number, hasBody: boolean, subject = `Message ${uid}`) => ({ uid, hasBody, sender: 'Jeanne Martin', subject });
  const subjects = (groups: { lines: { subject: string }[] }[]) => groups.flatMap((g) => g.lines.map((l) => l.subject));

  it('a new message of the Boîte de réception waits for its body; an invitation is then not announced as new mail', () => {
    const planner = new NewMailPlanner(60_000);
    const opts = { announce: true, invitations: true, now: 1_000 };
    expect(planner.look('a1', 'INBOX', [msg(3, true)], { ...opts, announce: false }).groups).toEqual([]);
    // Headers only: nothing yet, two messages wait.
    const first = planner.look('a1', 'INBOX', [msg(3, true), msg(4, false, 'Invitation : Conseil'), msg(5, false, 'Compte rendu')], opts);
    expect(first.groups).toEqual([]);
    expect(first.waiting).toBe(2);
    // The bodies are local, the core announced uid 4 as an invitation: only uid 5 is new mail.
    planner.invitation({ accountId: 'a1', folder: 'INBOX', uid: 4 });
    const second = planner.look('a1', 'INBOX', [msg(3, true), msg(4, true, 'Invitation : Conseil'), msg(5, true, 'Compte rendu')], opts);
    expect(subjects(second.groups)).toEqual(['Compte rendu']);
    expect(second.waiting).toBe(0);
    // Never again.
    expect(planner.look('a1', 'INBOX', [msg(4, true), msg(5, true)], opts).groups).toEqual([]);
  });

  it('a message whose body does not come is announced after the wait; one read meanwhile is not', () => {
    const planner = new NewMailPlanner(60_000);
    planner.look('a1', 'INBOX', [], { announce: false, invitations: true, now: 0 });
    expect(planner.look('a1', 'INBOX', [msg(1, false), msg(2, false)], { announce: true, invitations: true, now: 1_000 }).waiting).toBe(2);
    const later = planner.look('a1', 'INBOX', [msg(1, false)], { announce: true, invitations: true, now: 61_000 });
    expect(subjects(later.groups)).toEqual(['Message 1']);
    expect(later.waiting).toBe(0);
  });

  it('a message waits for its body only where the sync brings bodies down', () => {
    expect(bodiesComeDown(null, '3months')).toBe(true);
    expect(bodiesComeDown(undefined, undefined)).toBe(true);
    expect(bodiesComeDown(null, 'none')).toBe(false);
    expect(bodiesComeDown(false, 'all')).toBe(false);
    expect(bodiesComeDown(true, 'none')).toBe(true);
  });

  it('without invitation notifications (or in another folder) nothing waits', () => {
    const planner = new NewMailPlanner(60_000);
    planner.look('a1', 'Projets', [], { announce: false, invitations: false, now: 0 });
    const got = planner.look('a1', 'Projets', [msg(7, false)], { announce: true, invitations: false, now: 1 });
    expect(subjects(got.groups)).toEqual(['Message 7']);
  });
});
