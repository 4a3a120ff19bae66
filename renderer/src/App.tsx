/** The application shell: header with the status area, left navigation, and the current view. */
import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Feature, PolicyView } from '../../src/shared/contract';
import { useApiQuery, useConnectionStatus } from './api/react';
import { AccountAssistant } from './assistant/AccountAssistant';
import { ImportPanel } from './views/reglages/ImportPanel';
import { Busy, ErrorAlert } from './components/common';
import { Icon, type IconName } from './components/icons';
import { ConnectionLostBanner, StatusArea, useAppStatus } from './components/StatusArea';
import { AgendaView } from './views/AgendaView';
import { ContactsView } from './views/ContactsView';
import { CourrierView } from './views/CourrierView';
import { ComposeProvider } from './views/courrier/compose-context';
import { FichiersView } from './views/FichiersView';
import { EspacesView } from './views/EspacesView';
import { ReglagesView, type ReglagesSection } from './views/ReglagesView';
import { AgendaReminders, putMeetingLinkInAddress } from './views/agenda/Reminders';
import type { ActiveMeeting } from './views/visio/active-meeting';
import type { ComposeRequest } from './views/courrier/compose-request';
import { takeComposeFromAddress, useLaunchedCompose } from './desktop/compose-launch';
import { MailNotifications } from './desktop/notifications';

export type ViewName = Feature | 'reglages';

// Visio (mediasoup-client and the meeting views) is its own chunk, loaded the first time Visio is opened.
const VisioView = lazy(() => import('./views/VisioView').then((module) => ({ default: module.VisioView })));
// The meeting's floating panel in the other views (same chunk family, only loaded once a meeting exists).
const MeetingDock = lazy(() => import('./views/visio/MeetingDock').then((module) => ({ default: module.MeetingDock })));

interface NavItem {
  view: ViewName;
  icon: IconName;
  label: string;
}

