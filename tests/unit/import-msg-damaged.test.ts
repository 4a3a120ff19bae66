/**
 * Damaged Outlook items (.msg): 400 seeded corruptions of a file written by tests/integration/msg-writer.ts (a sector
 * zeroed, a 32-bit value of a FAT or directory sector overwritten, the file cut short). Each one is read or refused
 * with a French reason, never hanging nor growing memory without bound: before src/import/compound-file.ts, a file
 * whose chains loop made @kenjiuno/msgreader allocate until the process died.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compoundFileProblem } from '../../src/import/compound-file.js';
import { msgToPayload } from '../../src/import/message-sources.js';
import { OstalError } from '../../src/errors.js';
import { writeMsg } from '../integration/msg-writer.js';

describe('messages Outlook (.msg) abîmés', () => {
  it('400 corruptions : chacune lue ou refusée, sans boucle ni mémoire sans borne', { timeout: 120_000 }, async () => {
    const good = writeMsg({
      subject: 'Réunion d’été',
      body: 'Ordre du jour.',
      senderEmail: 'elise@mairie-exemple.fr',
      recipients: [{ name: 'Agnès', email: 'agnes@mairie-exemple.fr' }],
      attachments: [
        { name: 'été.pdf', data: Buffer.alloc(9000, 0x41) },
        { name: '会議.txt', data: Buffer.from('議事録') },
      ],
    });
    expect(compoundFileProblem(good)).toBeNull();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-msg-abime-'));
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return Math.floor((seed / 2 ** 31) * n);
    };
    const sectors = good.length / 512 - 1;
    let refused = 0;
    for (let round = 0; round < 400; round++) {
      const bad = Buffer.from(good);
      let damaged: Buffer = bad;
      const kind = round % 3;
      if (kind === 0) bad.fill(0, 512 * (1 + random(sectors)), 512 * (2 + random(sectors)));
      else if (kind === 1) {
        // A FAT, DIFAT or directory value: the header's sector numbers and the first sectors' contents.
        const at = random(4) === 0 ? 0x2c + 4 * random(20) : 512 + 4 * random(Math.min(sectors, 8) * 128);
        const values = [0, 1, 2, 0xfffffffe, 0xffffffff, 0x7fffffff, random(sectors + 4)];
        bad.writeUInt32LE(values[random(values.length)] >>> 0, at);
      } else damaged = bad.subarray(0, 512 + random(good.length - 512));
      const file = path.join(dir, `abîmé-${round}.msg`);
      fs.writeFileSync(file, damaged);
      const before = process.memoryUsage().rss;
      try {
        const payload = await msgToPayload(file);
        expect(payload.raw.length).toBeGreaterThan(0);
      } catch (err) {
        refused++;
        // A structure refused before the reader says so in French; anything the reader throws afterwards is caught
        // by the import (« message illisible dans le fichier »).
        if (err instanceof OstalError) expect(err.message).toMatch(/abîmé|n’en est pas un/);
      }
      expect(process.memoryUsage().rss - before).toBeLessThan(512 * 1024 * 1024);
    }
    expect(refused).toBeGreaterThan(100);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
