import path from 'node:path';
import { ESLint } from 'eslint';
import { afterAll, describe, expect, it } from 'vitest';
import { formatViolations, loadConfig } from '../../scripts/lint-deps.mjs';
import { describeViolations, removeTrees, repoRoot, violationsWith } from './dependency-tree';

/**
 * The layer rules of the core (issue « Cœur en couches »), checked by dependency-cruiser (.dependency-cruiser.cjs,
 * run by scripts/lint-deps.mjs) and, for globals in src/shared/, by ESLint. Each test plants one violation in a
 * temporary copy of a minimal fake tree (tests/unit/dependency-tree.ts) and checks the rule that must catch it.
 */

afterAll(removeTrees);

/** The rules reported on the clean tree + `changes`, with the edges for failure messages. */
async function rulesWith(changes: Record<string, string | null>): Promise<{ rules: string[]; lines: string[] }> {
  const violations = await violationsWith(changes);
  return { rules: [...new Set(violations.map((v) => v.rule))].sort(), lines: describeViolations(violations) };
}

describe('the clean fake tree', () => {
  it('passes every rule', async () => {
    expect(describeViolations(await violationsWith())).toEqual([]);
  });

  it('knows every rule the tests below plant (the config has not lost one)', () => {
    const names = loadConfig().forbidden.map((r) => r.name);
    for (const name of [
      'layer-order-shared',
      'layer-order-foundations',
      'layer-order-protocol',
      'layer-order-domains',
      'layer-order-sync',
      'layer-order-api',
      'sync-imports-no-domain',
      'handlers-are-leaves',
      'shared-no-node-builtins',
      'shared-imports-only-shared',
      'no-circular',
      'renderer-imports-only-shared',
      'guest-page-no-core-api',
    ]) {
      expect(names).toContain(name);
    }
  });
});

describe('no-circular', () => {
  it('catches a value import cycle between two domains', async () => {
    const { rules, lines } = await rulesWith({
      'src/mail/a.ts': `import { b } from '../calendar/b.js';\nexport const a = () => b;\n`,
      'src/calendar/b.ts': `import { a } from '../mail/a.js';\nexport const b = () => a;\n`,
    });
    expect(rules, lines.join('\n')).toEqual(['no-circular']);
    expect(lines).toEqual(['no-circular: src/calendar/b.ts → src/mail/a.ts → src/calendar/b.ts']);
  });

  it('catches a cycle made of type-only imports', async () => {
    const { rules, lines } = await rulesWith({
      'src/mail/a.ts': `import type { B } from './b.js';\nexport interface A { b?: B }\n`,
      'src/mail/b.ts': `import { type A } from './a.js';\nexport interface B { a?: A }\n`,
    });
    expect(rules, lines.join('\n')).toEqual(['no-circular']);
  });

  it('catches a cycle in renderer/', async () => {
    const { rules } = await rulesWith({
      'renderer/src/lib/format.ts': `import type { App } from '../App';\nexport const format = (s: string, _app?: typeof App) => s.trim();\n`,
    });
    expect(rules).toEqual(['no-circular']);
  });
});

describe('layer order', () => {
  it.each([
    [
      'store/ importing mail/',
      'src/store/x.ts',
      `import { listMail } from '../mail/repository.js';\nexport const x = listMail;\n`,
      'layer-order-foundations',
    ],
    [
      'errors.ts importing dav/',
      'src/errors.ts',
      `import { propfind } from './dav/client.js';\nexport const x = propfind;\n`,
      'layer-order-foundations',
    ],
    [
      'dav/ importing accounts/',
      'src/dav/client.ts',
      `import type { rows } from '../accounts/account-rows.js';\nexport type X = typeof rows;\n`,
      'layer-order-protocol',
    ],
    [
      'a domain importing api/',
      'src/mail/x.ts',
      `import { handlers } from '../api/handler-table.js';\nexport const x = handlers;\n`,
      'layer-order-domains',
    ],
    [
      'a domain importing core.ts, types only',
      'src/calendar/x.ts',
      `import type { Core } from '../core.js';\nexport type X = Core;\n`,
      'layer-order-domains',
    ],
    [
      'a domain importing sync/',
      'src/files/x.ts',
      `import { syncers } from '../sync/scheduler.js';\nexport const x = syncers;\n`,
      'layer-order-domains',
    ],
    [
      'sync/ importing api/',
      'src/sync/x.ts',
      `import { handlers } from '../api/handler-table.js';\nexport const x = handlers;\n`,
      'layer-order-sync',
    ],
    [
      'api/ importing host/',
      'src/api/dispatch.ts',
      `import { start } from '../host/api-server.js';\nexport const x = start;\n`,
      'layer-order-api',
    ],
    [
      'shared/ importing a domain',
      'src/shared/x.ts',
      `import type { listMail } from '../mail/repository.js';\nexport type X = typeof listMail;\n`,
      'layer-order-shared',
    ],
  ])('catches %s', async (_what, file, code, rule) => {
    const { rules, lines } = await rulesWith({ [file]: code });
    expect(rules, lines.join('\n')).toContain(rule);
    // Never a cycle or another layer rule by accident: the planted import is the only problem (shared/ also
    // breaks shared-imports-only-shared).
    expect(rules.filter((r) => r !== rule && r !== 'shared-imports-only-shared')).toEqual([]);
  });

  it('lets a domain import another domain, and the top import everything', async () => {
    const { lines } = await rulesWith({
      'src/contacts/x.ts': `import { syncCalendars } from '../calendar/dav-sync.js';\nexport const x = syncCalendars;\n`,
      'src/host/y.ts': `import { handlers } from '../api/handler-table.js';\nimport { syncers } from '../sync/scheduler.js';\nexport const y = [handlers, syncers];\n`,
    });
    expect(lines).toEqual([]);
  });
});

