/**
 * New mail in the Boîte de réception: the unread count in the window title (« Courrier (3) – Ostal »), and the
 * button of the Courrier header for desktop notifications. The notifications themselves are shown from any view by
 * renderer/src/desktop/notifications.tsx (on by default; the button asks the browser's permission when needed).
 */
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { FolderInfo, MessageSummary } from '../../../../src/shared/contract';
import { useApiEvent, useClient } from '../../api/react';
import type { NotificationPrefs } from '../../../../src/shared/notification-rules';
import { notificationPermission, useNotificationPrefs, writeNotificationPrefs } from '../../desktop/notifications';

export function isInbox(folder: FolderInfo): boolean {
  return folder.specialUse === '\\Inbox' || folder.path.toUpperCase() === 'INBOX';
}

/** « Courrier (3) – Ostal » while Courrier is shown; the plain title again when it is left. */
export function useUnreadTitle(folders: FolderInfo[]): void {
  const { t } = useTranslation();
  const unread = folders.filter(isInbox).reduce((sum, f) => sum + f.unread, 0);
  useEffect(() => {
    document.title = unread > 0 ? t('courrier.windowTitleUnread', { count: unread }) : t('courrier.windowTitle');
  }, [t, unread]);
  useEffect(() => () => void (document.title = t('app.title')), [t]);
}

type NotificationState = 'unsupported' | 'off' | 'on' | 'denied';

function currentState(prefs: NotificationPrefs): NotificationState {
  const permission = notificationPermission();
  if (permission === 'unsupported') return 'unsupported';
  if (permission === 'denied') return 'denied';
  return prefs.mail && permission === 'granted' ? 'on' : 'off';
}

/**
 * The on/off choice for new-mail notifications (Réglages › Général has the details). On by default: the button only
 * asks the browser's permission when it was never given, or turns them off and on again.
 */
export function useNotificationSetting(): { state: NotificationState; toggle(): void } {
  const prefs = useNotificationPrefs();
  const [, setAsked] = useState(0);
  const state = currentState(prefs);
  const toggle = () => {
    if (state === 'on') return writeNotificationPrefs({ ...prefs, mail: false });
    if (state !== 'off') return;
    if (Notification.permission === 'granted') return writeNotificationPrefs({ ...prefs, mail: true });
    void Notification.requestPermission().then((answer) => {
      if (answer === 'granted') writeNotificationPrefs({ ...prefs, mail: true });
      setAsked((n) => n + 1);
    });
  };
  return { state, toggle };
}

export function NotificationToggle({ state, onToggle }: { state: NotificationState; onToggle(): void }) {
  const { t } = useTranslation();
  if (state === 'unsupported') return null;
  if (state === 'denied') {
    return (
      <span className="muted notification-state" data-testid="notifications-denied">
        {t('courrier.notifications.denied')}
      </span>
    );
  }
  return (
    <button type="button" className="button" aria-pressed={state === 'on'} onClick={onToggle} data-testid="notifications-toggle">
      {state === 'on' ? t('courrier.notifications.on') : t('courrier.notifications.off')}
    </button>
  );
}

/**
 * What the status region says (RGAA 7.5) of each message that arrives in the Boîte de réception while Courrier is open
 * (unread, newer than any seen before: not the ones found at start, not the ones moved back). Desktop notifications
 * are MailNotifications' (src/desktop/notifications.tsx), in every view.
 */
export function useNewMailAnnouncement(accountId: string, inbox: FolderInfo | undefined): string {
  const { t } = useTranslation();
  const client = useClient();
  const newest = useRef<number | null>(null);
  const path = inbox?.path ?? null;
  // What the status region says to screen readers (RGAA 7.5), whether desktop notifications are on or not.
  const [announcement, setAnnouncement] = useState('');

  useEffect(() => {
    newest.current = null;
    if (!path) return;
    let current = true;
    client.call('mail.list', { accountId, folder: path, offset: 0, limit: 1 }).then(
      (page) => {
        if (current) newest.current = Math.max(0, ...page.messages.map((m) => m.uid));
      },
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [client, accountId, path]);

  useApiEvent('mail.changed', (change) => {
    if (!path || change.accountId !== accountId || (change.folders.length > 0 && !change.folders.includes(path))) return;
    void client
      .call('mail.list', { accountId, folder: path, offset: 0, limit: 20, filter: 'unread' })
      .then((page) => {
        const before = newest.current;
        const top = Math.max(before ?? 0, ...page.messages.map((m) => m.uid));
        newest.current = top;
        if (before === null) return;
        const fresh = page.messages.filter((m) => m.uid > before);
        if (fresh.length === 0) return;
        setAnnouncement(
          fresh.length === 1
            ? t('accessibilite.newMail', { count: 1, sender: senderOf(fresh[0]), subject: fresh[0].subject || t('courrier.noSubject') })
            : t('accessibilite.newMail', { count: fresh.length }),
        );
      })
      .catch(() => undefined);
  });

  const senderOf = (m: MessageSummary) => (m.from ? m.from.name || m.from.address : t('courrier.unknownSender'));
  return announcement;
}
