/**
 * « Rechercher dans la discussion »: the messages kept on this computer (offline too), accents and case ignored
 * (chat.search). Results as text, newest first.
 */
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ChatMessage } from '../../../../src/shared/contract';
import { ApiCallError } from '../../api/client';
import { useClient } from '../../api/react';
import { ErrorAlert } from '../../components/common';
import { Person } from '../../people';

const time = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'short', timeStyle: 'short' });

export function DiscussionSearch({ workspaceId }: { workspaceId: string }) {
  const { t } = useTranslation();
  const client = useClient();
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<ChatMessage[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const inputId = useId();
  const search = async (e: FormEvent) => {
    e.preventDefault();
    setProblem(null);
    if (!query.trim()) return setResults(null);
    try {
      setResults(await client.call('chat.search', { workspaceId, query }));
    } catch (err) {
      setProblem(err instanceof ApiCallError ? err.message : t('errors.unexpected'));
    }
  };
  return (
    <div className="discussion-search">
      <form className="discussion-form" role="search" onSubmit={(e) => void search(e)}>
        <label htmlFor={inputId} className="visually-hidden">
          {t('espacesRecherche.label')}
        </label>
        <input
          id={inputId}
          type="search"
          value={query}
          onChange={(e) => {
            setQuery(e.target.value);
            if (!e.target.value) setResults(null);
          }}
          placeholder={t('espacesRecherche.placeholder')}
          data-testid="discussion-search"
        />
        <button type="submit" className="button" data-testid="discussion-search-go">
          {t('espacesRecherche.go')}
        </button>
      </form>
      {problem ? <ErrorAlert message={problem} /> : null}
      {results ? (
        <section className="discussion-results" aria-label={t('espacesRecherche.results', { count: results.length })}>
          <p className="muted" role="status">
            {t('espacesRecherche.results', { count: results.length })}
          </p>
          <ul data-testid="discussion-results">
            {results.map((m) => (
              <li key={m.id}>
                <Person address={m.from} className="discussion-from" />
                <time className="discussion-time" dateTime={m.sentAt}>
                  {time.format(new Date(m.sentAt))}
                </time>
                <p className="discussion-text">{m.text}</p>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}
