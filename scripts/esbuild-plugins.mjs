// esbuild plugins of the core's bundles (bin/ostal.mjs for the CLI, scripts/build-main.mjs for the app).
//
// lazyLibmimeDbcs: libmime, which imapflow loads, builds iconv-lite's GBK codec (a table of ~22 000 characters) as
// soon as it is loaded, only to learn the class of the decoder every double-byte codec shares. Every process that
// talks IMAP paid for it at its start (~40 ms of a no-change `ostal sync` on a slow machine). In the bundles, that
// lookup is made at the first streaming decode that asks it (libmime's createDecodeStream; Ostal decodes messages
// with postal-mime, so normally never). Same behaviour otherwise. When libmime's text is not the expected one (a
// new version), the file is bundled unchanged: tests/unit/esbuild-plugins.test.ts checks it applies to the one
// installed.
import fs from 'node:fs';

const EAGER_DBCS = /const DBCS_DECODER = ([\w.]+)\.getCodec\('gbk'\)\.decoder;/;
const DBCS_USE = /codec\.decoder === DBCS_DECODER\b/g;

/** libmime's charset.js with the GBK lookup made at first use, or null when its text is not the expected one. */
export function lazyDbcsSource(text) {
  const eager = EAGER_DBCS.exec(text);
  if (!eager) return null;
  const uses = text.match(DBCS_USE) ?? [];
  // Any other use of the constant would be left pointing at nothing.
  const others = text.replace(EAGER_DBCS, '').replace(DBCS_USE, '').includes('DBCS_DECODER');
  if (uses.length === 0 || others) return null;
  return text
    .replace(EAGER_DBCS, `let DBCS_DECODER;\nconst dbcsDecoder = () => (DBCS_DECODER ??= ${eager[1]}.getCodec('gbk').decoder);`)
    .replace(DBCS_USE, 'codec.decoder === dbcsDecoder()');
}

export const lazyLibmimeDbcs = {
  name: 'ostal-lazy-libmime-dbcs',
  setup(build) {
    build.onLoad({ filter: /[\\/]libmime[\\/]dist[\\/](esm|cjs)[\\/]charset\.js$/ }, async (args) => {
      const contents = lazyDbcsSource(await fs.promises.readFile(args.path, 'utf8'));
      return contents === null ? undefined : { contents, loader: 'js' };
    });
  },
};
