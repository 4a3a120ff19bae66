/**
 * « Ajouter un compte »: name, address and password → discovery (accounts.discover) → review of
 * the servers found (or manual settings) → accounts.add, which tests every server before saving.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { AccountSummary, DiscoveryResult, DiscoverySource, PolicyView, ServerSettings } from '../../../src/shared/contract';
import { ApiCallError } from '../api/client';
import { useClient } from '../api/react';
import { Busy, ErrorAlert, LockedNote } from '../components/common';
import { Icon } from '../components/icons';
import { describeEndpoint, parseMailServerUrl } from '../lib/endpoint-url';
import {
  emptyServerForm,
  formFromSettings,
  looksLikeEmail,
  settingsFromForm,
  type FormProblems,
  type ServerFormFields,
} from '../lib/server-fields';
import { CertificateTrust, certificateFromDetails } from './CertificateTrust';
import { ServerFieldsEditor, TextField } from './ServerFieldsEditor';

type Step = 'identity' | 'review' | 'manual';
type BusyState = 'discovering' | 'adding' | null;

export function AccountAssistant(props: {
  policy: PolicyView | undefined;
  firstRun: boolean;
  onDone(account: AccountSummary): void;
  onCancel?(): void;
}) {
  const { t } = useTranslation();
  const client = useClient();
  const [step, setStep] = useState<Step>('identity');
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [identityProblems, setIdentityProblems] = useState<{ email?: string; password?: string }>({});
  const [discovery, setDiscovery] = useState<DiscoveryResult | null>(null);
  const [form, setForm] = useState<ServerFormFields>(emptyServerForm());
  const [formProblems, setFormProblems] = useState<FormProblems>({});
  const [busy, setBusy] = useState<BusyState>(null);
  const [error, setError] = useState<ApiCallError | null>(null);
  const [pinned, setPinned] = useState<string[]>([]);
  const [lastSettings, setLastSettings] = useState<ServerSettings | null>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);

  const locked = discovery?.locked ?? [];

  const firstStep = useRef(true);
  useEffect(() => {
    // Move focus to the new step's heading, but not on the first display (the page just opened).
    if (firstStep.current) {
      firstStep.current = false;
      return;
    }
    headingRef.current?.focus();
  }, [step]);

  const fail = (err: unknown) =>
    setError(err instanceof ApiCallError ? err : new ApiCallError({ code: 'internal', message: t('errors.unexpected') }));

  const discover = async (event: FormEvent) => {
    event.preventDefault();
    const problems: { email?: string; password?: string } = {};
    if (!looksLikeEmail(email)) problems.email = t('assistant.problems.email');
    if (password === '') problems.password = t('assistant.problems.password');
    setIdentityProblems(problems);
    if (problems.email || problems.password) return;
    setError(null);
    setBusy('discovering');
    try {
      const result = await client.call('accounts.discover', { email: email.trim() });
      setDiscovery(result);
      setForm(formFromSettings(result.settings));
      setStep('review');
    } catch (err) {
      fail(err);
      if (err instanceof ApiCallError && err.code === 'discovery_failed') {
        setDiscovery(null);
        setStep('manual');
      }
    } finally {
      setBusy(null);
    }
  };

  const add = async (settings: ServerSettings, pinnedCertificates: string[]) => {
    setError(null);
    setBusy('adding');
    setLastSettings(settings);
    try {
      const account = await client.call('accounts.add', {
        email: email.trim(),
        name: name.trim() || undefined,
        password,
        settings,
        ...(pinnedCertificates.length > 0 ? { pinnedCertificates } : {}),
      });
      // Start the first synchronisation; its progress shows in the status area.
      client.call('sync.run', { accountId: account.id }).catch(() => undefined);
      props.onDone(account);
    } catch (err) {
      fail(err);
    } finally {
      setBusy(null);
    }
  };

  const addFromManual = (event: FormEvent) => {
    event.preventDefault();
    const { settings, problems } = settingsFromForm(form, locked, discovery?.settings);
    setFormProblems(problems);
    if (!settings) return;
    void add(settings, pinned);
  };

  const certificate = error?.code === 'tls_untrusted' ? certificateFromDetails(error.details) : null;
  const trust = () => {
    if (!certificate || !lastSettings) return;
    const next = pinned.includes(certificate.pem) ? pinned : [...pinned, certificate.pem];
    setPinned(next);
    void add(lastSettings, next);
  };

  const errorBlock = error ? (
    <ErrorAlert message={error.message}>
      {certificate ? <CertificateTrust certificate={certificate} busy={busy !== null} onTrust={trust} /> : null}
    </ErrorAlert>
  ) : null;

  const busyBlock =
    busy === 'discovering' ? (
      <Busy text={t('assistant.busyDiscovering')} />
    ) : busy === 'adding' ? (
      <Busy text={t('assistant.busyAdding')} />
    ) : null;

  const policyHint =
    props.policy && !props.policy.allowOtherDomains && props.policy.presetDomains.length > 0
      ? t('assistant.onlyDomains', { domains: props.policy.presetDomains.join(', ') })
      : null;

  return (
    <section className="assistant" aria-labelledby="assistant-title" data-testid="account-assistant" data-step={step}>
      <div className="assistant-head">
        <h1 id="assistant-title" ref={step === 'identity' ? headingRef : undefined} tabIndex={-1}>
          {t('assistant.title')}
        </h1>
        <p className="assistant-intro">{props.firstRun ? t('assistant.introFirstRun') : t('assistant.intro')}</p>
        <ol className="steps" aria-label={t('assistant.stepsLabel')}>
          <li aria-current={step === 'identity' ? 'step' : undefined}>{t('assistant.stepIdentity')}</li>
          <li aria-current={step !== 'identity' ? 'step' : undefined}>{t('assistant.stepServers')}</li>
        </ol>
      </div>

      {step === 'identity' ? (
        <form className="card form" onSubmit={discover} noValidate data-testid="assistant-step-identity">
          <TextField
            name="name"
            label={t('assistant.fields.name')}
            hint={t('assistant.fields.nameHint')}
            value={name}
            onChange={setName}
            autoComplete="name"
            disabled={busy !== null}
          />
          <TextField
            name="email"
            type="email"
            label={t('assistant.fields.email')}
            hint={policyHint ?? undefined}
            placeholder={t('assistant.fields.emailPlaceholder')}
            value={email}
            onChange={setEmail}
            autoComplete="email"
            required
            disabled={busy !== null}
            problemText={identityProblems.email}
          />
          <TextField
            name="password"
            type="password"
            label={t('assistant.fields.password')}
            value={password}
            onChange={setPassword}
            autoComplete="current-password"
            required
            disabled={busy !== null}
            problemText={identityProblems.password}
          />
          {errorBlock}
          {busyBlock}
          <div className="form-actions">
            <button type="submit" className="button button-primary" disabled={busy !== null} data-testid="assistant-continue">
              {t('assistant.continue')}
            </button>
            <button
              type="button"
              className="button"
              disabled={busy !== null}
              onClick={() => {
                if (!looksLikeEmail(email)) {
                  setIdentityProblems({ email: t('assistant.problems.email') });
                  return;
                }
                setError(null);
                setStep('manual');
              }}
            >
              {t('assistant.manual')}
            </button>
            {props.onCancel ? (
              <button type="button" className="button button-quiet" onClick={props.onCancel} disabled={busy !== null}>
                {t('common.cancel')}
              </button>
            ) : null}
          </div>
        </form>
      ) : null}

      {step === 'review' && discovery ? (
        <div className="card" data-testid="assistant-step-review">
          <h2 ref={headingRef} tabIndex={-1}>
            {t('assistant.reviewTitle')}
          </h2>
          <p>{t('assistant.reviewIntro', { email: discovery.email })}</p>
          <DiscoveredServers discovery={discovery} />
          {errorBlock}
          {busyBlock}
          <div className="form-actions">
            <button
              type="button"
              className="button button-primary"
              disabled={busy !== null}
              data-testid="assistant-add"
              onClick={() => void add(discovery.settings, pinned)}
            >
              {t('assistant.add')}
            </button>
            <button
              type="button"
              className="button"
              disabled={busy !== null}
              onClick={() => {
                setError(null);
                setStep('manual');
              }}
            >
              {t('assistant.manual')}
            </button>
            <button
              type="button"
              className="button button-quiet"
              disabled={busy !== null}
              onClick={() => {
                setError(null);
                setStep('identity');
              }}
            >
              {t('common.back')}
            </button>
          </div>
        </div>
      ) : null}

      {step === 'manual' ? (
        <form className="card form" onSubmit={addFromManual} noValidate data-testid="assistant-step-manual">
          <h2 ref={headingRef} tabIndex={-1}>
            {t('assistant.manualTitle')}
          </h2>
          <p>{t('assistant.manualIntro', { email: email.trim() })}</p>
          <ServerFieldsEditor value={form} onChange={setForm} locked={locked} problems={formProblems} disabled={busy !== null} />
          {errorBlock}
          {busyBlock}
          <div className="form-actions">
            <button type="submit" className="button button-primary" disabled={busy !== null} data-testid="assistant-add">
              {t('assistant.add')}
            </button>
            <button
              type="button"
              className="button button-quiet"
              disabled={busy !== null}
              onClick={() => {
                setError(null);
                setStep(discovery ? 'review' : 'identity');
              }}
            >
              {t('common.back')}
            </button>
          </div>
        </form>
      ) : null}
    </section>
  );
}

/** The servers discovery found, in plain French, with where each came from. */
export function DiscoveredServers({ discovery }: { discovery: DiscoveryResult }) {
  const { t } = useTranslation();
  const sourceText = (source: DiscoverySource | null): string => {
    switch (source) {
      case 'policy':
        return t('discovery.sources.policy');
      case 'autoconfig':
        return t('discovery.sources.autoconfig');
      case 'well-known-autoconfig':
        return t('discovery.sources.wellKnownAutoconfig');
      case 'srv':
        return t('discovery.sources.srv');
      case 'manual':
        return t('discovery.sources.manual');
      default:
        return t('discovery.sources.none');
    }
  };
  const rows: { kind: keyof ServerSettings & string; label: string; url: string | null | undefined; source: DiscoverySource | null }[] = [
    { kind: 'imap', label: t('servers.kinds.imap'), url: discovery.settings.imap, source: discovery.sources.mail },
    { kind: 'smtp', label: t('servers.kinds.smtp'), url: discovery.settings.smtp, source: discovery.sources.mail },
    { kind: 'caldav', label: t('servers.kinds.caldav'), url: discovery.settings.caldav, source: discovery.sources.caldav },
    { kind: 'carddav', label: t('servers.kinds.carddav'), url: discovery.settings.carddav, source: discovery.sources.carddav },
    { kind: 'webdav', label: t('servers.kinds.webdav'), url: discovery.settings.webdav, source: discovery.sources.webdav },
  ];
  return (
    <ul className="server-list">
      {rows.map((row) => {
        const isLocked = discovery.locked.includes(row.kind);
        return (
          <li
            key={row.kind}
            className="server-item"
            data-testid="discovered-server"
            data-kind={row.kind}
            data-found={row.url ? 'true' : 'false'}
            data-locked={isLocked ? 'true' : undefined}
          >
            <div className="server-kind">
              <Icon
                name={
                  row.kind === 'imap' || row.kind === 'smtp'
                    ? 'courrier'
                    : row.kind === 'caldav'
                      ? 'agenda'
                      : row.kind === 'carddav'
                        ? 'contacts'
                        : 'fichiers'
                }
              />
              <span>{row.label}</span>
            </div>
            <div className="server-value">
              {row.url ? <EndpointText url={row.url} /> : <span className="muted">{t('discovery.notFound')}</span>}
            </div>
            <div className="server-source">
              {row.url ? isLocked ? <LockedNote /> : <span className="muted">{sourceText(row.source)}</span> : null}
            </div>
          </li>
        );
      })}
    </ul>
  );
}

/** « mail.exemple.fr, port 993, SSL/TLS » or the DAV address. */
export function EndpointText({ url }: { url: string }) {
  const { t } = useTranslation();
  const mail = parseMailServerUrl(url);
  if (mail) {
    return (
      <span className="endpoint">
        {t('servers.endpoint', {
          host: mail.host,
          port: mail.port,
          security: mail.security === 'tls' ? t('servers.security.tls') : t('servers.security.starttls'),
        })}
      </span>
    );
  }
  const xmpp = /^xmpp:\/\//i.test(url) ? describeEndpoint(url) : null;
  if (xmpp) {
    return (
      <span className="endpoint">
        {t('servers.endpoint', { host: xmpp.host, port: xmpp.port, security: t('servers.security.starttls') })}
      </span>
    );
  }
  return <span className="endpoint">{url}</span>;
}
