/** The manual server form: IMAP and SMTP as serveur / port / sécurité, DAV addresses, login name. */
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { ServerSettings } from '../../../src/shared/contract';
import { LockedNote } from '../components/common';
import type { FieldProblem, MailServerFields, Security } from '../lib/endpoint-url';
import { switchSecurity, type DavKind, type FormProblems, type ServerFormFields } from '../lib/server-fields';

export function useProblemText(): (problem: FieldProblem | undefined) => string | null {
  const { t } = useTranslation();
  return (problem) => {
    switch (problem) {
      case 'host_missing':
        return t('servers.problems.hostMissing');
      case 'host_invalid':
        return t('servers.problems.hostInvalid');
      case 'port_invalid':
        return t('servers.problems.portInvalid');
      case 'url_invalid':
        return t('servers.problems.urlInvalid');
      case 'url_not_https':
        return t('servers.problems.urlNotHttps');
      default:
        return null;
    }
  };
}

interface EditorProps {
  value: ServerFormFields;
  onChange(value: ServerFormFields): void;
  locked: readonly (keyof ServerSettings)[];
  problems: FormProblems;
  disabled?: boolean;
}

export function ServerFieldsEditor({ value, onChange, locked, problems, disabled }: EditorProps) {
  const { t } = useTranslation();
  return (
    <div className="server-fields" data-testid="server-fields">
      <MailServerFieldset
        protocol="imap"
        legend={t('servers.kinds.imap')}
        value={value.imap}
        onChange={(imap) => onChange({ ...value, imap })}
        locked={locked.includes('imap')}
        problems={problems}
        disabled={disabled}
      />
      <MailServerFieldset
        protocol="smtp"
        legend={t('servers.kinds.smtp')}
        value={value.smtp}
        onChange={(smtp) => onChange({ ...value, smtp })}
        locked={locked.includes('smtp')}
        problems={problems}
        disabled={disabled}
      />
      <TextField
        name="username"
        label={t('servers.fields.username')}
        hint={t('servers.fields.usernameHint')}
        value={value.username}
        onChange={(username) => onChange({ ...value, username })}
        locked={locked.includes('username')}
        disabled={disabled}
        autoComplete="username"
      />
      <fieldset className="fieldset">
        <legend>{t('servers.davLegend')}</legend>
        <p className="hint">{t('servers.davHint')}</p>
        {(['caldav', 'carddav', 'webdav'] as const).map((kind) => (
          <DavField
            key={kind}
            kind={kind}
            value={value[kind]}
            onChange={(url) => onChange({ ...value, [kind]: url })}
            locked={locked.includes(kind)}
            problem={problems[kind]}
            disabled={disabled}
          />
        ))}
      </fieldset>
    </div>
  );
}

