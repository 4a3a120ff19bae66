/**
 * Espaces de travail: the list of the agent's spaces (asked to the server on opening), « Nouvel espace », and a
 * space's page with its Discussion (history from the server's archive), Documents, Agenda and Visio.
 * Messages are shown as text (React escapes them): HTML in a message is never interpreted.
 */
import { useEffect, useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ChatMessage, Workspace } from '../../../src/shared/contract';
import { ApiCallError } from '../api/client';
import { useApiEvent, useApiQuery, useClient } from '../api/react';
import { Busy, EmptyState, ErrorAlert, PageHeader } from '../components/common';
import { EspaceDocuments } from './espaces/EspaceDocuments';
import { EspaceAgenda } from './espaces/EspaceAgenda';
import { EspaceVisio } from './espaces/EspaceVisio';
import { ReplyQuote } from './espaces/DiscussionMessage';
import { DiscussionList } from './espaces/DiscussionList';
import { DiscussionSearch } from './espaces/DiscussionSearch';
import { DirectList, DirectPage, PresenceLabel } from './espaces/DirectDiscussions';
import { MessageComposer } from './espaces/MessageComposer';
import { useViewMemory } from '../lib/view-memory';
import { designate, splitPeople } from '../contacts-lookup';
import { Person, PeopleProvider, useContactsList, usePersonName } from '../people';

