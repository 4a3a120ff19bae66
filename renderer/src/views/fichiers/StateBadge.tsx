/** The sync state of an item of Fichiers: an icon of its own shape and the words, never colour alone. */
import type { ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import type { FileSyncState } from '../../../../src/shared/contract';

const SHAPES: Record<FileSyncState, ReactElement> = {
  synced: <path d="M5 12.5 10 17l9-10" />,
  pending: <path d="M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18Zm0-13v4.5l3 2" />,
  syncing: <path d="M20 12a8 8 0 1 1-2.3-5.7M20 4v5h-5" />,
  conflict: <path d="M12 3 2 20h20L12 3Zm0 6v5m0 3v.5" />,
  error: <path d="M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18ZM9 9l6 6m0-6-6 6" />,
  'online-only': <path d="M7 18h10a4 4 0 0 0 .6-8A6 6 0 0 0 6.1 9.5 4.3 4.3 0 0 0 7 18Z" />,
};

export function useStateText(): (state: FileSyncState) => string {
  const { t } = useTranslation();
  return (state) => {
    switch (state) {
      case 'synced':
        return t('fichiers.states.synced');
      case 'pending':
        return t('fichiers.states.pending');
      case 'syncing':
        return t('fichiers.states.syncing');
      case 'conflict':
        return t('fichiers.states.conflict');
      case 'error':
        return t('fichiers.states.error');
      default:
        return t('fichiers.states.onlineOnly');
    }
  };
}

export function StateIcon({ state }: { state: FileSyncState }) {
  return (
    <svg
      className={`icon state-icon${state === 'syncing' ? ' spin' : ''}`}
      viewBox="0 0 24 24"
      width="18"
      height="18"
      fill="none"
      stroke="currentColor"
      strokeWidth="2"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      {SHAPES[state]}
    </svg>
  );
}

export function StateBadge({ state }: { state: FileSyncState }) {
  const text = useStateText();
  return (
    <span className={`fichiers-state fichiers-state-${state}`} data-testid="file-state" data-state={state}>
      <StateIcon state={state} />
      <span>{text(state)}</span>
    </span>
  );
}
