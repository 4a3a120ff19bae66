import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkDependencies, type DependencyViolation } from '../../scripts/lint-deps.mjs';

/**
 * Temporary source trees for the dependency rules tests: a minimal fake layout of the repository that passes
 * every rule of .dependency-cruiser.cjs, to which a test adds or replaces files to plant one violation.
 * The tree gets the repository's tsconfig.json and a link to its node_modules (packages resolve as in the repo).
 */

export const repoRoot = path.resolve(import.meta.dirname, '..', '..');

/** One file per layer and per outer folder, every import going down or sideways: no violation. */
export const CLEAN_TREE: Record<string, string> = {
  'src/shared/contract.ts': `export type AccountId = string;\nexport const METHOD_NAMES = ['app.info', 'mail.list'] as const;\n`,
  'src/shared/meet-protocol.ts': `export const MEET_WS_PATH = '/ws';\nexport interface PeerInfo { id: string }\n`,
  'src/errors.ts': `import type { AccountId } from './shared/contract.js';\nexport class OstalError extends Error { account?: AccountId }\n`,
  'src/context.ts': `import type { AccountId } from './shared/contract.js';\nexport interface CoreContext { accounts: AccountId[] }\n`,
  'src/log.ts': `export function log(line: string): void { console.log(line); }\n`,
  'src/store/database.ts': `import { OstalError } from '../errors.js';\nexport function openDatabase(): never { throw new OstalError('closed'); }\n`,
  'src/dav/client.ts': `import { log } from '../log.js';\nexport function propfind(): void { log('PROPFIND'); }\n`,
  'src/accounts/account-rows.ts': `import { openDatabase } from '../store/database.js';\nexport const rows = () => openDatabase();\n`,
  'src/mail/repository.ts': `import type { CoreContext } from '../context.js';\nimport { rows } from '../accounts/account-rows.js';\nexport const listMail = (ctx: CoreContext) => [ctx, rows];\n`,
  'src/calendar/dav-sync.ts': `import { propfind } from '../dav/client.js';\nimport { listMail } from '../mail/repository.js';\nexport const syncCalendars = () => [propfind, listMail];\n`,
  'src/sync/scheduler.ts': `import type { CoreContext } from '../context.js';\nexport type Syncer = (ctx: CoreContext) => Promise<void>;\nexport const syncers: Syncer[] = [];\n`,
  'src/api/handlers/mail.ts': `import type { CoreContext } from '../../context.js';\nimport { listMail } from '../../mail/repository.js';\nexport const mailHandlers = { 'mail.list': (ctx: CoreContext) => listMail(ctx) };\n`,
  'src/api/handlers/app.ts': `import { METHOD_NAMES } from '../../shared/contract.js';\nexport const appHandlers = { 'app.info': () => METHOD_NAMES };\n`,
  'src/api/handler-table.ts': `import { appHandlers } from './handlers/app.js';\nimport { mailHandlers } from './handlers/mail.js';\nexport const handlers = { ...appHandlers, ...mailHandlers };\n`,
  'src/core.ts': `import { handlers } from './api/handler-table.js';\nimport { syncers } from './sync/scheduler.js';\nimport { syncCalendars } from './calendar/dav-sync.js';\nexport class Core { handlers = handlers; syncers = syncers; calendars = syncCalendars; }\n`,
  'src/host/api-server.ts': `import fs from 'node:fs';\nimport { Core } from '../core.js';\nexport const start = () => [fs, new Core()];\n`,
  'src/cli/cli.ts': `import { start } from '../host/api-server.js';\nstart();\n`,
  'renderer/src/App.tsx': `import { useState } from 'react';\nimport type { AccountId } from '../../src/shared/contract';\nimport { MEET_WS_PATH } from '../../src/shared/meet-protocol';\nimport { format } from './lib/format';\nexport function App(): string { const [id] = useState<AccountId>(''); return format(id + MEET_WS_PATH); }\n`,
  'renderer/src/lib/format.ts': `export const format = (s: string) => s.trim();\n`,
  'renderer/vite.config.ts': `import { fileURLToPath } from 'node:url';\nexport default { root: fileURLToPath(new URL('.', import.meta.url)) };\n`,
  'main/electron.ts': `import { app } from 'electron';\nimport { Core } from '../src/core.js';\nimport type { App } from '../renderer/src/App';\nexport const boot = (ui?: typeof App) => [app, new Core(), ui];\n`,
  'main/preload.ts': `export const bridge = {};\n`,
  'server/src/server.ts': `import type { PeerInfo } from '../../src/shared/meet-protocol.js';\nimport { room } from './room.js';\nexport const peers: PeerInfo[] = [room];\n`,
  'server/src/room.ts': `export const room = { id: 'r' };\n`,
};

const trees: string[] = [];

/**
 * Write CLEAN_TREE with `changes` applied (a null value deletes the file) into a new temporary directory, and
 * return it. The tree is `<temporary>/repo`: a change named `../x.ts` lands outside it.
 */
export function makeTree(changes: Record<string, string | null> = {}): string {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-deps-'));
  trees.push(parent);
  const dir = path.join(parent, 'repo');
  const files: Record<string, string | null> = { ...CLEAN_TREE, ...changes };
  for (const [file, content] of Object.entries(files)) {
    if (content === null) continue;
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
  }
  fs.copyFileSync(path.join(repoRoot, 'tsconfig.json'), path.join(dir, 'tsconfig.json'));
  fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

/** Remove the temporary trees made so far (afterAll). */
export function removeTrees(): void {
  for (const dir of trees.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** The violations dependency-cruiser reports on CLEAN_TREE + `changes`. */
export async function violationsWith(changes: Record<string, string | null> = {}): Promise<DependencyViolation[]> {
  const { violations } = await checkDependencies(makeTree(changes));
  return violations;
}

/** `rule: from → to` lines, easy to read in a failed assertion. */
export function describeViolations(violations: DependencyViolation[]): string[] {
  return violations.map((v) => `${v.rule}: ${v.cycle ? v.cycle.join(' → ') : `${v.from} → ${v.to}`}`);
}
