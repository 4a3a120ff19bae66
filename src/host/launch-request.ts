/**
 * What a launch of Ostal asks for (issue 18), decided in plain Node so that main/ only wires Electron's
 * `requestSingleInstanceLock`, `second-instance` and `open-url` to it:
 *
 *  - `ostal mailto:agent@mairie.fr?subject=…` (Windows default programs, the Linux `.desktop` file's
 *    `x-scheme-handler/mailto`, macOS `open-url`): a new message;
 *  - `ostal --compose "to=…,subject=…,attachment='file:///…'"` (also `-compose`, Thunderbird's spelling, which
 *    LibreOffice and xdg-email use): a new message;
 *  - `ostal --send-to FICHIER…` (« Envoyer vers › Ostal (courriel) » of the Windows Explorer): a new message with
 *    these files attached;
 *  - anything else (a plain second launch, the tray's « Ouvrir Ostal »): show the window.
 *
 * The first launch reads its own arguments the same way; a second launch hands its arguments to the running Ostal,
 * which decides with the same function and then quits.
 */
import {
  emptyComposeRequest,
  isMailtoUrl,
  localPathFromAttachment,
  parseComposeArgument,
  parseMailto,
  type ComposeRequestArgs,
  type PathPlatform,
} from '../shared/compose-args.js';

export type LaunchRequest = { kind: 'show' } | { kind: 'compose'; request: ComposeRequestArgs };

export function pathPlatform(platform: NodeJS.Platform = process.platform): PathPlatform {
  return platform === 'win32' ? 'win32' : 'posix';
}

/** Options of Ostal that take a value in the next argument (their value is never a mailto or a file). */
const VALUE_OPTIONS = new Set(['--profile', '--port']);

/**
 * Decide what a launch asks from its arguments (without the executable, and for a packaged app without the app
 * path: Electron's `process.argv.slice(1)` or `second-instance`'s argv minus its first entry). Chromium switches
 * that Electron adds to a second instance's argv (`--allow-file-access-from-files`, `--original-process-start-time=…`)
 * are ignored, as are Ostal's own options.
 */
export function launchRequestFromArgv(argv: readonly string[], platform: PathPlatform): LaunchRequest {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (VALUE_OPTIONS.has(arg)) {
      i++;
      continue;
    }
    if (isMailtoUrl(arg)) return { kind: 'compose', request: parseMailto(arg) ?? emptyComposeRequest() };
    if (arg === '--compose' || arg === '-compose') {
      // Chromium may move switches before the positional arguments of a second instance: the value is the next
      // argument, else the first one that is not a switch.
      const next = argv[i + 1];
      const value = next !== undefined && !next.startsWith('-') ? next : argv.slice(i + 1).find((a) => !a.startsWith('-'));
      return { kind: 'compose', request: value === undefined ? emptyComposeRequest() : parseComposeArgument(value, platform) };
    }
    if (arg.startsWith('--compose=')) return { kind: 'compose', request: parseComposeArgument(arg.slice('--compose='.length), platform) };
    if (arg === '--send-to') {
      const request = emptyComposeRequest();
      for (const file of argv.slice(i + 1)) {
        const path = localPathFromAttachment(file, platform);
        if (path !== null && !request.attachments.includes(path)) request.attachments.push(path);
      }
      return { kind: 'compose', request };
    }
  }
  return { kind: 'show' };
}

/** The `second-instance` event's argv: the first entry is the executable; a non-packaged app's second one is the app path. */
export function secondInstanceArgs(argv: readonly string[], packaged: boolean): string[] {
  return argv.slice(packaged ? 1 : 2);
}
