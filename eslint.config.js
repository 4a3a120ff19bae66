// ESLint flat config of Ostal.
//
// Besides typescript-eslint, React and React hooks recommendations, the project rules here are:
//  1. WHAT A FOLDER MAY LOAD OR USE: the packages src/, renderer/ and server/ must never import, and the Node and
//     DOM globals src/shared/ must never touch. The import GRAPH rules (layers of the core, handler files as
//     leaves, no cycle, what renderer/, main/ and server/ may import from the repository) are dependency-cruiser's:
//     .dependency-cruiser.cjs, run by `npm run lint:deps` (scripts/lint-deps.mjs). The package bans below are
//     also in that file (it sees dynamic imports and require too); here they give the same verdict in the editor.
//     See tests/unit/import-rules.test.ts and tests/unit/dependency-rules.test.ts.
//  2. NO LITERAL TEXT IN JSX: every visible word comes from i18next resources (renderer/src/i18n/fr.json).
//     See `jsxTextRules` below and tests/unit/i18n-lint.test.ts.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import react from 'eslint-plugin-react';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

// ---------------------------------------------------------------------------
// 1. What a folder may load or use

/** Packages only the Electron main process may use. */
const ELECTRON_PACKAGES = ['electron', 'electron-updater'];
/** UI packages: only the renderer may use them. */
const UI_PACKAGES = ['react', 'react-dom', 'react-i18next', 'mediasoup-client', 'dompurify'];
/** Node built-ins, without the node: prefix (that one is banned by pattern). */
const NODE_BUILTINS = builtinModules.filter((m) => !m.startsWith('_'));

const coreMessage = 'The core (src/) runs in plain Node: no Electron, no UI.';
const corePackageBans = {
  paths: [...ELECTRON_PACKAGES, ...UI_PACKAGES].map((name) => ({ name, message: coreMessage })),
  patterns: [{ group: ['electron/*', 'react/*', 'react-dom/*'], message: coreMessage }],
};

const sharedMessage = 'src/shared/ runs in Node, in the page and in the meeting server: pure TypeScript, no Node API, no DOM.';
/** Node globals src/shared/ must not use. */
const NODE_GLOBALS = [
  'Buffer',
  'process',
  'global',
  '__dirname',
  '__filename',
  'require',
  'module',
  'exports',
  'setImmediate',
  'clearImmediate',
];
/** DOM globals src/shared/ must not use (globals that Node 20 and browsers both have, such as URL or fetch, are fine). */
const DOM_GLOBALS = [
  'window',
  'self',
  'document',
  'navigator',
  'location',
  'history',
  'localStorage',
  'sessionStorage',
  'indexedDB',
  'caches',
  'alert',
  'confirm',
  'prompt',
  'requestAnimationFrame',
  'cancelAnimationFrame',
  'matchMedia',
  'getComputedStyle',
  'customElements',
  'XMLHttpRequest',
  'DOMParser',
  'Element',
  'HTMLElement',
  'MutationObserver',
  'IntersectionObserver',
  'ResizeObserver',
];

/** src/shared/: no Node and no DOM, neither by import nor by global (dependency-cruiser cannot see globals). */
export const sharedRules = [
  {
    files: ['src/shared/**/*.{ts,tsx,js,mjs,cjs}'],
    rules: {
      'no-restricted-globals': ['error', ...[...NODE_GLOBALS, ...DOM_GLOBALS].map((name) => ({ name, message: sharedMessage }))],
      'no-restricted-properties': [
        'error',
        ...['globalThis', 'window', 'self', 'global'].flatMap((object) =>
          ['process', 'Buffer', 'require', 'document', 'window', 'navigator', 'localStorage'].map((property) => ({
            object,
            property,
            message: sharedMessage,
          })),
        ),
      ],
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [...corePackageBans.paths, ...NODE_BUILTINS.map((name) => ({ name, message: sharedMessage }))],
          patterns: [...corePackageBans.patterns, { regex: '^node:', message: sharedMessage }],
        },
      ],
    },
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
    // The CLI's launcher is CommonJS (it starts sooner than an ES module): require() is how it imports.
    files: ['bin/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Same verdict as dependency-cruiser's core-no-electron-no-ui, in the editor.
    files: ['src/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', corePackageBans] },
  },
  {
    // Same verdict as dependency-cruiser's server-no-electron-no-ui, in the editor.
    files: ['server/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [...ELECTRON_PACKAGES, ...UI_PACKAGES].map((name) => ({
            name,
            message: 'The meeting server runs in plain Node: no Electron, no UI.',
          })),
          patterns: [
            { group: ['electron/*', 'react/*', 'react-dom/*'], message: 'The meeting server runs in plain Node: no Electron, no UI.' },
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
          // Same verdict as dependency-cruiser's renderer-no-electron-no-node and renderer-no-node-builtins, in the editor.
          paths: [
            ...ELECTRON_PACKAGES.map((name) => ({ name, message: 'The renderer reaches the core through the API client only.' })),
            ...NODE_BUILTINS.map((name) => ({ name, message: 'The renderer runs in the browser: no Node built-ins.' })),
          ],
          patterns: [{ regex: '^node:', message: 'The renderer runs in the browser: no Node built-ins.' }],
        },
      ],
    },
  },
  ...sharedRules,
  ...jsxTextRules,
);
