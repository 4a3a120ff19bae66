// ESLint flat config of Ostal.
//
// Besides typescript-eslint, React and React hooks recommendations, two project rules live here:
//  1. LAYER IMPORTS (ARCHITECTURE.md, "Import rules"), enforced like VS Code's code-import-patterns:
//     every import is resolved to the top-level folder it lands in, and each folder has its list of
//     what it may import. See `layerRules` below and tests/unit/import-rules.test.ts.
//  2. NO LITERAL TEXT IN JSX: every visible word comes from i18next resources (renderer/src/i18n/fr.json).
//     See `jsxTextRules` below and tests/unit/i18n-lint.test.ts.
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import react from 'eslint-plugin-react';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const ROOT = path.dirname(fileURLToPath(import.meta.url));

// ---------------------------------------------------------------------------
// 1. Layer imports

/** Packages only the Electron main process may use. */
const ELECTRON_PACKAGES = ['electron', 'electron-updater'];
/** UI packages: only the renderer may use them. */
const UI_PACKAGES = ['react', 'react-dom', 'react-i18next', 'mediasoup-client', 'dompurify'];
/** Node built-ins, with and without the node: prefix. */
const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** The shared meeting protocol file: the only client file the meeting server may import (types only). */
const SHARED_MEETING_PROTOCOL = /^src\/api\/meet-protocol(\.[cm]?[jt]s)?$/;

function packageName(specifier) {
  if (specifier.startsWith('@')) return specifier.split('/').slice(0, 2).join('/');
  return specifier.split('/')[0];
}

/** Layer of a repository-relative path: 'src', 'renderer', 'main', 'server', or null for anything else. */
function layerOf(relative) {
  const first = relative.split('/')[0];
  return ['src', 'renderer', 'main', 'server'].includes(first) ? first : null;
}

/**
 * Decide whether `fromLayer` may import `specifier`.
 * Returns null when allowed, else a short English reason (the lint message, for developers).
 */
function importProblem({ fromFile, fromLayer, specifier, typeOnly }) {
  const isRelative = specifier.startsWith('.') || specifier.startsWith('/');
  // src/shared/ runs in the core and in the page: pure TypeScript, importing (values) only from src/shared/.
  if (path.relative(ROOT, fromFile).split(path.sep).join('/').startsWith('src/shared/') && !typeOnly) {
    const inShared = isRelative && path.relative(ROOT, path.resolve(path.dirname(fromFile), specifier)).split(path.sep).join('/').startsWith('src/shared/');
    if (!inShared) return `src/shared/ is shared with the renderer: no package, Node built-in or core module ('${specifier}')`;
  }
  if (!isRelative) {
    const pkg = packageName(specifier);
    if (fromLayer === 'src') {
      if (ELECTRON_PACKAGES.includes(pkg)) return `src/ (the core) must not import '${pkg}': it runs in plain Node`;
      if (UI_PACKAGES.includes(pkg)) return `src/ (the core) must not import '${pkg}': no UI code in the core`;
    }
    if (fromLayer === 'renderer') {
      if (ELECTRON_PACKAGES.includes(pkg)) return `renderer/ must not import '${pkg}': it talks to the core through the API client only`;
      if (NODE_BUILTINS.has(specifier) || NODE_BUILTINS.has(pkg)) return `renderer/ must not import the Node built-in '${specifier}'`;
    }
    if (fromLayer === 'server') {
      if (ELECTRON_PACKAGES.includes(pkg) || UI_PACKAGES.includes(pkg)) return `server/ must not import '${pkg}'`;
    }
    return null;
  }
  const target = path
    .relative(ROOT, path.resolve(path.dirname(fromFile), specifier))
    .split(path.sep)
    .join('/');
  if (target.startsWith('..')) return `imports must stay inside the repository ('${specifier}')`;
  const toLayer = layerOf(target);
  if (toLayer === null || toLayer === fromLayer) return null;
  switch (fromLayer) {
    case 'src':
      return `src/ (the core) must not import ${toLayer}/ ('${specifier}')`;
    case 'renderer':
      if (toLayer === 'src') {
        // src/shared/ is pure TypeScript (no Node API, no DOM): the contract types, the meeting protocol, time zones and dates.
        if (target.startsWith('src/shared/')) return null;
        if (!target.startsWith('src/api/')) return `renderer/ may import only types from src/api/, not '${target}'`;
        // The shared meeting protocol has no import at all: its constants and pure helpers are safe in the page.
        if (!typeOnly && !SHARED_MEETING_PROTOCOL.test(target)) return `renderer/ may import src/api/ with 'import type' only ('${specifier}')`;
        return null;
      }
      return `renderer/ must not import ${toLayer}/ ('${specifier}')`;
    case 'main':
      if (toLayer === 'src') return null;
      if (toLayer === 'renderer' && typeOnly) return null;
      return `main/ must not import ${toLayer}/ ('${specifier}')`;
    case 'server':
      if (toLayer === 'src' && SHARED_MEETING_PROTOCOL.test(target)) {
        return typeOnly ? null : `server/ may import the shared meeting protocol with 'import type' only ('${specifier}')`;
      }
      return `server/ must not import ${toLayer}/ except the shared meeting protocol types ('${specifier}')`;
    default:
      return null;
  }
}

