import { t } from '../i18n/index.js';

/** Command-line options shared by the browser-mode host (src/host/browser-mode.ts) and the Electron main process. */
export interface HostArgs {
  /** --profile DIR */
  profile: string | null;
  /** --port N (0 = any free port) */
  port: number;
  /** --no-sync: do not start background synchronisation. */
  sync: boolean;
  help: boolean;
}

export class HostArgsError extends Error {
  override readonly name = 'HostArgsError';
}

/**
 * Parse `[--profile DIR] [--port N] [--no-sync] [--help]` (also `--profile=DIR`, `--port=N`).
 * Unknown options starting with `--` are ignored so that harmless Electron/Chromium switches can pass through
 * (`--enable-logging`…); the debugging switches are removed first by {@link dropDebugSwitches} (main/electron.ts).
 * Error messages are French (src/i18n/fr.json): they are shown to the user.
 */
export function parseHostArgs(argv: readonly string[]): HostArgs {
  const out: HostArgs = { profile: null, port: 0, sync: true, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [name, inline] =
      arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new HostArgsError(t('host.optionNeedsValue', { option: name }));
      return v;
    };
    switch (name) {
      case '--profile':
        out.profile = value();
        break;
      case '--port': {
        const v = value();
        const n = Number(v);
        if (!/^\d+$/.test(v) || n > 65535) throw new HostArgsError(t('host.invalidPort', { port: v }));
        out.port = n;
        break;
      }
      case '--no-sync':
        out.sync = false;
        break;
      case '--help':
      case '-h':
        out.help = true;
        break;
      default:
        break;
    }
  }
  return out;
}

/**
 * Debugging switches of Node and Chromium that would hand the main process (which can unseal the stored passwords)
 * or a renderer to whoever starts Ostal with them: never honoured by the desktop app.
 * `--inspect*` and `--js-flags` are read by Node/V8 before any of our code runs, and `--remote-debugging-*` by
 * Chromium during start-up; removing them from `process.argv` or with `app.commandLine.removeSwitch` comes too late
 * for what was already read. That is why the packaged app also sets Electron's fuses (electron-builder.yml
 * `electronFuses`: EnableNodeCliInspectArguments off, RunAsNode off, NODE_OPTIONS off) and main/ refuses to start a
 * packaged build at all when one of these switches is present.
 */
export const FORBIDDEN_SWITCHES: readonly string[] = [
  'inspect',
  'inspect-brk',
  'inspect-port',
  'inspect-publish-uid',
  'debug',
  'debug-brk',
  'debug-port',
  'remote-debugging-port',
  'remote-debugging-pipe',
  'remote-debugging-address',
  'remote-allow-origins',
  'js-flags',
];

/** Switches whose value may follow as the next argument (`--js-flags --expose-gc`, `--inspect-port 9229`). */
const SEPARATE_VALUE = new Set([
  'inspect-port',
  'debug-port',
  'remote-debugging-port',
  'remote-debugging-address',
  'remote-allow-origins',
  'js-flags',
  'inspect-publish-uid',
]);

/**
 * The name of a switch as Chromium reads it: `--name`, `-name` and, on Windows, `/name`; case-insensitive on Windows
 * (Chromium lower-cases switches there). Null for an argument that is not a switch.
 */
function switchName(arg: string, platform: NodeJS.Platform): string | null {
  const prefix = arg.startsWith('--') ? 2 : arg.startsWith('-') ? 1 : platform === 'win32' && arg.startsWith('/') ? 1 : 0;
  if (prefix === 0) return null;
  const body = arg.slice(prefix);
  const name = body.includes('=') ? body.slice(0, body.indexOf('=')) : body;
  return platform === 'win32' ? name.toLowerCase() : name;
}

/**
 * Remove the debugging switches (any form: `--x`, `--x=value`, `--x value`, `-x`, `/x` on Windows) from an argument
 * list. Returns what remains, in order, and the names of the switches removed (for the log and for
 * `app.commandLine.removeSwitch`).
 */
export function dropDebugSwitches(
  argv: readonly string[],
  platform: NodeJS.Platform = process.platform,
): { argv: string[]; dropped: string[] } {
  const kept: string[] = [];
  const dropped: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const name = switchName(arg, platform);
    const forbidden =
      name !== null && (FORBIDDEN_SWITCHES.includes(name) || (platform === 'win32' && FORBIDDEN_SWITCHES.includes(name.toLowerCase())));
    if (!forbidden) {
      kept.push(arg);
      continue;
    }
    if (!dropped.includes(name)) dropped.push(name);
    const next = argv[i + 1];
    // `--inspect-port 9229`, `--js-flags "--allow-natives-syntax"`: the value goes with its switch.
    if (!arg.includes('=') && next !== undefined && SEPARATE_VALUE.has(name) && (name === 'js-flags' || !next.startsWith('-'))) i++;
    // `--inspect 127.0.0.1:9229` (host:port or a port alone after --inspect / --inspect-brk).
    else if (
      !arg.includes('=') &&
      next !== undefined &&
      (name === 'inspect' || name === 'inspect-brk' || name === 'debug' || name === 'debug-brk') &&
      /^(\[?[\w.:]*\]?:)?\d{1,5}$/.test(next)
    )
      i++;
  }
  return { argv: kept, dropped };
}
