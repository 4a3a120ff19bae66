import type { MethodName, Result, ValidParams } from '../shared/contract.js';
import type { CoreContext } from '../context.js';
import type { SyncScheduler } from '../sync/scheduler.js';
import type { OutboxSender } from '../mail/outbox.js';
import type { UndoHistory } from '../mail/operations.js';
import type { InvitationReader } from '../mail/message-reader.js';
import type { CorrespondentTable } from '../contacts/suggest.js';
import type { MailDownloadState } from '../shared/contract.js';
import type { MigrationService } from '../import/service.js';
import type { WorkspaceHub } from '../workspaces/service.js';
import type { WorkspaceDocuments } from '../workspaces/documents.js';
import type { LaunchComposeQueue } from '../mail/launch-compose.js';

/** « Suspendre » / « Reprendre » of the background download of mail bodies (src/mail/mail-sync.ts). */
export interface MailDownloadControl {
  downloadState(): MailDownloadState;
  pause(): Promise<MailDownloadState>;
  resume(): MailDownloadState;
}

/** The domain services of one Core, built when it opens (core.ts) and stopped when it closes. */
export interface Services {
  /** The sync scheduler: runs, status, background loop. */
  readonly sync: SyncScheduler;
  /** The Boîte d'envoi (created on first use: that first use turns sends interrupted by the last exit into « incertain »). */
  readonly outbox: OutboxSender;
  /** « Annuler » of the last mail actions. */
  readonly mailUndo: UndoHistory;
  /** Past correspondents for the composer's suggestions. */
  readonly correspondents: CorrespondentTable;
  /** The Agenda's reading of invitations, for Courrier's reader. */
  readonly invitations: InvitationReader;
  /** The background download of mail bodies for offline reading. */
  readonly mailDownload: MailDownloadControl;
  /** Imports of Outlook files, .msg, .eml and mbox (one at a time). */
  readonly migration: MigrationService;
  /** Espaces de travail and their Discussion (one XMPP session per account, opened on first use). */
  readonly workspaces: WorkspaceHub;
  readonly workspaceDocuments: WorkspaceDocuments;
  /** Messages asked by other programs (mailto, --compose, « Envoyer vers »), waiting for the composer. */
  readonly launchCompose: LaunchComposeQueue;
}

/** What a handler receives: the profile's foundations and the domain services. */
export interface HandlerContext extends CoreContext {
  readonly services: Services;
}

/** Answers one method; `params` were validated by Core.handle with the method's schema (src/shared/api-schema.ts). */
export type Handler<M extends MethodName> = (ctx: HandlerContext, params: ValidParams<M>) => Promise<Result<M>> | Result<M>;
export type HandlerMap = { [M in MethodName]: Handler<M> };
