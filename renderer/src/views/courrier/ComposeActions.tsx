/**
 * « Répondre », « Répondre à tous », « Transférer » for one stored message: opens the composer prefilled by the core.
 * In Brouillons, « Reprendre le brouillon » comes first: the draft reopens to be finished and sent.
 */
import { useTranslation } from 'react-i18next';
import { useCompose } from './compose-context';

export type ReplyMode = 'reply' | 'replyAll' | 'forward';

/** « Répondre », « Répondre à tous », « Transférer »: the reader's buttons and the messages' right-click menu. */
export const REPLY_MODES: readonly ReplyMode[] = ['reply', 'replyAll', 'forward'];

export function replyLabel(t: ReturnType<typeof useTranslation>['t'], mode: ReplyMode): string {
  switch (mode) {
    case 'reply':
      return t('compose.reply');
    case 'replyAll':
      return t('compose.replyAll');
    default:
      return t('compose.forward');
  }
}

export function ReplyActions({ accountId, folder, uid, inDrafts }: { accountId: string; folder: string; uid: number; inDrafts?: boolean }) {
  const { t } = useTranslation();
  const { openCompose } = useCompose();
  return (
    <div className="reply-actions" role="group" aria-label={t('compose.replyActions')}>
      {inDrafts ? (
        <button
          type="button"
          className="button button-primary"
          data-testid="resume-draft"
          onClick={() => openCompose({ mode: 'draft', accountId, folder, uid })}
        >
          {t('compose.resumeDraft')}
        </button>
      ) : null}
      <button
        type="button"
        className="button"
        data-testid="reply"
        title={t('compose.replyShortcut')}
        onClick={() => openCompose({ mode: 'reply', accountId, folder, uid })}
      >
        {replyLabel(t, 'reply')}
      </button>
      <button
        type="button"
        className="button"
        data-testid="reply-all"
        title={t('compose.replyAllShortcut')}
        onClick={() => openCompose({ mode: 'replyAll', accountId, folder, uid })}
      >
        {replyLabel(t, 'replyAll')}
      </button>
      <button
        type="button"
        className="button"
        data-testid="forward"
        title={t('compose.forwardShortcut')}
        onClick={() => openCompose({ mode: 'forward', accountId, folder, uid })}
      >
        {replyLabel(t, 'forward')}
      </button>
      <button
        type="button"
        className="button button-quiet"
        data-testid="forward-attachment"
        onClick={() => openCompose({ mode: 'forwardAsAttachment', accountId, folder, uid })}
      >
        {t('compose.forwardAsAttachment')}
      </button>
    </div>
  );
}
