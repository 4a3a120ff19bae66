/**
 * « Importer » (Réglages, and the first-run « Vous venez d’Outlook ? »): paths of Outlook data files (.pst, .ost),
 * .msg, .eml, mbox or folders → migration.start, then the progress (counts, time left, « Suspendre » /
 * « Reprendre ») from 'migration.progress', and the French report at the end.
 */
import { HelpLink } from '../../aide/HelpLink';
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { AccountSummary, MigrationProgress, MigrationReport } from '../../../../src/shared/contract';
import { ApiCallError } from '../../api/client';
import { useApiEvent, useClient } from '../../api/react';
import { ErrorAlert } from '../../components/common';
import { formatNumber } from '../../lib/format';

export function ImportPanel(props: { accounts: AccountSummary[]; firstRun?: boolean; onClose?(): void }) {
  const { t } = useTranslation();
  const client = useClient();
  const [paths, setPaths] = useState('');
  const [accountId, setAccountId] = useState(props.accounts[0]?.id ?? '');
  const [progress, setProgress] = useState<MigrationProgress | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  // 'migration.progress' events are the latest news: a call's answer (migration.status, .start, .pause, .resume) is
  // only taken when no event came while it was under way, lest a stale « running » hide the end of the import.
  const events = useRef(0);
  useApiEvent('migration.progress', (data) => {
    events.current++;
    setProgress(data);
  });
  const follow = useCallback(async (call: Promise<MigrationProgress>, show: (p: MigrationProgress) => void) => {
    const before = events.current;
    const p = await call;
    if (events.current === before) show(p);
  }, []);

  useEffect(() => {
    follow(client.call('migration.status', {}), (p) => setProgress(p.state === 'idle' ? null : p)).catch(() => undefined);
  }, [client, follow]);

  const fail = (err: unknown) => setError(err instanceof ApiCallError ? err.message : t('errors.unexpected'));

  const start = async (event: FormEvent) => {
    event.preventDefault();
    const list = paths
      .split('\n')
      .map((p) => p.trim())
      .filter(Boolean);
    if (!list.length) {
      setError(t('importer.problems.noPath'));
      return;
    }
    setError(null);
    setBusy(true);
    try {
      await follow(client.call('migration.start', { paths: list, accountId: accountId || undefined }), setProgress);
    } catch (err) {
      fail(err);
    } finally {
      setBusy(false);
    }
  };

  const toggle = async () => {
    if (!progress) return;
    try {
      await follow(client.call(progress.state === 'paused' ? 'migration.resume' : 'migration.pause', {}), setProgress);
    } catch (err) {
      fail(err);
    }
  };

  const active = progress && (progress.state === 'running' || progress.state === 'paused');
  return (
    <section className="subsection import-panel" aria-labelledby="import-title" data-testid="import-panel">
      <h2 id="import-title">
        {props.firstRun ? t('importer.firstRunTitle') : t('importer.title')} <HelpLink page="importer-outlook" />
      </h2>
      <p>{props.firstRun ? t('importer.firstRunIntro') : t('importer.intro')}</p>
      {!active ? (
        <form className="card import-form" onSubmit={(e) => void start(e)}>
          <div className="field">
            <label htmlFor="import-paths">{t('importer.pathsLabel')}</label>
            <p className="hint" id="import-paths-hint">
              {t('importer.pathsHint')}
            </p>
            <textarea
              id="import-paths"
              data-testid="import-paths"
              aria-describedby="import-paths-hint"
              rows={3}
              value={paths}
              onChange={(e) => setPaths(e.target.value)}
            />
          </div>
          {props.accounts.length > 1 ? (
            <div className="field">
              <label htmlFor="import-account">{t('importer.accountLabel')}</label>
              <select id="import-account" value={accountId} onChange={(e) => setAccountId(e.target.value)}>
                {props.accounts.map((a) => (
                  <option key={a.id} value={a.id}>
                    {a.email}
                  </option>
                ))}
              </select>
            </div>
          ) : null}
          <div className="import-actions">
            <button type="submit" className="button button-primary" disabled={busy} data-testid="import-start">
              {t('importer.start')}
            </button>
            {props.onClose ? (
              <button type="button" className="button" onClick={props.onClose} data-testid="import-close">
                {props.firstRun ? t('importer.later') : t('importer.close')}
              </button>
            ) : null}
          </div>
        </form>
      ) : null}
      {error ? <ErrorAlert message={error} testId="import-error" /> : null}
      {active && progress ? <ProgressCard progress={progress} onToggle={() => void toggle()} /> : null}
      {progress?.report && !active ? <ReportCard report={progress.report} error={progress.error} /> : null}
    </section>
  );
}

