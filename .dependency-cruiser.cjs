// dependency-cruiser configuration of Ostal: the import graph rules (issue « Cœur en couches »).
//
// Run with `npm run lint:deps` (also part of `npm run lint` and of the lint stage of `npm test`).
// Tested by tests/unit/dependency-rules.test.ts (each rule planted in a temporary tree) and
// tests/unit/import-rules.test.ts (the outer rules between src/, renderer/, main/ and server/).
//
// Who checks what:
//  - here, the GRAPH: who may import whom inside the repository, with type-only imports counted
//    (tsPreCompilationDeps), plus the packages a folder must never load (Electron, UI, Node built-ins);
//  - eslint.config.js, what a file may USE without importing it: Node and DOM globals in src/shared/
//    (dependency-cruiser cannot see globals), plus the same package bans as no-restricted-imports for
//    editor feedback (same verdicts, never a different one).
'use strict';

// ---------------------------------------------------------------------------
// The layers of the core (src/), bottom to top. A module may import its own layer or a lower one,
// never a higher one. Paths are regular expressions on repository-relative paths.
//
//   #  layer        folders / files
//   1  shared       src/shared/                  contract types and schemas, meeting protocol
//   2  foundations  src/{store,net,i18n,secrets,policy}/, src/{log,errors,context,memory}.ts
//   3  protocol     src/dav/                     (IMAP/SMTP clients live in mail/: seen as domain)
//   4  domains      src/{accounts,mail,calendar,contacts,files,chat,workspaces,import}/
//   5  sync         src/sync/                    generic scheduler, imports no domain (rule below)
//   6  api          src/api/                     handler table + handler files (leaves, rule below)
//   7  top          src/{host,cli}/, src/core.ts composition root
//
// A file of src/ in none of these layers is reported by scripts/lint-deps.mjs (`src-file-in-no-layer`):
// the union of the layer-order rules' paths is the list of layers.
const LAYERS = [
  { name: 'shared', paths: ['^src/shared/'] },
  { name: 'foundations', paths: ['^src/(store|net|i18n|secrets|policy)/', '^src/(log|errors|context|memory)\\.ts$'] },
  { name: 'protocol', paths: ['^src/dav/'] },
  { name: 'domains', paths: ['^src/(accounts|mail|calendar|contacts|files|chat|workspaces|import)/'] },
  { name: 'sync', paths: ['^src/sync/'] },
  { name: 'api', paths: ['^src/api/'] },
  { name: 'top', paths: ['^src/(host|cli)/', '^src/core\\.ts$'] },
];

/** One rule per layer: `layer-order-<layer>` forbids importing any layer above it. */
const layerOrderRules = LAYERS.slice(0, -1).map((layer, index) => {
  const above = LAYERS.slice(index + 1);
  return {
    name: `layer-order-${layer.name}`,
    severity: 'error',
    comment: `The ${layer.name} layer may not import a higher layer (${above.map((l) => l.name).join(', ')}).`,
    from: { path: layer.paths },
    to: { path: above.flatMap((l) => l.paths) },
  };
});

/** Packages only the Electron main process may use. */
const ELECTRON_PACKAGES = ['electron', 'electron-updater'];
/** UI packages: only the renderer may use them. */
const UI_PACKAGES = ['react', 'react-dom', 'react-i18next', 'mediasoup-client', 'dompurify'];
/** Packages src/shared/ may import: pure, and safe in Node, Chromium and the meeting server. */
const SHARED_PACKAGES = ['zod'];

/** A regular expression matching a module resolved inside one of these packages (or left unresolved by name). */
const packagesPath = (names) => `(^|/)node_modules/(${names.join('|')})/|^(${names.join('|')})(/|$)`;

/** Build tooling that runs in Node at build time: not renderer code. */
const RENDERER_TOOLING = '^renderer/(vite|vitest)\\.config\\.[cm]?[jt]s$';

