/** Contacts: the address books of the accounts, from the local store, with a simple filter. */
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApiQuery } from '../api/react';
import { Busy, EmptyState, ErrorAlert, PageHeader } from '../components/common';
import { SyncButton } from '../components/SyncButton';

export function ContactsView() {
  const { t } = useTranslation();
  const contacts = useApiQuery('contacts.list', {}, { refreshOn: ['accounts.changed'], refreshAfterSync: true });
  const [filter, setFilter] = useState('');
  const searchId = useId();
  const needle = filter.trim().toLocaleLowerCase('fr');
  const collator = new Intl.Collator('fr', { sensitivity: 'base' });
  const list = (contacts.data ?? [])
    .filter((c) => !needle || [c.fn, ...c.emails, ...c.phones].some((v) => v.toLocaleLowerCase('fr').includes(needle)))
    .sort((a, b) => collator.compare(a.fn, b.fn));

  return (
    <section className="view" aria-labelledby="contacts-title">
      <PageHeader id="contacts-title" title={t('contacts.title')}>
        <SyncButton only="contacts" />
      </PageHeader>
      <div className="toolbar" role="search">
        <label htmlFor={searchId} className="visually-hidden">
          {t('contacts.search')}
        </label>
        <input id={searchId} type="search" value={filter} placeholder={t('contacts.searchPlaceholder')} onChange={(event) => setFilter(event.target.value)} />
      </div>
      {contacts.error ? <ErrorAlert message={contacts.error.message} /> : null}
      {contacts.loading && !contacts.data ? <Busy text={t('contacts.loading')} /> : null}
      {contacts.data && contacts.data.length === 0 ? <EmptyState title={t('contacts.emptyTitle')} text={t('contacts.emptyText')} /> : null}
      {contacts.data && contacts.data.length > 0 && list.length === 0 ? <EmptyState title={t('contacts.noMatchTitle')} text={t('contacts.noMatchText')} /> : null}
      {list.length > 0 ? (
        <ul className="card-list" aria-label={t('contacts.listLabel')}>
          {list.map((contact) => (
            <li key={`${contact.addressBook}:${contact.uid}`} className="contact" data-testid="contact">
              <span className="contact-name">{contact.fn || t('contacts.noName')}</span>
              {contact.emails.map((email) => (
                <a key={email} href={`mailto:${email}`} className="contact-detail">
                  {email}
                </a>
              ))}
              {contact.phones.map((phone) => (
                <span key={phone} className="contact-detail muted">
                  {phone}
                </span>
              ))}
              <span className="contact-book muted">{contact.addressBook}</span>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
