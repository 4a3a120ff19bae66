/** Visio: join a meeting from a link; creating meetings needs the organisation's meeting server (Réglages). */
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useApiQuery } from '../api/react';
import { PageHeader } from '../components/common';

export function VisioView({ onOpenSettings }: { onOpenSettings(): void }) {
  const { t } = useTranslation();
  const settings = useApiQuery('settings.list', {}, { refreshOn: ['settings.changed'] });
  const serverUrl = settings.data?.find((entry) => entry.key === 'visio.serverUrl')?.value;
  const [link, setLink] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const linkId = useId();
  const newHintId = useId();

  const join = (event: FormEvent) => {
    event.preventDefault();
    setNotice(null);
    let url: URL | null = null;
    try {
      url = new URL(link.trim());
    } catch {
      url = null;
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'ostal:')) {
      setProblem(t('visio.linkInvalid'));
      return;
    }
    setProblem(null);
    setNotice(t('visio.comingSoon'));
  };

  return (
    <section className="view" aria-labelledby="visio-title">
      <PageHeader id="visio-title" title={t('visio.title')} />
      <div className="cards-row">
        <form className="card form" onSubmit={join} noValidate aria-labelledby="visio-join-title">
          <h2 id="visio-join-title">{t('visio.joinTitle')}</h2>
          <div className="field">
            <label htmlFor={linkId}>{t('visio.linkLabel')}</label>
            <input
              id={linkId}
              type="url"
              value={link}
              placeholder={t('visio.linkPlaceholder')}
              spellCheck={false}
              aria-invalid={problem ? true : undefined}
              aria-describedby={problem ? `${linkId}-error` : undefined}
              onChange={(event) => setLink(event.target.value)}
            />
            {problem ? (
              <p className="field-error" id={`${linkId}-error`}>
                {problem}
              </p>
            ) : null}
          </div>
          <div className="form-actions">
            <button type="submit" className="button button-primary">
              {t('visio.join')}
            </button>
          </div>
          {notice ? (
            <p className="notice" role="status">
              {notice}
            </p>
          ) : null}
        </form>
        <div className="card" aria-labelledby="visio-new-title" role="region">
          <h2 id="visio-new-title">{t('visio.newTitle')}</h2>
          <p id={newHintId}>{serverUrl ? t('visio.newComingSoon', { server: serverUrl }) : t('visio.newNeedsServer')}</p>
          <div className="form-actions">
            <button type="button" className="button button-primary" disabled aria-describedby={newHintId}>
              {t('visio.newMeeting')}
            </button>
            {!serverUrl ? (
              <button type="button" className="button" onClick={onOpenSettings}>
                {t('visio.openSettings')}
              </button>
            ) : null}
          </div>
        </div>
      </div>
    </section>
  );
}