/** Files of a layer that are build tooling, not layer code (they run in Node at build time). */
const TOOLING_FILES = /^renderer\/(vite\.config\.[cm]?[jt]s|vitest\.config\.[cm]?[jt]s)$/;

const layerImportsRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Enforce the import rules between src/, renderer/, main/ and server/ (ARCHITECTURE.md).' },
    schema: [],
    messages: { forbidden: 'Layer import rule: {{reason}}.' },
  },
  create(context) {
    const file = context.filename;
    const relative = path.relative(ROOT, file).split(path.sep).join('/');
    const fromLayer = layerOf(relative);
    if (fromLayer === null || TOOLING_FILES.test(relative)) return {};
    const check = (node, specifier, typeOnly) => {
      if (typeof specifier !== 'string') return;
      const reason = importProblem({ fromFile: file, fromLayer, specifier, typeOnly });
      if (reason) context.report({ node, messageId: 'forbidden', data: { reason } });
    };
    const allTypeSpecifiers = (node) =>
      node.specifiers.length > 0 && node.specifiers.every((s) => s.importKind === 'type' || s.exportKind === 'type');
    return {
      ImportDeclaration(node) {
        check(node.source, node.source.value, node.importKind === 'type' || allTypeSpecifiers(node));
      },
      ExportNamedDeclaration(node) {
        if (node.source) check(node.source, node.source.value, node.exportKind === 'type' || allTypeSpecifiers(node));
      },
      ExportAllDeclaration(node) {
        check(node.source, node.source.value, node.exportKind === 'type');
      },
      ImportExpression(node) {
        if (node.source.type === 'Literal') check(node.source, node.source.value, false);
      },
      TSImportType(node) {
        const arg = node.argument?.literal ?? node.argument;
        if (arg && arg.type === 'Literal') check(node, arg.value, true);
      },
      TSExternalModuleReference(node) {
        if (node.expression.type === 'Literal') check(node, node.expression.value, false);
      },
      CallExpression(node) {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require' && node.arguments[0]?.type === 'Literal')
          check(node, node.arguments[0].value, false);
      },
    };
  },
};

export const ostalPlugin = { meta: { name: 'ostal' }, rules: { 'layer-imports': layerImportsRule } };

