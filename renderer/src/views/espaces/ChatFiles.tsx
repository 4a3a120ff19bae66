/**
 * Files in the Discussions (a space's or a direct one): « Joindre un fichier » in the composer (the file goes to the
 * account's own server, then its address leaves as a message), and the file card of a message carrying one:
 * name, size, « Télécharger », then « Ouvrir », and in a space « Ajouter aux documents de l'espace ». Nothing is
 * downloaded or opened unless the agent asks.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ChatFile, ChatFileInfo } from '../../../../src/shared/contract';
import { ApiCallError } from '../../api/client';
import { useClient } from '../../api/react';
import { ErrorAlert } from '../../components/common';
import { PART_BYTES, readAsBase64 } from '../../lib/file-parts';
import { formatSize } from '../../lib/format';

/** The Discussion a file belongs to: a space's or a direct one. */
export type ChatTarget = { workspaceId: string } | { peer: string };

/** « Joindre un fichier »: while the file goes to the server, « Envoi de « nom »… » (the composer stays usable). */
export function AttachFileButton({ target, onSent }: { target: ChatTarget; onSent: () => void }) {
  const { t } = useTranslation();
  const client = useClient();
  const [sending, setSending] = useState<string | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const send = async (file: File | undefined) => {
    if (!file) return;
    setSending(file.name);
    setProgress(null);
    setProblem(null);
    try {
      // Refused (too large for the server, offline, bad name) before any byte moves.
      await client.call('chat.file.check', { ...target, name: file.name, size: file.size });
      const type = file.type ? { contentType: file.type } : {};
      if (file.size <= PART_BYTES) {
        await client.call('chat.file.send', { ...target, name: file.name, ...type, content: await readAsBase64(file) });
      } else {
        let uploadId: string | undefined;
        for (let at = 0; at < file.size; at += PART_BYTES) {
          setProgress(at / file.size);
          const part = await readAsBase64(file.slice(at, at + PART_BYTES));
          uploadId = (await client.call('chat.file.stage', { ...(uploadId ? { uploadId } : {}), content: part })).uploadId;
        }
        setProgress(1);
        await client.call('chat.file.send', { ...target, name: file.name, ...type, uploadId });
      }
      onSent();
    } catch (err) {
      setProblem(err instanceof ApiCallError ? err.message : t('errors.unexpected'));
    } finally {
      setSending(null);
    }
  };
  return (
    <div className="chat-attach">
      <label className={`button${sending ? ' is-disabled' : ''}`} data-testid="chat-attach">
        {t('chatFiles.attach')}
        <input
          type="file"
          className="visually-hidden"
          disabled={sending !== null}
          data-testid="chat-attach-file"
          onChange={(e) => {
            void send(e.target.files?.[0]);
            e.target.value = '';
          }}
        />
      </label>
      {sending ? (
        <p className="chat-attach-progress" role="status" data-testid="chat-attach-progress">
          {progress === null ? (
            <progress aria-label={t('chatFiles.sendingLabel')} />
          ) : (
            <progress aria-label={t('chatFiles.sendingLabel')} value={progress} max={1} />
          )}
          {t('chatFiles.sending', { name: sending })}
        </p>
      ) : null}
      {problem ? <ErrorAlert message={problem} /> : null}
    </div>
  );
}

/** The card of a file shared in a Discussion. */
export function FileCard({ file, target }: { file: ChatFile; target: ChatTarget }) {
  const { t } = useTranslation();
  const client = useClient();
  const [info, setInfo] = useState<ChatFileInfo | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const targetKey = 'workspaceId' in target ? target.workspaceId : target.peer;
  useEffect(() => {
    let live = true;
    const where = 'workspaceId' in target ? { workspaceId: target.workspaceId } : { peer: target.peer };
    client
      .call('chat.file.info', { ...where, url: file.url })
      .then((i) => {
        if (live) setInfo(i);
      })
      .catch((err: unknown) => {
        if (live) setProblem(err instanceof ApiCallError ? err.message : null);
      });
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the target is identified by targetKey
  }, [client, file.url, targetKey]);
  const run = async (what: 'download' | 'open' | 'toDocuments') => {
    setBusy(true);
    setProblem(null);
    setNotice(null);
    try {
      if (what === 'toDocuments' && 'workspaceId' in target) {
        // « Ajouter aux documents de l'espace »: downloaded if needed, copied (never over another file), synced.
        const added = await client.call('workspaces.documents.addFromChat', { workspaceId: target.workspaceId, url: file.url });
        setNotice(
          added.lastError
            ? t('spaceDocumentsFromChat.addedNotSynced', { name: added.name, error: added.lastError })
            : t('spaceDocumentsFromChat.added', { name: added.name }),
        );
        setInfo(await client.call('chat.file.info', { ...target, url: file.url }));
      } else if (what === 'download') {
        const got = await client.call('chat.file.download', { ...target, url: file.url });
        setInfo(got);
        setNotice(t('chatFiles.downloaded', { path: got.localPath ?? '' }));
      } else {
        const r = await client.call('chat.file.open', { ...target, url: file.url });
        if (r.warning) setNotice(r.warning);
        else if (!r.launched) setNotice(t('chatFiles.isHere', { path: r.localPath }));
      }
    } catch (err) {
      setProblem(err instanceof ApiCallError ? err.message : t('errors.unexpected'));
    } finally {
      setBusy(false);
    }
  };
  const size = info?.size ?? null;
  return (
    <div className="chat-file" data-testid="chat-file" data-downloaded={info?.localPath ? 'true' : 'false'}>
      <span className="chat-file-name" data-testid="chat-file-name">
        {file.name}
      </span>
      <span className="muted chat-file-size" data-testid="chat-file-size">
        {size === null ? t('chatFiles.sizeUnknown') : formatSize(size)}
      </span>
      <span className="chat-file-actions">
        {info?.localPath ? (
          <button
            type="button"
            className="button"
            disabled={busy}
            onClick={() => void run('open')}
            aria-label={t('chatFiles.openLabel', { name: file.name })}
            data-testid="chat-file-open"
          >
            {t('chatFiles.open')}
          </button>
        ) : (
          <button
            type="button"
            className="button"
            disabled={busy}
            onClick={() => void run('download')}
            aria-label={t('chatFiles.downloadLabel', { name: file.name })}
            data-testid="chat-file-download"
          >
            {busy && !adding ? t('chatFiles.downloading') : t('chatFiles.download')}
          </button>
        )}
        {'workspaceId' in target ? (
          <button
            type="button"
            className="button"
            disabled={busy}
            onClick={() => {
              setAdding(true);
              void run('toDocuments').finally(() => setAdding(false));
            }}
            aria-label={t('spaceDocumentsFromChat.addLabel', { name: file.name })}
            data-testid="chat-file-to-documents"
          >
            {adding ? t('spaceDocumentsFromChat.adding') : t('spaceDocumentsFromChat.add')}
          </button>
        ) : null}
      </span>
      {notice ? (
        <p className="chat-file-notice espace-url" role="status">
          {notice}
        </p>
      ) : null}
      {problem ? <ErrorAlert message={problem} /> : null}
    </div>
  );
}
