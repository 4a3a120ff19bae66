/**
 * i18next for the UI: one language (fr), one resource file (fr.json), no detection and no
 * fallback. A missing key is reported as an error in the console and shown as ⟦key⟧ so that
 * it cannot go unnoticed (the e2e walk fails on it).
 */
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import fr from './fr.json';

export function missingKeyText(key: string): string {
  return `⟦${key}⟧`;
}

export async function initI18n(): Promise<typeof i18next> {
  await i18next.use(initReactI18next).init({
    lng: 'fr',
    supportedLngs: ['fr'],
    fallbackLng: false,
    resources: { fr: { translation: fr } },
    interpolation: { escapeValue: false },
    returnNull: false,
    returnEmptyString: false,
    saveMissing: true,
    missingKeyHandler: (_lngs, _ns, key) => {
      console.error(`Missing French text in renderer/src/i18n/fr.json: ${key}`);
    },
    parseMissingKeyHandler: (key) => missingKeyText(key),
    react: { useSuspense: false },
  });
  document.documentElement.lang = 'fr';
  return i18next;
}
