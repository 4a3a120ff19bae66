/** API handlers of the espaces de travail and their Discussion (src/workspaces/). */
import type { HandlerMap } from '../handler-types.js';

export const workspaceHandlers: Pick<
  HandlerMap,
  | 'workspaces.list'
  | 'workspaces.refresh'
  | 'workspaces.create'
  | 'workspaces.members'
  | 'workspaces.markRead'
  | 'chat.send'
  | 'chat.edit'
  | 'chat.retract'
  | 'chat.search'
  | 'chat.history'
  | 'chat.page'
  | 'direct.list'
  | 'presence.list'
  | 'presence.set'
  | 'direct.send'
  | 'direct.refresh'
  | 'direct.history'
  | 'direct.markRead'
> = {
  'workspaces.list': (ctx) => ctx.services.workspaces.list(),
  'workspaces.refresh': (ctx, { accountId }) => ctx.services.workspaces.refresh(accountId),
  'workspaces.create': (ctx, params) => ctx.services.workspaces.create(params),
  'workspaces.members': (ctx, { workspaceId, add, remove }) => ctx.services.workspaces.members(workspaceId, add ?? [], remove ?? []),
  'workspaces.markRead': (ctx, { workspaceId }) => {
    ctx.services.workspaces.markRead(workspaceId);
    return { ok: true as const };
  },
  'chat.send': (ctx, { workspaceId, text, replyTo }) => ctx.services.workspaces.send(workspaceId, text, replyTo),
  'chat.edit': (ctx, { workspaceId, messageId, text }) => ctx.services.workspaces.edit(workspaceId, messageId, text),
  'chat.retract': (ctx, { workspaceId, messageId }) => ctx.services.workspaces.retract(workspaceId, messageId),
  'chat.search': (ctx, { query, workspaceId, limit }) => ctx.services.workspaces.search(query, workspaceId, limit),
  'chat.history': (ctx, { workspaceId, limit }) => ctx.services.workspaces.history(workspaceId, limit),
  'chat.page': (ctx, { workspaceId, before, limit }) => ctx.services.workspaces.page(workspaceId, before, limit),
  'direct.list': (ctx) => ctx.services.workspaces.directList(),
  'presence.list': (ctx) => ctx.services.workspaces.presenceList(),
  'presence.set': async (ctx, { state }) => {
    await ctx.services.workspaces.setPresence(state);
    return { ok: true as const };
  },
  'direct.refresh': (ctx, { accountId }) => ctx.services.workspaces.directRefresh(accountId),
  'direct.send': (ctx, { peer, text, accountId }) => ctx.services.workspaces.directSend(peer, text, accountId),
  'direct.history': (ctx, { peer, limit, accountId }) => ctx.services.workspaces.directHistory(peer, limit, accountId),
  'direct.markRead': (ctx, { peer, accountId }) => {
    ctx.services.workspaces.directMarkRead(peer, accountId);
    return { ok: true as const };
  },
};
