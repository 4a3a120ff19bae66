/**
 * « Discussions directes »: one-to-one discussions with a colleague (XMPP messages, history from the agent's own
 * archive). The list with unread counts and « Nouvelle discussion » (a colleague picked from contacts and
 * correspondents, or typed by name or address) sit under the spaces; the discussion itself in the main pane. The author
 * shown is the address the server named (the core never reads it from the message), as the name the agent's contacts
 * give it. Messages are shown as text.
 */
import { useEffect, useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiCallError } from '../../api/client';
import { useApiQuery, useClient } from '../../api/react';
import { ErrorAlert } from '../../components/common';
import { designate } from '../../contacts-lookup';
import { FileCard } from './ChatFiles';
import { MessageComposer } from './MessageComposer';
import { Person, useContactsList, usePersonName } from '../../people';

/**
 * « en ligne », « absent » or « en réunion » beside a colleague's address, when known: a colleague is seen through a
 * space's room or its own presence (a subscription); otherwise nothing is said (not « hors ligne », which could be
 * wrong).
 */
export function PresenceLabel({ address }: { address: string }) {
  const { t } = useTranslation();
  const presence = useApiQuery('presence.list', {}, { refreshOn: ['workspaces.presence'] });
  const state = presence.data?.[address.toLowerCase()];
  if (!state) return null;
  const label =
    state === 'online' ? t('directes.presence.online') : state === 'away' ? t('directes.presence.away') : t('directes.presence.meeting');
  return (
    <span className={`presence presence-${state}`} data-testid="presence">
      {label}
    </span>
  );
}

const time = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'short', timeStyle: 'short' });

export function DirectList({ selected, onSelect }: { selected: string | null; onSelect: (peer: string) => void }) {
  const { t } = useTranslation();
  const client = useClient();
  const list = useApiQuery('direct.list', {}, { refreshOn: ['workspaces.messages'] });
  const [address, setAddress] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const suggestions = useApiQuery('contacts.suggest', { query: address, limit: 8 });
  const contacts = useContactsList();
  const inputId = useId();
  const listId = useId();
  useEffect(() => {
    // Once, on opening: what arrived while this computer was away, from the agent's archive.
    client
      .call('direct.refresh', {})
      .then(() => list.reload())
      .catch((err: unknown) => setProblem(err instanceof ApiCallError ? err.message : t('errors.unexpected')));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const start = (e: FormEvent) => {
    e.preventDefault();
    // An address, a suggestion picked (« Nom <adresse> »), or a name typed: the one contact it names (as Courrier's « À »).
    const who = designate(contacts, address);
    if (!('address' in who)) {
      const value = address.trim();
      setProblem('several' in who ? t('directes.severalContacts', { value }) : t('directes.badAddress', { address: value }));
      return;
    }
    setProblem(null);
    setAddress('');
    onSelect(who.address);
  };
  const conversations = list.data ?? [];
  return (
    <section className="directes" aria-labelledby="directes-title">
      <h2 id="directes-title" className="directes-title">
        {t('directes.title')}
      </h2>
      {list.data && conversations.length === 0 ? <p className="muted">{t('directes.empty')}</p> : null}
      <ul>
        {conversations.map((c) => (
          <li key={`${c.accountId} ${c.peer}`}>
            <button
              type="button"
              className="espaces-item"
              aria-current={c.peer === selected ? 'true' : undefined}
              onClick={() => onSelect(c.peer)}
              data-testid="direct-item"
            >
              <Person address={c.peer} className="espaces-item-name" />
              <PresenceLabel address={c.peer} />
              <span className="espaces-item-members">{c.lastText}</span>
              {c.unread > 0 && c.peer !== selected ? (
                <span className="espaces-badges">
                  <span className="espaces-unread" data-testid="direct-unread">
                    {t('espacesSuivi.unread', { count: c.unread })}
                  </span>
                </span>
              ) : null}
            </button>
          </li>
        ))}
      </ul>
      <form className="directes-new" onSubmit={start}>
        <label htmlFor={inputId}>{t('directes.newLabel')}</label>
        <input
          id={inputId}
          list={listId}
          value={address}
          onChange={(e) => setAddress(e.target.value)}
          placeholder={t('directes.newPlaceholder')}
          data-testid="direct-address"
        />
        <datalist id={listId}>
          {(suggestions.data ?? []).map((s) => (
            <option key={s.email} value={s.name ? `${s.name} <${s.email}>` : s.email} />
          ))}
        </datalist>
        <button type="submit" className="button" disabled={!address.trim()} data-testid="direct-start">
          {t('directes.start')}
        </button>
      </form>
      {problem ? <ErrorAlert message={problem} /> : null}
    </section>
  );
}

export function DirectPage({ peer }: { peer: string }) {
  const { t } = useTranslation();
  const client = useClient();
  const name = usePersonName()(peer);
  const history = useApiQuery('direct.history', { peer, limit: 100 }, { refreshOn: ['workspaces.messages'] });
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const messages = history.data;
  const unseen = messages?.length ?? 0;
  useEffect(() => {
    // Read while shown: the unread count goes back to zero.
    if (messages) void client.call('direct.markRead', { peer }).catch(() => undefined);
  }, [client, messages, peer, unseen]);
  const send = async (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) return;
    setSending(true);
    setProblem(null);
    try {
      await client.call('direct.send', { peer, text });
      setText('');
      history.reload();
    } catch (err) {
      setProblem(err instanceof ApiCallError ? err.message : t('errors.unexpected'));
    } finally {
      setSending(false);
    }
  };
  return (
    <article className="espace" aria-labelledby="direct-title">
      <header className="espace-header">
        <h2 id="direct-title" title={name !== peer ? peer : undefined} data-address={peer} data-testid="direct-title">
          {t('directes.with', { peer: name })}
        </h2>
        <PresenceLabel address={peer} />
        {name !== peer ? (
          <p className="muted" data-testid="direct-peer-address">
            {peer}
          </p>
        ) : null}
        <p className="muted">{t('directes.help')}</p>
      </header>
      <section className="card espace-discussion" aria-label={t('directes.title')}>
        {history.error ? <ErrorAlert message={history.error.message} /> : null}
        <ol className="discussion-messages" aria-live="polite" data-testid="direct-discussion">
          {(messages ?? []).map((m) => (
            <li key={m.id} className={`discussion-message${m.pending ? ' discussion-pending' : ''}`} data-testid="direct-message">
              <Person address={m.from} className="discussion-from" />
              <time className="discussion-time" dateTime={m.sentAt}>
                {time.format(new Date(m.sentAt))}
              </time>
              {m.file ? <FileCard file={m.file} target={{ peer }} /> : <p className="discussion-text">{m.text}</p>}
              {m.pending ? <span className="discussion-state">{t('directes.pending')}</span> : null}
            </li>
          ))}
          {messages && messages.length === 0 ? <li className="muted">{t('directes.noMessage')}</li> : null}
        </ol>
        {problem ? <ErrorAlert message={problem} /> : null}
        <MessageComposer
          label={t('directes.messageLabel', { peer: name })}
          placeholder={t('directes.messagePlaceholder')}
          sendLabel={t('directes.send')}
          testIds={{ input: 'direct-input', send: 'direct-send' }}
          text={text}
          onText={setText}
          sending={sending}
          onSubmit={(e) => void send(e)}
          target={{ peer }}
          onFileSent={() => history.reload()}
        />
      </section>
    </article>
  );
}
