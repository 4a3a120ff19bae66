/**
 * « Rechercher dans le courrier »: the search box of the Courrier header and the results list
 * (same rows as the folder list), results as you type (debounced 150 ms), best first.
 */
import { forwardRef, useEffect, useId, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { MessageSummary } from '../../../../src/shared/contract';
import { useApiQuery } from '../../api/react';
import { formatNumber } from '../../lib/format';
import { Busy, ErrorAlert } from '../../components/common';
import { MessageListbox, type RowPosition } from './MessageListbox';

export const SEARCH_DEBOUNCE_MS = 150;

/** The value after it stopped changing for `ms`. */
export function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

export const MailSearchBox = forwardRef<HTMLInputElement, { value: string; onChange(value: string): void }>(function MailSearchBox(
  { value, onChange },
  ref,
) {
  const { t } = useTranslation();
  const id = useId();
  const hintId = useId();
  return (
    <div className="mail-search" role="search">
      <label className="visually-hidden" htmlFor={id}>
        {t('courrier.search.label')}
      </label>
      <input
        ref={ref}
        id={id}
        type="search"
        placeholder={t('courrier.search.placeholder')}
        value={value}
        aria-describedby={hintId}
        autoComplete="off"
        spellCheck={false}
        data-testid="mail-search"
        onChange={(event) => onChange(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape') onChange('');
        }}
      />
      <span id={hintId} className="visually-hidden">
        {t('courrier.search.hint')}
      </span>
    </div>
  );
});

export function SearchResults({
  accountId,
  query,
  renderRow,
  onVisible,
  onOpen,
  onCursor,
  onRowMenu,
}: {
  accountId: string;
  query: string;
  renderRow(message: MessageSummary, position: RowPosition): ReactNode;
  onVisible(list: MessageSummary[]): void;
  onOpen(message: MessageSummary): void;
  onCursor(message: MessageSummary): void;
  onRowMenu(message: MessageSummary, at: { x: number; y: number }): void;
}) {
  const { t } = useTranslation();
  const listId = useId();
  const debounced = useDebounced(query.trim(), SEARCH_DEBOUNCE_MS);
  const results = useApiQuery('mail.search', debounced ? { query: debounced, accountId, limit: 200 } : null, {
    refreshOn: ['mail.changed'],
    shouldRefresh: (_event, data) => !data || (data as { accountId?: string }).accountId === accountId,
  });
  const list = results.data ?? [];
  // The exact number of matches in the store (every folder, no limit), for « 368 résultats ».
  const count = useApiQuery('mail.searchCount', debounced ? { query: debounced, accountId } : null, {
    refreshOn: ['mail.changed'],
    shouldRefresh: (_event, data) => !data || (data as { accountId?: string }).accountId === accountId,
  });
  const total = Math.max(count.data?.total ?? 0, list.length);
  useEffect(() => onVisible(results.data ?? []), [results.data, onVisible]);
  return (
    <section className="message-pane" aria-labelledby="search-results-title" data-testid="search-results">
      <div className="pane-header">
        <h2 id="search-results-title">{t('courrier.search.resultsTitle')}</h2>
        {results.data ? (
          <span className="muted" data-testid="search-total">
            {t('courrier.search.results', { count: total, n: formatNumber(total) })}
          </span>
        ) : null}
      </div>
      {results.error ? <ErrorAlert message={results.error.message} /> : null}
      {results.loading && !results.data ? <Busy text={t('courrier.search.searching')} /> : null}
      {results.data && list.length === 0 && !results.loading ? <p className="muted search-empty">{t('courrier.search.nothing')}</p> : null}
      {list.length > 0 ? (
        <MessageListbox
          key={debounced}
          total={list.length}
          rowAt={(index) => list[index]}
          renderRow={renderRow}
          onOpen={onOpen}
          onCursor={onCursor}
          onRowMenu={onRowMenu}
          labelledBy="search-results-title"
          listId={listId}
        />
      ) : null}
    </section>
  );
}
