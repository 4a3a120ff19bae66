/** Boîte d'envoi: messages not sent yet, their state in French, and « Renvoyer » / « Supprimer de la boîte d’envoi ». */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { OutboxEntry, OutboxState } from '../../../../src/shared/contract';
import { ApiCallError } from '../../api/client';
import { useApiQuery, useClient } from '../../api/react';
import { Busy, EmptyState, ErrorAlert } from '../../components/common';
import { Icon } from '../../components/icons';
import { formatSize } from '../../lib/format';
import { formatListDate } from '../../../../src/shared/time';
import { useCompose } from './compose-context';
import { scheduledParts } from './send-later';
import './compose.css';

/** The account's Boîte d'envoi, refreshed on every change. `null` while loading. */
export function useOutbox(accountId: string): OutboxEntry[] | null {
  const query = useApiQuery('mail.outbox.list', accountId ? { accountId } : null, {
    refreshOn: ['outbox.changed'],
    shouldRefresh: (_event, data) => (data as { accountId?: string } | undefined)?.accountId === accountId,
  });
  return query.data ?? null;
}

function StateLabel({ state, scheduled }: { state: OutboxState; scheduled: boolean }) {
  const { t } = useTranslation();
  const label =
    state === 'queued' && scheduled
      ? t('outbox.stateScheduled')
      : state === 'queued'
        ? t('outbox.stateQueued')
        : state === 'sending'
          ? t('outbox.stateSending')
          : state === 'failed'
            ? t('outbox.stateFailed')
            : state === 'uncertain'
              ? t('outbox.stateUncertain')
              : state === 'sent'
                ? t('outbox.stateSent')
                : t('outbox.stateDraft');
  return (
    <span
      className={`pill outbox-state outbox-state-${state}`}
      data-testid="outbox-state"
      data-state={state}
      data-scheduled={scheduled ? 'true' : undefined}
    >
      {label}
    </span>
  );
}

export function OutboxView({ accountId }: { accountId: string }) {
  const { t } = useTranslation();
  const client = useClient();
  const { openCompose } = useCompose();
  const query = useApiQuery(
    'mail.outbox.list',
    { accountId },
    {
      refreshOn: ['outbox.changed'],
      shouldRefresh: (_event, data) => (data as { accountId?: string } | undefined)?.accountId === accountId,
    },
  );
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const list = query.data ?? [];
  const now = new Date();

  async function act(id: string, action: 'retry' | 'discard' | 'sendNow') {
    setBusy(id);
    setError(null);
    try {
      if (action === 'retry') await client.call('mail.outbox.retry', { id });
      else if (action === 'sendNow') await client.call('mail.outbox.sendNow', { id });
      else await client.call('mail.outbox.discard', { id });
      query.reload();
    } catch (err) {
      setError(err instanceof ApiCallError ? err.message : t('errors.unexpected'));
    } finally {
      setBusy(null);
    }
  }

  return (
    <section className="message-pane outbox-pane" aria-labelledby="outbox-title" data-testid="outbox">
      <div className="pane-header">
        <h2 id="outbox-title">{t('outbox.title')}</h2>
        <span className="muted">{t('outbox.count', { count: list.length })}</span>
      </div>
      {query.error ? <ErrorAlert message={query.error.message} /> : null}
      {error ? <ErrorAlert message={error} /> : null}
      {query.loading && !query.data ? <Busy text={t('outbox.loading')} /> : null}
      {query.data && list.length === 0 ? <EmptyState title={t('outbox.emptyTitle')} text={t('outbox.emptyText')} /> : null}
      {list.length > 0 ? (
        <ul className="outbox-list">
          {list.map((entry) => (
            <li
              key={entry.id}
              className={`outbox-item outbox-item-${entry.state}`}
              data-testid="outbox-item"
              data-message-id={entry.messageId}
            >
              <div className="outbox-line">
                <StateLabel state={entry.state} scheduled={entry.scheduledAt !== null} />
                <span className="outbox-subject">{entry.subject || t('outbox.noSubject')}</span>
                <time className="muted" dateTime={entry.createdAt}>
                  {formatListDate(entry.createdAt, now)}
                </time>
              </div>
              <p className="outbox-recipients muted">
                {t('outbox.recipients', { list: [...entry.to, ...entry.cc, ...entry.bcc].join(', ') })} · {formatSize(entry.size)}
              </p>
              {entry.state === 'uncertain' ? (
                <p className="outbox-warning" role="alert">
                  <Icon name="warning" />
                  {t('outbox.uncertainText')}
                </p>
              ) : entry.lastError ? (
                <p className={entry.state === 'failed' ? 'field-error' : 'muted'}>{entry.lastError}</p>
              ) : null}
              {entry.state === 'queued' && entry.scheduledAt ? (
                <p className="outbox-scheduled" data-testid="outbox-scheduled">
                  <time dateTime={entry.scheduledAt}>{t('outbox.scheduledFor', scheduledParts(entry.scheduledAt, now))}</time>
                </p>
              ) : null}
              {entry.state === 'queued' && entry.nextAttemptAt ? <p className="muted">{t('outbox.willRetry')}</p> : null}
              {entry.state !== 'sending' ? (
                <div className="outbox-actions">
                  {entry.state === 'failed' || entry.state === 'uncertain' ? (
                    <button
                      type="button"
                      className="button button-primary"
                      disabled={busy === entry.id}
                      onClick={() => void act(entry.id, 'retry')}
                      data-testid="outbox-retry"
                    >
                      {t('outbox.retry')}
                    </button>
                  ) : null}
                  {entry.state === 'queued' && entry.scheduledAt ? (
                    <>
                      <button
                        type="button"
                        className="button button-primary"
                        disabled={busy === entry.id}
                        onClick={() => void act(entry.id, 'sendNow')}
                        data-testid="outbox-send-now"
                      >
                        {t('outbox.sendNow')}
                      </button>
                      <button
                        type="button"
                        className="button"
                        disabled={busy === entry.id}
                        onClick={() => openCompose({ mode: 'draft', accountId: entry.accountId, outboxId: entry.id })}
                        data-testid="outbox-edit"
                      >
                        {t('outbox.edit')}
                      </button>
                    </>
                  ) : null}
                  <button
                    type="button"
                    className="button"
                    disabled={busy === entry.id}
                    onClick={() => void act(entry.id, 'discard')}
                    data-testid="outbox-discard"
                  >
                    {t('outbox.discard')}
                  </button>
                </div>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

/** Pseudo folder path of the Boîte d'envoi in the folder list (never a server path: starts with a NUL). */
export const OUTBOX_PATH = '\u0000outbox';

/** « Boîte d’envoi » entry of the folder list, shown while it holds messages. */
export function OutboxFolderItem({ count, selected, onSelect }: { count: number; selected: boolean; onSelect(): void }) {
  const { t } = useTranslation();
  return (
    <ul className="folder-tree">
      <li>
        <button
          type="button"
          className="list-button folder-item"
          data-testid="outbox-folder"
          aria-current={selected ? 'true' : undefined}
          onClick={onSelect}
        >
          <Icon name="courrier" />
          <span className="folder-name">{t('outbox.folderName')}</span>
          <span className="unread-count" aria-hidden="true">
            {count}
          </span>
          <span className="visually-hidden">{t('outbox.count', { count })}</span>
        </button>
      </li>
    </ul>
  );
}
