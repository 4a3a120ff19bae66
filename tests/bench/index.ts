/** `npm run bench -- <suite> [options]`: benchmarks against the mature peer tools, on the same data in the same run. */
import { benchDav } from './dav.js';
import { benchEspaces } from './espaces.js';
import { benchFiles } from './files.js';
import { benchImport } from './import.js';
import { benchMail } from './mail.js';
import { benchVisio } from './visio.js';

const [suite, ...rest] = process.argv.slice(2);
const suites: Record<string, (args: string[]) => Promise<void>> = {
  mail: benchMail,
  files: benchFiles,
  visio: benchVisio,
  dav: benchDav,
  import: benchImport,
  espaces: benchEspaces,
};

const run = suite ? suites[suite] : undefined;
if (!run) {
  process.stderr.write(`Utilisation : npm run bench -- <${Object.keys(suites).join('|')}> [options]\n`);
  process.exit(2);
}
try {
  await run(rest);
} catch (err) {
  process.stderr.write(`Le banc d’essai a échoué : ${(err as Error).message}\n`);
  process.exit(1);
}