describe('sync-imports-no-domain', () => {
  it.each([
    ['mail/', `import { listMail } from '../mail/repository.js';\nexport const x = listMail;\n`],
    ['accounts/, types only', `import type { rows } from '../accounts/account-rows.js';\nexport type X = typeof rows;\n`],
  ])('catches sync/ importing %s', async (_what, code) => {
    const { rules, lines } = await rulesWith({ 'src/sync/x.ts': code });
    expect(rules, lines.join('\n')).toEqual(['sync-imports-no-domain']);
  });
});

describe('handlers-are-leaves', () => {
  it.each([
    ['core.ts', 'src/core.ts', `import { mailHandlers } from './api/handlers/mail.js';\nexport const x = mailHandlers;\n`],
    [
      'another handler file',
      'src/api/handlers/app.ts',
      `import { mailHandlers } from './mail.js';\nexport const appHandlers = { ...mailHandlers };\n`,
    ],
    [
      'api/dispatch.ts, types only',
      'src/api/dispatch.ts',
      `import type { appHandlers } from './handlers/app.js';\nexport type X = typeof appHandlers;\n`,
    ],
  ])('catches a handler file imported by %s', async (_what, file, code) => {
    const { rules, lines } = await rulesWith({ [file]: code });
    expect(rules, lines.join('\n')).toEqual(['handlers-are-leaves']);
  });

  it('catches a domain importing a handler file (also an upward import)', async () => {
    const { rules } = await rulesWith({
      'src/mail/x.ts': `import { appHandlers } from '../api/handlers/app.js';\nexport const x = appHandlers;\n`,
    });
    expect(rules).toEqual(['handlers-are-leaves', 'layer-order-domains']);
  });
});

describe('src/shared/', () => {
  it.each([
    ['node:fs', `import fs from 'node:fs';\nexport const x = fs;\n`],
    ['crypto (no prefix)', `import { randomUUID } from 'crypto';\nexport const x = randomUUID;\n`],
    ['a dynamic node:path', `export const x = () => import('node:path');\n`],
  ])('dependency-cruiser catches the Node built-in %s', async (_what, code) => {
    const { rules, lines } = await rulesWith({ 'src/shared/x.ts': code });
    expect(rules, lines.join('\n')).toEqual(['shared-no-node-builtins']);
  });

  it.each([
    [
      'errors.ts (a foundation)',
      `import { OstalError } from '../errors.js';\nexport const x = OstalError;\n`,
      ['layer-order-shared', 'shared-imports-only-shared'],
    ],
    ['an npm package', `import { ImapFlow } from 'imapflow';\nexport const x = ImapFlow;\n`, ['shared-imports-only-shared']],
    [
      'renderer/',
      `import type { App } from '../../renderer/src/App';\nexport type X = typeof App;\n`,
      ['core-imports-no-outer-folder', 'shared-imports-only-shared'],
    ],
  ])('dependency-cruiser catches an import of %s', async (_what, code, expected) => {
    const { rules, lines } = await rulesWith({ 'src/shared/x.ts': code });
    expect(rules, lines.join('\n')).toEqual(expected);
  });

  it('allows zod (the contract schemas) and other shared files', async () => {
    const { lines } = await rulesWith({
      'src/shared/schemas.ts': `import { z } from 'zod';\nimport type { AccountId } from './contract.js';\nexport const accountId = z.string() as z.ZodType<AccountId>;\n`,
    });
    expect(lines).toEqual([]);
  });

  const eslint = new ESLint({ cwd: repoRoot });
  async function eslintProblems(code: string, file = 'src/shared/example.ts'): Promise<string[]> {
    const [result] = await eslint.lintText(code, { filePath: path.join(repoRoot, file) });
    return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
  }

  it.each([
    [`export const bytes = Buffer.from('x');\n`, 'no-restricted-globals', 'Buffer'],
    [`export const env = process.env.HOME;\n`, 'no-restricted-globals', 'process'],
    [`export const here = __dirname;\n`, 'no-restricted-globals', '__dirname'],
    [`export const later = (f: () => void) => setImmediate(f);\n`, 'no-restricted-globals', 'setImmediate'],
    [`export const title = () => document.title;\n`, 'no-restricted-globals', 'document'],
    [`export const lang = () => navigator.language;\n`, 'no-restricted-globals', 'navigator'],
    [`export const saved = () => localStorage.getItem('k');\n`, 'no-restricted-globals', 'localStorage'],
    [`export const w = () => window.innerWidth;\n`, 'no-restricted-globals', 'window'],
    [`export const d = () => globalThis.document;\n`, 'no-restricted-properties', 'globalThis.document'],
    [`import fs from 'node:fs';\nexport const x = fs;\n`, '@typescript-eslint/no-restricted-imports', 'node:fs'],
    [`import path from 'path';\nexport const x = path;\n`, '@typescript-eslint/no-restricted-imports', 'path'],
  ])('ESLint catches %s', async (code, rule, what) => {
    const found = (await eslintProblems(code)).filter((m) => m.startsWith(`${rule}:`));
    expect(found, `${rule} on ${what}`).toHaveLength(1);
  });

  it('ESLint lets shared code use what Node 20 and browsers both have', async () => {
    const code =
      `export const u = (s: string) => new URL(s).host;\n` +
      `export const enc = (s: string) => new TextEncoder().encode(s);\n` +
      `export const id = () => crypto.randomUUID();\n` +
      `export const later = (f: () => void) => setTimeout(f, 1);\n` +
      `export const copy = <T>(v: T) => structuredClone(v);\n`;
    expect(await eslintProblems(code)).toEqual([]);
  });

  it('ESLint does not restrict Node globals outside src/shared/', async () => {
    expect(await eslintProblems(`export const env = process.env.HOME;\n`, 'src/store/example.ts')).toEqual([]);
  });
});

