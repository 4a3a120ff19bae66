import type { HandlerMap } from './handler-types.js';
import { appHandlers } from './handlers/app.js';
import { accountHandlers } from './handlers/accounts.js';
import { mailHandlers } from './handlers/mail.js';
import { actionHandlers } from './handlers/mail-actions.js';
import { composeHandlers } from './handlers/mail-compose.js';
import { outboxHandlers } from './handlers/mail-outbox.js';
import { searchHandlers } from './handlers/mail-search.js';
import { offlineHandlers } from './handlers/mail-offline.js';
import { sieveHandlers } from './handlers/mail-sieve.js';
import { folderHandlers } from './handlers/mail-folders.js';
import { syncHandlers } from './handlers/sync.js';
import { calendarHandlers } from './handlers/calendar.js';
import { contactHandlers } from './handlers/contacts.js';
import { fileHandlers } from './handlers/files.js';
import { visioHandlers } from './handlers/visio.js';
import { migrationHandlers } from './handlers/migration.js';
import { workspaceHandlers } from './handlers/workspaces.js';
import { workspaceDocumentHandlers } from './handlers/workspace-documents.js';
import { chatFileHandlers } from './handlers/chat-files.js';
import { workspaceAgendaHandlers } from './handlers/workspace-agenda.js';

/** Every API method, each answered by the domain folder that owns it. */
export const handlers: HandlerMap = {
  ...appHandlers,
  ...accountHandlers,
  ...mailHandlers,
  ...actionHandlers,
  ...searchHandlers,
  ...outboxHandlers,
  ...composeHandlers,
  ...offlineHandlers,
  ...sieveHandlers,
  ...folderHandlers,
  ...syncHandlers,
  ...calendarHandlers,
  ...contactHandlers,
  ...fileHandlers,
  ...visioHandlers,
  ...migrationHandlers,
  ...workspaceHandlers,
  ...workspaceDocumentHandlers,
  ...chatFileHandlers,
  ...workspaceAgendaHandlers,
};
