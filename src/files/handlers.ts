import type { HandlerMap } from '../core.js';
import { OstalError } from '../api/errors.js';
import { t } from '../i18n/index.js';
import { getSyncCoordinator } from '../sync/coordinator.js';

type FileMethods =
  | 'files.list'
  | 'files.status'
  | 'files.sync'
  | 'files.conflicts'
  | 'files.resolveConflict'
  | 'files.trash.list'
  | 'files.trash.restore'
  | 'files.setOffline'
  | 'files.open'
  | 'files.pause'
  | 'files.resume'
  | 'files.confirmDeletion';

const notFound = (): never => {
  throw new OstalError('not_found', t('errors.invalidRequest'));
};

/** Fichiers: filled by the WebDAV sync (Fichiers issue). */
export const fileHandlers: Pick<HandlerMap, FileMethods> = {
  'files.list': () => [],
  'files.status': () => ({ accounts: [] }),
  'files.sync': (ctx, params) => getSyncCoordinator(ctx).run({ accountId: params.accountId, only: 'files' }),
  'files.conflicts': () => [],
  'files.resolveConflict': () => notFound(),
  'files.trash.list': () => [],
  'files.trash.restore': () => notFound(),
  'files.setOffline': () => notFound(),
  'files.open': () => notFound(),
  'files.pause': () => ({ paused: true }),
  'files.resume': () => ({ paused: false }),
  'files.confirmDeletion': () => ({ done: true }),
};
