import fs from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
// @ts-expect-error eslint.config.js is plain JavaScript without type declarations
import { layerRules } from '../../eslint.config.js';

/**
 * The import rules of ARCHITECTURE.md, checked by the `ostal/layer-imports` ESLint rule
 * (plus @typescript-eslint/no-restricted-imports for packages). Here: what the rule reports on
 * small snippets, then the real tree with zero violations.
 */

const root = path.resolve(import.meta.dirname, '..', '..');
const layersOnly = new ESLint({ cwd: root, overrideConfigFile: true, overrideConfig: layerRules as never });
const full = new ESLint({ cwd: root });

async function problems(code: string, file: string, eslint: ESLint = layersOnly): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

async function layerProblems(code: string, file: string): Promise<string[]> {
  return (await problems(code, file)).filter((m) => m.startsWith('ostal/layer-imports'));
}

describe('src/ (core)', () => {
  it.each([
    [`import { app } from 'electron';`, 'electron'],
    [`import { ipcRenderer } from 'electron/renderer';`, 'electron'],
    [`import React from 'react';`, 'react'],
    [`import { createRoot } from 'react-dom/client';`, 'react-dom'],
    [`import { useTranslation } from 'react-i18next';`, 'react-i18next'],
    [`import { x } from '../../main/electron.js';`, 'main/'],
    [`import { App } from '../../renderer/src/App.js';`, 'renderer/'],
    [`import type { Props } from '../../renderer/src/App.js';`, 'renderer/'],
    [`export * from '../../server/src/index.js';`, 'server/'],
    [`const m = await import('../../main/electron.js');`, 'main/'],
    [`const e = await import('electron');`, 'electron'],
  ])('reports %s', async (code, what) => {
    const found = await layerProblems(code, 'src/mail/example.ts');
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(what);
  });

  it.each([
    `import fs from 'node:fs';`,
    `import { ImapFlow } from 'imapflow';`,
    `import { t } from '../i18n/index.js';`,
    `import type { Core } from '../core.js';`,
    // src/host/ has a file named main? No: a relative path into src itself is fine wherever it points.
    `import { x } from './main/helpers.js';`,
  ])('allows %s', async (code) => {
    expect(await layerProblems(code, 'src/mail/example.ts')).toEqual([]);
  });

  it('also reports electron and react with @typescript-eslint/no-restricted-imports in the full config', async () => {
    const found = await problems(
      `import { app } from 'electron';\nimport React from 'react';\nexport const x = [app, React];\n`,
      'src/mail/example.ts',
      full,
    );
    expect(found.filter((m) => m.startsWith('@typescript-eslint/no-restricted-imports'))).toHaveLength(2);
  });
});

