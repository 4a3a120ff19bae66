/**
 * New mail in the Boîte de réception: the unread count in the window title (« Courrier (3) – Ostal »)
 * and a desktop notification through the web Notification API (browser mode; Electron's renderer has
 * the same API). Notifications are off until the user turns them on with the button of the Courrier
 * header, which is when the permission is asked; the choice is remembered on this computer.
 */
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { FolderInfo, MessageSummary } from '../../../../src/shared/contract';
import { useApiEvent, useClient } from '../../api/react';

const STORAGE_KEY = 'ostal.courrier.notifications';

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

function currentState(): NotificationState {
  if (typeof Notification === 'undefined') return 'unsupported';
  if (Notification.permission === 'denied') return 'denied';
  return localStorage.getItem(STORAGE_KEY) === 'on' && Notification.permission === 'granted' ? 'on' : 'off';
}

/** The on/off choice for new-mail notifications. */
export function useNotificationSetting(): { state: NotificationState; toggle(): void } {
  const [state, setState] = useState<NotificationState>(currentState);
  const toggle = () => {
    if (state === 'on') {
      localStorage.setItem(STORAGE_KEY, 'off');
      setState('off');
      return;
    }
    if (state !== 'off') return;
    const granted = () => {
      localStorage.setItem(STORAGE_KEY, 'on');
      setState('on');
    };
    if (Notification.permission === 'granted') granted();
    else
      void Notification.requestPermission().then((answer) => {
        if (answer === 'granted') granted();
        else setState(answer === 'denied' ? 'denied' : 'off');
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
 * A notification for each message that arrives in the Boîte de réception while Ostal is open
 * (unread, newer than any seen before: not the ones found at start, not the ones moved back).
 */
export function useNewMailNotifications(accountId: string, inbox: FolderInfo | undefined, enabled: boolean): string {
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
        if (!enabled || typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
        notify(fresh);
      })
      .catch(() => undefined);
  });

  const senderOf = (m: MessageSummary) => (m.from ? m.from.name || m.from.address : t('courrier.unknownSender'));
  const notify = (fresh: MessageSummary[]) => {
    const first = fresh[0];
    const sender = senderOf(first);
    const title =
      fresh.length === 1
        ? t('courrier.notifications.oneTitle', { sender })
        : t('courrier.notifications.manyTitle', { count: fresh.length });
    const body =
      fresh.length === 1
        ? first.subject || t('courrier.noSubject')
        : fresh
            .map((m) => m.subject || t('courrier.noSubject'))
            .slice(0, 3)
            .join('\n');
    try {
      const notification = new Notification(title, { body, tag: `ostal-mail-${accountId}`, lang: 'fr' });
      notification.onclick = () => window.focus();
    } catch {
      /* a browser without notification support in this context: the title still shows the count */
    }
  };
  return announcement;
}