function MailServerFieldset(props: {
  protocol: 'imap' | 'smtp';
  legend: string;
  value: MailServerFields;
  onChange(value: MailServerFields): void;
  locked: boolean;
  problems: FormProblems;
  disabled?: boolean;
}) {
  const { t } = useTranslation();
  const problemText = useProblemText();
  const id = useId();
  const { protocol, value, onChange, locked } = props;
  const hostProblem = problemText(props.problems[`${protocol}.host`]);
  const portProblem = problemText(props.problems[`${protocol}.port`]);
  const lockId = `${id}-locked`;
  return (
    <fieldset className="fieldset mail-server" data-testid={`server-${protocol}`} data-locked={locked ? 'true' : undefined}>
      <legend>{props.legend}</legend>
      {locked ? <LockedNote id={lockId} /> : null}
      <div className="field-row">
        <div className="field field-host">
          <label htmlFor={`${id}-host`}>{t('servers.fields.host')}</label>
          <input
            id={`${id}-host`}
            name={`${protocol}-host`}
            type="text"
            value={value.host}
            readOnly={locked}
            disabled={props.disabled}
            spellCheck={false}
            autoCapitalize="off"
            placeholder={protocol === 'imap' ? t('servers.fields.imapHostPlaceholder') : t('servers.fields.smtpHostPlaceholder')}
            aria-invalid={hostProblem ? true : undefined}
            aria-describedby={[hostProblem ? `${id}-host-error` : '', locked ? lockId : ''].filter(Boolean).join(' ') || undefined}
            onChange={(event) => onChange({ ...value, host: event.target.value })}
          />
          {hostProblem ? (
            <p className="field-error" id={`${id}-host-error`}>
              {hostProblem}
            </p>
          ) : null}
        </div>
        <div className="field field-port">
          <label htmlFor={`${id}-port`}>{t('servers.fields.port')}</label>
          <input
            id={`${id}-port`}
            name={`${protocol}-port`}
            type="text"
            inputMode="numeric"
            value={value.port}
            readOnly={locked}
            disabled={props.disabled}
            aria-invalid={portProblem ? true : undefined}
            aria-describedby={[portProblem ? `${id}-port-error` : '', locked ? lockId : ''].filter(Boolean).join(' ') || undefined}
            onChange={(event) => onChange({ ...value, port: event.target.value })}
          />
          {portProblem ? (
            <p className="field-error" id={`${id}-port-error`}>
              {portProblem}
            </p>
          ) : null}
        </div>
        <div className="field field-security">
          <label htmlFor={`${id}-security`}>{t('servers.fields.security')}</label>
          <select
            id={`${id}-security`}
            name={`${protocol}-security`}
            value={value.security}
            disabled={locked || props.disabled}
            aria-describedby={locked ? lockId : undefined}
            onChange={(event) => onChange(switchSecurity(protocol, value, event.target.value as Security))}
          >
            <option value="tls">{t('servers.security.tls')}</option>
            <option value="starttls">{t('servers.security.starttls')}</option>
          </select>
        </div>
      </div>
    </fieldset>
  );
}

function DavField(props: {
  kind: DavKind;
  value: string;
  onChange(value: string): void;
  locked: boolean;
  problem?: FieldProblem;
  disabled?: boolean;
}) {
  const { t } = useTranslation();
  const labels: Record<DavKind, string> = {
    caldav: t('servers.kinds.caldav'),
    carddav: t('servers.kinds.carddav'),
    webdav: t('servers.kinds.webdav'),
  };
  return (
    <TextField
      name={props.kind}
      label={labels[props.kind]}
      value={props.value}
      onChange={props.onChange}
      locked={props.locked}
      disabled={props.disabled}
      placeholder={t('servers.fields.davPlaceholder')}
      problem={props.problem}
      testId={`server-${props.kind}`}
    />
  );
}

export function TextField(props: {
  name: string;
  label: string;
  value: string;
  onChange(value: string): void;
  locked?: boolean;
  disabled?: boolean;
  hint?: string;
  placeholder?: string;
  problem?: FieldProblem;
  problemText?: string | null;
  type?: 'text' | 'email' | 'password' | 'url' | 'number';
  autoComplete?: string;
  required?: boolean;
  testId?: string;
}) {
  const id = useId();
  const problemText = useProblemText();
  const error = props.problemText ?? problemText(props.problem);
  const describedBy = [props.hint ? `${id}-hint` : '', error ? `${id}-error` : '', props.locked ? `${id}-locked` : '']
    .filter(Boolean)
    .join(' ');
  return (
    <div className="field" data-testid={props.testId} data-locked={props.locked ? 'true' : undefined}>
      <label htmlFor={id}>{props.label}</label>
      {props.hint ? (
        <p className="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      ) : null}
      <input
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value}
        readOnly={props.locked}
        disabled={props.disabled}
        required={props.required}
        placeholder={props.placeholder}
        autoComplete={props.autoComplete ?? 'off'}
        spellCheck={false}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy || undefined}
        onChange={(event) => props.onChange(event.target.value)}
      />
      {props.locked ? <LockedNote id={`${id}-locked`} /> : null}
      {error ? (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}
