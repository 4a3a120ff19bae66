#!/usr/bin/env node
// `npm run lint:deps`: the import graph rules of .dependency-cruiser.cjs (layers of the core, handler files as
// leaves, src/shared/ self-contained, no cycle, what renderer/, main/ and server/ may import), over src/, renderer/,
// main/ and server/. Prints the violations grouped by rule, each with the rule's reason, and exits with 1 if any.
// Also reports `src-file-in-no-layer`: a file of src/ that no layer of the table claims (a new folder must be
// placed in the table before it is used).
//
// Usage: node scripts/lint-deps.mjs [--root <dir>] [--json]
// The exported functions are used by tests/unit/dependency-rules.test.ts on temporary trees.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cruise } from 'dependency-cruiser';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

const require = createRequire(import.meta.url);
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The folders the rules apply to (tests/ may import anything). */
export const CRUISED_FOLDERS = ['src', 'renderer', 'main', 'server'];

/** The dependency-cruiser configuration of the repository (read once). */
export function loadConfig(configFile = path.join(REPO_ROOT, '.dependency-cruiser.cjs')) {
  return require(configFile);
}

/** Regular expressions of every layer of src/: the union of the paths in the `layer-order-*` rules. */
export function layerPaths(config = loadConfig()) {
  const paths = new Set();
  for (const rule of config.forbidden.filter((r) => r.name.startsWith('layer-order-'))) {
    for (const p of [rule.from.path, rule.to.path].flat()) paths.add(p);
  }
  return [...paths].map((p) => new RegExp(p));
}

/**
 * Cruise `root` (a checkout, or a temporary tree in tests) with the repository's rules.
 * Returns { violations: [{ rule, comment, from, to, cycle?, typeOnly }], modules, ms }.
 */
export async function checkDependencies(root = REPO_ROOT, config = loadConfig()) {
  const t0 = Date.now();
  const folders = CRUISED_FOLDERS.filter((d) => fs.existsSync(path.join(root, d)));
  const tsConfigFile = path.join(root, config.options.tsConfig.fileName);
  const hasTsConfig = fs.existsSync(tsConfigFile);
  // baseDir: modules are resolved and named relative to `root`, whatever the working directory.
  const options = {
    ...config.options,
    baseDir: root,
    tsConfig: hasTsConfig ? { fileName: tsConfigFile } : undefined,
    ruleSet: { forbidden: config.forbidden },
    validate: true,
    outputType: 'json',
  };
  const result = await cruise(folders, options, {}, hasTsConfig ? { tsConfig: extractTSConfig(tsConfigFile) } : {});
  const output = typeof result.output === 'string' ? JSON.parse(result.output) : result.output;
  const comments = new Map(config.forbidden.map((r) => [r.name, r.comment ?? '']));
  const typeOnly = new Map();
  for (const m of output.modules) {
    for (const d of m.dependencies) {
      typeOnly.set(
        `${m.source}\0${d.resolved}`,
        d.dependencyTypes.some((t) => t === 'type-only' || t === 'type-import'),
      );
    }
  }
  const violations = [];
  const seenCycles = new Set();
  for (const v of output.summary.violations) {
    const rule = v.rule.name;
    const entry = {
      rule,
      comment: comments.get(rule) ?? '',
      from: v.from,
      to: v.to,
      typeOnly: typeOnly.get(`${v.from}\0${v.to}`) ?? false,
    };
    if (v.cycle) {
      // The same cycle is reported once per module in it: keep one, starting from its smallest module.
      const names = [v.from, ...v.cycle.map((c) => (typeof c === 'string' ? c : c.name))];
      const ring = names.slice(0, -1);
      const start = ring.indexOf([...ring].sort()[0]);
      const canonical = [...ring.slice(start), ...ring.slice(0, start)];
      const key = canonical.join('\0');
      if (seenCycles.has(key)) continue;
      seenCycles.add(key);
      entry.cycle = [...canonical, canonical[0]];
      entry.from = canonical[0];
      entry.to = canonical[1];
    }
    violations.push(entry);
  }
  // Files of src/ that no layer claims.
  const layers = layerPaths(config);
  for (const m of output.modules) {
    if (!m.source.startsWith('src/') || m.coreModule || m.couldNotResolve) continue;
    if (!layers.some((re) => re.test(m.source))) {
      violations.push({
        rule: 'src-file-in-no-layer',
        comment: 'Every file of src/ belongs to a layer of the table in .dependency-cruiser.cjs: add its folder there.',
        from: m.source,
        to: '',
        typeOnly: false,
      });
    }
  }
  return { violations, modules: output.modules.length, ms: Date.now() - t0 };
}

/** Readable report: one block per rule, its reason, then its violations. */
export function formatViolations(violations) {
  const byRule = new Map();
  for (const v of violations) {
    if (!byRule.has(v.rule)) byRule.set(v.rule, []);
    byRule.get(v.rule).push(v);
  }
  const lines = [];
  for (const [rule, list] of byRule) {
    lines.push(`✘ ${rule} (${list.length}): ${list[0].comment}`);
    for (const v of list) {
      if (v.cycle) lines.push(`    ${v.cycle.join(' → ')}`);
      else if (v.to) lines.push(`    ${v.from} → ${v.to}${v.typeOnly ? ' (type-only)' : ''}`);
      else lines.push(`    ${v.from}`);
    }
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

async function main() {
  const args = process.argv.slice(2);
  const rootIndex = args.indexOf('--root');
  const root = rootIndex >= 0 ? path.resolve(args[rootIndex + 1]) : REPO_ROOT;
  const { violations, modules, ms } = await checkDependencies(root);
  if (args.includes('--json')) {
    process.stdout.write(`${JSON.stringify(violations, null, 2)}\n`);
  } else if (violations.length) {
    process.stdout.write(formatViolations(violations));
  }
  const rules = new Set(violations.map((v) => v.rule)).size;
  const summary = violations.length
    ? `✘ dependency rules: ${violations.length} violation(s) of ${rules} rule(s) in ${modules} modules (${(ms / 1000).toFixed(1)} s). Rules: .dependency-cruiser.cjs`
    : `✔ dependency rules: no violation in ${modules} modules (${(ms / 1000).toFixed(1)} s)`;
  process.stderr.write(`${summary}\n`);
  process.exitCode = violations.length ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await main();
}
