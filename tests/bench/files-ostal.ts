/**
 * Ostal's in-process half of `npm run bench -- files`: the core opened once (as in the app, where it stays open),
 * then one `files.sync` per line « sync » read on stdin, each answered by a JSON line { ms } on stdout. Shows the
 * sync engine's own time, without the start-up of a command. Parameters as JSON in argv[2].
 */
import readline from 'node:readline';
import { Core } from '../../src/core.js';

const input = JSON.parse(process.argv[2]) as {
  profileDir: string;
  email: string;
  password: string;
  imapPort: number;
  smtpPort: number;
  webdav: string;
};
const core = await Core.open({ profileDir: input.profileDir, mode: 'cli', policyPath: null });
try {
  await core.handle('accounts.add', {
    email: input.email,
    password: input.password,
    settings: { imap: `imaps://localhost:${input.imapPort}`, smtp: `smtps://localhost:${input.smtpPort}`, webdav: input.webdav },
  });
  process.stdout.write('{"ready":true}\n');
  for await (const line of readline.createInterface({ input: process.stdin })) {
    if (line.trim() !== 'sync') break;
    const t = performance.now();
    const report = await core.handle('files.sync', {});
    const ms = performance.now() - t;
    const failed = report.accounts.find((a) => !a.ok);
    process.stdout.write(JSON.stringify(failed ? { error: failed.error?.message ?? 'échec' } : { ms }) + '\n');
  }
} finally {
  await core.close();
}
