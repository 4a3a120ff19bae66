// STUB: to be written (profile folder per OS, lock file refusing a second instance in French).
export interface ProfileLock {
  release(): void;
}
export function defaultProfileDir(_env: NodeJS.ProcessEnv = process.env, _platform: NodeJS.Platform = process.platform): string {
  throw new Error('not yet');
}
export function acquireProfileLock(_dir: string): ProfileLock {
  return { release() {} };
}
