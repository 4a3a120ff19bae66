/**
 * Contacts: the address books of the accounts, from the local store, with a simple filter; create, edit and
 * delete (written at once, sent to the server through the journal), and the notices of conflicting edits.
 */
import { useCallback, useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { DiscussButton } from './espaces/discuss';
import type { ContactDetails, ContactInput, ContactSummary } from '../../../src/shared/contract';
import { ApiCallError } from '../api/client';
import { useApiQuery, useClient } from '../api/react';
import { Busy, EmptyState, ErrorAlert, NoticeToast, PageHeader, useModalDialog, type ToastAction } from '../components/common';
import { SyncButton } from '../components/SyncButton';
import { ImportButton } from './AgendaView';
import { compareFrench } from '../lib/format';
import { birthdayBox, birthdayKey, birthdayText } from './agenda/dates';

/** « Nom <adresse> » for the composer's À, or the bare address when the name would need quoting. */
function recipientOf(name: string, email: string): string {
  return name && /^[^",;<>@()\\[\]]+$/.test(name) ? `${name} <${email}>` : email;
}

/** onWriteTo: a contact's address opens Ostal's own new message (Courrier), not the system's mail program (mailto). */
export function ContactsView({ onWriteTo }: { onWriteTo?(recipient: string): void } = {}) {
  const { t } = useTranslation();
  const client = useClient();
  const contacts = useApiQuery('contacts.list', {}, { refreshOn: ['accounts.changed', 'dav.changed'], refreshAfterSync: true });
  const conflicts = useApiQuery('dav.conflicts', {}, { refreshOn: ['dav.conflict', 'dav.changed'], refreshAfterSync: true });
  const [editing, setEditing] = useState<ContactDetails | 'new' | null>(null);
  const [toast, setToast] = useState<{ text: string; action?: ToastAction } | null>(null);
  const setNotice = (text: string) => setToast({ text });
  const [problem, setProblem] = useState<string | null>(null);
  const act = async (run: () => Promise<unknown>, done: string) => {
    setProblem(null);
    try {
      await run();
      setNotice(done);
      contacts.reload();
      conflicts.reload();
    } catch (err) {
      setProblem(err instanceof ApiCallError ? err.message : t('errors.unexpected'));
    }
  };
  /** Deleted at once (on the server too, through the journal); « Annuler » writes the same vCard back (contacts.restore). */
  const remove = async (contact: ContactSummary, byKeyboard: boolean) => {
    setProblem(null);
    try {
      await client.call('contacts.delete', { uid: contact.uid });
      setToast({
        text: t('contacts.deleted'),
        action: {
          label: t('contacts.undoDelete'),
          focus: byKeyboard,
          testId: 'toast-undo',
          run: () => void act(() => client.call('contacts.restore', { uid: contact.uid }), t('contacts.restored')),
        },
      });
      contacts.reload();
    } catch (err) {
      setProblem(err instanceof ApiCallError ? err.message : t('errors.unexpected'));
    }
  };
  const focusTitle = useCallback(() => document.getElementById('contacts-title')?.focus({ preventScroll: true }), []);
  const [filter, setFilter] = useState('');
  const searchId = useId();
  const needle = filter.trim().toLocaleLowerCase('fr');
  const list = (contacts.data ?? [])
    .filter((c) => !needle || [c.fn, ...c.emails, ...c.phones].some((v) => v.toLocaleLowerCase('fr').includes(needle)))
    .sort((a, b) => compareFrench(a.fn, b.fn));

  return (
    <section className="view" aria-labelledby="contacts-title">
      <PageHeader id="contacts-title" title={t('contacts.title')}>
        <button type="button" className="button button-primary" onClick={() => setEditing('new')} data-testid="new-contact">
          {t('contacts.newContact')}
        </button>
        <ImportButton
          onDone={(message) => {
            setNotice(message);
            contacts.reload();
          }}
          onError={setProblem}
        />
        <SyncButton only="contacts" />
      </PageHeader>
      {(conflicts.data ?? [])
        .filter((c) => c.kind === 'addressbook')
        .map((c) => (
          <div key={c.id} className="alert agenda-conflict" role="alert" data-testid="contact-conflict">
            <div>
              <p>{c.message}</p>
              <div className="form-actions">
                <button
                  type="button"
                  className="button button-primary"
                  onClick={() =>
                    void act(() => client.call('dav.resolveConflict', { id: c.id, action: 'reapply' }), t('contacts.reapplied'))
                  }
                >
                  {c.action === 'put' ? t('contacts.reapply') : t('contacts.deleteAgain')}
                </button>
                <button
                  type="button"
                  className="button"
                  onClick={() =>
                    void act(() => client.call('dav.resolveConflict', { id: c.id, action: 'dismiss' }), t('contacts.dismissed'))
                  }
                >
                  {t('contacts.keepServer')}
                </button>
              </div>
            </div>
          </div>
        ))}
      <NoticeToast message={toast?.text ?? null} action={toast?.action} onDone={() => setToast(null)} returnFocus={focusTitle} />
      {problem ? <ErrorAlert message={problem} /> : null}
      <div className="toolbar" role="search">
        <label htmlFor={searchId} className="visually-hidden">
          {t('contacts.search')}
        </label>
        <input
          id={searchId}
          type="search"
          value={filter}
          placeholder={t('contacts.searchPlaceholder')}
          onChange={(event) => setFilter(event.target.value)}
        />
      </div>
      {contacts.error ? <ErrorAlert message={contacts.error.message} /> : null}
      {contacts.loading && !contacts.data ? <Busy text={t('contacts.loading')} /> : null}
      {contacts.data && contacts.data.length === 0 ? <EmptyState title={t('contacts.emptyTitle')} text={t('contacts.emptyText')} /> : null}
      {contacts.data && contacts.data.length > 0 && list.length === 0 ? (
        <EmptyState title={t('contacts.noMatchTitle')} text={t('contacts.noMatchText')} />
      ) : null}
      {list.length > 0 ? (
        <ul className="card-list" aria-label={t('contacts.listLabel')}>
          {list.map((contact) => (
            <li key={`${contact.addressBook}:${contact.uid}`} className="contact" data-testid="contact">
              <span className="contact-name">{contact.fn || t('contacts.noName')}</span>
              {contact.title ? <span className="contact-org">{contact.title}</span> : null}
              {contact.organization ? <span className="contact-org">{contact.organization}</span> : null}
              {contact.emails.map((email) => (
                <a
                  key={email}
                  href={`mailto:${email}`}
                  className="contact-detail"
                  title={t('contacts.writeTo', { email })}
                  onClick={(e) => {
                    if (!onWriteTo) return;
                    e.preventDefault();
                    onWriteTo(recipientOf(contact.fn, email));
                  }}
                >
                  {email}
                </a>
              ))}
              {contact.phones.map((phone) => (
                <span key={phone} className="contact-detail muted">
                  {phone}
                </span>
              ))}
              {contact.address ? (
                <p className="contact-address">
                  <span className="visually-hidden">{t('contacts.addressLabel')} </span>
                  {contact.address}
                </p>
              ) : null}
              <Birthday value={contact.birthday} />
              {contact.note ? (
                <p className="contact-note">
                  <span className="visually-hidden">{t('contacts.noteLabel')} </span>
                  {contact.note}
                </p>
              ) : null}
              <span className="contact-book muted">{contact.addressBook}</span>
              <span className="form-actions">
                <DiscussButton emails={contact.emails} name={contact.fn} />
                <button
                  type="button"
                  className="button button-quiet"
                  aria-label={t('contacts.editNamed', { name: contact.fn })}
                  onClick={() =>
                    void client
                      .call('contacts.get', { uid: contact.uid })
                      .then(setEditing, (err: unknown) => setProblem(err instanceof ApiCallError ? err.message : t('errors.unexpected')))
                  }
                >
                  {t('contacts.edit')}
                </button>
                <button
                  type="button"
                  className="button button-quiet"
                  aria-label={t('contacts.deleteNamed', { name: contact.fn })}
                  // detail 0: pressed with the keyboard (Entrée, Espace): the focus follows to « Annuler ».
                  onClick={(e) => void remove(contact, e.detail === 0)}
                >
                  {t('contacts.delete')}
                </button>
              </span>
            </li>
          ))}
        </ul>
      ) : null}
      {editing ? (
        <ContactEditor
          contact={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={(message) => {
            setEditing(null);
            setNotice(message);
            contacts.reload();
          }}
        />
      ) : null}
    </section>
  );
}

const lines = (text: string) =>
  text
    .split(/[\n,;]/)
    .map((v) => v.trim())
    .filter(Boolean);

function ContactEditor({ contact, onClose, onSaved }: { contact: ContactDetails | null; onClose(): void; onSaved(message: string): void }) {
  const { t } = useTranslation();
  const client = useClient();
  const ref = useModalDialog();
  const titleId = useId();
  const [fn, setFn] = useState(contact?.fn ?? '');
  const [emails, setEmails] = useState((contact?.emails ?? []).join('\n'));
  const [phones, setPhones] = useState((contact?.phones ?? []).join('\n'));
  const [organization, setOrganization] = useState(contact?.organization ?? '');
  const [note, setNote] = useState(contact?.note ?? '');
  const [jobTitle, setJobTitle] = useState(contact?.title ?? '');
  const [street, setStreet] = useState(contact?.address?.street ?? '');
  const [postalCode, setPostalCode] = useState(contact?.address?.postalCode ?? '');
  const [locality, setLocality] = useState(contact?.address?.locality ?? '');
  const initialBirthday = birthdayBox(contact?.birthday ?? '');
  const [birthday, setBirthday] = useState(initialBirthday);
  const [birthdayError, setBirthdayError] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    // Left as it was (a date without a year written by another program too): not sent, the card keeps it.
    const bday = birthday.trim() === initialBirthday ? undefined : birthdayKey(birthday);
    if (bday === null) {
      setBirthdayError(true);
      document.getElementById('ct-bday')?.focus();
      return;
    }
    setBirthdayError(false);
    const input: ContactInput = {
      fn: fn.trim(),
      emails: lines(emails),
      phones: lines(phones),
      organization,
      note,
      title: jobTitle,
      address: { street, postalCode, locality },
      ...(bday === undefined ? {} : { birthday: bday }),
    };
    setBusy(true);
    setError(null);
    try {
      if (contact) await client.call('contacts.update', { uid: contact.uid, contact: input });
      else await client.call('contacts.create', { contact: input });
      onSaved(contact ? t('contacts.updated') : t('contacts.created'));
    } catch (err) {
      setError(err instanceof ApiCallError ? err.message : t('errors.unexpected'));
      setBusy(false);
    }
  };

  return (
    <dialog ref={ref} className="dialog" aria-labelledby={titleId} onClose={onClose} data-testid="contact-editor">
      <h2 id={titleId}>{contact ? t('contacts.editTitle') : t('contacts.newTitle')}</h2>
      <form onSubmit={(e) => void submit(e)} className="agenda-editor-fields" noValidate>
        <div className="field">
          <label htmlFor="ct-fn">{t('contacts.fn')}</label>
          <input id="ct-fn" type="text" value={fn} autoFocus onChange={(e) => setFn(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="ct-emails">{t('contacts.emails')}</label>
          <textarea id="ct-emails" rows={2} value={emails} onChange={(e) => setEmails(e.target.value)} />
          <span className="hint">{t('contacts.onePerLine')}</span>
        </div>
        <div className="field">
          <label htmlFor="ct-phones">{t('contacts.phones')}</label>
          <textarea id="ct-phones" rows={2} value={phones} onChange={(e) => setPhones(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="ct-org">{t('contacts.organization')}</label>
          <input id="ct-org" type="text" value={organization} onChange={(e) => setOrganization(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="ct-title">{t('contacts.jobTitle')}</label>
          <input id="ct-title" type="text" value={jobTitle} onChange={(e) => setJobTitle(e.target.value)} />
        </div>
        <fieldset className="fieldset contact-address-fields">
          <legend>{t('contacts.address')}</legend>
          <div className="field">
            <label htmlFor="ct-street">{t('contacts.street')}</label>
            <textarea
              id="ct-street"
              rows={2}
              value={street}
              aria-describedby="ct-street-hint"
              autoComplete="street-address"
              onChange={(e) => setStreet(e.target.value)}
            />
            <span className="hint" id="ct-street-hint">
              {t('contacts.streetHint')}
            </span>
          </div>
          <div className="contact-address-row">
            <div className="field">
              <label htmlFor="ct-code">{t('contacts.postalCode')}</label>
              <input
                id="ct-code"
                type="text"
                inputMode="numeric"
                size={6}
                autoComplete="postal-code"
                value={postalCode}
                onChange={(e) => setPostalCode(e.target.value)}
              />
            </div>
            <div className="field">
              <label htmlFor="ct-city">{t('contacts.locality')}</label>
              <input
                id="ct-city"
                type="text"
                autoComplete="address-level2"
                value={locality}
                onChange={(e) => setLocality(e.target.value)}
              />
            </div>
          </div>
        </fieldset>
        <div className="field">
          <label htmlFor="ct-bday">{t('contacts.birthday')}</label>
          <input
            id="ct-bday"
            type="text"
            value={birthday}
            aria-invalid={birthdayError || undefined}
            aria-describedby={birthdayError ? 'ct-bday-error' : 'ct-bday-hint'}
            onChange={(e) => {
              setBirthday(e.target.value);
              setBirthdayError(false);
            }}
          />
          {birthdayError ? (
            <span className="field-error" id="ct-bday-error" role="alert">
              {t('contacts.birthdayInvalid')}
            </span>
          ) : (
            <span className="hint" id="ct-bday-hint">
              {t('contacts.birthdayHint')}
            </span>
          )}
        </div>
        <div className="field">
          <label htmlFor="ct-note">{t('contacts.note')}</label>
          <textarea id="ct-note" rows={2} value={note} onChange={(e) => setNote(e.target.value)} />
        </div>
        {error ? <ErrorAlert message={error} /> : null}
        <div className="form-actions agenda-editor-actions">
          <button type="button" className="button" onClick={onClose} disabled={busy}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="button button-primary" disabled={busy} data-testid="save-contact">
            {t('common.save')}
          </button>
        </div>
      </form>
    </dialog>
  );
}

/** « Anniversaire : 14 mars 1975 » on a card; nothing when the card has no readable birthday. */
function Birthday({ value }: { value: string }) {
  const { t } = useTranslation();
  const date = birthdayText(value);
  return date ? <span className="contact-detail contact-birthday">{t('contacts.birthdayOn', { date })}</span> : null;
}
