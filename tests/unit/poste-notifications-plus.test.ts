/**
 * Notifications beyond new mail (issue 18): meeting invitations (which are notified, forged ones not; grouping; only
 * messages new since the first look), workspace mentions (grouping), « Rappeler dans 5 min » as one decision for the
 * notice's button and the desktop notification's action, and the Electron side of notifications with actions
 * (src/host/desktop-notification.ts), played by an object behind SystemNotifications.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_NOTIFICATION_PREFS,
  REMINDER_ACTIONS,
  applyReminderAction,
  dueReminders,
  groupInvitations,
  groupMentions,
  invitationNotifies,
  parseNotificationPrefs,
  reminderKey,
  remindersToNotify,
  shortText,
  type InvitationItem,
  type ReminderOccurrence,
} from '../../src/shared/notification-rules.js';
import { checkNotificationRequest, showNotification, type SystemNotifications } from '../../src/host/desktop-notification.js';

describe('preferences', () => {
  it('invitations and mentions are on by default, and kept when stored', () => {
    expect(DEFAULT_NOTIFICATION_PREFS).toMatchObject({ invitations: true, mentions: true });
    expect(parseNotificationPrefs({})).toMatchObject({ invitations: true, mentions: true });
    expect(parseNotificationPrefs({ invitations: false, mentions: 'non' })).toMatchObject({ invitations: false, mentions: true });
  });
});

describe('meeting invitations', () => {
  const clean = { method: 'REQUEST', problem: null, refusal: null, authWarning: null };

  it('a readable REQUEST is notified; a forged sender, a refusal, an unreadable part, a CANCEL or a REPLY are not', () => {
    expect(invitationNotifies(clean)).toBe(true);
    expect(invitationNotifies({ ...clean, authWarning: 'L’adresse de l’expéditeur semble usurpée.' })).toBe(false);
    expect(invitationNotifies({ ...clean, refusal: 'Ce message ne vient pas de l’organisateur.' })).toBe(false);
    expect(invitationNotifies({ ...clean, problem: 'Invitation illisible.' })).toBe(false);
    expect(invitationNotifies({ ...clean, method: 'CANCEL' })).toBe(false);
    expect(invitationNotifies({ ...clean, method: 'REPLY' })).toBe(false);
  });

  const item = (uid: number, accountId = 'a1', folder = 'INBOX'): InvitationItem => ({
    accountId,
    folder,
    uid,
    eventUid: `ev-${uid}`,
    summary: `Réunion ${uid}`,
    sender: 'Jeanne Martin',
  });

  it('grouped per account, newest first; only messages new since the first look, each once', () => {
    const seen = new Map<string, number | null>([
      ['a1|INBOX', 10],
      ['a2|INBOX', 3],
    ]);
    const groups = groupInvitations([item(9), item(11), item(12), item(12), item(4, 'a2'), item(20, 'a3')], seen, new Set());
    expect(groups).toHaveLength(2);
    expect(groups[0]).toMatchObject({ tag: 'ostal-invitation-a1', count: 2, newest: { uid: 12 } });
    expect(groups[0].lines.map((l) => l.uid)).toEqual([12, 11]);
    expect(groups[1]).toMatchObject({ tag: 'ostal-invitation-a2', count: 1, newest: { uid: 4 } });
    // a3's Boîte de réception was never looked at: what the first sync brings is not new.
    expect(groups.some((g) => g.newest.accountId === 'a3')).toBe(false);
    expect(groupInvitations([item(12)], seen, new Set(['a1|INBOX|12']))).toEqual([]);
    expect(groupInvitations([item(12)], new Map([['a1|INBOX', null]]), new Set())).toEqual([]);
  });
});

describe('workspace mentions', () => {
  it('grouped per workspace, each message once, the newest shown', () => {
    const m = (workspaceId: string, messageId: string, from: string) => ({
      workspaceId,
      workspaceName: `Espace ${workspaceId}`,
      messageId,
      from,
      text: `Bonjour @Lou (${messageId})`,
    });
    const groups = groupMentions([
      m('w1', 'x1', 'a@ostal.test'),
      m('w1', 'x2', 'b@ostal.test'),
      m('w1', 'x2', 'b@ostal.test'),
      m('w2', 'y1', 'c@ostal.test'),
    ]);
    expect(groups).toEqual([
      { workspaceId: 'w1', workspaceName: 'Espace w1', tag: 'ostal-mention-w1', count: 2, newest: m('w1', 'x2', 'b@ostal.test') },
      { workspaceId: 'w2', workspaceName: 'Espace w2', tag: 'ostal-mention-w2', count: 1, newest: m('w2', 'y1', 'c@ostal.test') },
    ]);
    expect(shortText('a\n  b')).toBe('a b');
    expect(shortText('x'.repeat(300))).toHaveLength(160);
  });
});

describe('« Rappeler dans 5 min »', () => {
  const o: ReminderOccurrence = {
    uid: 'ev',
    recurrenceId: null,
    start: '2026-12-07T14:00:00.000Z',
    end: '2026-12-07T15:00:00.000Z',
    allDay: false,
    reminderMinutes: 10,
  };
  const allDay: ReminderOccurrence = {
    uid: 'jour',
    recurrenceId: null,
    start: '2026-12-08',
    end: '2026-12-09',
    allDay: true,
    reminderMinutes: 60,
  };

  it('the same decision for the notice and the desktop action: put off 5 minutes, then shown again once', () => {
    expect(REMINDER_ACTIONS).toEqual(['snooze']);
    const t0 = Date.parse('2026-12-07T13:51:00.000Z');
    const handled = applyReminderAction({}, reminderKey(o), 'snooze', t0);
    expect(handled).toEqual({ [reminderKey(o)]: t0 + 5 * 60_000 });
    expect(dueReminders([o], t0 + 4 * 60_000, handled)).toEqual([]);
    expect(remindersToNotify(dueReminders([o], t0 + 5 * 60_000, handled), { [reminderKey(o)]: t0 }, handled)).toEqual([o]);
    expect(applyReminderAction(handled, reminderKey(o), 'close', t0)).toEqual({ [reminderKey(o)]: 0 });
    // Anything else the desktop side could send back changes nothing.
    expect(applyReminderAction(handled, reminderKey(o), 'open', t0)).toEqual(handled);
  });

  it('an all-day event’s reminder is put off too', () => {
    const t0 = new Date(2026, 11, 7, 23, 1).getTime();
    expect(dueReminders([allDay], t0, {})).toEqual([allDay]);
    const handled = applyReminderAction({}, reminderKey(allDay), 'snooze', t0);
    expect(dueReminders([allDay], t0 + 60_000, handled)).toEqual([]);
    expect(dueReminders([allDay], t0 + 5 * 60_000, handled)).toEqual([allDay]);
  });
});

describe('Electron notifications with actions (main side)', () => {
  const request = {
    id: 'ostal-reminder-ev||2026-12-07T14:00:00.000Z|1',
    title: 'Commission voirie',
    body: 'Commence à 14\u00a0h\u00a000',
    actions: [{ id: 'snooze', label: 'Rappeler dans 5\u00a0min' }],
  };

  it('checks what the page asks', () => {
    expect(checkNotificationRequest(request)).toEqual(request);
    expect(checkNotificationRequest({ ...request, id: '' })).toBeNull();
    expect(checkNotificationRequest({ ...request, title: '' })).toBeNull();
    expect(checkNotificationRequest({ ...request, title: 'x'.repeat(201) })).toBeNull();
    expect(checkNotificationRequest({ ...request, actions: [{ id: 'open', label: 'Ouvrir' }] })).toBeNull();
    expect(checkNotificationRequest({ ...request, actions: [1, 2, 3] })).toBeNull();
    expect(checkNotificationRequest({ ...request, actions: [{ id: 'snooze', label: '' }] })).toBeNull();
    expect(checkNotificationRequest('texte')).toBeNull();
  });

  it('shows the buttons and maps a click or an action index back to the page', () => {
    const shown: { title: string; body: string; actions: string[] }[] = [];
    let handlers: { click(): void; action(index: number): void } | null = null;
    const system: SystemNotifications = {
      show(req, on) {
        shown.push(req);
        handlers = on;
      },
    };
    const answers: unknown[] = [];
    expect(showNotification(system, request, (a) => answers.push(a))).toBe(true);
    expect(shown).toEqual([{ title: 'Commission voirie', body: 'Commence à 14\u00a0h\u00a000', actions: ['Rappeler dans 5\u00a0min'] }]);
    handlers!.action(0);
    handlers!.action(3);
    handlers!.action(Number.NaN);
    handlers!.click();
    expect(answers).toEqual([
      { id: request.id, action: 'snooze' },
      { id: request.id, action: 'open' },
    ]);
    expect(showNotification(system, { ...request, actions: 'snooze' }, () => undefined)).toBe(false);
    expect(shown).toHaveLength(1);
  });
});
