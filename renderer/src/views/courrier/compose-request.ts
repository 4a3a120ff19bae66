import type { ComposeMode } from '../../../../src/shared/contract';

/** What opens the composer: a new message (possibly prefilled by another view), or a reply or forward of a stored message. */
export interface ComposeRequest {
  mode?: 'new' | ComposeMode;
  accountId?: string;
  folder?: string;
  uid?: number;
  /** New message prefilled by another view (e.g. Visio « Inviter par courriel »). */
  subject?: string;
  text?: string;
}