function remainingText(t: (k: string, o?: Record<string, unknown>) => string, seconds: number | null): string {
  if (seconds === null) return t('importer.remainingUnknown');
  if (seconds < 60) return t('importer.remainingSeconds', { n: Math.max(1, seconds) });
  return t('importer.remainingMinutes', { n: Math.ceil(seconds / 60) });
}

function ProgressCard({ progress, onToggle }: { progress: MigrationProgress; onToggle(): void }) {
  const { t } = useTranslation();
  return (
    <div className="card import-progress" data-testid="import-progress" role="status">
      <label htmlFor="import-progress-bar">
        {t('importer.progress', { done: formatNumber(progress.done, 0), total: formatNumber(progress.total, 0) })}
      </label>
      <progress id="import-progress-bar" max={Math.max(1, progress.total)} value={progress.done} />
      <p className="muted">
        {t('importer.counts', {
          imported: formatNumber(progress.imported, 0),
          present: formatNumber(progress.alreadyPresent, 0),
          skipped: formatNumber(progress.skipped, 0),
        })}
      </p>
      {progress.current ? <p className="muted">{t('importer.current', { name: progress.current })}</p> : null}
      <p className="muted" data-testid="import-remaining">
        {progress.state === 'paused' ? t('importer.paused') : remainingText(t, progress.remainingSeconds)}
      </p>
      <div className="import-actions">
        <button type="button" className="button" onClick={onToggle} data-testid="import-pause">
          {progress.state === 'paused' ? t('importer.resume') : t('importer.pause')}
        </button>
      </div>
    </div>
  );
}

function ReportCard({ report, error }: { report: MigrationReport; error: string | null }) {
  const { t } = useTranslation();
  return (
    <div className="card import-report" data-testid="import-report">
      <h3>{report.state === 'failed' ? t('importer.reportFailed') : t('importer.reportDone')}</h3>
      <p data-testid="import-summary">
        {t('importer.summary', {
          imported: formatNumber(report.totals.imported, 0),
          present: formatNumber(report.totals.alreadyPresent, 0),
          skipped: formatNumber(report.totals.skipped, 0),
        })}
      </p>
      {error ? <ErrorAlert message={error} /> : null}
      {report.sources
        .filter((s) => s.error)
        .map((s) => (
          <ErrorAlert key={s.path} message={s.error ?? ''} />
        ))}
      {report.folders.length ? (
        <table className="import-table">
          <caption className="visually-hidden">{t('importer.foldersCaption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('importer.columns.source')}</th>
              <th scope="col">{t('importer.columns.target')}</th>
              <th scope="col">{t('importer.columns.imported')}</th>
              <th scope="col">{t('importer.columns.present')}</th>
              <th scope="col">{t('importer.columns.skipped')}</th>
            </tr>
          </thead>
          <tbody>
            {report.folders.map((f) => (
              <tr key={`${f.source}→${f.target}`}>
                <td>{f.source}</td>
                <td>{f.target === 'INBOX' ? t('importer.inbox') : f.target}</td>
                <td>{formatNumber(f.imported, 0)}</td>
                <td>{formatNumber(f.alreadyPresent, 0)}</td>
                <td>{formatNumber(f.skipped, 0)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {report.skipped.length ? (
        <details>
          <summary>{t('importer.skippedTitle', { n: formatNumber(report.skipped.length, 0) })}</summary>
          <ul className="import-skipped">
            {report.skipped.slice(0, 500).map((s, i) => (
              <li key={i}>{t('importer.skippedLine', { source: s.source, item: s.item, reason: s.reason })}</li>
            ))}
          </ul>
        </details>
      ) : null}
      {report.notes.length ? (
        <ul className="import-notes">
          {report.notes.map((n, i) => (
            <li key={i}>{n}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
