/**
 * « Aide »: the offline help centre (F1 anywhere, or the « Aide » entry of the navigation). A search over the task
 * pages (accents ignored), the pages by section, the keyboard shortcuts, the visites guidées to replay and
 * « Quoi de neuf ».
 */
import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PageHeader } from '../components/common';
import { ShortcutsDialog } from '../components/ShortcutsDialog';
import { HelpContent } from './HelpContent';
import { HELP_PAGES, HELP_SECTIONS, helpPage, searchHelp, type HelpSection } from './pages';
import type { TourModule } from './tours';
import './aide.css';

function useSectionTitle(): (section: HelpSection) => string {
  const { t } = useTranslation();
  return (section) => {
    switch (section) {
      case 'debuter':
        return t('aide.sections.debuter');
      case 'courrier':
        return t('aide.sections.courrier');
      case 'agenda':
        return t('aide.sections.agenda');
      case 'contacts':
        return t('aide.sections.contacts');
      case 'fichiers':
        return t('aide.sections.fichiers');
      case 'visio':
        return t('aide.sections.visio');
      case 'espaces':
        return t('aide.sections.espaces');
      case 'informatique':
        return t('aide.sections.informatique');
    }
  };
}

export function useTourModuleName(): (module: TourModule) => string {
  const { t } = useTranslation();
  return (module) => {
    switch (module) {
      case 'courrier':
        return t('nav.courrier');
      case 'agenda':
        return t('nav.agenda');
      case 'contacts':
        return t('nav.contacts');
      case 'fichiers':
        return t('nav.fichiers');
      case 'visio':
        return t('nav.visio');
      case 'espaces':
        return t('nav.espaces');
    }
  };
}

export function AideView({
  page: slug,
  onPage,
  tourModules,
  onReplayTour,
  onShowNews,
  onShowAccessibility,
}: {
  page: string | null;
  onPage(slug: string | null): void;
  tourModules: TourModule[];
  onReplayTour(module: TourModule): void;
  onShowNews(): void;
  /** The accessibility statement (Réglages › Accessibilité). */
  onShowAccessibility(): void;
}) {
  const { t } = useTranslation();
  const sectionTitle = useSectionTitle();
  const moduleName = useTourModuleName();
  const [query, setQuery] = useState('');
  const [shortcutsOpen, setShortcutsOpen] = useState(false);
  const searchId = useId();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const page = slug ? helpPage(slug) : undefined;
  const firstRender = useRef(true);

  // Opening a page (or coming back to the list) moves focus to its title, for keyboard and screen reader users.
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    const heading = document.getElementById('aide-title');
    heading?.focus();
  }, [slug]);

  if (page) {
    return (
      <section className="view aide-view" aria-labelledby="aide-title">
        <div className="page-header">
          <h1 id="aide-title" tabIndex={-1} ref={headingRef}>
            {page.title}
          </h1>
          <div className="page-actions">
            <button type="button" className="button" data-testid="aide-retour" onClick={() => onPage(null)}>
              {t('aide.back')}
            </button>
          </div>
        </div>
        <p className="aide-breadcrumb">{t('aide.inSection', { section: sectionTitle(page.section) })}</p>
        <article className="aide-page" data-testid="aide-page" data-page={page.slug}>
          <HelpContent blocks={page.blocks} onOpenPage={onPage} />
        </article>
      </section>
    );
  }

  const results = query.trim() ? searchHelp(query) : null;
  const link = (target: (typeof HELP_PAGES)[number]) => (
    <a
      href={`#aide-${target.slug}`}
      className="aide-link"
      data-testid="aide-lien"
      onClick={(event) => {
        event.preventDefault();
        onPage(target.slug);
      }}
    >
      {target.title}
    </a>
  );

  return (
    <section className="view aide-view" aria-labelledby="aide-title">
      <PageHeader id="aide-title" title={t('aide.title')} />
      <div className="aide-layout">
        <div className="aide-main">
          <div role="search" className="aide-search">
            <label htmlFor={searchId}>{t('aide.search.label')}</label>
            <input
              id={searchId}
              type="search"
              className="input"
              data-testid="aide-recherche"
              placeholder={t('aide.search.placeholder')}
              value={query}
              onChange={(event) => setQuery(event.target.value)}
            />
          </div>
          <p className="aide-count" role="status" data-testid="aide-nombre">
            {results ? (results.length === 0 ? t('aide.search.none') : t('aide.search.count', { count: results.length })) : ''}
          </p>
          {results ? (
            <ul className="aide-list" data-testid="aide-resultats" aria-label={t('aide.search.resultsLabel')}>
              {results.map((result) => (
                <li key={result.slug}>{link(result)}</li>
              ))}
            </ul>
          ) : (
            HELP_SECTIONS.map((section) => {
              const pages = HELP_PAGES.filter((p) => p.section === section);
              if (pages.length === 0) return null;
              return (
                <section key={section} className="aide-section" aria-labelledby={`aide-section-${section}`}>
                  <h2 id={`aide-section-${section}`}>{sectionTitle(section)}</h2>
                  <ul className="aide-list">
                    {pages.map((p) => (
                      <li key={p.slug}>{link(p)}</li>
                    ))}
                  </ul>
                </section>
              );
            })
          )}
        </div>
        <aside className="aide-aside card" aria-labelledby="aide-aside-title">
          <h2 id="aide-aside-title">{t('aide.aside.title')}</h2>
          <p>
            <button type="button" className="button" data-testid="aide-raccourcis" onClick={() => setShortcutsOpen(true)}>
              {t('aide.aside.shortcuts')}
            </button>
          </p>
          <p>
            <button type="button" className="button" data-testid="aide-quoi-de-neuf" onClick={onShowNews}>
              {t('aide.aside.news')}
            </button>
          </p>
          <p>
            <button type="button" className="button" data-testid="aide-accessibilite" onClick={onShowAccessibility}>
              {t('aide.aside.accessibility')}
            </button>
          </p>
          <h3>{t('aide.aside.tours')}</h3>
          <p className="aide-hint">{t('aide.aside.toursHint')}</p>
          <ul className="aide-tours">
            {tourModules.map((module) => (
              <li key={module}>
                <button type="button" className="button" data-testid={`aide-visite-${module}`} onClick={() => onReplayTour(module)}>
                  {t('aide.aside.replay', { module: moduleName(module) })}
                </button>
              </li>
            ))}
          </ul>
        </aside>
      </div>
      <ShortcutsDialog open={shortcutsOpen} onClose={() => setShortcutsOpen(false)} />
    </section>
  );
}