/** Only the layer rules: used by the import-rules test over the real tree, and part of the full config. */
export const layerRules = [
  {
    files: [
      'src/**/*.{ts,tsx,js,mjs,cjs}',
      'renderer/**/*.{ts,tsx,js,mjs,cjs}',
      'main/**/*.{ts,tsx,js,mjs,cjs}',
      'server/**/*.{ts,tsx,js,mjs,cjs}',
    ],
    languageOptions: { parser: tseslint.parser, parserOptions: { ecmaFeatures: { jsx: true }, sourceType: 'module' } },
    plugins: { ostal: ostalPlugin },
    rules: { 'ostal/layer-imports': 'error' },
  },
];

// ---------------------------------------------------------------------------
// 2. No literal text in JSX

/** Props whose value the user reads or hears: they take t('…'), never a literal with letters. */
const USER_FACING_PROPS =
  '^(title|alt|placeholder|label|aria-label|aria-description|aria-placeholder|aria-roledescription|aria-valuetext|aria-braillelabel)$';
const LETTERS = '[A-Za-zÀ-ÖØ-öø-ÿŒœ]';
const literalTextMessage = 'Visible text must come from the French resources (renderer/src/i18n/fr.json) through t(), not a literal.';

export const jsxTextRules = [
  {
    files: ['renderer/**/*.{tsx,jsx}'],
    plugins: { react },
    rules: {
      'react/jsx-no-literals': [
        'error',
        {
          noStrings: true,
          ignoreProps: true,
          noAttributeStrings: false,
          // Typographic signs that carry no word.
          allowedStrings: ['·', '…', '–', '—', '-', '/', '|', '•', '×', '+', '%', '(', ')', ':', '\u00a0', '\u202f'],
        },
      ],
      'no-restricted-syntax': [
        'error',
        ...[
          `JSXAttribute[name.name=/${USER_FACING_PROPS}/] > Literal[value=/${LETTERS}/]`,
          `JSXAttribute[name.name=/${USER_FACING_PROPS}/] > JSXExpressionContainer > Literal[value=/${LETTERS}/]`,
          `JSXAttribute[name.name=/${USER_FACING_PROPS}/] > JSXExpressionContainer > TemplateLiteral > TemplateElement[value.raw=/${LETTERS}/]`,
          `JSXAttribute[name.name=/${USER_FACING_PROPS}/] > JSXExpressionContainer > ConditionalExpression > Literal[value=/${LETTERS}/]`,
          `JSXAttribute[name.name=/${USER_FACING_PROPS}/] > JSXExpressionContainer > LogicalExpression > Literal[value=/${LETTERS}/]`,
        ].map((selector) => ({ selector, message: literalTextMessage })),
      ],
    },
  },
];

// ---------------------------------------------------------------------------
// Full configuration

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      'dist/**',
      'out/**',
      'renderer/dist/**',
      'server/dist/**',
      'coverage/**',
      'test-results/**',
      'playwright-report/**',
      '.cache/**',
      '.ostal-run/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    ignores: ['renderer/vite.config.ts'],
    languageOptions: { globals: { ...globals.browser } },
    settings: { react: { version: '19.0' } },
    plugins: { react, 'react-hooks': reactHooks },
    rules: {
      ...react.configs.flat.recommended.rules,
      ...react.configs.flat['jsx-runtime'].rules,
      ...reactHooks.configs.recommended.rules,
    },
  },
  {
    files: ['main/preload.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Belt and braces with the layer rule: the packages a layer must never load, with the usual rule name.
    files: ['src/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [...ELECTRON_PACKAGES, ...UI_PACKAGES].map((name) => ({
            name,
            message: 'The core (src/) runs in plain Node: no Electron, no UI.',
          })),
          patterns: [
            { group: ['electron/*', 'react/*', 'react-dom/*'], message: 'The core (src/) runs in plain Node: no Electron, no UI.' },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    ignores: ['renderer/vite.config.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: ELECTRON_PACKAGES.map((name) => ({ name, message: 'The renderer reaches the core through the API client only.' })),
          patterns: [{ regex: '^node:', message: 'The renderer runs in the browser: no Node built-ins.' }],
        },
      ],
    },
  },
  ...layerRules,
  ...jsxTextRules,
);