export function App() {
  const { t } = useTranslation();
  const connection = useConnectionStatus();
  const status = useAppStatus();
  const policy = useApiQuery('policy.get', {});
  const accounts = useApiQuery('accounts.list', {}, { refreshOn: ['accounts.changed'] });
  const [view, setView] = useState<ViewName>('courrier');
  const [addingAccount, setAddingAccount] = useState(false);
  const [reglagesSection, setReglagesSection] = useState<ReglagesSection>('comptes');
  // The meeting in progress lives here, above the view switch: it goes on in every view until « Quitter ».
  const [meeting, setMeeting] = useState<ActiveMeeting | null>(null);
  /** « Vous venez d’Outlook ? » right after the first account is added. */
  const [offerImport, setOfferImport] = useState<'offer' | 'open' | null>(null);
  const mainRef = useRef<HTMLElement>(null);
  /** A message asked by another program (mailto, --compose, « Envoyer vers »): Courrier opens it in the composer. */
  const [launched, setLaunched] = useState<ComposeRequest | null>(takeComposeFromAddress);
  useLaunchedCompose(setLaunched, accounts.data !== undefined && accounts.data.length > 0);
  /** A click on a new-mail notification: Courrier with that message open. */
  const [openMessage, setOpenMessage] = useState<{ accountId: string; folder: string; uid: number; key: number } | null>(null);
  useEffect(() => {
    if (!launched) return;
    setView('courrier');
    setAddingAccount(false);
    setOfferImport((o) => (o === 'open' ? null : o));
  }, [launched]);

  useEffect(() => {
    document.title = t('app.title');
  }, [t]);

  const disabled = new Set<Feature>(policy.data?.disabledFeatures ?? []);
  const items: NavItem[] = [
    { view: 'courrier' as const, icon: 'courrier' as const, label: t('nav.courrier') },
    { view: 'agenda' as const, icon: 'agenda' as const, label: t('nav.agenda') },
    { view: 'contacts' as const, icon: 'contacts' as const, label: t('nav.contacts') },
    { view: 'fichiers' as const, icon: 'fichiers' as const, label: t('nav.fichiers') },
    { view: 'visio' as const, icon: 'visio' as const, label: t('nav.visio') },
    { view: 'espaces' as const, icon: 'espaces' as const, label: t('nav.espaces') },
    { view: 'reglages' as const, icon: 'reglages' as const, label: t('nav.reglages') },
  ].filter((item) => item.view === 'reglages' || !disabled.has(item.view));

  // A view turned off by policy is never shown, even if it was selected.
  const current: ViewName = items.some((item) => item.view === view) ? view : (items[0]?.view ?? 'reglages');

  const go = (next: ViewName, section?: ReglagesSection) => {
    setView(next);
    if (section) setReglagesSection(section);
    setAddingAccount(false);
    setOfferImport((o) => (o === 'open' ? null : o));
    // Move focus to the new page heading for keyboard and screen reader users.
    requestAnimationFrame(() => mainRef.current?.querySelector<HTMLElement>('h1')?.focus());
  };

  const header = (
    <header className="app-header">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true" />
        <span className="brand-name">{t('app.name')}</span>
      </div>
      <StatusArea status={status} />
    </header>
  );

  const skipLink = (
    <a className="skip-link" href="#main">
      {t('app.skipToContent')}
    </a>
  );

  const loadingCore = connection !== 'open' && !accounts.data;
  const noAccount = accounts.data !== undefined && accounts.data.length === 0;

  if (loadingCore || accounts.data === undefined || noAccount) {
    return (
      <div className="app app-first-run">
        {skipLink}
        {header}
        <ConnectionLostBanner />
        <main id="main" className="first-run-main" ref={mainRef} tabIndex={-1}>
          {noAccount ? (
            <AccountAssistant
              policy={policy.data}
              firstRun
              onDone={() => {
                setOfferImport('offer');
                accounts.reload();
              }}
            />
          ) : accounts.error && connection === 'open' ? (
            <ErrorAlert message={accounts.error.message} />
          ) : (
            <div className="connecting">
              <h1 className="visually-hidden">{t('app.name')}</h1>
              <Busy text={t('connection.connecting')} />
            </div>
          )}
        </main>
      </div>
    );
  }

  return (
    <div className="app">
      {skipLink}
      {header}
      <ConnectionLostBanner />
      <div className="app-body">
        <nav className="app-nav" aria-label={t('nav.label')}>
          <ul>
            {items.map((item) => (
              <li key={item.view}>
                <button
                  type="button"
                  className="nav-item"
                  data-testid={`nav-${item.view}`}
                  aria-current={current === item.view && !addingAccount ? 'page' : undefined}
                  onClick={() => go(item.view, item.view === 'reglages' ? 'comptes' : undefined)}
                >
                  <Icon name={item.icon} />
                  <span>{item.label}</span>
                </button>
              </li>
            ))}
          </ul>
          <PolicyFootnote policy={policy.data} />
        </nav>
        <main id="main" className="app-main" ref={mainRef} tabIndex={-1}>
          {offerImport === 'offer' ? (
            <div className="card import-offer" role="region" aria-labelledby="import-offer-title" data-testid="import-offer">
              <h2 id="import-offer-title">{t('importer.firstRunTitle')}</h2>
              <p>{t('importer.offerText')}</p>
              <div className="import-actions">
                <button
                  type="button"
                  className="button button-primary"
                  data-testid="import-offer-open"
                  onClick={() => setOfferImport('open')}
                >
                  {t('importer.offerOpen')}
                </button>
                <button type="button" className="button" data-testid="import-offer-dismiss" onClick={() => setOfferImport(null)}>
                  {t('importer.later')}
                </button>
              </div>
            </div>
          ) : null}
          {offerImport === 'open' ? (
            <ImportPanel accounts={accounts.data} firstRun onClose={() => setOfferImport(null)} />
          ) : addingAccount ? (
            <AccountAssistant
              policy={policy.data}
              firstRun={false}
              onDone={() => {
                setAddingAccount(false);
                accounts.reload();
              }}
              onCancel={() => setAddingAccount(false)}
            />
          ) : current === 'courrier' ? (
            <ComposeProvider accounts={accounts.data} initial={launched} onInitialOpened={() => setLaunched(null)}>
              <CourrierView accounts={accounts.data} onOpenSettings={() => go('reglages', 'comptes')} openRequest={openMessage} />
            </ComposeProvider>
          ) : current === 'agenda' ? (
            <AgendaView
              onJoinMeeting={(link) => {
                putMeetingLinkInAddress(link);
                go('visio');
              }}
            />
          ) : current === 'contacts' ? (
            <ContactsView />
          ) : current === 'fichiers' ? (
            <FichiersView accounts={accounts.data} onOpenSettings={() => go('reglages', 'comptes')} />
          ) : current === 'espaces' ? (
            <EspacesView
              onJoinVisio={(room) => {
                putMeetingLinkInAddress(room);
                go('visio');
              }}
            />
          ) : current === 'visio' ? (
            <Suspense fallback={<Busy text={t('visio.opening')} />}>
              <VisioView onOpenSettings={() => go('reglages', 'general')} meeting={meeting} onMeetingChange={setMeeting} />
            </Suspense>
          ) : (
            <ReglagesView
              accounts={accounts.data}
              policy={policy.data}
              section={reglagesSection}
              onSection={setReglagesSection}
              onAddAccount={() => setAddingAccount(true)}
            />
          )}
        </main>
        {meeting && (current !== 'visio' || addingAccount) ? (
          <Suspense fallback={null}>
            <MeetingDock
              meeting={meeting}
              onReturn={() => go('visio')}
              onLeave={() => {
                void meeting.session.leave();
                setMeeting(null);
              }}
            />
          </Suspense>
        ) : null}
        {disabled.has('courrier') ? null : (
          <MailNotifications
            accounts={accounts.data}
            onOpenMessage={(target) => {
              setOpenMessage({ ...target, key: Date.now() });
              go('courrier');
            }}
          />
        )}
        {disabled.has('agenda') ? null : (
          <AgendaReminders
            onJoinMeeting={(link) => {
              putMeetingLinkInAddress(link);
              go('visio');
            }}
          />
        )}
      </div>
    </div>
  );
}

function PolicyFootnote({ policy }: { policy: PolicyView | undefined }) {
  const { t } = useTranslation();
  if (!policy?.source) return null;
  return (
    <p className="nav-footnote">
      <Icon name="lock" />
      <span>{t('policy.managed')}</span>
    </p>
  );
}
