/** API handlers of Visio: the agent's sign-in to the organisation's meeting server. */
import type { HandlerMap } from '../handler-types.js';
import { signInToMeetingServer } from '../../accounts/visio-sign-in.js';

export const visioHandlers: Pick<HandlerMap, 'visio.signIn'> = {
  'visio.signIn': (ctx, params) => signInToMeetingServer(ctx, params),
};
