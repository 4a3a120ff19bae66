/**
 * What the core does to give memory back: one full collection after a large download (src/memory.ts, called by the
 * mail store when it closes after 32 Mio or more) and the environment of its process (src/host/core-process-env.ts).
 */
import { describe, expect, it } from 'vitest';
import { coreProcessEnv } from '../../src/host/core-process-env.js';
import { collectGarbage } from '../../src/memory.js';

describe('mémoire du cœur', () => {
  it('collectGarbage frees the garbage of a download at once (64 Mio of sources no one holds any more)', async () => {
    const arrayBuffers = () => process.memoryUsage().arrayBuffers;
    let sources: Buffer[] | null = Array.from({ length: 1024 }, (_, i) => Buffer.alloc(64 * 1024, i % 256));
    const held = arrayBuffers();
    expect(held).toBeGreaterThan(64 * 1024 * 1024);
    expect(sources.length).toBe(1024);
    sources = null;
    expect(collectGarbage()).toBe(true);
    // V8 frees the backing stores of dead ArrayBuffers right after the collection (on its own threads).
    await expect.poll(arrayBuffers, { timeout: 5000 }).toBeLessThan(held - 60 * 1024 * 1024);
    // A second call uses the same collector, and no `gc` is left for scripts run later.
    expect(collectGarbage()).toBe(true);
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
  });

  it('the core’s process keeps at most two malloc arenas, unless the administrator set another value', () => {
    expect(coreProcessEnv({ PATH: '/usr/bin' })).toEqual({ PATH: '/usr/bin', MALLOC_ARENA_MAX: '2' });
    expect(coreProcessEnv({ MALLOC_ARENA_MAX: '4' }).MALLOC_ARENA_MAX).toBe('4');
  });
});
