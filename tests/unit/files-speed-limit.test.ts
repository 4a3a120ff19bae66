/**
 * The Fichiers speed limit: the 'files.speedLimitKbps' setting (KiB/s, 0 = none), a policy key like any setting,
 * and OSTAL_FILES_SPEED_LIMIT_KBPS above both for scripts and tests. The engine gets bytes per second.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { speedLimitOf } from '../../src/files/service.js';
import type { Logger } from '../../src/log.js';
import { loadPolicy, NO_POLICY } from '../../src/policy/index.js';
import { openDatabase } from '../../src/store/database.js';
import { SettingsRepository } from '../../src/store/settings-repository.js';

const log: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
let dir: string;
let savedEnv: string | undefined;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-speed-'));
  savedEnv = process.env.OSTAL_FILES_SPEED_LIMIT_KBPS;
  delete process.env.OSTAL_FILES_SPEED_LIMIT_KBPS;
});
afterEach(() => {
  if (savedEnv === undefined) delete process.env.OSTAL_FILES_SPEED_LIMIT_KBPS;
  else process.env.OSTAL_FILES_SPEED_LIMIT_KBPS = savedEnv;
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('speedLimitOf', () => {
  it('is 0 (no limit) by default, then follows the user setting in bytes per second', () => {
    const db = openDatabase(path.join(dir, 'ostal.sqlite'));
    try {
      expect(speedLimitOf({ db, policy: NO_POLICY })).toBe(0);
      new SettingsRepository(db).set('files.speedLimitKbps', 200);
      expect(speedLimitOf({ db, policy: NO_POLICY })).toBe(200 * 1024);
    } finally {
      db.close();
    }
  });

  it('a locked policy value wins over the user, and the environment variable wins over both', () => {
    const file = path.join(dir, 'policies.json');
    fs.writeFileSync(file, JSON.stringify({ settings: { 'files.speedLimitKbps': { value: 64, locked: true } } }));
    const policy = loadPolicy({ path: file, log });
    const db = openDatabase(path.join(dir, 'ostal.sqlite'));
    try {
      new SettingsRepository(db).set('files.speedLimitKbps', 500);
      expect(speedLimitOf({ db, policy })).toBe(64 * 1024);
      process.env.OSTAL_FILES_SPEED_LIMIT_KBPS = '1024';
      expect(speedLimitOf({ db, policy })).toBe(1024 * 1024);
      process.env.OSTAL_FILES_SPEED_LIMIT_KBPS = '0';
      expect(speedLimitOf({ db, policy })).toBe(0);
    } finally {
      db.close();
    }
  });
});
