/** A private copy of the built renderer for the visio specs: other work may rebuild renderer/dist while a page loads. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Copies renderer/dist (both entries: Ostal's index.html and the guest page salle.html) once every asset is there. */
export async function copyRenderer(prefix: string): Promise<string> {
  const source = path.join(process.cwd(), 'renderer', 'dist');
  for (let attempt = 0; attempt < 30; attempt++) {
    const target = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
    try {
      fs.cpSync(source, target, { recursive: true });
      const pages = ['index.html', 'salle.html'].map((f) => fs.readFileSync(path.join(target, f), 'utf8')).join('\n');
      const assets = [...pages.matchAll(/(?:src|href)="(?:\.\/|\/)?(assets\/[^"]+)"/g)].map((m) => m[1]!);
      if (assets.length > 0 && assets.every((a) => fs.existsSync(path.join(target, a)))) return target;
    } catch {
      // being rebuilt: try again
    }
    fs.rmSync(target, { recursive: true, force: true });
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error('renderer/dist is incomplete: build it with `npm run build:renderer`');
}
