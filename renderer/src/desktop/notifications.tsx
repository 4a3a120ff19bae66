/**
 * Desktop notifications from any view and with the window in the background or hidden (issue 18): new mail, grouped
 * per folder (sender and subject; a click opens the message), on by default for the Boîte de réception and per
 * folder in Réglages, silent during « Ne pas déranger ». The decisions are src/shared/notification-rules.ts; this
 * file only reads the preferences (kept on this computer) and shows through the web Notification API — in browser
 * mode the browser's, in Electron the same API, which Electron hands to the system's notification service.
 */
import { useEffect, useRef, useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import type { AccountSummary, FolderInfo } from '../../../src/shared/contract';
import {
  folderNotifies,
  freshMessages,
  groupNewMail,
  isQuietTime,
  parseNotificationPrefs,
  type NewMailGroup,
  type NotificationPrefs,
} from '../../../src/shared/notification-rules';
import { useApiEvent, useClient } from '../api/react';

const STORAGE_KEY = 'ostal.notifications';
const listeners = new Set<() => void>();
let cached: NotificationPrefs | null = null;

export function readNotificationPrefs(): NotificationPrefs {
  if (cached) return cached;
  let raw: unknown = null;
  try {
    raw = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null');
  } catch {
    raw = null;
  }
  cached = parseNotificationPrefs(raw);
  return cached;
}

export function writeNotificationPrefs(prefs: NotificationPrefs): void {
  cached = parseNotificationPrefs(prefs);
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(cached));
  } catch {
    /* storage unavailable: the choice lasts for this session */
  }
  listeners.forEach((fn) => fn());
}

export function useNotificationPrefs(): NotificationPrefs {
  return useSyncExternalStore((fn) => {
    listeners.add(fn);
    return () => listeners.delete(fn);
  }, readNotificationPrefs);
}

export type PermissionState = 'unsupported' | 'default' | 'granted' | 'denied';

export function notificationPermission(): PermissionState {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

function minutesNow(): number {
  const d = new Date();
  return d.getHours() * 60 + d.getMinutes();
}

/** Show one desktop notification unless quiet hours or no permission; false when nothing was shown. */
export function notifyDesktop(spec: { title: string; body: string; tag: string; onClick?(): void }): boolean {
  if (notificationPermission() !== 'granted') return false;
  if (isQuietTime(readNotificationPrefs().quiet, minutesNow())) return false;
  try {
    const notification = new Notification(spec.title, { body: spec.body, tag: spec.tag, lang: 'fr' });
    notification.onclick = () => {
      window.focus();
      spec.onClick?.();
      notification.close();
    };
    return true;
  } catch {
    return false;
  }
}

/**
 * Watches every account's folders that notify and shows one notification per folder for what arrives. Mounted once
 * by the application shell, whatever the view.
 */
export function MailNotifications({
  accounts,
  onOpenMessage,
}: {
  accounts: AccountSummary[];
  onOpenMessage(target: { accountId: string; folder: string; uid: number }): void;
}) {
  const { t } = useTranslation();
  const client = useClient();
  const prefs = useNotificationPrefs();
  /** accountId|path → highest uid seen (null until the first look). */
  const seen = useRef(new Map<string, number | null>());
  const folders = useRef(new Map<string, FolderInfo[]>());

  const watched = (accountId: string): FolderInfo[] =>
    (folders.current.get(accountId) ?? []).filter((f) => folderNotifies(prefs, accountId, f));

  /** One look at a time per folder, so two quick changes never announce the same message twice. */
  const chains = useRef(new Map<string, Promise<void>>());
  const look = (accountId: string, folder: FolderInfo, announce: boolean): Promise<void> => {
    const key = `${accountId}|${folder.path}`;
    const next = (chains.current.get(key) ?? Promise.resolve()).then(() => lookNow(accountId, folder, announce)).catch(() => undefined);
    chains.current.set(key, next);
    return next;
  };

  const lookNow = async (accountId: string, folder: FolderInfo, announce: boolean) => {
    const key = `${accountId}|${folder.path}`;
    const page = await client.call('mail.list', { accountId, folder: folder.path, offset: 0, limit: 20, filter: 'unread' });
    const before = seen.current.has(key) ? (seen.current.get(key) ?? null) : null;
    const { fresh, seenUpTo } = freshMessages(before, page.messages);
    seen.current.set(key, seenUpTo);
    if (!announce || fresh.length === 0) return;
    for (const group of groupNewMail(
      fresh.map((m) => ({
        accountId,
        folder: folder.path,
        uid: m.uid,
        sender: m.from ? m.from.name || m.from.address : '',
        subject: m.subject,
      })),
    ))
      show(group);
  };

  const show = (group: NewMailGroup) => {
    const sender = group.newest.sender || t('courrier.unknownSender');
    const title =
      group.count === 1 ? t('courrier.notifications.oneTitle', { sender }) : t('courrier.notifications.manyTitle', { count: group.count });
    const body =
      group.count === 1
        ? group.newest.subject || t('courrier.noSubject')
        : group.lines
            .map((l) =>
              t('desktopNotifications.line', {
                sender: l.sender || t('courrier.unknownSender'),
                subject: l.subject || t('courrier.noSubject'),
              }),
            )
            .join('\n');
    notifyDesktop({
      title,
      body,
      tag: group.tag,
      onClick: () => onOpenMessage({ accountId: group.accountId, folder: group.folder, uid: group.newest.uid }),
    });
  };

  // Folder lists, and the first look at each watched folder (what is already there is never announced).
  const accountIds = accounts.map((a) => a.id).join(',');
  useEffect(() => {
    let current = true;
    for (const account of accounts)
      void client.call('mail.folders', { accountId: account.id }).then(
        (list) => {
          if (!current) return;
          folders.current.set(account.id, list);
          for (const folder of watched(account.id))
            if (!seen.current.has(`${account.id}|${folder.path}`)) void look(account.id, folder, false);
        },
        () => undefined,
      );
    return () => {
      current = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client, accountIds, prefs]);

  useApiEvent('mail.changed', (change) => {
    if (!prefs.mail) return;
    for (const folder of watched(change.accountId)) {
      if (change.folders.length > 0 && !change.folders.includes(folder.path)) continue;
      void look(change.accountId, folder, true);
    }
  });
  return null;
}
