/**
 * The import (« Migration »): sources read one item at a time, mail appended to the account's IMAP server,
 * contacts and events handed to the DAV journal through the .vcf/.ics import. One import at a time per core;
 * « Suspendre » waits after the item being handled. Every item handled is written to the journal (011) right
 * after the server took it: a kill resumes there, and a second run adds nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ImapFlow } from 'imapflow';
import type { MigrationFolderReport, MigrationProgress, MigrationReport, MigrationSourceKind } from '../shared/contract.js';
import type { CoreContext } from '../context.js';
import { OstalError } from '../errors.js';
import { t } from '../i18n/index.js';
import { getAccountRow, listAccountRows, loadMailAccount } from '../accounts/account-rows.js';
import { connectImap } from '../mail/imap-client.js';
import { importFile } from '../calendar/import.js';
import { ImapTarget } from './imap-target.js';
import { ImportJournal, jobKeyOf } from './journal.js';
import { openSource } from './detect.js';
import type { ImportSource, MailPayload, SourceFolder } from './source.js';
import { openImapSource } from './imap-source.js';

const PROGRESS_EVERY_MS = 250;
/** Contacts or events handed to the DAV import at once. */
const DAV_BATCH = 200;
/**
 * Messages sent in one APPEND (MULTIAPPEND) at most: a count, a size, and an age, so that the journal, the progress
 * and « Suspendre » follow within half a second. A kill loses at most a batch's journal lines; what the server had
 * taken of it is then found by its keys (Message-ID, date, size) and counted « déjà présent ».
 */
const MAIL_BATCH = 50;
const MAIL_BATCH_BYTES = 8 * 1024 * 1024;
const MAIL_BATCH_MS = 500;

export interface MigrationParams {
  paths: string[];
  accountId?: string;
  /** Copy from this other account (its folders, or only `folders`) instead of files. */
  fromAccountId?: string;
  folders?: string[];
}

function idle(): MigrationProgress {
  return {
    state: 'idle',
    accountId: null,
    done: 0,
    total: 0,
    imported: 0,
    alreadyPresent: 0,
    skipped: 0,
    current: null,
    remainingSeconds: null,
    error: null,
    report: null,
  };
}

export class MigrationService {
  private progress: MigrationProgress = idle();
  private running: Promise<MigrationReport> | null = null;
  private paused = false;
  private resumeWaiters: (() => void)[] = [];
  private lastEmit = 0;
  private startedMs = 0;
  private pausedMs = 0;
  private pausedSince = 0;
  private doneAtStart = 0;

  constructor(private readonly ctx: CoreContext) {}

  status(): MigrationProgress {
    return { ...this.progress };
  }

  pause(): MigrationProgress {
    if (this.progress.state === 'running') {
      this.paused = true;
      this.pausedSince = Date.now();
      this.progress.state = 'paused';
      this.emit(true);
    }
    return this.status();
  }

  resume(): MigrationProgress {
    if (this.paused) {
      this.paused = false;
      this.pausedMs += Date.now() - this.pausedSince;
      this.progress.state = 'running';
      for (const w of this.resumeWaiters.splice(0)) w();
      this.emit(true);
    }
    return this.status();
  }

  /** Starts in the background (the UI follows 'migration.progress'). */
  start(params: MigrationParams): MigrationProgress {
    this.begin(params).catch(() => undefined);
    return this.status();
  }

  /** Runs to the end (the CLI). */
  run(params: MigrationParams): Promise<MigrationReport> {
    return this.begin(params);
  }

  private begin(params: MigrationParams): Promise<MigrationReport> {
    if (this.running) throw new OstalError('invalid_input', t('migration.errors.alreadyRunning'));
    const accountId = this.pickAccount(params.accountId);
    if (params.fromAccountId && params.fromAccountId === accountId)
      throw new OstalError('invalid_input', t('migration.errors.sameAccount'));
    this.progress = { ...idle(), state: 'running', accountId };
    this.paused = false;
    this.startedMs = Date.now();
    this.pausedMs = 0;
    this.doneAtStart = 0;
    const job = this.afterAnswer()
      .then(() => this.execute(accountId, params))
      .finally(() => {
        this.running = null;
      });
    this.running = job;
    return job;
  }

  /**
   * Waits until the answer to the call that started the import is on its way (the transports send it as soon as
   * the handler returns, without leaving the current turn of the event loop). Otherwise a run that ends at once (a
   * file that does not exist, a folder without messages) emits its last 'migration.progress', report included, before
   * that answer: the page then took the answer's « running » for the latest news and waited forever.
   */
  private afterAnswer(): Promise<void> {
    return new Promise((resolve) => setImmediate(resolve));
  }

