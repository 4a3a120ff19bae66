/** Réglages: « Comptes » (add, edit, remove) and « Général » (settings, with IT policy locks). */
import { NotificationSettings } from '../desktop/NotificationSettings';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import type { AccountSummary, PolicyView, ServerSettings, SettingEntry, Settings } from '../../../src/shared/contract';
import { ApiCallError } from '../api/client';
import { useApiQuery, useClient } from '../api/react';
import { CertificateTrust, certificateFromDetails } from '../assistant/CertificateTrust';
import { EndpointText } from '../assistant/AccountAssistant';
import { ServerFieldsEditor, TextField } from '../assistant/ServerFieldsEditor';
import { Busy, EmptyState, ErrorAlert, LockedNote, PageHeader, useModalDialog } from '../components/common';
import { Icon } from '../components/icons';
import { formatSentenceTime, formatShortDate } from '../../../src/shared/time';
import { formatNumber, formatSize } from '../lib/format';
import { formFromSettings, settingsFromForm, type FormProblems, type ServerFormFields } from '../lib/server-fields';
import { newServerDestinations } from '../../../src/shared/server-change';
import { CourrierSettings } from './reglages/CourrierSettings';
import { HelpLink } from '../aide/HelpLink';
import { ImportPanel } from './reglages/ImportPanel';
import { AccessibiliteSection } from './reglages/AccessibiliteSection';

export type ReglagesSection = 'comptes' | 'courrier' | 'general' | 'importer' | 'accessibilite';

export function ReglagesView(props: {
  accounts: AccountSummary[];
  policy: PolicyView | undefined;
  section: ReglagesSection;
  onSection(section: ReglagesSection): void;
  onAddAccount(): void;
}) {
  const { t } = useTranslation();
  const { section, onSection } = props;
  return (
    <section className="view" aria-labelledby="reglages-title">
      <PageHeader id="reglages-title" title={t('reglages.title')} />
      <nav className="subnav" aria-label={t('reglages.sectionsLabel')}>
        <button
          type="button"
          className="subnav-item"
          data-testid="reglages-comptes"
          aria-current={section === 'comptes' ? 'page' : undefined}
          onClick={() => onSection('comptes')}
        >
          {t('reglages.sections.comptes')}
        </button>
        <button
          type="button"
          className="subnav-item"
          data-testid="reglages-courrier"
          aria-current={section === 'courrier' ? 'page' : undefined}
          onClick={() => onSection('courrier')}
        >
          {t('reglages.sections.courrier')}
        </button>
        <button
          type="button"
          className="subnav-item"
          data-testid="reglages-general"
          aria-current={section === 'general' ? 'page' : undefined}
          onClick={() => onSection('general')}
        >
          {t('reglages.sections.general')}
        </button>
        <button
          type="button"
          className="subnav-item"
          data-testid="reglages-importer"
          aria-current={section === 'importer' ? 'page' : undefined}
          onClick={() => onSection('importer')}
        >
          {t('reglages.sections.importer')}
        </button>
        <button
          type="button"
          className="subnav-item"
          data-testid="reglages-accessibilite"
          aria-current={section === 'accessibilite' ? 'page' : undefined}
          onClick={() => onSection('accessibilite')}
        >
          {t('accessibilite.navLabel')}
        </button>
      </nav>
      {props.policy?.error ? <ErrorAlert message={props.policy.error} /> : null}
      {section === 'comptes' ? (
        <AccountsSection accounts={props.accounts} onAddAccount={props.onAddAccount} />
      ) : section === 'courrier' ? (
        <CourrierSettings accounts={props.accounts} />
      ) : section === 'importer' ? (
        <ImportPanel accounts={props.accounts} />
      ) : section === 'accessibilite' ? (
        <AccessibiliteSection />
      ) : (
        <GeneralSection policy={props.policy} accounts={props.accounts} />
      )}
    </section>
  );
}

