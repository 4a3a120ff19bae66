/**
 * Desktop notifications with actions in Electron (issue 18): the web Notification API the page uses offers no buttons,
 * so a notification that has one (an Agenda reminder's « Rappeler dans 5 min ») goes through the preload to the main
 * process, which shows it with Electron's Notification and sends back which action was chosen. What an action does is
 * decided by the page (src/shared/notification-rules.ts applyReminderAction, the code browser mode runs too); this
 * module only checks what the page asks and maps Electron's answer (an action index) back to the page's action id.
 * Electron's part is played in tests by an object behind `SystemNotifications`.
 */

export interface NotificationAction {
  id: string;
  /** French, from the page's translations. */
  label: string;
}

export interface NotificationRequest {
  /** Chosen by the page; the answers carry it back. */
  id: string;
  title: string;
  body: string;
  actions: NotificationAction[];
}

/** What goes back to the page: a click on the notification (`open`) or one of its actions. */
export interface NotificationAnswer {
  id: string;
  action: string;
}

/** Electron's Notification as main/electron.ts wraps it: shows, then calls back on a click or an action's index. */
export interface SystemNotifications {
  show(request: { title: string; body: string; actions: string[] }, on: { click(): void; action(index: number): void }): void;
}

const MAX_TITLE = 200;
const MAX_BODY = 1_000;
/** Windows shows up to five buttons, macOS's alert a few: two is plenty. */
const MAX_ACTIONS = 2;
const ID = /^[A-Za-z0-9_.:|@-]{1,300}$/;

const text = (v: unknown, max: number): string | null => (typeof v === 'string' && v.length <= max ? v : null);

/** What the page sent over IPC, checked: null when anything is off (the notification is then not shown). */
export function checkNotificationRequest(raw: unknown): NotificationRequest | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const r = raw as Record<string, unknown>;
  const id = typeof r.id === 'string' && ID.test(r.id) ? r.id : null;
  const title = text(r.title, MAX_TITLE);
  const body = text(r.body ?? '', MAX_BODY);
  if (id === null || title === null || title === '' || body === null || !Array.isArray(r.actions) || r.actions.length > MAX_ACTIONS)
    return null;
  const actions: NotificationAction[] = [];
  for (const a of r.actions as unknown[]) {
    if (typeof a !== 'object' || a === null) return null;
    const { id: actionId, label } = a as Record<string, unknown>;
    if (typeof actionId !== 'string' || !/^[a-z]{1,30}$/.test(actionId) || actionId === 'open') return null;
    const l = text(label, 80);
    if (l === null || l === '') return null;
    actions.push({ id: actionId, label: l });
  }
  return { id, title, body, actions };
}

/** Shows a checked request and maps Electron's answers back to the page's ids (an unknown index answers nothing). */
export function showNotification(system: SystemNotifications, raw: unknown, answer: (a: NotificationAnswer) => void): boolean {
  const request = checkNotificationRequest(raw);
  if (!request) return false;
  system.show(
    { title: request.title, body: request.body, actions: request.actions.map((a) => a.label) },
    {
      click: () => answer({ id: request.id, action: 'open' }),
      action: (index) => {
        const chosen = Number.isInteger(index) ? request.actions[index] : undefined;
        if (chosen) answer({ id: request.id, action: chosen.id });
      },
    },
  );
  return true;
}
