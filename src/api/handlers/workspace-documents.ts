/** API handlers of the « Documents » of the espaces de travail (src/workspaces/documents.ts). */
import { OstalError } from '../../errors.js';
import { t } from '../../i18n/index.js';
import type { HandlerContext, HandlerMap } from '../handler-types.js';
import type { Workspace } from '../../shared/contract.js';

function space(ctx: HandlerContext, workspaceId: string): Workspace {
  const w = ctx.services.workspaces.list().find((x) => x.id === workspaceId);
  if (!w) throw new OstalError('not_found', t('workspaces.errors.notFound'));
  return w;
}

export const workspaceDocumentHandlers: Pick<
  HandlerMap,
  'workspaces.documents' | 'workspaces.documents.add' | 'workspaces.documents.addFromChat' | 'workspaces.documents.open'
> = {
  'workspaces.documents': async (ctx, { workspaceId, sync }) => {
    const w = space(ctx, workspaceId);
    if (sync !== false) {
      // Offline or refused: the local copy is listed, with the sync's French error (lastError).
      await ctx.services.workspaceDocuments.sync(w).catch(() => undefined);
    }
    return ctx.services.workspaceDocuments.view(w);
  },
  'workspaces.documents.add': async (ctx, { workspaceId, name, content }) => {
    const w = space(ctx, workspaceId);
    await ctx.services.workspaceDocuments.add(w, name, Buffer.from(content, 'base64'));
    await ctx.services.workspaceDocuments.sync(w).catch(() => undefined);
    return ctx.services.workspaceDocuments.view(w);
  },
  'workspaces.documents.addFromChat': async (ctx, { workspaceId, url }) => {
    const w = space(ctx, workspaceId);
    // The same checks as « Télécharger » (the account's own server, a message of this Discussion), then a copy.
    const file = await ctx.services.workspaces.downloadFile({ workspaceId }, url);
    if (!file.localPath) throw new OstalError('not_found', t('chatFiles.errors.notDownloaded'));
    const added = await ctx.services.workspaceDocuments.addCopy(w, file.name, file.localPath);
    // Offline or refused: the copy is in the folder, sent at the next sync (the French error in lastError).
    await ctx.services.workspaceDocuments.sync(w).catch(() => undefined);
    const { lastError } = ctx.services.workspaceDocuments.view(w);
    return { path: added, name: added.slice(1), lastError };
  },
  'workspaces.documents.open': (ctx, { workspaceId, path, reveal }) =>
    ctx.services.workspaceDocuments.open(space(ctx, workspaceId), path, reveal ?? false),
};
