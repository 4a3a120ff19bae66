/** The « ? » beside a complex setting: opens its help page in « Aide » (App provides where to go). */
import { createContext, useContext } from 'react';
import { useTranslation } from 'react-i18next';
import { helpPage } from './pages';

export const OpenHelpContext = createContext<((slug: string) => void) | null>(null);

export function HelpLink({ page }: { page: string }) {
  const { t } = useTranslation();
  const open = useContext(OpenHelpContext);
  const target = helpPage(page);
  if (!open || !target) return null;
  return (
    <button
      type="button"
      className="help-link"
      data-testid={`aide-question-${page}`}
      aria-label={t('aide.questionLabel', { title: target.title })}
      title={t('aide.questionLabel', { title: target.title })}
      onClick={() => open(page)}
    >
      {t('aide.questionMark')}
    </button>
  );
}
