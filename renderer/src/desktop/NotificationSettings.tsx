/**
 * Réglages › Général › « Notifications » (issue 18): new mail (on by default), which folders notify (the Boîte de
 * réception by default), Agenda reminders, and « Ne pas déranger » hours. Kept on this computer (like the window's
 * size): src/shared/notification-rules.ts decides with them.
 */
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { AccountSummary } from '../../../src/shared/contract';
import { folderKey, folderNotifies, type NotificationPrefs } from '../../../src/shared/notification-rules';
import { useApiQuery } from '../api/react';
import { notificationPermission, useNotificationPrefs, writeNotificationPrefs } from './notifications';

/** Every half hour, « 22 h 00 » (and the stored value if it is another minute). */
function clockChoices(current: string, t: TFunction) {
  const values: string[] = [];
  for (let m = 0; m < 24 * 60; m += 30) values.push(`${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`);
  if (!values.includes(current)) values.push(current);
  return values.sort().map((v) => (
    <option key={v} value={v}>
      {t('desktopNotifications.clock', { hours: Number(v.slice(0, 2)), minutes: v.slice(3) })}
    </option>
  ));
}

export function NotificationSettings({ accounts }: { accounts: AccountSummary[] }) {
  const { t } = useTranslation();
  const id = useId();
  const prefs = useNotificationPrefs();
  const [permission, setPermission] = useState(notificationPermission);
  const change = (next: Partial<NotificationPrefs>) => writeNotificationPrefs({ ...prefs, ...next });
  return (
    <section className="card form" aria-labelledby={`${id}-title`} data-testid="notification-settings">
      <h3 id={`${id}-title`}>{t('desktopNotifications.title')}</h3>
      <p className="hint">{t('desktopNotifications.intro')}</p>
      {permission === 'unsupported' ? <p className="notice">{t('desktopNotifications.unsupported')}</p> : null}
      {permission === 'denied' ? <p className="notice">{t('desktopNotifications.permissionDenied')}</p> : null}
      {permission === 'default' ? (
        <p className="notice">
          {t('desktopNotifications.permissionDefault')}{' '}
          <button
            type="button"
            className="button"
            data-testid="notifications-permission"
            onClick={() => void Notification.requestPermission().then(() => setPermission(notificationPermission()))}
          >
            {t('desktopNotifications.permissionAsk')}
          </button>
        </p>
      ) : null}
      <label className="inline-field">
        <input type="checkbox" checked={prefs.mail} onChange={(e) => change({ mail: e.target.checked })} data-testid="notify-mail" />
        {t('desktopNotifications.mail')}
      </label>
      <p className="hint">{t('desktopNotifications.mailHint')}</p>
      {prefs.mail ? (
        <fieldset className="notification-folders">
          <legend>{t('desktopNotifications.folders')}</legend>
          {accounts.map((account) => (
            <AccountFolders key={account.id} account={account} prefs={prefs} showEmail={accounts.length > 1} />
          ))}
        </fieldset>
      ) : null}
      <label className="inline-field">
        <input
          type="checkbox"
          checked={prefs.reminders}
          onChange={(e) => change({ reminders: e.target.checked })}
          data-testid="notify-reminders"
        />
        {t('desktopNotifications.reminders')}
      </label>
      <label className="inline-field">
        <input
          type="checkbox"
          checked={prefs.invitations}
          onChange={(e) => change({ invitations: e.target.checked })}
          data-testid="notify-invitations"
        />
        {t('desktopNotificationsPlus.invitations')}
      </label>
      <label className="inline-field">
        <input
          type="checkbox"
          checked={prefs.mentions}
          onChange={(e) => change({ mentions: e.target.checked })}
          data-testid="notify-mentions"
        />
        {t('desktopNotificationsPlus.mentions')}
      </label>
      <label className="inline-field">
        <input
          type="checkbox"
          checked={prefs.quiet.enabled}
          onChange={(e) => change({ quiet: { ...prefs.quiet, enabled: e.target.checked } })}
          data-testid="notify-quiet"
        />
        {t('desktopNotifications.quiet')}
      </label>
      <div className="inline-field">
        <label htmlFor={`${id}-from`}>{t('desktopNotifications.quietFrom')}</label>
        <select
          id={`${id}-from`}
          value={prefs.quiet.start}
          disabled={!prefs.quiet.enabled}
          onChange={(e) => change({ quiet: { ...prefs.quiet, start: e.target.value } })}
          data-testid="notify-quiet-start"
        >
          {clockChoices(prefs.quiet.start, t)}
        </select>
        <label htmlFor={`${id}-to`}>{t('desktopNotifications.quietTo')}</label>
        <select
          id={`${id}-to`}
          value={prefs.quiet.end}
          disabled={!prefs.quiet.enabled}
          onChange={(e) => change({ quiet: { ...prefs.quiet, end: e.target.value } })}
          data-testid="notify-quiet-end"
        >
          {clockChoices(prefs.quiet.end, t)}
        </select>
      </div>
      <p className="hint">{t('desktopNotifications.quietHint')}</p>
    </section>
  );
}

function AccountFolders({ account, prefs, showEmail }: { account: AccountSummary; prefs: NotificationPrefs; showEmail: boolean }) {
  const folders = useApiQuery('mail.folders', { accountId: account.id });
  return (
    <div className="notification-account">
      {showEmail ? <p className="muted">{account.email}</p> : null}
      {(folders.data ?? []).map((folder) => (
        <label key={folder.path} className="inline-field">
          <input
            type="checkbox"
            checked={folderNotifies(prefs, account.id, folder)}
            onChange={(e) =>
              writeNotificationPrefs({
                ...prefs,
                mailFolders: { ...prefs.mailFolders, [folderKey(account.id, folder.path)]: e.target.checked },
              })
            }
            data-testid="notify-folder"
          />
          {folder.name}
        </label>
      ))}
    </div>
  );
}
