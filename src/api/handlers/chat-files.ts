/** API handlers of the files shared in the Discussions (src/workspaces/chat-files.ts, XMPP HTTP File Upload). */
import type { HandlerMap } from '../handler-types.js';

export const chatFileHandlers: Pick<
  HandlerMap,
  'chat.file.send' | 'chat.file.check' | 'chat.file.stage' | 'chat.file.info' | 'chat.file.download' | 'chat.file.open'
> = {
  'chat.file.send': (ctx, { workspaceId, peer, accountId, name, contentType, content, uploadId }) =>
    ctx.services.workspaces.sendFile(
      { workspaceId, peer, accountId },
      { name, contentType, uploadId, content: content === undefined ? undefined : Buffer.from(content, 'base64') },
    ),
  'chat.file.check': (ctx, { workspaceId, peer, accountId, name, size }) =>
    ctx.services.workspaces.checkFile({ workspaceId, peer, accountId }, name, size),
  'chat.file.stage': (ctx, { uploadId, content }) => ctx.services.workspaces.stageFile(uploadId, Buffer.from(content, 'base64')),
  'chat.file.info': (ctx, { workspaceId, peer, accountId, url }) => ctx.services.workspaces.fileInfo({ workspaceId, peer, accountId }, url),
  'chat.file.download': (ctx, { workspaceId, peer, accountId, url }) =>
    ctx.services.workspaces.downloadFile({ workspaceId, peer, accountId }, url),
  'chat.file.open': (ctx, { workspaceId, peer, accountId, url }) => ctx.services.workspaces.openFile({ workspaceId, peer, accountId }, url),
};
