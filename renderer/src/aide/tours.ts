/** The visites guidées: a few steps per module, each pointing at a real control of the view (CSS selector). */
import type { TFunction } from 'i18next';

export type TourModule = 'courrier' | 'agenda' | 'contacts' | 'fichiers' | 'visio' | 'espaces';

export const TOUR_MODULES: readonly TourModule[] = ['courrier', 'agenda', 'contacts', 'fichiers', 'visio', 'espaces'];

export function isTourModule(value: string): value is TourModule {
  return (TOUR_MODULES as readonly string[]).includes(value);
}

export interface TourStep {
  /** Where the bubble points; a step whose control is not on screen (no account, feature off) is left out. */
  target: string;
  title: string;
  text: string;
}

const HELP_STEP = (t: TFunction): TourStep => ({
  target: '[data-testid="nav-aide"]',
  title: t('visite.steps.aide.title'),
  text: t('visite.steps.aide.text'),
});

export function tourSteps(module: TourModule, t: TFunction): TourStep[] {
  switch (module) {
    case 'courrier':
      return [
        { target: '[data-testid="compose-new"]', title: t('visite.steps.courrierNew.title'), text: t('visite.steps.courrierNew.text') },
        { target: '.folder-pane', title: t('visite.steps.courrierFolders.title'), text: t('visite.steps.courrierFolders.text') },
        {
          target: '[data-testid="mail-search"]',
          title: t('visite.steps.courrierSearch.title'),
          text: t('visite.steps.courrierSearch.text'),
        },
        HELP_STEP(t),
      ];
    case 'agenda':
      return [
        { target: '[data-testid="new-event"]', title: t('visite.steps.agendaNew.title'), text: t('visite.steps.agendaNew.text') },
        { target: '.agenda-modes', title: t('visite.steps.agendaModes.title'), text: t('visite.steps.agendaModes.text') },
        HELP_STEP(t),
      ];
    case 'contacts':
      return [
        { target: '[data-testid="new-contact"]', title: t('visite.steps.contactsNew.title'), text: t('visite.steps.contactsNew.text') },
        {
          target: '.view .toolbar[role="search"]',
          title: t('visite.steps.contactsSearch.title'),
          text: t('visite.steps.contactsSearch.text'),
        },
        HELP_STEP(t),
      ];
    case 'fichiers':
      return [
        { target: '#fichiers-title', title: t('visite.steps.fichiersIntro.title'), text: t('visite.steps.fichiersIntro.text') },
        {
          target: '[data-testid="files-section-conflicts"]',
          title: t('visite.steps.fichiersConflicts.title'),
          text: t('visite.steps.fichiersConflicts.text'),
        },
        HELP_STEP(t),
      ];
    case 'visio':
      return [
        { target: '[data-testid="visio-link"]', title: t('visite.steps.visioJoin.title'), text: t('visite.steps.visioJoin.text') },
        { target: '[data-testid="visio-new"]', title: t('visite.steps.visioNew.title'), text: t('visite.steps.visioNew.text') },
        HELP_STEP(t),
      ];
    case 'espaces':
      return [
        { target: '[data-testid="new-space"]', title: t('visite.steps.espacesNew.title'), text: t('visite.steps.espacesNew.text') },
        { target: '.espaces-list', title: t('visite.steps.espacesList.title'), text: t('visite.steps.espacesList.text') },
        HELP_STEP(t),
      ];
  }
}

/** The modules already toured, from the setting 'aide.visitesVues' ('courrier,agenda'). */
export function seenModules(value: string): TourModule[] {
  return value.split(',').filter(isTourModule);
}

export function withSeen(value: string, module: TourModule): string {
  const seen = new Set(seenModules(value));
  seen.add(module);
  return TOUR_MODULES.filter((m) => seen.has(m)).join(',');
}