function AccountsSection({ accounts, onAddAccount }: { accounts: AccountSummary[]; onAddAccount(): void }) {
  const { t } = useTranslation();
  const [editing, setEditing] = useState<string | null>(null);
  const [removing, setRemoving] = useState<AccountSummary | null>(null);
  return (
    <section className="subsection" aria-labelledby="comptes-title">
      <div className="section-header">
        <h2 id="comptes-title">{t('reglages.sections.comptes')}</h2>
        <button type="button" className="button button-primary" onClick={onAddAccount} data-testid="add-account">
          <Icon name="plus" />
          <span>{t('reglages.addAccount')}</span>
        </button>
      </div>
      {accounts.length === 0 ? <EmptyState title={t('reglages.noAccountTitle')} text={t('reglages.noAccountText')} /> : null}
      <ul className="account-list">
        {accounts.map((account) => (
          <li key={account.id} className="card account-card" data-testid="account" data-email={account.email}>
            {editing === account.id ? (
              <AccountEditor account={account} onClose={() => setEditing(null)} />
            ) : (
              <AccountCard account={account} onEdit={() => setEditing(account.id)} onRemove={() => setRemoving(account)} />
            )}
          </li>
        ))}
      </ul>
      {removing ? <RemoveAccountDialog account={removing} onClose={() => setRemoving(null)} /> : null}
    </section>
  );
}

function AccountCard({ account, onEdit, onRemove }: { account: AccountSummary; onEdit(): void; onRemove(): void }) {
  const { t } = useTranslation();
  const headingId = useId();
  return (
    <>
      <div className="account-head">
        <h3 id={headingId}>{account.name || account.email}</h3>
        <span className={account.online ? 'pill pill-online' : 'pill pill-offline'}>
          {account.online ? t('status.online') : t('status.offline')}
        </span>
      </div>
      <dl className="details-list">
        <dt>{t('reglages.account.email')}</dt>
        <dd>{account.email}</dd>
        <dt>{t('reglages.account.lastSync')}</dt>
        <dd>
          {account.lastSync
            ? t('reglages.account.lastSyncValue', { date: formatShortDate(account.lastSync), time: formatSentenceTime(account.lastSync) })
            : t('reglages.account.never')}
        </dd>
        {account.pendingOperations > 0 ? (
          <>
            <dt>{t('reglages.account.pending')}</dt>
            <dd>{t('reglages.account.pendingValue', { count: account.pendingOperations })}</dd>
          </>
        ) : null}
        <dt>{t('servers.kinds.imap')}</dt>
        <dd>
          <EndpointText url={account.settings.imap} />
        </dd>
        <dt>{t('servers.kinds.smtp')}</dt>
        <dd>
          <EndpointText url={account.settings.smtp} />
        </dd>
        {(['caldav', 'carddav', 'webdav'] as const).map((kind) =>
          account.settings[kind] ? <DavRow key={kind} kind={kind} url={account.settings[kind]!} /> : null,
        )}
        {account.settings.xmpp ? (
          <>
            <dt>{t('servers.kinds.xmpp')}</dt>
            <dd>
              <EndpointText url={account.settings.xmpp} />
            </dd>
          </>
        ) : null}
      </dl>
      {account.lastError ? <p className="field-error">{account.lastError}</p> : null}
      <div className="form-actions">
        <button type="button" className="button" onClick={onEdit} aria-describedby={headingId} data-testid="edit-account">
          {t('reglages.account.edit')}
        </button>
        <button type="button" className="button button-danger" onClick={onRemove} aria-describedby={headingId} data-testid="remove-account">
          {t('reglages.account.remove')}
        </button>
      </div>
    </>
  );
}

function DavRow({ kind, url }: { kind: 'caldav' | 'carddav' | 'webdav'; url: string }) {
  const { t } = useTranslation();
  const label = kind === 'caldav' ? t('servers.kinds.caldav') : kind === 'carddav' ? t('servers.kinds.carddav') : t('servers.kinds.webdav');
  return (
    <>
      <dt>{label}</dt>
      <dd>
        <EndpointText url={url} />
      </dd>
    </>
  );
}