  private pickAccount(accountId: string | undefined): string {
    if (accountId) {
      if (!getAccountRow(this.ctx, accountId)) throw new OstalError('not_found', t('errors.accountNotFound'));
      return accountId;
    }
    const first = listAccountRows(this.ctx).find((a) => a.settings.imap);
    if (!first) throw new OstalError('not_found', t('migration.errors.noAccount'));
    return first.id;
  }

  private async waitIfPaused(): Promise<void> {
    while (this.paused) await new Promise<void>((resolve) => this.resumeWaiters.push(resolve));
  }

  private emit(force = false): void {
    const now = Date.now();
    if (!force && now - this.lastEmit < PROGRESS_EVERY_MS) return;
    this.lastEmit = now;
    const p = this.progress;
    const handled = p.done - this.doneAtStart;
    const elapsed = (now - this.startedMs - this.pausedMs - (this.paused ? now - this.pausedSince : 0)) / 1000;
    p.remainingSeconds =
      handled >= 5 && elapsed >= 1 && p.total > p.done
        ? Math.ceil(((p.total - p.done) * elapsed) / handled)
        : p.state === 'running'
          ? null
          : 0;
    this.ctx.emit('migration.progress', this.status());
  }

  private async execute(accountId: string, params: MigrationParams): Promise<MigrationReport> {
    const { ctx } = this;
    const row = getAccountRow(ctx, accountId)!;
    const journal = new ImportJournal(ctx.db);
    const startedAt = new Date().toISOString();
    const report: MigrationReport = {
      accountId,
      email: row.email,
      state: 'done',
      sources: [],
      folders: [],
      totals: { imported: 0, alreadyPresent: 0, skipped: 0 },
      skipped: [],
      notes: [],
      startedAt,
      finishedAt: startedAt,
      message: '',
    };
    let client: ImapFlow | null = null;
    let target: ImapTarget | null = null;
    const connect = async (): Promise<ImapTarget> => {
      if (target) return target;
      const account = await loadMailAccount(ctx, row);
      client = await connectImap(account, { log: ctx.log });
      target = new ImapTarget(client);
      await target.init();
      return target;
    };
    const davTouched = new Set<'calendar' | 'contacts'>();
    this.emit(true);
    try {
      // Sources opened one after the other; the total grows as each is opened.
      const inputs: { abs: string; name: string; open(): Promise<ImportSource>; jobKey(): string }[] = params.fromAccountId
        ? [
            {
              abs: `imap:${params.fromAccountId}`,
              name: getAccountRow(ctx, params.fromAccountId)?.email ?? params.fromAccountId,
              open: () => openImapSource(ctx, params.fromAccountId!, params.folders),
              jobKey: () => jobKeyOf(accountId, `imap:${params.fromAccountId}`, 0, 0),
            },
          ]
        : params.paths.map((input) => {
            const abs = path.resolve(input);
            return {
              abs,
              name: path.basename(abs),
              open: () => openSource(abs, ctx.log),
              jobKey: () => {
                const stat = fs.statSync(abs);
                return jobKeyOf(accountId, abs, stat.isDirectory() ? 0 : stat.size, stat.isDirectory() ? 0 : stat.mtimeMs);
              },
            };
          });
      for (const input of inputs) {
        const abs = input.abs;
        let source: ImportSource;
        try {
          source = await input.open();
        } catch (err) {
          if (params.fromAccountId) throw err;
          const message = err instanceof OstalError ? err.message : t('migration.errors.unreadable', { name: input.name });
          ctx.log.warn('import: source refused', { err: err as Error });
          report.sources.push({ path: abs, kind: 'unknown' as MigrationSourceKind, error: message });
          continue;
        }
        report.sources.push({ path: abs, kind: source.kind, error: null });
        const jobKey = input.jobKey();
        journal.startRun(jobKey, accountId, abs);
        this.progress.total += source.total;
        try {
          for await (const folder of source.folders()) {
            await this.importFolder(folder, { jobKey, journal, connect, report, accountId, davTouched, sourceName: input.name });
          }
        } catch (err) {
          if (err instanceof OstalError || params.fromAccountId) throw err;
          ctx.log.warn('import: source failed midway', { err: err as Error });
          report.sources[report.sources.length - 1].error = t('migration.errors.corruptMidway');
        } finally {
          source.close();
        }
        journal.finishRun(jobKey);
      }
      for (const scope of davTouched) await ctx.sync.run({ accountId, only: scope });
    } catch (err) {
      report.state = 'failed';
      this.progress.error = err instanceof OstalError ? err.message : t('migration.errors.unexpected');
      ctx.log.error('import: stopped', { err: err as Error });
    } finally {
      const c = client as ImapFlow | null;
      if (c) await c.logout().catch(() => c.close());
    }
    if (report.folders.some((f) => f.kind === 'mail' && f.imported > 0))
      ctx.emit('mail.changed', { accountId, folders: report.folders.map((f) => f.target) });
    report.finishedAt = new Date().toISOString();
    report.message = summaryOf(report, this.progress.error);
    this.progress.state = report.state === 'failed' ? 'failed' : 'done';
    this.progress.current = null;
    this.progress.report = report;
    this.emit(true);
    return report;
  }

