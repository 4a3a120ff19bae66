/** The application shell: header with the status area, left navigation, and the current view. */
import { lazy, Suspense, useCallback, useEffect, useRef, useState } from 'react';
import { AideView } from './aide/AideView';
import { NEWS, compareVersions, newsSince, type VersionNews } from './aide/news';
import { QuoiDeNeuf } from './aide/QuoiDeNeuf';
import { isTourModule, seenModules, TOUR_MODULES, withSeen, type TourModule } from './aide/tours';
import { VisiteGuidee } from './aide/VisiteGuidee';
import { OpenHelpContext } from './aide/HelpLink';
import { useTranslation } from 'react-i18next';
import type { Feature, PolicyView } from '../../src/shared/contract';
import { useApiQuery, useClient, useConnectionStatus } from './api/react';
import { AccountAssistant } from './assistant/AccountAssistant';
import { ImportPanel } from './views/reglages/ImportPanel';
import { Busy, ErrorAlert } from './components/common';
import { ViewErrorBoundary } from './components/ViewErrorBoundary';
import { Icon, type IconName } from './components/icons';
import { ConnectionLostBanner, StatusArea, useAppStatus } from './components/StatusArea';
import { AgendaView } from './views/AgendaView';
import { ContactsView } from './views/ContactsView';
import { CourrierView } from './views/CourrierView';
import { ComposeProvider } from './views/courrier/compose-context';
import { FichiersView } from './views/FichiersView';
import { EspacesView } from './views/EspacesView';
import { DiscussContext, type Discuss } from './views/espaces/discuss';
import { ReglagesView, type ReglagesSection } from './views/ReglagesView';
import { AgendaReminders, putMeetingLinkInAddress } from './views/agenda/Reminders';
import type { ActiveMeeting } from './views/visio/active-meeting';
import { SpaceMeetingWatch } from './views/espaces/SpaceMeetingWatch';
import type { ComposeRequest } from './views/courrier/compose-request';
import { takeComposeFromAddress, useLaunchedCompose } from './desktop/compose-launch';
import { MailNotifications, MentionNotifications } from './desktop/notifications';

