/**
 * The esbuild plugin of the core's bundles (scripts/esbuild-plugins.mjs): libmime's GBK table is built at its first use,
 * not when libmime is loaded. It must apply to the libmime installed (a new version changes the text it rewrites: this
 * test then fails, and the bundles still work, only slower to start), and the bundled libmime must decode as before.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript build script without type declarations
import { lazyDbcsSource, lazyLibmimeDbcs } from '../../scripts/esbuild-plugins.mjs';

const root = path.resolve(import.meta.dirname, '../..');
const rewrite = lazyDbcsSource as (text: string) => string | null;

describe('esbuild plugin: libmime without its GBK table at load', () => {
  // Inside the repository (ignored .cache/), so the bundle resolves node_modules.
  fs.mkdirSync(path.join(root, '.cache'), { recursive: true });
  const dir = fs.mkdtempSync(path.join(root, '.cache', 'esbuild-plugins-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('applies to both builds of the libmime installed', () => {
    for (const flavour of ['esm', 'cjs']) {
      const text = fs.readFileSync(path.join(root, 'node_modules', 'libmime', 'dist', flavour, 'charset.js'), 'utf8');
      const out = rewrite(text);
      expect(out, flavour).not.toBeNull();
      expect(out).toContain('dbcsDecoder()');
      expect(out).not.toMatch(/const DBCS_DECODER = .*getCodec\('gbk'\)/);
    }
  });

  it('leaves a text it does not recognise unchanged (null), never half rewritten', () => {
    expect(rewrite('const x = 1;')).toBeNull();
    const eager = "const DBCS_DECODER = iconv.getCodec('gbk').decoder;\n";
    expect(rewrite(eager)).toBeNull(); // no use to rewrite
    expect(rewrite(`${eager}if (codec.decoder === DBCS_DECODER) {}\nexport { DBCS_DECODER };\n`)).toBeNull(); // another use
    expect(rewrite(`${eager}if (codec.decoder === DBCS_DECODER) {}\n`)).toContain('codec.decoder === dbcsDecoder()');
  });

  it('bundled: loading libmime builds no GBK codec, and a GBK stream cut inside a character decodes as before', async () => {
    const entry = path.join(dir, 'entry.mjs');
    fs.writeFileSync(
      entry,
      [
        "import iconv from 'iconv-lite';",
        "import libmime from 'libmime';",
        'const atLoad = Object.keys(iconv._codecDataCache);',
        "const bytes = iconv.encode('Compte rendu : 会议纪要，预算。', 'gbk');",
        "const stream = libmime.createDecodeStream('gbk');",
        'const parts = [];',
        "stream.on('data', (c) => parts.push(c));",
        "stream.on('end', () => console.log(JSON.stringify({ atLoad, text: Buffer.concat(parts).toString('utf8'), after: Object.keys(iconv._codecDataCache) })));",
        // Cut in the middle of the first two-byte character.
        "const cut = bytes.indexOf(iconv.encode('会', 'gbk')) + 1;",
        'stream.write(bytes.subarray(0, cut));',
        'stream.end(bytes.subarray(cut));',
        '',
      ].join('\n'),
    );
    const outfile = path.join(dir, 'bundle.cjs');
    await build({
      absWorkingDir: root,
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      outfile,
      logLevel: 'silent',
      plugins: [lazyLibmimeDbcs],
    });
    expect(fs.readFileSync(outfile, 'utf8')).toContain('dbcsDecoder()');
    const run = spawnSync(process.execPath, [outfile], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const result = JSON.parse(run.stdout) as { atLoad: string[]; text: string; after: string[] };
    expect(result.atLoad.some((name) => /gbk|cp936/.test(name))).toBe(false);
    expect(result.text).toBe('Compte rendu : 会议纪要，预算。');
    expect(result.after.some((name) => /gbk|cp936/.test(name))).toBe(true);
  });
});
