/**
 * French spell checking with a shipped dictionary (issue 18): build/dictionaries/fr-FR-3-0.bdic is there, is a valid
 * Chromium .bdic (signature, version, offsets, checksum) made from the French Hunspell affixes, is shipped by
 * electron-builder in resources/dictionaries, and is copied where Chromium looks before it would download; the
 * download URL never leaves the machine.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  FRENCH_DICTIONARY,
  checkBdic,
  chromiumDictionaryDir,
  installShippedDictionary,
  shippedDictionaryDir,
  spellCheckerSession,
} from '../../src/host/spell-dictionary.js';

// js-yaml comes with electron-builder (the YAML reader it uses itself).
const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };
const shipped = path.resolve('build/dictionaries', FRENCH_DICTIONARY);
const temps: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-dict-'));
  temps.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of temps.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A resources folder as the installed app has it, holding the shipped dictionary. */
function resources(): string {
  const dir = tempDir();
  fs.mkdirSync(shippedDictionaryDir(dir), { recursive: true });
  fs.copyFileSync(shipped, path.join(shippedDictionaryDir(dir), FRENCH_DICTIONARY));
  return dir;
}

describe('shipped French dictionary', () => {
  it('is a valid Chromium .bdic made from the French affixes', () => {
    const data = fs.readFileSync(shipped);
    expect(data.length).toBeGreaterThan(500_000);
    expect(data.subarray(0, 4).toString('latin1')).toBe('BDic');
    expect(checkBdic(data)).toMatchObject({ ok: true, version: 2 });
    // The aff part keeps the French affix file's own header and encoding.
    const aff = data.subarray(data.readUInt32LE(8), data.readUInt32LE(12)).toString('latin1');
    expect(aff).toContain('DICTIONNAIRE ORTHOGRAPHIQUE FRAN');
    expect(aff).toContain("PFX L' 0 l' . ");
  });

  it('a damaged file is refused as Chromium would', () => {
    const data = Buffer.from(fs.readFileSync(shipped));
    data[data.length - 10] ^= 0xff;
    expect(checkBdic(data)).toEqual({ ok: false, reason: 'checksum mismatch' });
    expect(checkBdic(Buffer.from('Hunspell'))).toEqual({ ok: false, reason: 'too short' });
    const wrongSignature = Buffer.from(fs.readFileSync(shipped));
    wrongSignature.write('XDic', 0, 'latin1');
    expect(checkBdic(wrongSignature)).toEqual({ ok: false, reason: 'no BDic signature' });
  });

  it('electron-builder ships it in resources/dictionaries, with its licence note', () => {
    const config = yaml.load(fs.readFileSync('electron-builder.yml', 'utf8')) as { extraResources: { from: string; to: string }[] };
    expect(config.extraResources).toContainEqual({ from: 'build/dictionaries', to: 'dictionaries' });
    expect(fs.readFileSync('build/dictionaries/LISEZMOI.md', 'utf8')).toContain('MPL-2.0');
  });

  it('the download URL is the shipped folder on this machine, never a server', () => {
    const s = spellCheckerSession('/opt/Ostal/resources');
    expect(s).toEqual({ languages: ['fr'], dictionaryUrl: 'file:///opt/Ostal/resources/dictionaries/' });
    expect(new URL(s.dictionaryUrl).protocol).toBe('file:');
  });
});

describe('installShippedDictionary', () => {
  it('copies the dictionary where Chromium looks, then leaves a good copy alone', () => {
    const res = resources();
    const userData = tempDir();
    const target = path.join(chromiumDictionaryDir(userData), FRENCH_DICTIONARY);
    expect(installShippedDictionary(res, userData)).toEqual({ action: 'copied', path: target });
    expect(fs.readFileSync(target).equals(fs.readFileSync(shipped))).toBe(true);
    const before = fs.statSync(target).mtimeMs;
    expect(installShippedDictionary(res, userData)).toEqual({ action: 'present', path: target });
    expect(fs.statSync(target).mtimeMs).toBe(before);
    expect(fs.readdirSync(path.dirname(target))).toEqual([FRENCH_DICTIONARY]);
  });

  it('replaces a damaged copy', () => {
    const res = resources();
    const userData = tempDir();
    const target = path.join(chromiumDictionaryDir(userData), FRENCH_DICTIONARY);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, 'BDic tronqué');
    expect(installShippedDictionary(res, userData).action).toBe('copied');
    expect(checkBdic(fs.readFileSync(target)).ok).toBe(true);
  });

  it('without a shipped dictionary nothing is installed (and nothing is fetched): reported for the log', () => {
    const userData = tempDir();
    const result = installShippedDictionary(tempDir(), userData);
    expect(result.action).toBe('missing');
    expect(fs.existsSync(chromiumDictionaryDir(userData))).toBe(false);
  });
});
