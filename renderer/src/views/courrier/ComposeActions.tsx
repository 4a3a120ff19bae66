/** « Répondre », « Répondre à tous », « Transférer » for one stored message: opens the composer prefilled by the core. */
import { useTranslation } from 'react-i18next';
import { useCompose } from './compose-context';

export function ReplyActions({ accountId, folder, uid }: { accountId: string; folder: string; uid: number }) {
  const { t } = useTranslation();
  const { openCompose } = useCompose();
  return (
    <div className="reply-actions" role="group" aria-label={t('compose.replyActions')}>
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