/** `openDirect`: an address whose direct discussion to open (asked from a contact card), then `onDirectOpened`. */
export function EspacesView({
  onJoinVisio,
  openDirect = null,
  onDirectOpened,
}: {
  onJoinVisio: (link: string) => void;
  openDirect?: string | null;
  onDirectOpened?: () => void;
}) {
  const { t } = useTranslation();
  const client = useClient();
  const list = useApiQuery('workspaces.list', {}, { refreshOn: ['workspaces.changed', 'workspaces.messages'] });
  // The space (or direct discussion) open when the agent went to another module is open again on coming back.
  const [selected, setSelected] = useViewMemory<string | null>('espaces.space', null);
  const [direct, setDirect] = useViewMemory<string | null>('espaces.direct', null);
  useEffect(() => {
    if (!openDirect) return;
    setSelected(null);
    setDirect(openDirect.trim().toLowerCase());
    onDirectOpened?.();
  }, [openDirect, onDirectOpened, setSelected, setDirect]);
  const [creating, setCreating] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [refreshing, setRefreshing] = useState(false);
  // A space left the list with documents changed here and not sent: where they were kept (the core's French notice).
  const [kept, setKept] = useState<string[]>([]);
  useApiEvent('workspaces.documentsKept', (e) => setKept((k) => [...k, e.message]));
  // The core read the agent's spaces again (it retries by itself once the server answers): the refresh's error is over.
  useApiEvent('workspaces.changed', () => setProblem(null));

  const refresh = async () => {
    setRefreshing(true);
    setProblem(null);
    try {
      await client.call('workspaces.refresh', {});
      list.reload();
    } catch (err) {
      setProblem(err instanceof ApiCallError ? err.message : t('errors.unexpected'));
    } finally {
      setRefreshing(false);
    }
  };
  useEffect(() => {
    void refresh();
    // Once, on opening: the server tells which spaces the agent belongs to.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const spaces = list.data ?? [];
  const space = spaces.find((w) => w.id === selected) ?? null;

  return (
    <PeopleProvider>
      <section className="view espaces" aria-labelledby="espaces-title">
        <PageHeader id="espaces-title" title={t('espaces.title')}>
          <button type="button" className="button button-primary" onClick={() => setCreating(true)} data-testid="new-space">
            {t('espaces.new')}
          </button>
          <button type="button" className="button" onClick={() => void refresh()} disabled={refreshing}>
            {refreshing ? t('espaces.refreshing') : t('espaces.refresh')}
          </button>
        </PageHeader>
        {problem ? <ErrorAlert message={problem} /> : null}
        {kept.map((message) => (
          <p key={message} className="notice" role="status" data-testid="space-documents-kept">
            {message}
          </p>
        ))}
        {creating ? (
          <CreateSpace
            onCancel={() => setCreating(false)}
            onCreated={(w) => {
              setCreating(false);
              list.reload();
              setSelected(w.id);
            }}
          />
        ) : null}
        <div className="espaces-layout">
          <nav className="espaces-list" aria-label={t('espaces.listLabel')}>
            {list.loading && !list.data ? <Busy text={t('espaces.loading')} /> : null}
            {list.data && spaces.length === 0 ? <EmptyState title={t('espaces.emptyTitle')} text={t('espaces.emptyText')} /> : null}
            <ul>
              {spaces.map((w) => (
                <li key={w.id}>
                  <button
                    type="button"
                    className="espaces-item"
                    aria-current={w.id === selected ? 'true' : undefined}
                    onClick={() => {
                      setDirect(null);
                      setSelected(w.id);
                    }}
                    data-testid="space-item"
                  >
                    <span className="espaces-item-name">{w.name}</span>
                    <span className="espaces-item-members">{t('espaces.memberCount', { count: w.members.length })}</span>
                    {w.unread > 0 && w.id !== selected ? (
                      <span className="espaces-badges">
                        <span className="espaces-unread" data-testid="space-unread">
                          {t('espacesSuivi.unread', { count: w.unread })}
                        </span>
                        {w.mentions > 0 ? (
                          <span className="espaces-mention" data-testid="space-mention">
                            {t('espacesSuivi.mentions', { count: w.mentions })}
                          </span>
                        ) : null}
                      </span>
                    ) : null}
                  </button>
                </li>
              ))}
            </ul>
            <DirectList
              selected={direct}
              onSelect={(peer) => {
                setSelected(null);
                setDirect(peer);
              }}
            />
          </nav>
          <div className="espaces-main">
            {direct ? (
              <DirectPage key={direct} peer={direct} />
            ) : space ? (
              <SpacePage key={space.id} space={space} onJoinVisio={onJoinVisio} />
            ) : (
              <p className="muted">{t('espaces.pick')}</p>
            )}
          </div>
        </div>
      </section>
    </PeopleProvider>
  );
}

function CreateSpace({ onCancel, onCreated }: { onCancel: () => void; onCreated: (w: Workspace) => void }) {
  const { t } = useTranslation();
  const client = useClient();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [members, setMembers] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const ids = { name: useId(), description: useId(), members: useId() };
  const contacts = useContactsList();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    // Names typed (« Dominique Bernard ») become the one contact's address they name; one that names nobody goes as
    // typed, and the core says it is not an address.
    const people: string[] = [];
    for (const typed of splitPeople(members)) {
      const who = designate(contacts, typed);
      if ('several' in who) return setProblem(t('espaces.severalContacts', { value: typed }));
      people.push('address' in who ? who.address : typed);
    }
    setBusy(true);
    setProblem(null);
    try {
      const w = await client.call('workspaces.create', { name, description, members: people });
      onCreated(w);
    } catch (err) {
      setProblem(err instanceof ApiCallError ? err.message : t('errors.unexpected'));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="card espaces-create" onSubmit={(e) => void submit(e)} aria-labelledby="espaces-create-title">
      <h2 id="espaces-create-title">{t('espaces.createTitle')}</h2>
      <p className="muted">{t('espaces.createHelp')}</p>
      <label htmlFor={ids.name}>{t('espaces.name')}</label>
      <input id={ids.name} value={name} onChange={(e) => setName(e.target.value)} required maxLength={120} data-testid="space-name" />
      <label htmlFor={ids.description}>{t('espaces.description')}</label>
      <textarea id={ids.description} value={description} onChange={(e) => setDescription(e.target.value)} rows={2} />
      <label htmlFor={ids.members}>{t('espaces.members')}</label>
      <input
        id={ids.members}
        value={members}
        onChange={(e) => setMembers(e.target.value)}
        placeholder={t('espaces.membersPlaceholder')}
        data-testid="space-members"
      />
      {problem ? <ErrorAlert message={problem} /> : null}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={busy || !name.trim()} data-testid="space-create">
          {busy ? t('espaces.creating') : t('espaces.create')}
        </button>
        <button type="button" className="button" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

function SpacePage({ space, onJoinVisio }: { space: Workspace; onJoinVisio: (link: string) => void }) {
  const { t } = useTranslation();
  return (
    <article className="espace" aria-labelledby="espace-title">
      <header className="espace-header">
        <h2 id="espace-title">{space.name}</h2>
        {space.description ? <p>{space.description}</p> : null}
        <p className="muted" data-testid="space-members-list">
          {t('espaces.membersList')}{' '}
          {space.members.map((m, i) => (
            <span key={m}>
              {i > 0 ? ', ' : null}
              <Person address={m} />
            </span>
          ))}
        </p>
      </header>
      <Members space={space} />
      <div className="espace-parts">
        <section className="card espace-discussion" aria-labelledby="espace-discussion-title">
          <h3 id="espace-discussion-title">{t('espaces.discussion')}</h3>
          <DiscussionSearch workspaceId={space.id} />
          <Discussion space={space} />
        </section>
        <aside className="espace-side">
          <section className="card" aria-labelledby="espace-documents-title">
            <h3 id="espace-documents-title">{t('espaces.documents')}</h3>
            <EspaceDocuments space={space} />
          </section>
          <section className="card" aria-labelledby="espace-agenda-title">
            <h3 id="espace-agenda-title">{t('espaces.agenda')}</h3>
            <EspaceAgenda space={space} />
          </section>
          <section className="card" aria-labelledby="espace-visio-title">
            <h3 id="espace-visio-title">{t('espaces.visio')}</h3>
            <EspaceVisio space={space} onJoinVisio={onJoinVisio} />
          </section>
        </aside>
      </div>
    </article>
  );
}

function Discussion({ space }: { space: Workspace }) {
  const { t } = useTranslation();
  const client = useClient();
  // « Actualiser » (workspaces.refresh) stores what the archive holds and emits workspaces.changed: read again. The
  // newest page only: older pages come as the agent scrolls back (DiscussionList).
  const history = useApiQuery(
    'chat.page',
    { workspaceId: space.id, limit: 50 },
    { refreshOn: ['workspaces.changed', 'workspaces.messages'] },
  );
  const messages = history.data?.messages;
  useEffect(() => {
    // Read while shown: the space's unread count goes back to zero.
    if (messages && space.unread > 0) void client.call('workspaces.markRead', { workspaceId: space.id }).catch(() => undefined);
  }, [client, messages, space.id, space.unread]);
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [replyTo, setReplyTo] = useState<ChatMessage | null>(null);
  const nameOf = usePersonName();
  const accounts = useApiQuery('accounts.list', {}, { refreshOn: ['accounts.changed'] });
  const me = accounts.data?.find((a) => a.id === space.accountId)?.email.toLowerCase() ?? null;
  const send = async (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) return;
    setSending(true);
    setProblem(null);
    try {
      await client.call('chat.send', { workspaceId: space.id, text, ...(replyTo ? { replyTo: replyTo.id } : {}) });
      setText('');
      setReplyTo(null);
      history.reload();
    } catch (err) {
      setProblem(err instanceof ApiCallError ? err.message : t('errors.unexpected'));
    } finally {
      setSending(false);
    }
  };
  return (
    <div className="discussion">
      {history.error ? <ErrorAlert message={history.error.message} /> : null}
      <DiscussionList
        workspaceId={space.id}
        recent={messages}
        recentComplete={history.data?.complete ?? false}
        me={me}
        onReply={setReplyTo}
        onReload={history.reload}
      />
      {problem ? <ErrorAlert message={problem} /> : null}
      {replyTo ? (
        <div className="discussion-replying" data-testid="replying-to">
          <span title={replyTo.from}>{t('espacesDiscussion.replyingTo', { from: nameOf(replyTo.from) })}</span>
          <ReplyQuote reply={{ id: replyTo.id, from: replyTo.from, text: replyTo.text, retracted: false }} />
          <button type="button" className="button" onClick={() => setReplyTo(null)}>
            {t('espacesDiscussion.cancelReply')}
          </button>
        </div>
      ) : null}
      <MessageComposer
        label={t('espaces.messageLabel')}
        placeholder={t('espaces.messagePlaceholder')}
        sendLabel={t('espaces.send')}
        testIds={{ input: 'message-input', send: 'message-send' }}
        text={text}
        onText={setText}
        sending={sending}
        onSubmit={(e) => void send(e)}
        target={{ workspaceId: space.id }}
        onFileSent={() => history.reload()}
      />
    </div>
  );
}

/** Members of the space: « Ajouter » and « Retirer » (the room accepts them from its owners and admins only). */
function Members({ space }: { space: Workspace }) {
  const { t } = useTranslation();
  const client = useClient();
  const [address, setAddress] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const inputId = useId();
  const listId = useId();
  const nameOf = usePersonName();
  const contacts = useContactsList();
  const suggestions = useApiQuery('contacts.suggest', address.trim() ? { query: address, limit: 8 } : null);
  const add = () => {
    // A name typed (« Bernard ») adds the one contact it names; one that names nobody goes as typed, and the core says
    // it is not an address.
    const who = designate(contacts, address);
    if ('several' in who) return setProblem(t('espaces.severalContacts', { value: address.trim() }));
    void change({ add: ['address' in who ? who.address : address.trim()] });
  };
  const change = async (params: { add?: string[]; remove?: string[] }) => {
    setBusy(true);
    setProblem(null);
    try {
      await client.call('workspaces.members', { workspaceId: space.id, ...params });
      setAddress('');
    } catch (err) {
      setProblem(err instanceof ApiCallError ? err.message : t('errors.unexpected'));
    } finally {
      setBusy(false);
    }
  };
  return (
    <details className="card espace-members" data-testid="space-members-panel">
      <summary>{t('espacesMembres.title', { count: space.members.length })}</summary>
      <ul>
        {space.members.map((m) => (
          <li key={m} data-testid="space-member">
            <Person address={m} />
            <PresenceLabel address={m} />
            {m === space.owner ? (
              <span className="muted">{t('espacesMembres.owner')}</span>
            ) : (
              <button
                type="button"
                className="button"
                disabled={busy}
                onClick={() => void change({ remove: [m] })}
                aria-label={t('espacesMembres.removeLabel', { address: nameOf(m) })}
              >
                {t('espacesMembres.remove')}
              </button>
            )}
          </li>
        ))}
      </ul>
      <form
        className="discussion-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (address.trim()) add();
        }}
      >
        <label htmlFor={inputId} className="visually-hidden">
          {t('espacesMembres.addLabel')}
        </label>
        <input
          id={inputId}
          list={listId}
          value={address}
          onChange={(e) => setAddress(e.target.value)}
          placeholder={t('espacesMembres.addPlaceholder')}
          data-testid="member-address"
        />
        <datalist id={listId}>
          {(suggestions.data ?? []).map((s) => (
            <option key={s.email} value={s.name ? `${s.name} <${s.email}>` : s.email} />
          ))}
        </datalist>
        <button type="submit" className="button" disabled={busy || !address.trim()} data-testid="member-add">
          {t('espacesMembres.add')}
        </button>
      </form>
      <p className="muted">{t('espacesMembres.help')}</p>
      {problem ? <ErrorAlert message={problem} /> : null}
    </details>
  );
}
