/**
 * The formatted editor (TipTap and ProseMirror, ~140 kB gzipped) in its own chunk, loaded the first time a composer
 * or the signature screen opens rather than with the application.
 */
import { lazy, Suspense, type ComponentProps } from 'react';
import { useTranslation } from 'react-i18next';
import { Busy } from '../../components/common';

const RichEditorChunk = lazy(() => import('./RichEditor').then((m) => ({ default: m.RichEditor })));

export type { RichEditorHandle } from './RichEditor';

export function LazyRichEditor(props: ComponentProps<typeof RichEditorChunk>) {
  const { t } = useTranslation();
  return (
    <Suspense fallback={<Busy text={t('redaction.loadingEditor')} />}>
      <RichEditorChunk {...props} />
    </Suspense>
  );
}
