import type { ComposeMode } from '../../../../src/shared/contract';

/** What opens the composer: a new message (possibly prefilled by another view), or a reply or forward of a stored message. */
export interface ComposeRequest {
  mode?: 'new' | ComposeMode;
  accountId?: string;
  folder?: string;
  uid?: number;
  /** « Modifier » of a scheduled message of the Boîte d'envoi (mode 'draft'): it becomes a draft again (mail.outbox.edit). */
  outboxId?: string;
  /** New message prefilled by another view (e.g. Visio « Inviter par courriel ») or another program (mailto, --compose). */
  subject?: string;
  text?: string;
  /** Recipients, as typed in the fields (« a@b.fr, c@d.fr »). */
  to?: string;
  cc?: string;
  bcc?: string;
  /** Files of this computer already read by the core (--compose, « Envoyer vers »: mail.launch.take). */
  attachments?: { filename: string; contentBase64: string; size: number }[];
  /** French lines for the files left out (missing, unreadable). */
  problems?: string[];
}
