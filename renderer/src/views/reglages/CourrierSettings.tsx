/**
 * Réglages › Courrier: « Réponse automatique » and « Règles », run by the account's mail server (Sieve over
 * ManageSieve) so they work while Ostal is closed. Read from and saved to the server through the core.
 */
import { HelpLink } from '../../aide/HelpLink';
import { useEffect, useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type {
  AccountSummary,
  MailRule,
  MailRuleAction,
  MailRuleCondition,
  SieveState,
  VacationSettings,
} from '../../../../src/shared/contract';
import { ApiCallError } from '../../api/client';
import { useApiQuery, useClient } from '../../api/react';
import { Busy, EmptyState, ErrorAlert } from '../../components/common';
import { SignatureSettings } from './SignatureSettings';
import { frDate, isoDate } from '../agenda/dates';

export function CourrierSettings({ accounts }: { accounts: AccountSummary[] }) {
  const { t } = useTranslation();
  const [accountId, setAccountId] = useState<string | null>(accounts[0]?.id ?? null);
  const selectId = useId();
  useEffect(() => {
    if (!accounts.some((a) => a.id === accountId)) setAccountId(accounts[0]?.id ?? null);
  }, [accounts, accountId]);
  if (!accountId) return <EmptyState title={t('reglages.noAccountTitle')} text={t('reglages.noAccountText')} />;
  return (
    <section className="subsection" aria-labelledby="courrier-title">
      <h2 id="courrier-title">{t('reglages.sections.courrier')}</h2>
      <p className="hint">{t('reglages.courrier.intro')}</p>
      {accounts.length > 1 ? (
        <div className="inline-field">
          <label htmlFor={selectId}>{t('reglages.courrier.account')}</label>
          <select id={selectId} value={accountId} onChange={(e) => setAccountId(e.target.value)}>
            {accounts.map((a) => (
              <option key={a.id} value={a.id}>
                {a.email}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      <SignatureSettings account={accounts.find((a) => a.id === accountId) ?? accounts[0]!} />
      <AccountFilters key={accountId} accountId={accountId} />
    </section>
  );
}

function AccountFilters({ accountId }: { accountId: string }) {
  const { t } = useTranslation();
  const query = useApiQuery('mail.sieve.get', { accountId });
  const [state, setState] = useState<SieveState | null>(null);
  useEffect(() => {
    if (query.data) setState(query.data);
  }, [query.data]);
  if (query.error && !state) return <ErrorAlert message={query.error.message} testId="sieve-error" />;
  if (!state) return <Busy text={t('reglages.courrier.loading')} />;
  return (
    <>
      <VacationCard state={state} onSaved={setState} />
      <RulesCard state={state} onSaved={setState} />
      {state.keptScript ? (
        <p className="hint" data-testid="sieve-kept">
          {t('reglages.courrier.kept', { name: state.keptScript })}
        </p>
      ) : null}
    </>
  );
}

/** 'YYYY-MM-DD' → « 21/12/2026 ». */
/** The reply's dates: empty when not set (« no end »), else as the Agenda's forms write and read them. */
const vacationDateText = (iso: string | null | undefined) => (iso ? frDate(iso) : '');
/** '' for an empty field; null when it is not a real date. */
const vacationDate = (text: string): string | null => (text.trim() ? isoDate(text) : '');

function VacationCard({ state, onSaved }: { state: SieveState; onSaved(s: SieveState): void }) {
  const { t } = useTranslation();
  const client = useClient();
  const id = useId();
  const [v, setV] = useState<VacationSettings>(state.vacation);
  const [other, setOther] = useState(Boolean(state.vacation.externalMessage));
  const [fromText, setFromText] = useState(vacationDateText(state.vacation.from));
  const [toText, setToText] = useState(vacationDateText(state.vacation.to));
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const change = (patch: Partial<VacationSettings>) => {
    setSaved(false);
    setV({ ...v, ...patch });
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaving(true);
    setError(null);
    setSaved(false);
    const from = vacationDate(fromText);
    const to = vacationDate(toText);
    if (from === null || to === null) {
      setError(t('reglages.courrier.vacation.badDate', { value: from === null ? fromText : toText }));
      setSaving(false);
      return;
    }
    try {
      const vacation = { ...v, from: from || null, to: to || null, externalMessage: other ? (v.externalMessage ?? '') : null };
      const next = await client.call('mail.vacation.set', { accountId: state.accountId, vacation });
      onSaved(next);
      setSaved(true);
    } catch (err) {
      setError(err instanceof ApiCallError ? err.message : t('errors.unexpected'));
    } finally {
      setSaving(false);
    }
  };
  const domains = state.organisationDomains.join(', ');
  return (
    <form className="card form" aria-labelledby={`${id}-title`} onSubmit={(e) => void submit(e)} noValidate data-testid="vacation-card">
      <h3 id={`${id}-title`}>
        {t('reglages.courrier.vacation.title')} <HelpLink page="reponse-automatique" />
      </h3>
      <p className="hint">{t('reglages.courrier.vacation.hint')}</p>
      <label className="inline-field">
        <input type="checkbox" checked={v.enabled} onChange={(e) => change({ enabled: e.target.checked })} data-testid="vacation-enabled" />
        {t('reglages.courrier.vacation.enabled')}
      </label>
      <div className="field-row field-row-dates">
        <div className="field">
          <label htmlFor={`${id}-from`}>{t('reglages.courrier.vacation.from')}</label>
          <input
            id={`${id}-from`}
            type="text"
            inputMode="numeric"
            placeholder={t('reglages.courrier.vacation.datePlaceholder')}
            value={fromText}
            aria-invalid={vacationDate(fromText) === null}
            onChange={(e) => {
              setSaved(false);
              setFromText(e.target.value);
            }}
            data-testid="vacation-from"
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-to`}>{t('reglages.courrier.vacation.to')}</label>
          <input
            id={`${id}-to`}
            type="text"
            inputMode="numeric"
            placeholder={t('reglages.courrier.vacation.datePlaceholder')}
            value={toText}
            aria-invalid={vacationDate(toText) === null}
            onChange={(e) => {
              setSaved(false);
              setToText(e.target.value);
            }}
            data-testid="vacation-to"
          />
        </div>
      </div>
      <div className="field">
        <label htmlFor={`${id}-subject`}>{t('reglages.courrier.vacation.subject')}</label>
        <input
          id={`${id}-subject`}
          type="text"
          value={v.subject ?? ''}
          placeholder={t('reglages.courrier.vacation.subjectPlaceholder')}
          onChange={(e) => change({ subject: e.target.value })}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-message`}>{t('reglages.courrier.vacation.message')}</label>
        <textarea
          id={`${id}-message`}
          rows={5}
          value={v.message}
          onChange={(e) => change({ message: e.target.value })}
          data-testid="vacation-message"
        />
      </div>
      <label className="inline-field">
        <input type="checkbox" checked={other} onChange={(e) => setOther(e.target.checked)} data-testid="vacation-other" />
        {t('reglages.courrier.vacation.otherToggle', { domains })}
      </label>
      {other ? (
        <div className="field">
          <label htmlFor={`${id}-external`}>{t('reglages.courrier.vacation.external')}</label>
          <textarea
            id={`${id}-external`}
            rows={4}
            value={v.externalMessage ?? ''}
            onChange={(e) => change({ externalMessage: e.target.value })}
            data-testid="vacation-external"
          />
        </div>
      ) : null}
      {error ? <ErrorAlert message={error} /> : null}
      {saved ? (
        <p className="notice" role="status" data-testid="vacation-saved">
          {state.vacation.enabled
            ? state.vacationActiveNow
              ? t('reglages.courrier.vacation.savedOn')
              : t('reglages.courrier.vacation.savedLater')
            : t('reglages.courrier.vacation.savedOff')}
        </p>
      ) : null}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={saving} data-testid="vacation-save">
          {t('common.save')}
        </button>
      </div>
    </form>
  );
}

const FIELDS: MailRuleCondition['field'][] = ['from', 'to', 'subject', 'list', 'size'];
const ACTIONS: MailRuleAction['type'][] = ['move', 'read', 'flag', 'redirect', 'delete'];

// Each label is written out (no key built at run time: tests/unit/renderer-i18n-keys.test.ts sees them all).
function fieldLabel(t: TFunction, field: MailRuleCondition['field']): string {
  switch (field) {
    case 'from':
      return t('reglages.courrier.rules.fields.from');
    case 'to':
      return t('reglages.courrier.rules.fields.to');
    case 'subject':
      return t('reglages.courrier.rules.fields.subject');
    case 'list':
      return t('reglages.courrier.rules.fields.list');
    case 'size':
      return t('reglages.courrier.rules.fields.size');
  }
}

function opLabel(t: TFunction, op: 'contains' | 'is' | 'over' | 'under'): string {
  switch (op) {
    case 'contains':
      return t('reglages.courrier.rules.ops.contains');
    case 'is':
      return t('reglages.courrier.rules.ops.is');
    case 'over':
      return t('reglages.courrier.rules.ops.over');
    case 'under':
      return t('reglages.courrier.rules.ops.under');
  }
}

function actionLabel(t: TFunction, action: MailRuleAction['type']): string {
  switch (action) {
    case 'move':
      return t('reglages.courrier.rules.actions.move');
    case 'read':
      return t('reglages.courrier.rules.actions.read');
    case 'flag':
      return t('reglages.courrier.rules.actions.flag');
    case 'redirect':
      return t('reglages.courrier.rules.actions.redirect');
    case 'delete':
      return t('reglages.courrier.rules.actions.delete');
  }
}

function newRule(): MailRule {
  return {
    id: Math.random().toString(36).slice(2, 10),
    name: '',
    enabled: true,
    match: 'all',
    conditions: [{ field: 'from', op: 'contains', value: '' }],
    actions: [{ type: 'move', folder: '' }],
    stop: true,
  };
}

function RulesCard({ state, onSaved }: { state: SieveState; onSaved(s: SieveState): void }) {
  const { t } = useTranslation();
  const client = useClient();
  const id = useId();
  const folders = useApiQuery('mail.folders', { accountId: state.accountId });
  const [rules, setRules] = useState<MailRule[]>(state.rules);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const update = (i: number, rule: MailRule) => {
    setSaved(false);
    setRules(rules.map((r, j) => (j === i ? rule : r)));
  };
  const move = (i: number, by: number) => {
    const next = [...rules];
    const [r] = next.splice(i, 1);
    next.splice(i + by, 0, r!);
    setSaved(false);
    setRules(next);
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaving(true);
    setError(null);
    setSaved(false);
    try {
      const named = rules.map((r, i) => ({ ...r, name: r.name.trim() || t('reglages.courrier.rules.defaultName', { n: i + 1 }) }));
      const next = await client.call('mail.rules.set', { accountId: state.accountId, rules: named });
      setRules(next.rules);
      onSaved(next);
      setSaved(true);
    } catch (err) {
      setError(err instanceof ApiCallError ? err.message : t('errors.unexpected'));
    } finally {
      setSaving(false);
    }
  };
  const folderPaths = (folders.data ?? []).map((f) => ({ path: f.path, name: f.name }));
  return (
    <form className="card form" aria-labelledby={`${id}-title`} onSubmit={(e) => void submit(e)} noValidate data-testid="rules-card">
      <h3 id={`${id}-title`}>
        {t('reglages.courrier.rules.title')} <HelpLink page="regles" />
      </h3>
      <p className="hint">{t('reglages.courrier.rules.hint')}</p>
      {rules.length === 0 ? <p>{t('reglages.courrier.rules.none')}</p> : null}
      <ol className="rule-list">
        {rules.map((rule, i) => (
          <li key={rule.id} className="rule" data-testid="rule">
            <RuleEditor
              rule={rule}
              index={i}
              folders={folderPaths}
              onChange={(r) => update(i, r)}
              onRemove={() => setRules(rules.filter((_, j) => j !== i))}
              onUp={i > 0 ? () => move(i, -1) : undefined}
              onDown={i < rules.length - 1 ? () => move(i, 1) : undefined}
            />
          </li>
        ))}
      </ol>
      {error ? <ErrorAlert message={error} /> : null}
      {saved ? (
        <p className="notice" role="status" data-testid="rules-saved">
          {t('reglages.courrier.rules.saved')}
        </p>
      ) : null}
      <div className="form-actions">
        <button type="button" className="button" onClick={() => setRules([...rules, newRule()])} data-testid="rule-add">
          {t('reglages.courrier.rules.add')}
        </button>
        <button type="submit" className="button button-primary" disabled={saving} data-testid="rules-save">
          {t('common.save')}
        </button>
      </div>
    </form>
  );
}

function RuleEditor(props: {
  rule: MailRule;
  index: number;
  folders: { path: string; name: string }[];
  onChange(r: MailRule): void;
  onRemove(): void;
  onUp?: () => void;
  onDown?: () => void;
}) {
  const { t } = useTranslation();
  const id = useId();
  const { rule, onChange } = props;
  const setCondition = (i: number, c: MailRuleCondition) =>
    onChange({ ...rule, conditions: rule.conditions.map((x, j) => (j === i ? c : x)) });
  const setAction = (i: number, a: MailRuleAction) => onChange({ ...rule, actions: rule.actions.map((x, j) => (j === i ? a : x)) });
  const n = props.index + 1;
  return (
    <fieldset className="fieldset">
      <legend>{rule.name.trim() || t('reglages.courrier.rules.defaultName', { n })}</legend>
      <div className="field">
        <label htmlFor={`${id}-name`}>{t('reglages.courrier.rules.name')}</label>
        <input
          id={`${id}-name`}
          type="text"
          value={rule.name}
          onChange={(e) => onChange({ ...rule, name: e.target.value })}
          data-testid="rule-name"
        />
      </div>
      <label className="inline-field">
        <input type="checkbox" checked={rule.enabled} onChange={(e) => onChange({ ...rule, enabled: e.target.checked })} />
        {t('reglages.courrier.rules.enabled')}
      </label>
      <div className="inline-field">
        <label htmlFor={`${id}-match`}>{t('reglages.courrier.rules.matchLabel')}</label>
        <select id={`${id}-match`} value={rule.match} onChange={(e) => onChange({ ...rule, match: e.target.value as MailRule['match'] })}>
          <option value="all">{t('reglages.courrier.rules.match.all')}</option>
          <option value="any">{t('reglages.courrier.rules.match.any')}</option>
        </select>
      </div>
      {rule.conditions.map((c, i) => (
        <div className="rule-line" key={i}>
          <select
            aria-label={t('reglages.courrier.rules.fieldLabel', { n: i + 1 })}
            value={c.field}
            onChange={(e) => {
              const field = e.target.value as MailRuleCondition['field'];
              setCondition(i, { field, op: field === 'size' ? 'over' : 'contains', value: '' });
            }}
            data-testid="condition-field"
          >
            {FIELDS.map((f) => (
              <option key={f} value={f}>
                {fieldLabel(t, f)}
              </option>
            ))}
          </select>
          <select
            aria-label={t('reglages.courrier.rules.opLabel', { n: i + 1 })}
            value={c.op}
            onChange={(e) => setCondition(i, { ...c, op: e.target.value as MailRuleCondition['op'] })}
          >
            {(c.field === 'size' ? (['over', 'under'] as const) : (['contains', 'is'] as const)).map((o) => (
              <option key={o} value={o}>
                {opLabel(t, o)}
              </option>
            ))}
          </select>
          <input
            type={c.field === 'size' ? 'number' : 'text'}
            aria-label={
              c.field === 'size'
                ? t('reglages.courrier.rules.sizeLabel', { n: i + 1 })
                : t('reglages.courrier.rules.valueLabel', { n: i + 1 })
            }
            value={c.value}
            onChange={(e) => setCondition(i, { ...c, value: e.target.value })}
            data-testid="condition-value"
          />
          <button
            type="button"
            className="button button-quiet"
            onClick={() => onChange({ ...rule, conditions: rule.conditions.filter((_, j) => j !== i) })}
          >
            {t('reglages.courrier.rules.removeCondition')}
          </button>
        </div>
      ))}
      <div className="form-actions">
        <button
          type="button"
          className="button button-quiet"
          onClick={() => onChange({ ...rule, conditions: [...rule.conditions, { field: 'subject', op: 'contains', value: '' }] })}
        >
          {t('reglages.courrier.rules.addCondition')}
        </button>
      </div>
      {rule.actions.map((a, i) => (
        <div className="rule-line" key={i}>
          <select
            aria-label={t('reglages.courrier.rules.actionLabel', { n: i + 1 })}
            value={a.type}
            onChange={(e) => {
              const type = e.target.value as MailRuleAction['type'];
              setAction(i, type === 'move' ? { type, folder: '' } : type === 'redirect' ? { type, to: '' } : { type });
            }}
            data-testid="action-type"
          >
            {ACTIONS.map((x) => (
              <option key={x} value={x}>
                {actionLabel(t, x)}
              </option>
            ))}
          </select>
          {a.type === 'move' ? (
            <input
              type="text"
              list={`${id}-folders`}
              aria-label={t('reglages.courrier.rules.folderLabel')}
              value={a.folder}
              onChange={(e) => setAction(i, { type: 'move', folder: e.target.value })}
              data-testid="action-folder"
            />
          ) : null}
          {a.type === 'redirect' ? (
            <input
              type="email"
              aria-label={t('reglages.courrier.rules.redirectLabel')}
              value={a.to}
              onChange={(e) => setAction(i, { type: 'redirect', to: e.target.value })}
            />
          ) : null}
          {rule.actions.length > 1 ? (
            <button
              type="button"
              className="button button-quiet"
              onClick={() => onChange({ ...rule, actions: rule.actions.filter((_, j) => j !== i) })}
            >
              {t('reglages.courrier.rules.removeAction')}
            </button>
          ) : null}
        </div>
      ))}
      <datalist id={`${id}-folders`}>
        {props.folders.map((f) => (
          <option key={f.path} value={f.path}>
            {f.name}
          </option>
        ))}
      </datalist>
      <div className="form-actions">
        <button
          type="button"
          className="button button-quiet"
          onClick={() => onChange({ ...rule, actions: [...rule.actions, { type: 'read' }] })}
        >
          {t('reglages.courrier.rules.addAction')}
        </button>
      </div>
      <label className="inline-field">
        <input type="checkbox" checked={rule.stop} onChange={(e) => onChange({ ...rule, stop: e.target.checked })} />
        {t('reglages.courrier.rules.stop')}
      </label>
      <div className="form-actions">
        {props.onUp ? (
          <button type="button" className="button button-quiet" onClick={props.onUp}>
            {t('reglages.courrier.rules.up')}
          </button>
        ) : null}
        {props.onDown ? (
          <button type="button" className="button button-quiet" onClick={props.onDown}>
            {t('reglages.courrier.rules.down')}
          </button>
        ) : null}
        <button type="button" className="button button-danger" onClick={props.onRemove}>
          {t('reglages.courrier.rules.remove')}
        </button>
      </div>
    </fieldset>
  );
}
