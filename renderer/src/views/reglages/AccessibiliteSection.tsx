/** Réglages › Accessibilité: the accessibility statement (docs/declaration-accessibilite.md), as it is in the repository. */
import { useTranslation } from 'react-i18next';
import statement from '../../../../docs/declaration-accessibilite.md?raw';
import { Markdown } from '../../lib/markdown';

export function AccessibiliteSection() {
  const { t } = useTranslation();
  return (
    <section className="subsection" aria-labelledby="accessibilite-title" data-testid="accessibilite-section">
      <h2 id="accessibilite-title">{t('accessibilite.title')}</h2>
      <p className="muted">{t('accessibilite.intro')}</p>
      <article className="card document" aria-label={t('accessibilite.statementLabel')} data-testid="accessibilite-declaration">
        <Markdown source={statement.replace(/^# .*\n/, '')} headingOffset={1} />
      </article>
    </section>
  );
}
