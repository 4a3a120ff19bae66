/**
 * « Nouveau dossier » and « Ajouter des fichiers » of Fichiers, in the folder shown. The folder's name is asked in a
 * small form under the toolbar (the core refuses an empty name, a name taken or one Windows refuses, in French). Files
 * come from the computer's file picker or are dropped onto the list; each one goes to the core in parts of a few
 * megabytes (as « Joindre un fichier » of the Discussions), so neither side holds a whole large file. A name taken is
 * never replaced: the core keeps both (« rapport (2).pdf ») and the confirmation says so.
 */
import { useRef, useState, type DragEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiCallError, type OstalClient } from '../../api/client';
import { useClient } from '../../api/react';
import { ErrorAlert } from '../../components/common';
import { displayFileName } from '../../lib/file-name';
import { PART_BYTES, readAsBase64 } from '../../lib/file-parts';
import { formatSize } from '../../lib/format';

/** Sends one file into `path`; `onBytes` gets the bytes sent so far. Returns the name it got. */
async function sendFile(
  client: OstalClient,
  accountId: string,
  path: string,
  file: File,
  onBytes: (n: number) => void,
): Promise<{ name: string; renamed: boolean }> {
  const modified = file.lastModified > 0 ? { modified: Math.floor(file.lastModified) } : {};
  if (file.size <= PART_BYTES) {
    const r = await client.call('files.add', { accountId, path, name: file.name, content: await readAsBase64(file), ...modified });
    onBytes(file.size);
    return r;
  }
  let uploadId: string | undefined;
  for (let at = 0; at < file.size; at += PART_BYTES) {
    const part = await readAsBase64(file.slice(at, at + PART_BYTES));
    uploadId = (await client.call('files.upload.stage', { ...(uploadId ? { uploadId } : {}), content: part })).uploadId;
    onBytes(Math.min(at + PART_BYTES, file.size));
  }
  return client.call('files.add', { accountId, path, name: file.name, uploadId: uploadId!, ...modified });
}

interface Progress {
  name: string;
  index: number;
  count: number;
  bytesDone: number;
  bytesTotal: number;
}

export interface AddOutcome {
  /** « 3 fichiers ajoutés. » and the names changed to keep both. */
  done: string[];
  /** One French line per file not added. */
  problems: string[];
}

/** Adding files to the folder shown: `add` sends them one after the other, `progress` while it runs. */
export function useFileAdder(accountId: string | null, path: string, onAdded: () => void) {
  const { t } = useTranslation();
  const client = useClient();
  const [progress, setProgress] = useState<Progress | null>(null);
  const [outcome, setOutcome] = useState<AddOutcome | null>(null);

  const add = async (files: File[], refused: string[] = []) => {
    if (!accountId || progress || (files.length === 0 && refused.length === 0)) return;
    const bytesTotal = files.reduce((n, f) => n + f.size, 0);
    let before = 0;
    let added = 0;
    const done: string[] = [];
    const problems = refused.map((name) => t('fichiers.add.folderDropped', { name: displayFileName(name) }));
    setOutcome(null);
    for (const [index, file] of files.entries()) {
      setProgress({ name: file.name, index: index + 1, count: files.length, bytesDone: before, bytesTotal });
      try {
        const r = await sendFile(client, accountId, path, file, (n) =>
          setProgress({ name: file.name, index: index + 1, count: files.length, bytesDone: before + n, bytesTotal }),
        );
        added++;
        if (r.renamed) done.push(t('fichiers.add.renamed', { name: displayFileName(file.name), given: displayFileName(r.name) }));
      } catch (err) {
        const why = err instanceof ApiCallError ? err.message : t('errors.unexpected');
        problems.push(t('fichiers.add.failed', { name: displayFileName(file.name), why }));
      }
      before += file.size;
    }
    setProgress(null);
    if (added > 0) done.unshift(t('fichiers.add.added', { count: added }));
    setOutcome({ done, problems });
    onAdded();
  };

  return { add, progress, outcome, clear: () => setOutcome(null) };
}

