/**
 * « Aide › Raccourcis »: the Outlook shortcuts agents know (Courrier's list by default). Other views (Visio, the
 * guest meeting page) give their own `title` and `shortcuts` (keys, action) to the same dialog.
 */
import { useEffect, useId, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import './shortcuts-dialog.css';

export function ShortcutsDialog({
  open,
  onClose,
  title,
  shortcuts: given,
}: {
  open: boolean;
  onClose(): void;
  title?: string;
  shortcuts?: [string, string][];
}) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const shortcuts: [string, string][] = given ?? [
    [t('courrier.shortcuts.keys.newMessage'), t('courrier.shortcuts.labels.newMessage')],
    [t('courrier.shortcuts.keys.reply'), t('courrier.shortcuts.labels.reply')],
    [t('courrier.shortcuts.keys.replyAll'), t('courrier.shortcuts.labels.replyAll')],
    [t('courrier.shortcuts.keys.forward'), t('courrier.shortcuts.labels.forward')],
    [t('courrier.shortcuts.keys.send'), t('courrier.shortcuts.labels.send')],
    [t('courrier.shortcuts.keys.delete'), t('courrier.shortcuts.labels.delete')],
    [t('courrier.shortcuts.keys.read'), t('courrier.shortcuts.labels.read')],
    [t('courrier.shortcuts.keys.unread'), t('courrier.shortcuts.labels.unread')],
    [t('courrier.shortcuts.keys.search'), t('courrier.shortcuts.labels.search')],
    [t('courrier.shortcuts.keys.help'), t('courrier.shortcuts.labels.help')],
  ];
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal?.();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog ref={ref} className="dialog shortcuts-dialog" aria-labelledby={titleId} onClose={onClose} data-testid="shortcuts-dialog">
      <h2 id={titleId}>{title ?? t('courrier.shortcuts.title')}</h2>
      <table className="shortcuts-table">
        <thead>
          <tr>
            <th scope="col">{t('courrier.shortcuts.keysHeader')}</th>
            <th scope="col">{t('courrier.shortcuts.actionHeader')}</th>
          </tr>
        </thead>
        <tbody>
          {shortcuts.map(([keys, label]) => (
            <tr key={keys}>
              <td>
                <kbd>{keys}</kbd>
              </td>
              <td>{label}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="dialog-actions">
        <button type="button" className="button button-primary" onClick={onClose}>
          {t('courrier.shortcuts.close')}
        </button>
      </div>
    </dialog>
  );
}
