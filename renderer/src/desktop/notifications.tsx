/**
 * Desktop notifications from any view and with the window in the background or hidden (issue 18): new mail, grouped
 * per folder (sender and subject; a click opens the message), on by default for the Boîte de réception and per
 * folder in Réglages; meeting invitations received (grouped per account) and mentions in a workspace (grouped per
 * workspace); all silent during « Ne pas déranger ». A notification with actions (an Agenda reminder's « Rappeler
 * dans 5 min ») goes, in Electron, through the preload to Electron's own notifications, which have buttons; the web
 * API has none outside a service worker, so in browser mode the button stays on the notice inside the window. The decisions are src/shared/notification-rules.ts; this
 * file only reads the preferences (kept on this computer) and shows through the web Notification API — in browser
 * mode the browser's, in Electron the same API, which Electron hands to the system's notification service.
 */
import { useEffect, useRef, useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import type { AccountSummary, FolderInfo } from '../../../src/shared/contract';
import {
  BODY_WAIT_MS,
  bodiesComeDown,
  folderKey,
  folderNotifies,
  groupInvitations,
  groupMentions,
  isInboxFolder,
  NewMailPlanner,
  isQuietTime,
  parseNotificationPrefs,
  shortText,
  type InvitationItem,
  type MentionItem,
  type NewMailGroup,
  type NotificationPrefs,
} from '../../../src/shared/notification-rules';
import { useApiEvent, useApiQuery, useClient } from '../api/react';

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

/** What the Electron preload exposes for notifications with actions (src/host/desktop-notification.ts). */
interface DesktopNotifier {
  notify(request: { id: string; title: string; body: string; actions: { id: string; label: string }[] }): void;
  onNotificationAnswer(callback: (answer: unknown) => void): void;
}

function desktopNotifier(): DesktopNotifier | null {
  const d = (window as { ostalDesktop?: Partial<DesktopNotifier> }).ostalDesktop;
  return d && typeof d.notify === 'function' && typeof d.onNotificationAnswer === 'function' ? (d as DesktopNotifier) : null;
}

/** Notifications shown through the preload, by id, until the page is reloaded: what their answers do. */
const pending = new Map<string, { onClick?(): void; onAction?(action: string): void }>();
let answering = false;
let nextId = 0;

export interface DesktopNotificationSpec {
  title: string;
  body: string;
  tag: string;
  onClick?(): void;
  /** Buttons of the notification (Electron); browser mode shows them on the notice inside the window instead. */
  actions?: { id: string; label: string }[];
  onAction?(action: string): void;
}

/** Show one desktop notification unless quiet hours or no permission; false when nothing was shown. */
export function notifyDesktop(spec: DesktopNotificationSpec): boolean {
  if (isQuietTime(readNotificationPrefs().quiet, minutesNow())) return false;
  const notifier = spec.actions?.length ? desktopNotifier() : null;
  if (notifier) {
    if (!answering) {
      answering = true;
      notifier.onNotificationAnswer((raw) => {
        const answer = raw as { id?: unknown; action?: unknown } | null;
        if (typeof answer?.id !== 'string' || typeof answer.action !== 'string') return;
        const handlers = pending.get(answer.id);
        if (!handlers) return;
        if (answer.action === 'open') {
          window.focus();
          handlers.onClick?.();
        } else handlers.onAction?.(answer.action);
      });
    }
    const id = `${spec.tag}|${++nextId}`.slice(-300);
    pending.set(id, { onClick: spec.onClick, onAction: spec.onAction });
    notifier.notify({ id, title: spec.title, body: spec.body, actions: spec.actions ?? [] });
    return true;
  }
  if (notificationPermission() !== 'granted') return false;
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
  const settings = useApiQuery('settings.list', {}, { refreshOn: ['settings.changed'] });
  const offlineWindow = settings.data?.find((s) => s.key === 'mail.offlineWindow')?.value;
  /** What is new at each look, grouped per folder; invitations are not announced twice (src/shared/notification-rules.ts). */
  const planner = useRef(new NewMailPlanner());
  /** accountId|path of the folders looked at once. */
  const seen = useRef(new Set<string>());
  const waitTimers = useRef(new Map<string, ReturnType<typeof setTimeout>>());
  /** accountId|path → highest uid at the first look: invitations of messages above it are new (issue 18). */
  const baseline = useRef(new Map<string, number | null>());
  const invitationsAnnounced = useRef(new Set<string>());
  const invitationQueue = useRef<InvitationItem[]>([]);
  const invitationTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const folders = useRef(new Map<string, FolderInfo[]>());

  const watched = (accountId: string): FolderInfo[] =>
    (folders.current.get(accountId) ?? []).filter((f) => folderNotifies(prefs, accountId, f));
  /** Folders looked at once at start: those that notify new mail, and the Boîtes de réception for invitations. */
  const lookedAt = (accountId: string): FolderInfo[] =>
    (folders.current.get(accountId) ?? []).filter((f) => folderNotifies(prefs, accountId, f) || (prefs.invitations && isInboxFolder(f)));

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
    seen.current.add(key);
    const { groups, seenUpTo, waiting } = planner.current.look(
      accountId,
      folder.path,
      page.messages.map((m) => ({
        uid: m.uid,
        hasBody: m.hasBody,
        sender: m.from ? m.from.name || m.from.address : '',
        subject: m.subject,
      })),
      {
        announce,
        invitations: prefs.invitations && isInboxFolder(folder) && bodiesComeDown(folder.offline, offlineWindow),
        now: Date.now(),
      },
    );
    if (!baseline.current.has(key)) baseline.current.set(key, seenUpTo);
    for (const group of groups) show(group);
    // A new message waiting for its body (is it an invitation?) is announced at the latest after BODY_WAIT_MS.
    if (waiting > 0 && !waitTimers.current.has(key))
      waitTimers.current.set(
        key,
        setTimeout(() => {
          waitTimers.current.delete(key);
          void look(accountId, folder, true);
        }, BODY_WAIT_MS + 1_000),
      );
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
          for (const folder of lookedAt(account.id))
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

  // Meeting invitations: the core announces each one once its message is downloaded; those of messages that were
  // already there at the first look are not new. Grouped per account over one second.
  const showInvitations = () => {
    invitationTimer.current = null;
    const items = invitationQueue.current.splice(0);
    for (const group of groupInvitations(items, baseline.current, invitationsAnnounced.current)) {
      for (const i of group.lines) invitationsAnnounced.current.add(`${folderKey(i.accountId, i.folder)}|${i.uid}`);
      const newest = group.newest;
      const title =
        group.count === 1
          ? t('desktopNotificationsPlus.invitation.oneTitle', { summary: newest.summary || t('agenda.noTitle') })
          : t('desktopNotificationsPlus.invitation.manyTitle', { count: group.count });
      const body =
        group.count === 1
          ? t('desktopNotificationsPlus.invitation.from', { sender: newest.sender || t('courrier.unknownSender') })
          : group.lines
              .map((l) =>
                t('desktopNotifications.line', {
                  sender: l.sender || t('courrier.unknownSender'),
                  subject: l.summary || t('agenda.noTitle'),
                }),
              )
              .join('\n');
      notifyDesktop({
        title,
        body,
        tag: group.tag,
        onClick: () => onOpenMessage({ accountId: newest.accountId, folder: newest.folder, uid: newest.uid }),
      });
    }
  };
  useApiEvent('mail.invitation', (invitation) => {
    if (!prefs.invitations) return;
    planner.current.invitation(invitation);
    invitationQueue.current.push(invitation);
    invitationTimer.current ??= setTimeout(showInvitations, 1_000);
  });
  useEffect(
    () => () => {
      if (invitationTimer.current) clearTimeout(invitationTimer.current);
      for (const timer of waitTimers.current.values()) clearTimeout(timer);
    },
    [],
  );
  return null;
}

/**
 * Mentions of the agent in a workspace (core event `workspaces.mention`), from any view: grouped per workspace over
 * one second, who and what was written; a click opens Espaces. Mounted once by the application shell.
 */
export function MentionNotifications({ onOpenWorkspace }: { onOpenWorkspace(workspaceId: string): void }) {
  const { t } = useTranslation();
  const prefs = useNotificationPrefs();
  const queue = useRef<MentionItem[]>([]);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const flush = () => {
    timer.current = null;
    for (const group of groupMentions(queue.current.splice(0))) {
      const from = group.newest.from || t('courrier.unknownSender');
      notifyDesktop({
        title:
          group.count === 1
            ? t('desktopNotificationsPlus.mention.oneTitle', { from, workspace: group.workspaceName })
            : t('desktopNotificationsPlus.mention.manyTitle', { count: group.count, workspace: group.workspaceName }),
        body:
          group.count === 1
            ? shortText(group.newest.text)
            : t('desktopNotifications.line', { sender: from, subject: shortText(group.newest.text) }),
        tag: group.tag,
        onClick: () => onOpenWorkspace(group.workspaceId),
      });
    }
  };
  useApiEvent('workspaces.mention', (mention) => {
    if (!prefs.mentions) return;
    queue.current.push(mention);
    timer.current ??= setTimeout(flush, 1_000);
  });
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
  return null;
}
