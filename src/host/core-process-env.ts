/**
 * The environment of the core's own process (the Electron utility process; the bench runs the core with it too).
 * MALLOC_ARENA_MAX=2: glibc otherwise gives each thread that allocates (the mail store worker, the four threads of the
 * disk) an arena of its own, which keeps what it freed; with two, the core syncing 100 000 messages keeps about 20 Mio
 * less resident memory afterwards, at no measured cost in speed. A value set by the administrator is kept.
 */
export function coreProcessEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, MALLOC_ARENA_MAX: env.MALLOC_ARENA_MAX ?? '2' };
}