function AccountEditor({ account, onClose }: { account: AccountSummary; onClose(): void }) {
  const { t } = useTranslation();
  const client = useClient();
  const [name, setName] = useState(account.name);
  const [password, setPassword] = useState('');
  const [form, setForm] = useState<ServerFormFields>(formFromSettings(account.settings));
  const [problems, setProblems] = useState<FormProblems>({});
  const [locked, setLocked] = useState<(keyof ServerSettings)[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiCallError | null>(null);
  const [pinned, setPinned] = useState<string[]>([]);
  const [lastSettings, setLastSettings] = useState<ServerSettings | null>(null);
  const [passwordMissing, setPasswordMissing] = useState(false);
  const headingRef = useRef<HTMLHeadingElement>(null);
  // A new server address is accepted only with the password typed again (the core refuses it otherwise).
  const draft = settingsFromForm(form, locked, account.settings).settings;
  const addressChanged = draft !== null && newServerDestinations(account.settings, draft).length > 0;

  useEffect(() => {
    headingRef.current?.focus();
    // Discovery tells which fields IT policy locks for this address.
    let current = true;
    client.call('accounts.discover', { email: account.email }).then(
      (result) => {
        if (current) setLocked(result.locked);
      },
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [client, account.email]);

  const save = async (settings: ServerSettings, pinnedCertificates: string[]) => {
    setBusy(true);
    setError(null);
    setLastSettings(settings);
    try {
      await client.call('accounts.update', {
        id: account.id,
        name: name.trim(),
        ...(password ? { password } : {}),
        settings,
        ...(pinnedCertificates.length ? { pinnedCertificates } : {}),
      });
      onClose();
    } catch (err) {
      setError(err instanceof ApiCallError ? err : new ApiCallError({ code: 'internal', message: t('errors.unexpected') }));
    } finally {
      setBusy(false);
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const result = settingsFromForm(form, locked, account.settings);
    setProblems(result.problems);
    if (result.settings && !password && newServerDestinations(account.settings, result.settings).length > 0) {
      setPasswordMissing(true);
      document.getElementsByName('password')[0]?.focus();
      return;
    }
    setPasswordMissing(false);
    if (result.settings) void save(result.settings, pinned);
  };

  const certificate = error?.code === 'tls_untrusted' ? certificateFromDetails(error.details) : null;

  return (
    <form className="form" onSubmit={submit} noValidate data-testid="account-editor">
      <h3 ref={headingRef} tabIndex={-1}>
        {t('reglages.account.editTitle', { email: account.email })}
      </h3>
      <TextField name="name" label={t('assistant.fields.name')} value={name} onChange={setName} disabled={busy} autoComplete="name" />
      <TextField
        name="password"
        type="password"
        label={addressChanged ? t('reglages.account.passwordAgain') : t('reglages.account.newPassword')}
        hint={addressChanged ? t('reglages.account.passwordAgainHint') : t('reglages.account.newPasswordHint')}
        value={password}
        onChange={(value) => {
          setPassword(value);
          if (value) setPasswordMissing(false);
        }}
        disabled={busy}
        required={addressChanged}
        problemText={passwordMissing && addressChanged ? t('reglages.account.passwordAgainMissing') : null}
        autoComplete={addressChanged ? 'current-password' : 'new-password'}
        testId="account-password"
      />
      <ServerFieldsEditor value={form} onChange={setForm} locked={locked} problems={problems} disabled={busy} />
      {error ? (
        <ErrorAlert message={error.message}>
          {certificate ? (
            <CertificateTrust
              certificate={certificate}
              busy={busy}
              onTrust={() => {
                if (!lastSettings) return;
                const next = pinned.includes(certificate.pem) ? pinned : [...pinned, certificate.pem];
                setPinned(next);
                void save(lastSettings, next);
              }}
            />
          ) : null}
        </ErrorAlert>
      ) : null}
      {busy ? <Busy text={t('assistant.busyAdding')} /> : null}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={busy} data-testid="save-account">
          {t('common.save')}
        </button>
        <button type="button" className="button button-quiet" disabled={busy} onClick={onClose}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

function RemoveAccountDialog({ account, onClose }: { account: AccountSummary; onClose(): void }) {
  const { t } = useTranslation();
  const client = useClient();
  const ref = useModalDialog();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const remove = async () => {
    setBusy(true);
    setError(null);
    try {
      await client.call('accounts.remove', { id: account.id });
      onClose();
    } catch (err) {
      setError(err instanceof ApiCallError ? err.message : t('errors.unexpected'));
      setBusy(false);
    }
  };

  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby="remove-title"
      aria-describedby="remove-text"
      onClose={onClose}
      data-testid="remove-account-dialog"
    >
      <h2 id="remove-title">{t('reglages.remove.title')}</h2>
      <p id="remove-text">{t('reglages.remove.text', { email: account.email })}</p>
      {error ? <ErrorAlert message={error} /> : null}
      <div className="form-actions">
        <button type="button" className="button" autoFocus onClick={onClose} disabled={busy}>
          {t('common.cancel')}
        </button>
        <button
          type="button"
          className="button button-danger"
          onClick={() => void remove()}
          disabled={busy}
          data-testid="confirm-remove-account"
        >
          {busy ? t('reglages.remove.removing') : t('reglages.remove.confirm')}
        </button>
      </div>
    </dialog>
  );
}

type Draft = Partial<{ [K in keyof Settings]: string }>;

function GeneralSection({ policy, accounts }: { policy: PolicyView | undefined; accounts: AccountSummary[] }) {
  const { t } = useTranslation();
  const client = useClient();
  const settings = useApiQuery('settings.list', {}, { refreshOn: ['settings.changed'] });
  const info = useApiQuery('app.info', {});
  const [draft, setDraft] = useState<Draft>({});
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);

  const entries = (settings.data ?? []).filter(
    (entry) => !entry.hidden && (SHOWN_SETTINGS.includes(entry.key) || (isDesktopApp() && DESKTOP_SETTINGS.includes(entry.key))),
  );
  // The shared meeting token of the old versions: still read for one version, with a notice to IT.
  const oldJoinToken = (settings.data ?? []).some((entry) => entry.key === 'visio.joinToken' && entry.value !== '');
  const valueOf = (entry: SettingEntry) => draft[entry.key] ?? String(entry.value ?? '');

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaving(true);
    setError(null);
    setSaved(false);
    try {
      for (const entry of entries) {
        if (entry.locked) continue;
        const text = draft[entry.key];
        if (text === undefined || text === String(entry.value ?? '')) continue;
        const field = settingField(t, entry.key);
        const value = field.kind === 'number' ? Number(text) : text.trim();
        if (field.kind === 'number' && (text.trim() === '' || !Number.isInteger(value) || (value as number) < 0)) {
          setError(field.invalid ?? t('errors.unexpected'));
          return;
        }
        await client.call('settings.set', { key: entry.key, value });
      }
      setDraft({});
      setSaved(true);
    } catch (err) {
      setError(err instanceof ApiCallError ? err.message : t('errors.unexpected'));
    } finally {
      setSaving(false);
    }
  };

  return (
    <section className="subsection" aria-labelledby="general-title">
      <h2 id="general-title">{t('reglages.sections.general')}</h2>
      {settings.error ? <ErrorAlert message={settings.error.message} /> : null}
      {settings.loading && !settings.data ? <Busy text={t('reglages.general.loading')} /> : null}
      <form className="card form" onSubmit={(event) => void submit(event)} noValidate>
        {entries.map((entry) => (
          <SettingField
            key={entry.key}
            entry={entry}
            value={valueOf(entry)}
            disabled={saving}
            onChange={(value) => {
              setSaved(false);
              setDraft({ ...draft, [entry.key]: value });
            }}
          />
        ))}
        {oldJoinToken ? (
          <p className="notice" data-testid="visio-join-token-deprecated">
            {t('reglages.general.joinTokenDeprecated')}
          </p>
        ) : null}
        {error ? <ErrorAlert message={error} /> : null}
        {saved ? (
          <p className="notice" role="status">
            {t('reglages.general.saved')}
          </p>
        ) : null}
        <div className="form-actions">
          <button
            type="submit"
            className="button button-primary"
            disabled={saving || entries.every((entry) => entry.locked)}
            data-testid="save-settings"
          >
            {t('common.save')}
          </button>
        </div>
      </form>
      <NotificationSettings accounts={accounts} />
      <section className="card" aria-labelledby="about-title">
        <h3 id="about-title">{t('reglages.about.title')}</h3>
        <dl className="details-list">
          {policy?.source ? (
            <>
              <dt>{t('reglages.about.policy')}</dt>
              <dd data-testid="policy-source">
                <code>{policy.source}</code>
              </dd>
            </>
          ) : (
            <>
              <dt>{t('reglages.about.policy')}</dt>
              <dd>{t('reglages.about.noPolicy')}</dd>
            </>
          )}
          {info.data ? (
            <>
              <dt>{t('reglages.about.version')}</dt>
              <dd>{info.data.version}</dd>
              <dt>{t('reglages.about.profile')}</dt>
              <dd>
                <code>{info.data.profileDir}</code>
              </dd>
            </>
          ) : null}
        </dl>
      </section>
    </section>
  );
}

/** The settings shown in « Général », in this order. */
const SHOWN_SETTINGS: (keyof Settings)[] = [
  'mail.offlineWindow',
  'mail.speedLimitKbps',
  'visio.serverUrl',
  'files.localRoot',
  'files.speedLimitKbps',
];

/** The desktop app's own settings (issue 18): shown only there (a browser tab has no notification area). */
const DESKTOP_SETTINGS: (keyof Settings)[] = ['desktop.closeToTray', 'desktop.startAtLogin'];

function isDesktopApp(): boolean {
  return typeof window !== 'undefined' && 'ostalBridge' in window;
}

/** « Messages disponibles hors ligne »: the values of 'mail.offlineWindow', in this order. */
const OFFLINE_WINDOWS: Settings['mail.offlineWindow'][] = ['all', '12months', '3months', 'none'];

function offlineWindowLabel(t: TFunction, value: Settings['mail.offlineWindow']): string {
  switch (value) {
    case 'all':
      return t('reglages.general.offlineWindows.all');
    case '12months':
      return t('reglages.general.offlineWindows.12months');
    case '3months':
      return t('reglages.general.offlineWindows.3months');
    default:
      return t('reglages.general.offlineWindows.none');
  }
}

/** How a setting is shown: French label and hint, kind of input. */
interface SettingField {
  label: string;
  hint: string;
  kind: 'number' | 'url' | 'text' | 'select';
  /** The choices of a 'select' field: value and French label. */
  options?: { value: string; label: string }[];
  /** Message when a number field holds something else than a whole number ≥ 0. */
  invalid?: string;
  placeholder?: string;
  /** The help page of the « ? » beside the label. */
  help?: string;
}
function settingField(t: TFunction, key: keyof Settings): SettingField {
  switch (key) {
    case 'mail.offlineWindow':
      return {
        label: t('reglages.general.offlineWindow'),
        hint: t('reglages.general.offlineWindowHint'),
        kind: 'select',
        options: OFFLINE_WINDOWS.map((value) => ({ value, label: offlineWindowLabel(t, value) })),
        help: 'hors-ligne',
      };
    case 'mail.speedLimitKbps':
      return {
        label: t('reglages.general.mailSpeedLimit'),
        hint: t('reglages.general.mailSpeedLimitHint'),
        kind: 'number',
        help: 'connexion-lente',
        invalid: t('reglages.general.filesSpeedLimitInvalid'),
      };
    case 'visio.serverUrl':
      return {
        label: t('reglages.general.visioServer'),
        hint: t('reglages.general.visioServerHint'),
        kind: 'url',
        placeholder: t('reglages.general.visioServerPlaceholder'),
        help: 'creer-visio',
      };
    case 'desktop.closeToTray':
      return {
        label: t('desktopSettings.closeToTray'),
        hint: t('desktopSettings.closeToTrayHint'),
        kind: 'select',
        options: [
          { value: 'yes', label: t('desktopSettings.closeToTrayYes') },
          { value: 'no', label: t('desktopSettings.closeToTrayNo') },
        ],
      };
    case 'desktop.startAtLogin':
      return {
        label: t('desktopSettings.startAtLogin'),
        hint: t('desktopSettings.startAtLoginHint'),
        kind: 'select',
        options: [
          { value: 'yes', label: t('desktopSettings.yes') },
          { value: 'no', label: t('desktopSettings.no') },
        ],
      };
    case 'files.speedLimitKbps':
      return {
        label: t('reglages.general.filesSpeedLimit'),
        hint: t('reglages.general.filesSpeedLimitHint'),
        kind: 'number',
        help: 'connexion-lente',
        invalid: t('reglages.general.filesSpeedLimitInvalid'),
      };
    default:
      return {
        label: t('reglages.general.filesRoot'),
        hint: t('reglages.general.filesRootHint'),
        kind: 'text',
        help: 'fichiers-ordinateur',
      };
  }
}

function SettingField({
  entry,
  value,
  disabled,
  onChange,
}: {
  entry: SettingEntry;
  value: string;
  disabled: boolean;
  onChange(value: string): void;
}) {
  const { t } = useTranslation();
  const id = useId();
  const field = settingField(t, entry.key);
  const describedBy = [`${id}-hint`, entry.locked ? `${id}-locked` : ''].filter(Boolean).join(' ');
  return (
    <div className="field" data-testid={`setting-${entry.key}`} data-locked={entry.locked ? 'true' : 'false'}>
      <div className="label-with-help">
        <label htmlFor={id}>{field.label}</label>
        {field.help ? <HelpLink page={field.help} /> : null}
      </div>
      <p className="hint" id={`${id}-hint`}>
        {field.hint}
      </p>
      {field.kind === 'select' ? (
        <select
          id={id}
          name={entry.key}
          value={value}
          disabled={disabled || entry.locked}
          aria-describedby={describedBy}
          onChange={(event) => onChange(event.target.value)}
        >
          {field.options?.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      ) : (
        <input
          id={id}
          name={entry.key}
          type={field.kind}
          min={field.kind === 'number' ? 0 : undefined}
          inputMode={field.kind === 'number' ? 'numeric' : undefined}
          value={value}
          readOnly={entry.locked}
          disabled={disabled}
          spellCheck={false}
          placeholder={field.placeholder}
          aria-describedby={describedBy}
          onChange={(event) => onChange(event.target.value)}
        />
      )}
      {entry.locked ? <LockedNote id={`${id}-locked`} /> : null}
      {entry.key === 'mail.offlineWindow' ? <OfflineSpace /> : null}
    </div>
  );
}

/**
 * « 2,4 Go sur cet ordinateur » next to « Messages disponibles hors ligne », and « Libérer de l'espace »: the bodies
 * outside the saved choice leave this computer (the messages stay in the lists and are fetched again when opened).
 */
function OfflineSpace() {
  const { t } = useTranslation();
  const client = useClient();
  const space = useApiQuery('mail.offlineSpace', {}, { refreshOn: ['mail.changed', 'settings.changed'] });
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const free = async () => {
    setBusy(true);
    setDone(null);
    setError(null);
    try {
      const r = await client.call('mail.freeSpace', {});
      setDone(
        r.droppedBodies === 0
          ? t('reglages.general.offlineSpaceNothing')
          : t('reglages.general.offlineSpaceFreed', {
              count: r.droppedBodies,
              size: formatSize(r.freedBytes),
              messages: formatNumber(r.droppedBodies, 0),
            }),
      );
      space.reload();
    } catch (err) {
      setError(err instanceof ApiCallError ? err.message : t('errors.unexpected'));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="offline-space" data-testid="offline-space">
      <p className="offline-space-used">
        {space.data ? (
          <span data-testid="offline-space-size">{t('reglages.general.offlineSpaceUsed', { size: formatSize(space.data.bytes) })}</span>
        ) : (
          t('reglages.general.offlineSpaceLoading')
        )}
      </p>
      <button type="button" className="button" disabled={busy} onClick={() => void free()} data-testid="offline-space-free">
        {busy ? t('reglages.general.offlineSpaceFreeing') : t('reglages.general.offlineSpaceFree')}
      </button>
      <p className="hint">{t('reglages.general.offlineSpaceHint')}</p>
      {done ? (
        <p className="notice" role="status" data-testid="offline-space-done">
          {done}
        </p>
      ) : null}
      {error ? <ErrorAlert message={error} /> : null}
    </div>
  );
}
