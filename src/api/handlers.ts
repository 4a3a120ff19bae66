import type { HandlerMap } from '../core.js';
import { appHandlers } from './app-handlers.js';
import { accountHandlers } from '../accounts/handlers.js';
import { mailHandlers } from '../mail/handlers.js';
import { syncHandlers } from '../sync/handlers.js';
import { calendarHandlers } from '../calendar/handlers.js';
import { contactHandlers } from '../contacts/handlers.js';
import { fileHandlers } from '../files/handlers.js';

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
