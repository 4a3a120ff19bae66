/**
 * The frame shared by the reader's previews (« Aperçu » of a PDF, an image or a text, « Aperçu avant impression »):
 * a modal dialog over a backdrop, its title and buttons in a head row, closed by Échap. `look` names the CSS classes
 * (`pdf-preview` or `print-preview`, with their -backdrop, -head and -actions parts), which the print style sheets
 * also select.
 */
import { useId, type ReactNode } from 'react';

export default function PreviewDialog({
  look,
  testId,
  title,
  actions,
  onClose,
  children,
}: {
  look: 'pdf-preview' | 'print-preview';
  testId: string;
  title: string;
  actions: ReactNode;
  onClose(): void;
  children: ReactNode;
}) {
  const id = useId();
  return (
    <div className={`${look}-backdrop`} data-testid={`${testId}-backdrop`}>
      <section
        className={look}
        role="dialog"
        aria-modal="true"
        aria-labelledby={`${id}-title`}
        data-testid={testId}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            onClose();
          }
        }}
      >
        <div className={`${look}-head`}>
          <h2 id={`${id}-title`}>{title}</h2>
          <div className={`${look}-actions`}>{actions}</div>
        </div>
        {children}
      </section>
    </div>
  );
}
