/** « Nouveau dossier », « Renommer », « Supprimer » under the folder list: each asks in a dialog, then the core applies it at once (offline too). */
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { FolderInfo } from '../../../../src/shared/contract';
import { ApiCallError } from '../../api/client';
import { useClient } from '../../api/react';
import { ErrorAlert, useModalDialog } from '../../components/common';

type Mode = 'create' | 'rename' | 'delete';

export function FolderActions({
  accountId,
  folder,
  onDone,
}: {
  accountId: string;
  folder: FolderInfo | null;
  onDone(path: string | null): void;
}) {
  const { t } = useTranslation();
  const [mode, setMode] = useState<Mode | null>(null);
  const editable = folder !== null && !folder.specialUse;
  return (
    <div className="folder-actions" role="group" aria-label={t('courrier.folderActions.label')}>
      <button type="button" className="button button-quiet" onClick={() => setMode('create')} data-testid="folder-new">
        {t('courrier.folderActions.create')}
      </button>
      {editable ? (
        <>
          <button type="button" className="button button-quiet" onClick={() => setMode('rename')} data-testid="folder-rename">
            {t('courrier.folderActions.rename')}
          </button>
          <button type="button" className="button button-quiet" onClick={() => setMode('delete')} data-testid="folder-delete">
            {t('courrier.folderActions.delete')}
          </button>
        </>
      ) : null}
      {mode ? (
        <FolderDialog
          mode={mode}
          accountId={accountId}
          folder={folder}
          onClose={(path) => {
            setMode(null);
            if (path !== undefined) onDone(path);
          }}
        />
      ) : null}
    </div>
  );
}

function FolderDialog({
  mode,
  accountId,
  folder,
  onClose,
}: {
  mode: Mode;
  accountId: string;
  folder: FolderInfo | null;
  /** The folder to show next (null: the default one), undefined when cancelled. */
  onClose(path?: string | null): void;
}) {
  const { t } = useTranslation();
  const client = useClient();
  const ref = useModalDialog();
  const id = useId();
  const [name, setName] = useState(mode === 'rename' && folder ? folder.name : '');
  const [inside, setInside] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (mode === 'create') {
        const parent = inside && folder ? folder.path : null;
        const list = await client.call('mail.folder.create', { accountId, parent, name });
        const created = list.find((f) => f.path === (parent ? `${parent}${folder!.delimiter}${name.trim()}` : name.trim()));
        onClose(created?.path ?? null);
      } else if (mode === 'rename' && folder) {
        const list = await client.call('mail.folder.rename', { accountId, folder: folder.path, name });
        const cut = folder.path.lastIndexOf(folder.delimiter);
        const to = cut >= 0 ? `${folder.path.slice(0, cut + 1)}${name.trim()}` : name.trim();
        onClose(list.some((f) => f.path === to) ? to : null);
      } else if (mode === 'delete' && folder) {
        await client.call('mail.folder.delete', { accountId, folder: folder.path, confirm: true });
        onClose(null);
      }
    } catch (err) {
      setError(err instanceof ApiCallError ? err.message : t('errors.unexpected'));
      setBusy(false);
    }
  };
  const folderName = folder?.name ?? '';
  const title =
    mode === 'create'
      ? t('courrier.folderActions.createTitle', { name: folderName })
      : mode === 'rename'
        ? t('courrier.folderActions.renameTitle', { name: folderName })
        : t('courrier.folderActions.deleteTitle', { name: folderName });
  const confirmLabel =
    mode === 'create'
      ? t('courrier.folderActions.createConfirm')
      : mode === 'rename'
        ? t('courrier.folderActions.renameConfirm')
        : t('courrier.folderActions.deleteConfirm');
  return (
    <dialog ref={ref} className="dialog" aria-labelledby={`${id}-title`} onClose={() => onClose()} data-testid="folder-dialog">
      <form className="form" onSubmit={(e) => void submit(e)} noValidate>
        <h2 id={`${id}-title`}>{title}</h2>
        {mode === 'delete' && folder ? (
          <p>
            {folder.total > 0
              ? t('courrier.folderActions.deleteText', { name: folder.name, count: folder.total })
              : t('courrier.folderActions.deleteEmpty', { name: folder.name })}
          </p>
        ) : (
          <div className="field">
            <label htmlFor={`${id}-name`}>{t('courrier.folderActions.name')}</label>
            <input
              id={`${id}-name`}
              type="text"
              value={name}
              autoFocus
              onChange={(e) => setName(e.target.value)}
              data-testid="folder-name"
            />
          </div>
        )}
        {mode === 'create' && folder && folder.specialUse !== '\\Inbox' ? (
          <label className="inline-field">
            <input type="checkbox" checked={inside} onChange={(e) => setInside(e.target.checked)} />
            {t('courrier.folderActions.inside', { name: folder.name })}
          </label>
        ) : null}
        {error ? <ErrorAlert message={error} /> : null}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={() => onClose()} disabled={busy}>
            {t('common.cancel')}
          </button>
          <button
            type="submit"
            className={mode === 'delete' ? 'button button-danger' : 'button button-primary'}
            disabled={busy}
            data-testid="folder-confirm"
          >
            {confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