const DOMAINS = LAYERS.find((l) => l.name === 'domains').paths;

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    // -- Inside the core ------------------------------------------------------------------------------
    ...layerOrderRules,
    {
      name: 'sync-imports-no-domain',
      severity: 'error',
      comment: 'src/sync/ is a generic scheduler: the domains register their syncers with it, it imports none of them.',
      from: { path: '^src/sync/' },
      to: { path: DOMAINS },
    },
    {
      name: 'handlers-are-leaves',
      severity: 'error',
      comment: 'Only src/api/handler-table.ts may import a handler file (src/api/handlers/*); tests may too.',
      from: { pathNot: ['^src/api/handler-table\\.ts$', '^tests/'] },
      to: { path: '^src/api/handlers/' },
    },
    {
      name: 'shared-no-node-builtins',
      severity: 'error',
      comment: 'src/shared/ runs in Node, in the page and in the meeting server: no Node built-in.',
      from: { path: '^src/shared/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'shared-imports-only-shared',
      severity: 'error',
      comment: `src/shared/ imports nothing outside src/shared/ (packages allowed: ${SHARED_PACKAGES.join(', ')}).`,
      from: { path: '^src/shared/' },
      to: { pathNot: ['^src/shared/', packagesPath(SHARED_PACKAGES)], dependencyTypesNot: ['core'] },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycle in src/ or renderer/, type-only imports counted.',
      from: { path: '^(src|renderer)/' },
      to: { circular: true },
    },

    // -- Between src/, renderer/, main/ and server/ ---------------------------------------------------------
    {
      name: 'core-imports-no-outer-folder',
      severity: 'error',
      comment: 'src/ (the core) runs in plain Node and is loaded by main/, renderer/ and server/: it imports none of them.',
      from: { path: '^src/' },
      to: { path: '^(main|renderer|server)/' },
    },
    {
      name: 'core-no-electron-no-ui',
      severity: 'error',
      comment: 'src/ (the core) runs in plain Node: no Electron, no UI package.',
      from: { path: '^src/' },
      to: { path: packagesPath([...ELECTRON_PACKAGES, ...UI_PACKAGES]) },
    },
    {
      name: 'renderer-imports-only-shared',
      severity: 'error',
      comment: 'renderer/ reaches the core through the API client: from src/ it imports src/shared/ only.',
      from: { path: '^renderer/', pathNot: RENDERER_TOOLING },
      to: { path: '^src/', pathNot: '^src/shared/' },
    },
    {
      name: 'guest-page-no-core-api',
      severity: 'error',
      comment:
        'The guest meeting page (renderer/src/salle/, served by the meeting server) and the Visio parts it shares with Ostal (renderer/src/views/visio/) run without an Ostal core: no API client, no account assistant.',
      from: { path: '^renderer/src/(salle|views/visio)/' },
      to: { path: '^renderer/src/(api|assistant)/' },
    },
    {
      name: 'renderer-no-main-no-server',
      severity: 'error',
      comment: 'renderer/ imports neither main/ nor server/.',
      from: { path: '^renderer/', pathNot: RENDERER_TOOLING },
      to: { path: '^(main|server)/' },
    },
    {
      name: 'renderer-no-electron-no-node',
      severity: 'error',
      comment: 'renderer/ runs in the browser: no Electron, no Node built-in.',
      from: { path: '^renderer/', pathNot: RENDERER_TOOLING },
      to: { path: packagesPath(ELECTRON_PACKAGES) },
    },
    {
      name: 'renderer-no-node-builtins',
      severity: 'error',
      comment: 'renderer/ runs in the browser: no Node built-in.',
      from: { path: '^renderer/', pathNot: RENDERER_TOOLING },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'server-imports-only-shared',
      severity: 'error',
      comment: 'server/ (the meeting server) is deployed without the client: from src/ it imports src/shared/ only.',
      from: { path: '^server/' },
      to: { path: '^src/', pathNot: '^src/shared/' },
    },
    {
      name: 'server-imports-shared-types-only',
      severity: 'error',
      comment: "server/ imports src/shared/ with 'import type' only: it is deployed without the client tree.",
      from: { path: '^server/' },
      to: { path: '^src/shared/', dependencyTypesNot: ['type-only', 'type-import'] },
    },
    {
      name: 'server-no-outer-folder',
      severity: 'error',
      comment: 'server/ imports neither main/ nor renderer/.',
      from: { path: '^server/' },
      to: { path: '^(main|renderer)/' },
    },
    {
      name: 'server-no-electron-no-ui',
      severity: 'error',
      comment: 'server/ runs in plain Node: no Electron, no UI package.',
      from: { path: '^server/' },
      to: { path: packagesPath([...ELECTRON_PACKAGES, ...UI_PACKAGES]) },
    },
    {
      name: 'main-imports-renderer-types-only',
      severity: 'error',
      comment: "main/ loads the renderer as a page: it may import renderer/ with 'import type' only.",
      from: { path: '^main/' },
      to: { path: '^renderer/', dependencyTypesNot: ['type-only', 'type-import'] },
    },
    {
      name: 'main-no-server',
      severity: 'error',
      comment: 'main/ does not import server/ (it starts the meeting server through src/host/).',
      from: { path: '^main/' },
      to: { path: '^server/' },
    },
    {
      name: 'no-import-outside-repository',
      severity: 'error',
      comment: 'Imports stay inside the repository (packages come from node_modules).',
      from: { path: '^(src|renderer|main|server)/' },
      to: { path: '^\\.\\./', pathNot: '(^|/)node_modules/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment:
        'An import that resolves to no file (a module moved without its importers): the rules above cannot check it. ' +
        "server/'s own packages (server/package.json: mediasoup) are installed only where the meeting server is built.",
      from: { path: '^(src|renderer|main|server)/' },
      to: { couldNotResolve: true, dependencyTypesNot: ['core'], pathNot: '^mediasoup(/|$)' },
    },
  ],
  options: {
    // The cruise starts from src/, renderer/, main/ and server/ (scripts/lint-deps.mjs); packages are leaves.
    exclude: { path: ['^(renderer|server)/dist/', '^dist/'] },
    doNotFollow: { path: 'node_modules' },
    // Type-only imports are dependencies too (a type-only cycle is a cycle).
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    moduleSystems: ['es6', 'cjs'],
    // Detect process.getBuiltinModule('fs') as a Node built-in too.
    detectProcessBuiltinModuleCalls: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
    },
    skipAnalysisNotInRules: true,
    cache: false,
    progress: { type: 'none' },
  },
};
