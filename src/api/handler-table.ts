import type { HandlerMap } from './handler-types.js';
import { appHandlers } from './handlers/app.js';
import { accountHandlers } from './handlers/accounts.js';
import { mailHandlers } from './handlers/mail.js';
import { syncHandlers } from './handlers/sync.js';
import { calendarHandlers } from './handlers/calendar.js';
import { contactHandlers } from './handlers/contacts.js';
import { fileHandlers } from './handlers/files.js';

/** Every API method, each answered by the domain folder that owns it. */
export const handlers: HandlerMap = {
  ...appHandlers,
  ...accountHandlers,
  ...mailHandlers,
  ...syncHandlers,
  ...calendarHandlers,
  ...contactHandlers,
  ...fileHandlers,
};
