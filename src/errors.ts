import type { ApiError, ErrorCode } from './shared/contract.js';
import { t } from './i18n/index.js';

/**
 * An error meant for the user: `code` is stable, `message` is French.
 * `cause` keeps the technical error for the log; it never crosses the API.
 */
export class OstalError extends Error {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, { cause: options?.cause });
    this.name = 'OstalError';
    this.code = code;
    this.details = options?.details;
  }

  toApiError(): ApiError {
    return this.details ? { code: this.code, message: this.message, details: this.details } : { code: this.code, message: this.message };
  }
}

/** Turn anything thrown into an ApiError; unknown errors become a generic French message. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof OstalError) return err.toApiError();
  return { code: 'internal', message: t('errors.internal') };
}
