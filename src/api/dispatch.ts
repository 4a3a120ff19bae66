import type { ApiError, EventName, MethodName, Response } from '../shared/contract.js';
import { toApiError } from '../errors.js';
import { t } from '../i18n/index.js';

/** What a dispatcher needs from the core: answer calls and publish events. */
export interface DispatchTarget {
  handle(method: MethodName, params: never): Promise<unknown>;
  onEvent(listener: (event: EventName, data: unknown) => void): () => void;
}

/** Largest request a transport accepts, in bytes (UTF-8). Larger messages are refused with a French error. */
export const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

/**
 * The transport-independent side of the API: turns one raw request string into one response string.
 * Used by the browser-mode WebSocket host and by the Electron MessagePort bridge alike.
 */
export interface Dispatcher {
  /** Handle one raw message (`{id, method, params}` as JSON). Never throws; resolves to the JSON response. */
  dispatch(raw: string): Promise<string>;
  /** Forward every core event, serialised as `{event, data}`. Returns the unsubscribe function. */
  subscribe(send: (message: string) => void): () => void;
}

function errorResponse(id: number | null, error: ApiError): string {
  return JSON.stringify({ id, error });
}

function invalidRequest(id: number | null): string {
  return errorResponse(id, { code: 'invalid_input', message: t('errors.invalidRequest') });
}

export function createDispatcher(
  core: DispatchTarget,
  options: { maxMessageBytes?: number; onError?: (err: unknown, method: string) => void } = {},
): Dispatcher {
  const maxBytes = options.maxMessageBytes ?? MAX_MESSAGE_BYTES;
  return {
    async dispatch(raw: string): Promise<string> {
      if (typeof raw !== 'string') return invalidRequest(null);
      if (Buffer.byteLength(raw, 'utf8') > maxBytes)
        return errorResponse(null, { code: 'invalid_input', message: t('errors.messageTooLarge') });
      let message: unknown;
      try {
        message = JSON.parse(raw);
      } catch {
        return invalidRequest(null);
      }
      if (typeof message !== 'object' || message === null || Array.isArray(message)) return invalidRequest(null);
      const { id, method, params } = message as { id?: unknown; method?: unknown; params?: unknown };
      if (typeof id !== 'number' || !Number.isSafeInteger(id)) return invalidRequest(null);
      if (typeof method !== 'string') return invalidRequest(id);
      try {
        // The core checks the method and validates the parameters (one place for every transport and the CLI).
        const result = await core.handle(method as MethodName, (params ?? {}) as never);
        const response: Response = { id, result: result === undefined ? null : result };
        return JSON.stringify(response);
      } catch (err) {
        options.onError?.(err, method);
        return errorResponse(id, toApiError(err));
      }
    },
    subscribe(send: (message: string) => void): () => void {
      return core.onEvent((event, data) => {
        try {
          send(JSON.stringify({ event, data }));
        } catch {
          /* a closed transport must not break the core's event loop */
        }
      });
    },
  };
}