describe('renderer/', () => {
  it.each([
    `import type { AppInfo } from '../../../src/api/contract';`,
    `import { type AppInfo, type MethodName } from '../../../src/api/contract.js';`,
    `export type { AppInfo } from '../../../src/api/contract';`,
    `import { useState } from 'react';`,
    `import { t } from '../i18n/index';`,
    // renderer/src/… is the renderer's own folder, not the core's src/.
    `import { x } from '../../src/lib/format';`,
    // The shared meeting protocol has no import: its pure helpers may run in the page.
    `import { meetingLink } from '../../../src/api/meet-protocol';`,
  ])('allows %s', async (code) => {
    expect(await layerProblems(code, 'renderer/src/views/Courrier.tsx')).toEqual([]);
  });

  it('keeps the shared meeting protocol free of any import (it runs in the page, the core and the server)', () => {
    const source = fs.readFileSync(path.join(root, 'src/api/meet-protocol.ts'), 'utf8');
    expect(source).not.toMatch(/^\s*(import|export\s+[^;]*\sfrom)\s/m);
    expect(source).not.toMatch(/\b(require|import)\s*\(/);
  });

  it.each([
    [`import { METHOD_NAMES } from '../../../src/api/contract';`, 'import type'],
    [`import { toApiError } from '../../../src/api/errors';`, 'import type'],
    [`import type { Core } from '../../../src/core';`, 'only types from src/api/'],
    [`import { openDatabase } from '../../../src/store/database';`, 'only types from src/api/'],
    [`import type { ServersInfo } from '../../../tests/servers/types';`, null],
    [`import { contextBridge } from 'electron';`, 'electron'],
    [`import fs from 'node:fs';`, 'Node built-in'],
    [`import path from 'path';`, 'Node built-in'],
    [`import { x } from '../../../main/preload';`, 'main/'],
    [`const m = await import('../../../src/api/contract');`, 'import type'],
  ])('reports %s', async (code, what) => {
    const found = await layerProblems(code, 'renderer/src/views/Courrier.tsx');
    if (what === null) {
      // tests/ is not a layer: nothing to report.
      expect(found).toEqual([]);
      return;
    }
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(what);
  });

  it('treats renderer/vite.config.ts as build tooling', async () => {
    expect(await layerProblems(`import { fileURLToPath } from 'node:url';`, 'renderer/vite.config.ts')).toEqual([]);
  });
});

describe('main/', () => {
  it.each([
    `import { app } from 'electron';`,
    `import { Core } from '../src/core.js';`,
    `import type { OstalBridge } from '../renderer/src/api/transports';`,
  ])('allows %s', async (code) => {
    expect(await layerProblems(code, 'main/electron.ts')).toEqual([]);
  });

  it.each([`import { App } from '../renderer/src/App';`, `import { Room } from '../server/src/room.js';`])('reports %s', async (code) => {
    expect(await layerProblems(code, 'main/electron.ts')).toHaveLength(1);
  });
});

describe('server/', () => {
  it('allows only the shared meeting protocol types from the client', async () => {
    expect(await layerProblems(`import type { MeetRequest } from '../../src/api/meet-protocol.js';`, 'server/src/signaling.ts')).toEqual([]);
    expect(await layerProblems(`import { type MeetRequest } from '../../src/api/meet-protocol';`, 'server/src/signaling.ts')).toEqual([]);
    const valueImport = await layerProblems(`import { parseMeetingLink } from '../../src/api/meet-protocol.js';`, 'server/src/signaling.ts');
    expect(valueImport).toHaveLength(1);
    expect(valueImport[0]).toContain('import type');
    expect(await layerProblems(`import type { MethodName } from '../../src/api/contract.js';`, 'server/src/signaling.ts')).toHaveLength(1);
    expect(await layerProblems(`import type { Signal } from '../../src/meet/protocol.js';`, 'server/src/signaling.ts')).toHaveLength(1);
    expect(await layerProblems(`import { Core } from '../../src/core.js';`, 'server/src/signaling.ts')).toHaveLength(1);
    expect(await layerProblems(`import { app } from '../../main/electron.js';`, 'server/src/signaling.ts')).toHaveLength(1);
    expect(await layerProblems(`import x from '../../renderer/src/App';`, 'server/src/signaling.ts')).toHaveLength(1);
    expect(await layerProblems(`import React from 'react';`, 'server/src/signaling.ts')).toHaveLength(1);
  });
});

describe('the real tree', () => {
  it('has no import that breaks the layer rules', async () => {
    const targets = ['src', 'renderer', 'main', 'server'].filter((d) => fs.existsSync(path.join(root, d)));
    const eslint = new ESLint({
      cwd: root,
      overrideConfigFile: true,
      overrideConfig: [{ ignores: ['**/node_modules/**', '**/dist/**'] }, ...(layerRules as never[])],
      errorOnUnmatchedPattern: false,
    });
    const results = await eslint.lintFiles(targets.map((d) => `${d}/**/*.{ts,tsx,js,mjs,cjs}`));
    const linted = results.map((r) => path.relative(root, r.filePath));
    // The check really ran over the tree (not an empty match).
    expect(linted).toContain(path.join('src', 'core.ts'));
    expect(linted.some((f) => f.startsWith('renderer'))).toBe(true);
    // Layer violations and files that do not parse; directives about the other lint rules (react-hooks…) are
    // the full lint's business (this ESLint loads only the layer rules).
    const violations = results.flatMap((r) =>
      r.messages
        .filter((m) => m.ruleId === 'ostal/layer-imports' || m.fatal)
        .map((m) => `${path.relative(root, r.filePath)}:${m.line} ${m.message}`),
    );
    expect(violations).toEqual([]);
  });
});