/** Drag and drop of files onto the list: `dragging` for the highlight, the handlers for the drop zone. */
export function useFileDrop(onFiles: (files: File[], folders: string[]) => void, enabled: boolean) {
  const [dragging, setDragging] = useState(false);
  const depth = useRef(0);
  const carriesFiles = (e: DragEvent) => Array.from(e.dataTransfer.types).includes('Files');
  return {
    dragging,
    handlers: {
      onDragEnter: (e: DragEvent) => {
        if (!enabled || !carriesFiles(e)) return;
        e.preventDefault();
        depth.current++;
        setDragging(true);
      },
      onDragOver: (e: DragEvent) => {
        if (!enabled || !carriesFiles(e)) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
      },
      onDragLeave: () => {
        depth.current = Math.max(0, depth.current - 1);
        if (depth.current === 0) setDragging(false);
      },
      onDrop: (e: DragEvent) => {
        if (!enabled || !carriesFiles(e)) return;
        e.preventDefault();
        depth.current = 0;
        setDragging(false);
        // A folder dropped comes as an entry that cannot be read as a file: said, not sent.
        const files: File[] = [];
        const folders: string[] = [];
        const items = Array.from(e.dataTransfer.items ?? []);
        Array.from(e.dataTransfer.files).forEach((file, i) => {
          const entry = items[i]?.webkitGetAsEntry?.();
          if (entry?.isDirectory) folders.push(file.name);
          else files.push(file);
        });
        onFiles(files, folders);
      },
    },
  };
}

/** « Ajouter des fichiers »: the system's file picker, several files at once. */
export function AddFilesButton({ busy, onFiles }: { busy: boolean; onFiles: (files: File[]) => void }) {
  const { t } = useTranslation();
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button type="button" className="button" disabled={busy} onClick={() => input.current?.click()} data-testid="files-add">
        {t('fichiers.add.files')}
      </button>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        tabIndex={-1}
        data-testid="files-add-input"
        onChange={(e) => {
          onFiles(Array.from(e.currentTarget.files ?? []));
          e.currentTarget.value = '';
        }}
      />
    </>
  );
}

/** While files are added: which one, how far, in a live region. */
export function AddProgressLine({ progress }: { progress: Progress }) {
  const { t } = useTranslation();
  return (
    <div className="fichiers-add-progress" role="status" data-testid="files-add-progress">
      <progress aria-label={t('fichiers.add.progressLabel')} value={progress.bytesDone} max={Math.max(progress.bytesTotal, 1)} />
      <span>
        {t('fichiers.add.progress', { name: displayFileName(progress.name), index: progress.index, count: progress.count })}{' '}
        {t('fichiers.add.progressBytes', { done: formatSize(progress.bytesDone), total: formatSize(progress.bytesTotal) })}
      </span>
    </div>
  );
}

/** The outcome of the last addition: the confirmation (with names changed) and the files not added. */
export function AddOutcomeNotice({ outcome, onClose }: { outcome: AddOutcome; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <>
      {outcome.done.length ? (
        <div className="notice fichiers-add-done" role="status" data-testid="files-add-done">
          {outcome.done.map((line) => (
            <p key={line}>{line}</p>
          ))}
        </div>
      ) : null}
      {outcome.problems.length ? (
        <ErrorAlert message={outcome.problems[0]} testId="files-add-problems">
          {outcome.problems.slice(1).map((line) => (
            <p key={line}>{line}</p>
          ))}
          <button type="button" className="button button-quiet" onClick={onClose}>
            {t('common.close')}
          </button>
        </ErrorAlert>
      ) : null}
    </>
  );
}

/** « Nouveau dossier »: the name asked in a small form; the core's French refusal shown under the field. */
export function NewFolderForm({
  accountId,
  path,
  onCreated,
  onCancel,
}: {
  accountId: string;
  path: string;
  onCreated: (name: string) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const client = useClient();
  const [name, setName] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    setProblem(null);
    try {
      const r = await client.call('files.createFolder', { accountId, path, name });
      onCreated(r.name);
    } catch (err) {
      setProblem(err instanceof ApiCallError ? err.message : t('errors.unexpected'));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      className="fichiers-new-folder"
      data-testid="files-new-folder-form"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') onCancel();
      }}
    >
      <label htmlFor="files-new-folder-name">{t('fichiers.newFolder.label')}</label>
      <div className="fichiers-new-folder-row">
        <input
          id="files-new-folder-name"
          type="text"
          value={name}
          maxLength={255}
          autoFocus
          autoComplete="off"
          aria-invalid={problem ? true : undefined}
          aria-describedby={problem ? 'files-new-folder-problem' : undefined}
          onChange={(e) => setName(e.currentTarget.value)}
          data-testid="files-new-folder-name"
        />
        <button type="submit" className="button button-primary" disabled={busy} data-testid="files-new-folder-create">
          {t('fichiers.newFolder.create')}
        </button>
        <button type="button" className="button button-quiet" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
      {problem ? (
        <p id="files-new-folder-problem" className="field-error" role="alert" data-testid="files-new-folder-problem">
          {problem}
        </p>
      ) : null}
    </form>
  );
}
