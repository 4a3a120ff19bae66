/** « Quoi de neuf » after an update (or from « Aide »): the changes of each version since the last one shown. */
import { useEffect, useId, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { HelpContent } from './HelpContent';
import type { VersionNews } from './news';

export function QuoiDeNeuf({ news, onClose, onOpenPage }: { news: VersionNews[]; onClose(): void; onOpenPage(slug: string): void }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal?.();
  }, []);
  return (
    <dialog ref={ref} className="dialog quoi-de-neuf" aria-labelledby={titleId} onClose={onClose} data-testid="quoi-de-neuf">
      <h2 id={titleId}>{t('aide.news.title')}</h2>
      {news.length === 0 ? <p>{t('aide.news.nothing')}</p> : null}
      {news.map((entry) => (
        <section key={entry.version} aria-label={t('aide.news.version', { version: entry.version })}>
          <h3>{t('aide.news.version', { version: entry.version })}</h3>
          <HelpContent
            blocks={entry.blocks}
            onOpenPage={(slug) => {
              ref.current?.close();
              onOpenPage(slug);
            }}
          />
        </section>
      ))}
      <div className="dialog-actions">
        <button type="button" className="button button-primary" data-testid="quoi-de-neuf-fermer" onClick={() => ref.current?.close()}>
          {t('common.close')}
        </button>
      </div>
    </dialog>
  );
}
