/**
 * Messages asked by another program (issue 18: a mailto link, `ostal --compose …`, « Envoyer vers »), waiting for the
 * page to open them in the composer. Only the trusted side (the Electron main process through the core process,
 * never the page) pushes requests here; the core reads the local files they name, so the page never names a path
 * (the same stance as mail.send, which refuses `path` attachments outside the command line). A file that is missing,
 * not a regular file, unreadable or too large is left out with a French message the composer shows.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ComposeRequestArgs } from '../shared/compose-args.js';
import type { LaunchCompose } from '../shared/contract.js';
import type { CoreContext } from '../context.js';
import { t } from '../i18n/index.js';

/** Larger files are refused (servers rarely accept more than 25 Mo per message; the base64 copy doubles memory). */
export const LAUNCH_ATTACHMENT_MAX_BYTES = 50 * 1024 * 1024;

/** Read the files a launch names; a problem is a French line and the file is left out. */
export async function readLaunchAttachments(
  paths: readonly string[],
  log: CoreContext['log'],
): Promise<Pick<LaunchCompose, 'attachments' | 'problems'>> {
  const attachments: LaunchCompose['attachments'] = [];
  const problems: string[] = [];
  for (const file of paths) {
    const name = path.basename(file.replace(/\\/g, '/')) || file;
    try {
      const stat = await fs.promises.stat(file);
      if (!stat.isFile()) {
        problems.push(t('desktop.launch.notAFile', { name }));
        continue;
      }
      if (stat.size > LAUNCH_ATTACHMENT_MAX_BYTES) {
        problems.push(t('desktop.launch.tooLarge', { name }));
        continue;
      }
      const content = await fs.promises.readFile(file);
      attachments.push({ filename: name, contentBase64: content.toString('base64'), size: content.length });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException)?.code;
      log.warn('launch attachment not read', { code: code ?? 'unknown' });
      problems.push(code === 'ENOENT' ? t('desktop.launch.missing', { name }) : t('desktop.launch.unreadable', { name }));
    }
  }
  return { attachments, problems };
}

/** The waiting requests; the page takes them (mail.launch.take) when it starts and at each `mail.launchCompose` event. */
export class LaunchComposeQueue {
  private readonly waiting: LaunchCompose[] = [];
  private next = 1;

  constructor(private readonly ctx: Pick<CoreContext, 'log' | 'emit'>) {}

  async push(args: ComposeRequestArgs): Promise<LaunchCompose> {
    const files = await readLaunchAttachments(args.attachments, this.ctx.log);
    const entry: LaunchCompose = {
      id: String(this.next++),
      to: args.to,
      cc: args.cc,
      bcc: args.bcc,
      subject: args.subject,
      body: args.body,
      ...files,
    };
    this.waiting.push(entry);
    this.ctx.emit('mail.launchCompose', { id: entry.id });
    return entry;
  }

  take(): LaunchCompose[] {
    return this.waiting.splice(0);
  }
}
