/**
 * « Répondre », « Répondre à tous », « Transférer » for one stored message: opens the composer prefilled by the core.
 * In Brouillons, « Reprendre le brouillon » comes first: the draft reopens to be finished and sent.
 */
import { useTranslation } from 'react-i18next';
import { useCompose } from './compose-context';

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
        {t('compose.reply')}
      </button>
      <button
        type="button"
        className="button"
        data-testid="reply-all"
        title={t('compose.replyAllShortcut')}
        onClick={() => openCompose({ mode: 'replyAll', accountId, folder, uid })}
      >
        {t('compose.replyAll')}
      </button>
      <button
        type="button"
        className="button"
        data-testid="forward"
        title={t('compose.forwardShortcut')}
        onClick={() => openCompose({ mode: 'forward', accountId, folder, uid })}
      >
        {t('compose.forward')}
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
