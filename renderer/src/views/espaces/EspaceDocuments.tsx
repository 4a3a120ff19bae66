/**
 * « Documents » of a space: the files of its folder (synced by the same engine as Fichiers, on opening and with every
 * sync), « Ouvrir », « Afficher dans le dossier », « Ajouter un document », and who can see them.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Workspace } from '../../../../src/shared/contract';
import { ApiCallError } from '../../api/client';
import { useApiQuery, useClient } from '../../api/react';
import { Busy, ErrorAlert } from '../../components/common';
import { formatSize } from '../../lib/format';

function readAsBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error ?? new Error('read failed'));
    reader.readAsDataURL(file);
  });
}

export function EspaceDocuments({ space }: { space: Workspace }) {
  const { t } = useTranslation();
  const client = useClient();
  const docs = useApiQuery('workspaces.documents', space.documentsUrl ? { workspaceId: space.id } : null, {
    shouldRefresh: (event, data) => event === 'workspaces.documents' && (data as { workspaceId?: string }).workspaceId === space.id,
    refreshOn: ['workspaces.documents'],
    refreshAfterSync: true,
  });
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const date = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'short', timeStyle: 'short' });

  if (!space.documentsUrl) return <p className="muted">{t('espaces.documentsNone')}</p>;

  const add = async (files: FileList | null) => {
    if (!files || files.length === 0) return;
    setBusy(true);
    setProblem(null);
    setNotice(null);
    try {
      for (const file of Array.from(files)) {
        await client.call('workspaces.documents.add', { workspaceId: space.id, name: file.name, content: await readAsBase64(file) });
      }
      docs.reload();
    } catch (err) {
      setProblem(err instanceof ApiCallError ? err.message : t('errors.unexpected'));
    } finally {
      setBusy(false);
    }
  };
  const open = async (path: string, reveal: boolean) => {
    setProblem(null);
    setNotice(null);
    try {
      const r = await client.call('workspaces.documents.open', { workspaceId: space.id, path, reveal });
      if (r.warning) setNotice(r.warning);
      else if (!r.launched) setNotice(t('espacesDocuments.isHere', { path: r.localPath }));
    } catch (err) {
      setProblem(err instanceof ApiCallError ? err.message : t('errors.unexpected'));
    }
  };
  const view = docs.data;
  return (
    <div className="espace-documents" data-testid="space-documents">
      <p className="muted">{t('espaces.documentsVisibility')}</p>
      {docs.loading && !view ? <Busy text={t('espacesDocuments.syncing')} /> : null}
      {docs.error ? <ErrorAlert message={docs.error.message} /> : null}
      {view?.lastError ? <ErrorAlert message={view.lastError} /> : null}
      {view && view.files.length === 0 ? <p className="muted">{t('espacesDocuments.empty')}</p> : null}
      {view && view.files.length > 0 ? (
        <ul className="espace-documents-list" aria-label={t('espacesDocuments.listLabel')}>
          {view.files.map((f) => (
            <li key={f.path} data-testid="space-document">
              <span className="espace-document-name">{f.path.slice(1)}</span>
              <span className="muted">
                {t('espacesDocuments.meta', { size: formatSize(f.size), date: date.format(new Date(f.modified)) })}
              </span>
              <span className="espace-document-actions">
                <button
                  type="button"
                  className="link-button"
                  onClick={() => void open(f.path, false)}
                  aria-label={t('espacesDocuments.openLabel', { name: f.name })}
                >
                  {t('espacesDocuments.open')}
                </button>
                <button
                  type="button"
                  className="link-button"
                  onClick={() => void open(f.path, true)}
                  aria-label={t('espacesDocuments.revealLabel', { name: f.name })}
                >
                  {t('espacesDocuments.reveal')}
                </button>
              </span>
            </li>
          ))}
        </ul>
      ) : null}
      {notice ? (
        <p className="espace-url" role="status">
          {notice}
        </p>
      ) : null}
      {problem ? <ErrorAlert message={problem} /> : null}
      <div className="form-actions">
        <label className="button">
          {busy ? t('espacesDocuments.adding') : t('espacesDocuments.add')}
          <input
            type="file"
            multiple
            className="visually-hidden"
            disabled={busy}
            data-testid="space-document-file"
            onChange={(e) => {
              void add(e.target.files);
              e.target.value = '';
            }}
          />
        </label>
        <button type="button" className="button" disabled={docs.loading} onClick={() => docs.reload()}>
          {t('espacesDocuments.sync')}
        </button>
      </div>
      {view ? <p className="muted espace-url">{t('espacesDocuments.folder', { folder: view.folder })}</p> : null}
    </div>
  );
}