export type ViewName = Feature | 'reglages' | 'aide';

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
  // A direct discussion asked from a contact card, opened by Espaces.
  const [directPeer, setDirectPeer] = useState<string | null>(null);
  const clearDirectPeer = useCallback(() => setDirectPeer(null), []);
  const [addingAccount, setAddingAccount] = useState(false);
  const [reglagesSection, setReglagesSection] = useState<ReglagesSection>('comptes');
  // The meeting in progress lives here, above the view switch: it goes on in every view until « Quitter ».
  const [meeting, setMeeting] = useState<ActiveMeeting | null>(null);
  /** « Vous venez d’Outlook ? » right after the first account is added. */
  const [offerImport, setOfferImport] = useState<'offer' | 'open' | null>(null);
  const mainRef = useRef<HTMLElement>(null);
  const client = useClient();
  const inMeeting = meeting !== null;
  useEffect(() => {
    // « en réunion » for the colleagues (Espaces) while a Visio meeting goes on, « en ligne » after.
    if (!inMeeting) return;
    void client.call('presence.set', { state: 'meeting' }).catch(() => undefined);
    return () => void client.call('presence.set', { state: 'online' }).catch(() => undefined);
  }, [client, inMeeting]);
  const settings = useApiQuery('settings.list', {}, { refreshOn: ['settings.changed'] });
  const appInfo = useApiQuery('app.info', {});
  /** The help page shown in « Aide » (null: the list). */
  const [aidePage, setAidePage] = useState<string | null>(null);
  /** The visite guidée in progress, and the modules toured in this session (before the setting comes back). */
  const [tour, setTour] = useState<TourModule | null>(null);
  const touredRef = useRef(new Set<TourModule>());
  const [news, setNews] = useState<VersionNews[] | null>(null);
  const newsCheckedRef = useRef(false);
  const setting = (key: 'aide.visiteGuidee' | 'aide.visitesVues' | 'aide.versionVue'): string | undefined => {
    const entry = settings.data?.find((e) => e.key === key);
    return entry ? String(entry.value) : undefined;
  };
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

  const disabled = new Set<Feature>(policy.data?.disabledFeatures ?? []);
  const items: NavItem[] = [
    { view: 'courrier' as const, icon: 'courrier' as const, label: t('nav.courrier') },
    { view: 'agenda' as const, icon: 'agenda' as const, label: t('nav.agenda') },
    { view: 'contacts' as const, icon: 'contacts' as const, label: t('nav.contacts') },
    { view: 'fichiers' as const, icon: 'fichiers' as const, label: t('nav.fichiers') },
    { view: 'visio' as const, icon: 'visio' as const, label: t('nav.visio') },
    { view: 'espaces' as const, icon: 'espaces' as const, label: t('nav.espaces') },
    { view: 'reglages' as const, icon: 'reglages' as const, label: t('nav.reglages') },
    { view: 'aide' as const, icon: 'aide' as const, label: t('nav.aide') },
  ].filter((item) => item.view === 'reglages' || item.view === 'aide' || !disabled.has(item.view));
  const tourModules = TOUR_MODULES.filter((module) => !disabled.has(module));

  // A view turned off by policy is never shown, even if it was selected.
  const current: ViewName = items.some((item) => item.view === view) ? view : (items[0]?.view ?? 'reglages');
  const currentLabel = items.find((item) => item.view === current)?.label;

  // The window title names the screen (RGAA 8.6); Courrier writes its own, with the unread count.
  useEffect(() => {
    const ready = (accounts.data?.length ?? 0) > 0;
    if (ready && current === 'courrier' && !addingAccount) return;
    document.title = ready && currentLabel ? t('accessibilite.windowTitle', { view: currentLabel }) : t('app.title');
  }, [t, current, currentLabel, addingAccount, accounts.data]);

  const go = (next: ViewName, section?: ReglagesSection, page?: string | null) => {
    setView(next);
    if (section) setReglagesSection(section);
    if (next === 'aide') setAidePage(page ?? null);
    setAddingAccount(false);
    setOfferImport((o) => (o === 'open' ? null : o));
    // Move focus to the new page heading for keyboard and screen reader users, once it is there (Visio's chunk
    // loads the first time), unless the user has moved the focus elsewhere meanwhile.
    const from = document.activeElement;
    let frames = 0;
    const focusHeading = () => {
      const heading = mainRef.current?.querySelector<HTMLElement>('h1');
      const moved = document.activeElement !== from && document.activeElement !== document.body;
      if (heading) {
        if (!moved) heading.focus();
      } else if (!moved && frames++ < 300) requestAnimationFrame(focusHeading);
    };
    requestAnimationFrame(focusHeading);
  };
  const discuss: Discuss | null = disabled.has('espaces')
    ? null
    : {
        domains: (accounts.data ?? []).map((a) => a.email.split('@').pop()!.toLowerCase()),
        own: (accounts.data ?? []).map((a) => a.email),
        open: (address) => {
          setDirectPeer(address);
          go('espaces');
        },
      };

  // F1 opens « Aide » from everywhere (the keyboard shortcuts are one button away there).
  useEffect(() => {
    const listener = (event: KeyboardEvent) => {
      if (event.key !== 'F1') return;
      event.preventDefault();
      goRef.current('aide');
    };
    window.addEventListener('keydown', listener);
    return () => window.removeEventListener('keydown', listener);
  }, []);
  const goRef = useRef(go);
  goRef.current = go;

  // The first time each module is opened in this profile, its visite guidée starts (unless turned off).
  const inApp = accounts.data !== undefined && accounts.data.length > 0;
  const visitesVues = setting('aide.visitesVues');
  const visiteGuidee = setting('aide.visiteGuidee');
  useEffect(() => {
    // Leaving a module closes its tour (not marked as seen: it starts again next time).
    if (tour && (tour !== current || addingAccount)) {
      setTour(null);
      return;
    }
    // « Quoi de neuf » (a modal dialog) goes first; the tour starts once it is closed.
    if (!inApp || tour || news || addingAccount || visiteGuidee !== 'on' || visitesVues === undefined) return;
    if (!isTourModule(current) || seenModules(visitesVues).includes(current) || touredRef.current.has(current)) return;
    setTour(current);
  }, [inApp, tour, news, addingAccount, visiteGuidee, visitesVues, current]);

  const endTour = (module: TourModule) => {
    setTour(null);
    touredRef.current.add(module);
    void client.call('settings.set', { key: 'aide.visitesVues', value: withSeen(visitesVues ?? '', module) }).catch(() => undefined);
  };

  // « Quoi de neuf » once after an update; the first launch of a profile only notes the version.
  const versionVue = setting('aide.versionVue');
  const version = appInfo.data?.version;
  useEffect(() => {
    if (!inApp || newsCheckedRef.current || versionVue === undefined || !version) return;
    newsCheckedRef.current = true;
    const since = newsSince(versionVue, version);
    if (since.length > 0) setNews(since);
    else if (versionVue !== version) void client.call('settings.set', { key: 'aide.versionVue', value: version }).catch(() => undefined);
  }, [inApp, versionVue, version, client]);

  const closeNews = () => {
    setNews(null);
    if (version && versionVue !== version)
      void client.call('settings.set', { key: 'aide.versionVue', value: version }).catch(() => undefined);
  };

  const openHelp = (page: string) => go('aide', undefined, page);

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
    <OpenHelpContext.Provider value={openHelp}>
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
                    className="list-button nav-item"
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
          <DiscussContext.Provider value={discuss}>
            <main id="main" className="app-main" ref={mainRef} tabIndex={-1}>
              <ViewErrorBoundary view={offerImport === 'open' ? 'importer' : addingAccount ? 'assistant' : current}>
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
                  <ContactsView
                    onWriteTo={(to) => {
                      setLaunched({ mode: 'new', to });
                      go('courrier');
                    }}
                  />
                ) : current === 'fichiers' ? (
                  <FichiersView accounts={accounts.data} onOpenSettings={() => go('reglages', 'comptes')} />
                ) : current === 'espaces' ? (
                  <EspacesView
                    openDirect={directPeer}
                    onDirectOpened={clearDirectPeer}
                    onJoinVisio={(link) => {
                      putMeetingLinkInAddress(link);
                      go('visio');
                    }}
                  />
                ) : current === 'visio' ? (
                  <Suspense fallback={<Busy text={t('visio.opening')} />}>
                    <VisioView onOpenSettings={() => go('reglages', 'general')} meeting={meeting} onMeetingChange={setMeeting} />
                  </Suspense>
                ) : current === 'aide' ? (
                  <AideView
                    page={aidePage}
                    onPage={setAidePage}
                    tourModules={tourModules}
                    onReplayTour={(module) => {
                      go(module);
                      setTour(module);
                    }}
                    onShowNews={() => setNews(NEWS.filter((entry) => !version || compareVersions(entry.version, version) <= 0))}
                    onShowAccessibility={() => go('reglages', 'accessibilite')}
                  />
                ) : (
                  <ReglagesView
                    accounts={accounts.data}
                    policy={policy.data}
                    section={reglagesSection}
                    onSection={setReglagesSection}
                    onAddAccount={() => setAddingAccount(true)}
                  />
                )}
              </ViewErrorBoundary>
            </main>
          </DiscussContext.Provider>
          {tour && current === tour && !addingAccount ? <VisiteGuidee key={tour} module={tour} onClose={() => endTour(tour)} /> : null}
          {news ? <QuoiDeNeuf news={news} onClose={closeNews} onOpenPage={(page) => go('aide', undefined, page)} /> : null}
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
          {meeting && !disabled.has('espaces') ? <SpaceMeetingWatch meeting={meeting} onMeetingChange={setMeeting} /> : null}
          {disabled.has('courrier') ? null : (
            <MailNotifications
              accounts={accounts.data}
              onOpenMessage={(target) => {
                setOpenMessage({ ...target, key: Date.now() });
                go('courrier');
              }}
            />
          )}
          {disabled.has('espaces') ? null : <MentionNotifications onOpenWorkspace={() => go('espaces')} />}
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
    </OpenHelpContext.Provider>
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