  private async importFolder(
    folder: SourceFolder,
    run: {
      jobKey: string;
      journal: ImportJournal;
      connect: () => Promise<ImapTarget>;
      report: MigrationReport;
      accountId: string;
      davTouched: Set<'calendar' | 'contacts'>;
      sourceName: string;
    },
  ): Promise<void> {
    const sourceLabel = folder.path.join(' / ');
    this.progress.current = sourceLabel;
    this.emit(true);
    const targetLabel = folder.kind === 'mail' ? null : t(folder.kind === 'contacts' ? 'migration.addressBook' : 'migration.calendar');
    let imapFolder: string | null = null;
    const entry: MigrationFolderReport = {
      source: sourceLabel,
      target: targetLabel ?? '',
      kind: folder.kind,
      imported: 0,
      alreadyPresent: 0,
      skipped: 0,
    };
    const skip = (label: string, reason: string) => {
      entry.skipped++;
      run.report.skipped.push({ source: `${run.sourceName} › ${sourceLabel}`, item: label, reason });
      this.progress.skipped++;
    };
    const dav: { key: string; label: string; text: string }[] = [];
    const flushDav = () => {
      if (!dav.length) return;
      const kind = folder.kind === 'contacts' ? 'addressbook' : 'calendar';
      const text = dav
        .map((d) => d.text.replace(/^BEGIN:VCALENDAR[\s\S]*?(?=BEGIN:VEVENT)/, '').replace(/END:VCALENDAR\r\n$/, ''))
        .join('');
      const content =
        kind === 'calendar' ? `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Ostal//Import Outlook//FR\r\n${text}END:VCALENDAR\r\n` : text;
      let refused: Map<string, string>;
      let failure: string | null = null;
      try {
        const result = importFile(this.ctx, { content, name: kind === 'calendar' ? 'import.ics' : 'import.vcf', accountId: run.accountId });
        refused = new Map(result.refused.map((r) => [r.item, r.reason]));
      } catch (err) {
        // No agenda or address book on this account (no CalDAV/CardDAV server): each item skipped, saying why.
        if (!(err instanceof OstalError)) throw err;
        failure = err.message;
        refused = new Map();
      }
      if (failure) {
        for (const d of dav) {
          skip(d.label, failure);
          run.journal.record(run.jobKey, d.key, {
            outcome: 'skipped',
            sourceFolder: sourceLabel,
            targetFolder: entry.target,
            label: d.label,
            reason: failure,
          });
        }
        dav.length = 0;
        return;
      }
      for (const d of dav) {
        const reason = refused.get(d.label);
        if (reason) skip(d.label, reason);
        else {
          entry.imported++;
          this.progress.imported++;
        }
        run.journal.record(run.jobKey, d.key, {
          outcome: reason ? 'skipped' : 'imported',
          sourceFolder: sourceLabel,
          targetFolder: entry.target,
          label: d.label,
          reason: reason ?? null,
        });
      }
      run.davTouched.add(folder.kind === 'contacts' ? 'contacts' : 'calendar');
      dav.length = 0;
    };
    // Slows each item down (tests of the progress view only; like OSTAL_PROBE_INTERVAL_MS, never set in use).
    const delayMs = Number(process.env.OSTAL_IMPORT_ITEM_DELAY_MS ?? 0) || 0;
    // Messages built and not yet sent, and the batch being sent: the next messages are read from the source while
    // the server stores the previous batch. Each batch is written to the journal once the server took it.
    const mail: { key: string; label: string; payload: MailPayload }[] = [];
    let mailBytes = 0;
    let mailSince = 0;
    let sending: Promise<void> | null = null;
    const sendMail = async (batch: typeof mail, target: ImapTarget, targetFolder: string): Promise<void> => {
      const added = await target.appendMany(
        targetFolder,
        batch.map((b) => b.payload),
      );
      run.journal.recordMany(
        run.jobKey,
        batch.map((b, i) => ({
          itemKey: b.key,
          entry: { outcome: added[i] ? 'imported' : 'present', sourceFolder: sourceLabel, targetFolder, label: b.label, reason: null },
        })),
      );
      for (const fresh of added) {
        if (fresh) {
          entry.imported++;
          this.progress.imported++;
        } else {
          entry.alreadyPresent++;
          this.progress.alreadyPresent++;
        }
      }
      this.emit();
    };
    /**
     * Sends what is built once the batch being sent is taken (one batch at the server at a time, one being built:
     * memory stays bounded however fast the source reads); with `wait`, returns once the server took everything.
     */
    const flushMail = async (wait: boolean): Promise<void> => {
      if (mail.length) {
        const batch = mail.splice(0);
        mailBytes = 0;
        if (sending) {
          const previous = sending;
          sending = null;
          await previous;
        }
        const target = await run.connect();
        if (!imapFolder) {
          imapFolder = await target.folderFor(folder.path, folder.special);
          entry.target = imapFolder;
        }
        const next = sendMail(batch, target, imapFolder);
        // Its failure is thrown where it is awaited: by the next flush, or at the end of the folder.
        next.catch(() => undefined);
        sending = next;
      }
      if (wait && sending) {
        const last = sending;
        sending = null;
        await last;
      }
    };
    try {
      for await (const item of folder.items()) {
        if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
        // « Suspendre »: what is built is sent first, so that nothing moves while paused.
        if (this.paused) await flushMail(true);
        await this.waitIfPaused();
        const known = run.journal.get(run.jobKey, item.key);
        if (known) {
          if (known.outcome === 'skipped') skip(known.label, known.reason ?? '');
          else {
            entry.alreadyPresent++;
            this.progress.alreadyPresent++;
          }
          if (!entry.target) entry.target = known.targetFolder;
        } else if (item.type === 'skip') {
          skip(item.label, item.reason);
          run.journal.record(run.jobKey, item.key, {
            outcome: 'skipped',
            sourceFolder: sourceLabel,
            targetFolder: entry.target,
            label: item.label,
            reason: item.reason,
          });
        } else if (item.type === 'mail') {
          let payload;
          try {
            payload = await item.build();
          } catch (err) {
            this.ctx.log.warn('import: message unreadable', { err: err as Error });
            const reason = err instanceof OstalError ? err.message : t('migration.reasons.unreadableMessage');
            skip(item.label, reason);
            run.journal.record(run.jobKey, item.key, {
              outcome: 'skipped',
              sourceFolder: sourceLabel,
              targetFolder: entry.target,
              label: item.label,
              reason,
            });
            this.progress.done++;
            this.emit();
            continue;
          }
          mail.push({ key: item.key, label: item.label, payload });
          mailBytes += payload.raw.length;
          if (mail.length === 1) mailSince = Date.now();
          if (mail.length >= MAIL_BATCH || mailBytes >= MAIL_BATCH_BYTES || Date.now() - mailSince >= MAIL_BATCH_MS) await flushMail(false);
        } else {
          let text: string;
          try {
            if (item.type === 'contact') text = item.vcard();
            else {
              const built = item.ics();
              text = built.text;
              if (built.note) run.report.notes.push(built.note);
            }
          } catch (err) {
            this.ctx.log.warn('import: item unreadable', { err: err as Error });
            const reason = t('migration.reasons.unreadableItem');
            skip(item.label, reason);
            run.journal.record(run.jobKey, item.key, {
              outcome: 'skipped',
              sourceFolder: sourceLabel,
              targetFolder: entry.target,
              label: item.label,
              reason,
            });
            this.progress.done++;
            continue;
          }
          dav.push({ key: item.key, label: item.label, text });
          if (dav.length >= DAV_BATCH) flushDav();
        }
        this.progress.done++;
        this.emit();
      }
    } catch (err) {
      // The source failed midway: what was read before it still goes to the server (its own failure, if any, is not
      // the one to report).
      await flushMail(true).catch(() => undefined);
      throw err;
    }
    await flushMail(true);
    flushDav();
    if (entry.imported + entry.alreadyPresent + entry.skipped > 0) run.report.folders.push(entry);
  }
}

function summaryOf(report: MigrationReport, error: string | null): string {
  for (const f of report.folders) {
    report.totals.imported += f.imported;
    report.totals.alreadyPresent += f.alreadyPresent;
    report.totals.skipped += f.skipped;
  }
  const { imported, alreadyPresent, skipped } = report.totals;
  const parts = [t('migration.summary', { imported, alreadyPresent, skipped })];
  for (const s of report.sources) if (s.error) parts.push(s.error);
  if (error) parts.push(error);
  return parts.join(' ');
}