describe('guest-page-no-core-api', () => {
  it.each([
    ['the guest page', 'renderer/src/salle/GuestPage.tsx'],
    ['a Visio part it shares', 'renderer/src/views/visio/Meeting.tsx'],
  ])('catches %s importing the API client', async (_what, file) => {
    const { rules, lines } = await rulesWith({
      'renderer/src/api/react.ts': `export const useClient = () => null;\n`,
      [file]: `import { useClient } from '${file.includes('/views/') ? '../../api/react' : '../api/react'}';\nexport const x = useClient;\n`,
    });
    expect(rules, lines.join('\n')).toEqual(['guest-page-no-core-api']);
  });

  it('lets the Ostal views use the API client', async () => {
    const { rules } = await rulesWith({
      'renderer/src/api/react.ts': `export const useClient = () => null;\n`,
      'renderer/src/views/VisioView.tsx': `import { useClient } from '../api/react';\nexport const x = useClient;\n`,
    });
    expect(rules).toEqual([]);
  });
});

describe('renderer-imports-only-shared', () => {
  it.each([
    ['a value import from src/mail/', `import { listMail } from '../../../src/mail/repository';\nexport const x = listMail;\n`],
    [
      'a type-only import from src/mail/',
      `import type { listMail } from '../../../src/mail/repository';\nexport type X = typeof listMail;\n`,
    ],
    ['a dynamic import of src/core', `export const load = () => import('../../../src/core');\n`],
  ])('catches %s', async (_what, code) => {
    const { rules, lines } = await rulesWith({ 'renderer/src/views/View.tsx': code });
    expect(rules, lines.join('\n')).toEqual(['renderer-imports-only-shared']);
  });

  it('allows values and types from src/shared/', async () => {
    const { lines } = await rulesWith({
      'renderer/src/views/View.tsx': `import { METHOD_NAMES, type AccountId } from '../../../src/shared/contract';\nexport const x: [typeof METHOD_NAMES, AccountId?] = [METHOD_NAMES];\n`,
    });
    expect(lines).toEqual([]);
  });
});

describe('src-file-in-no-layer', () => {
  it('reports a file of src/ in a folder no layer claims', async () => {
    const { rules, lines } = await rulesWith({
      'src/meet/client.ts': `import { MEET_WS_PATH } from '../shared/meet-protocol.js';\nexport const url = MEET_WS_PATH;\n`,
    });
    expect(rules).toEqual(['src-file-in-no-layer']);
    expect(lines).toEqual(['src-file-in-no-layer: src/meet/client.ts → ']);
  });
});

describe('the report', () => {
  it('groups violations by rule, with the reason and the edges', async () => {
    const violations = await violationsWith({
      'src/store/x.ts': `import { listMail } from '../mail/repository.js';\nexport const x = listMail;\n`,
      'src/sync/x.ts': `import type { rows } from '../accounts/account-rows.js';\nexport type X = typeof rows;\n`,
    });
    const text = formatViolations(violations);
    expect(text).toContain('✘ layer-order-foundations (1): The foundations layer may not import a higher layer');
    expect(text).toContain('    src/store/x.ts → src/mail/repository.ts\n');
    expect(text).toContain('✘ sync-imports-no-domain (1)');
    expect(text).toContain('    src/sync/x.ts → src/accounts/account-rows.ts (type-only)\n');
  });
});
