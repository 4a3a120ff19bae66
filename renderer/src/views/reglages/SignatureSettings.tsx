/**
 * Réglages › Courrier › « Rédaction et signature »: how the account's new messages are written (« Mise en forme » or
 * « Texte brut », per account) and the account's signature, written with the composer's editor. When IT sets and locks the organisation's
 * template ('mail.signatureTemplate'), it is shown filled and always comes first; the agent completes it.
 */
import { useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { AccountSummary } from '../../../../src/shared/contract';
import { ApiCallError } from '../../api/client';
import { useApiQuery, useClient } from '../../api/react';
import { Busy, ErrorAlert, LockedNote } from '../../components/common';
import { LazyRichEditor as RichEditor, type RichEditorHandle } from '../courrier/LazyRichEditor';
import { composeFormatFor, fillTemplate, signatureSettings, type SignatureField } from '../../lib/signature';

export function SignatureSettings({ account }: { account: AccountSummary }) {
  const { t } = useTranslation();
  const settings = useApiQuery('settings.list', {});
  if (settings.error) return <ErrorAlert message={settings.error.message} />;
  if (!settings.data) return <Busy text={t('redaction.settings.loading')} />;
  return <SignatureForm key={account.id} account={account} entries={settings.data} />;
}

function SignatureForm({
  account,
  entries,
}: {
  account: AccountSummary;
  entries: NonNullable<ReturnType<typeof useApiQuery<'settings.list'>>['data']>;
}) {
  const { t } = useTranslation();
  const client = useClient();
  const id = useId();
  const editor = useRef<RichEditorHandle | null>(null);
  const initial = signatureSettings(entries);
  const formatEntry = entries.find((e) => e.key === 'mail.composeFormat');
  const [format, setFormat] = useState(composeFormatFor(account.id, entries));
  const [fields, setFields] = useState<Record<SignatureField, string>>({
    fonction: initial.own[`${account.id}#fonction`] ?? '',
    service: initial.own[`${account.id}#service`] ?? '',
    telephone: initial.own[`${account.id}#telephone`] ?? '',
  });
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const labels: Record<SignatureField, string> = {
    fonction: t('redaction.settings.fonction'),
    service: t('redaction.settings.service'),
    telephone: t('redaction.settings.telephone'),
  };

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSaving(true);
    setSaved(false);
    setError(null);
    try {
      // The latest map (another account's signature may have changed meanwhile).
      const fresh = signatureSettings(await client.call('settings.list', {})).own;
      const html = editor.current?.getHtml() ?? '';
      fresh[account.id] = html.replace(/^(<p><\/p>)+$/, '');
      for (const f of ['fonction', 'service', 'telephone'] as const) fresh[`${account.id}#${f}`] = fields[f].trim();
      // The format is this account's choice; the general setting stays the default of the others.
      if (!formatEntry?.locked) fresh[`${account.id}#format`] = format;
      await client.call('settings.set', { key: 'mail.signatures', value: JSON.stringify(fresh) });
      setSaved(true);
    } catch (err) {
      setError(err instanceof ApiCallError ? err.message : t('errors.unexpected'));
    } finally {
      setSaving(false);
    }
  }

  return (
    <form className="card form" aria-labelledby={`${id}-title`} onSubmit={(e) => void submit(e)} noValidate data-testid="signature-card">
      <h3 id={`${id}-title`}>{t('redaction.settings.title')}</h3>
      <fieldset className="field signature-format">
        <legend>{t('redaction.settings.format')}</legend>
        <label className="inline-field">
          <input
            type="radio"
            name={`${id}-format`}
            value="html"
            checked={format === 'html'}
            disabled={formatEntry?.locked}
            onChange={() => {
              setSaved(false);
              setFormat('html');
            }}
            data-testid="format-html"
          />
          {t('redaction.settings.formatHtml')}
        </label>
        <label className="inline-field">
          <input
            type="radio"
            name={`${id}-format`}
            value="text"
            checked={format === 'text'}
            disabled={formatEntry?.locked}
            onChange={() => {
              setSaved(false);
              setFormat('text');
            }}
            data-testid="format-text"
          />
          {t('redaction.settings.formatText')}
        </label>
        {formatEntry?.locked ? <LockedNote id={`${id}-format-locked`} /> : null}
      </fieldset>
      <h4>{t('redaction.settings.signatureTitle')}</h4>
      <p className="hint">{t('redaction.settings.signatureHint')}</p>
      {initial.template.trim() ? (
        <div className="field" data-testid="signature-template">
          <p className="hint">{initial.locked ? t('redaction.settings.templateLocked') : t('redaction.settings.templateSuggested')}</p>
          <div className="signature-preview" dangerouslySetInnerHTML={{ __html: fillTemplate(initial.template, account, fields) }} />
        </div>
      ) : null}
      {/* Fonction, service, téléphone fill the organisation's template only: without one they would be saved for nothing. */}
      {initial.template.trim() ? (
        <div className="signature-fields">
          {(['fonction', 'service', 'telephone'] as const).map((f) => (
            <div className="field" key={f}>
              <label htmlFor={`${id}-${f}`}>{labels[f]}</label>
              <input
                id={`${id}-${f}`}
                type="text"
                inputMode={f === 'telephone' ? 'tel' : undefined}
                value={fields[f]}
                data-testid={`signature-${f}`}
                onChange={(e) => {
                  setSaved(false);
                  setFields((old) => ({ ...old, [f]: e.target.value }));
                }}
              />
            </div>
          ))}
        </div>
      ) : null}
      <div className="field">
        <span id={`${id}-signature-label`}>{initial.locked ? t('redaction.settings.ownAddition') : t('redaction.settings.own')}</span>
        <RichEditor
          initialHtml={initial.own[account.id] ?? ''}
          labelledBy={`${id}-signature-label`}
          handle={editor}
          onChange={() => setSaved(false)}
          cleanHtml={(html) => client.call('mail.html.clean', { html }).then((r) => r.html)}
          onImageError={(name) => setError(t('compose.fileUnreadable', { name }))}
        />
      </div>
      {error ? <ErrorAlert message={error} /> : null}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={saving} data-testid="signature-save">
          {saving ? t('redaction.settings.saving') : t('redaction.settings.save')}
        </button>
        {saved ? (
          <span role="status" className="muted" data-testid="signature-saved">
            {t('redaction.settings.saved')}
          </span>
        ) : null}
      </div>
    </form>
  );
}
