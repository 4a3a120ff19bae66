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
 * Unknown options starting with `--` are ignored so that Electron/Chromium switches can pass through
 * (`--inspect`, `--enable-logging`…). Error messages are French (src/i18n/fr.json): they are shown to the user.
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
