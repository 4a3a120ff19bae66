/**
 * « Ouvrir » in Fichiers: may a synced file be handed to the system's « open » (Explorer's double click, xdg-open),
 * or only shown in its folder? A colleague with write access to a shared folder can drop « CR.pdf.lnk » or
 * « facture\u202Efdp.js »: opening either runs code. Such files are never opened directly: the containing folder is
 * shown instead, with a French warning. Pure functions (no disk, no Electron): the files.open handler and the
 * desktop hosts (main process, browser-mode page channel) all apply the same decision.
 */

/**
 * Bidirectional control characters: embeddings and overrides (U+202A–U+202E), isolates (U+2066–U+2069), the
 * left-to-right and right-to-left marks (U+200E, U+200F) and the Arabic letter mark (U+061C). In a file name they
 * only serve to make « fdp.js » read as « sj.pdf ».
 */
export const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/g;

/** What a displayed name shows in place of a bidirectional control character. */
export const BIDI_REPLACEMENT = '\uFFFD';

/** True when the name contains a bidirectional control character. */
export function hasBidiControls(name: string): boolean {
  return new RegExp(BIDI_CONTROLS.source).test(name);
}

/**
 * A file name safe to show: each bidirectional control is replaced by « � », so the letters appear in their real
 * order and the reader sees that something was hidden. Apply to every displayed file name (lists, notices, logs
 * meant for people).
 */
export function displayFileName(name: string): string {
  return name.replace(BIDI_CONTROLS, BIDI_REPLACEMENT);
}

/**
 * Extensions the systems run, install, mount or follow rather than show. Sources: Windows (Outlook's « Level 1 »
 * blocked attachments, the file types SmartScreen and Chromium's download protection treat as executable, Office
 * add-ins, disk images that hide their content from the Mark-of-the-Web), Linux desktops (shell scripts, launchers,
 * self-extracting installers, packages, interpreters xdg-open may hand a script to) and macOS. Lower case, no dot.
 */
export const DANGEROUS_EXTENSIONS: ReadonlySet<string> = new Set([
  // Windows programs, libraries and installers
  'exe',
  'com',
  'scr',
  'pif',
  'cpl',
  'dll',
  'ocx',
  'sys',
  'drv',
  'msi',
  'msp',
  'mst',
  'msu',
  'msix',
  'msixbundle',
  'appx',
  'appxbundle',
  'appinstaller',
  'application',
  'appref-ms',
  'gadget',
  'xbap',
  'cab',
  'diagcab',
  'diagcfg',
  'diagpkg',
  // Windows scripts and script hosts
  'bat',
  'cmd',
  'btm',
  'vb',
  'vbs',
  'vbe',
  'js',
  'jse',
  'mjs',
  'cjs',
  'wsf',
  'wsh',
  'wsc',
  'ws',
  'sct',
  'hta',
  'htc',
  'ps1',
  'ps1xml',
  'ps2',
  'ps2xml',
  'psc1',
  'psc2',
  'psd1',
  'psm1',
  'pssc',
  'cdxml',
  'msh',
  'msh1',
  'msh2',
  'mshxml',
  'msh1xml',
  'msh2xml',
  'mof',
  'inf',
  'ins',
  'isp',
  'reg',
  'scf',
  'shb',
  'shs',
  'chm',
  'hlp',
  'cnt',
  'hpj',
  'grp',
  // Shortcuts, links and places that point elsewhere
  'lnk',
  'url',
  'website',
  'webloc',
  'inetloc',
  'fileloc',
  'desktop',
  'library-ms',
  'searchconnector-ms',
  'search-ms',
  'settingcontent-ms',
  'appcontent-ms',
  'glk',
  'xnk',
  'rdp',
  'wsb',
  'theme',
  'themepack',
  'deskthemepack',
  'printerexport',
  // Disk images (mounted content loses the Mark-of-the-Web) and virtual disks
  'iso',
  'img',
  'vhd',
  'vhdx',
  'udf',
  // Office add-ins and Access databases (run code, not documents)
  'xll',
  'xla',
  'xlam',
  'ppa',
  'ppam',
  'wll',
  'ade',
  'adp',
  'mad',
  'maf',
  'mag',
  'mam',
  'maq',
  'mar',
  'mas',
  'mat',
  'mau',
  'mav',
  'maw',
  'mda',
  'mdb',
  'mde',
  'mdt',
  'mdw',
  'mdz',
  'accda',
  'accdb',
  'accde',
  'accdr',
  'accdu',
  'vsmacros',
  'vsw',
  'vsto',
  'mcf',
  'msc',
  'ops',
  'pcd',
  'plg',
  'prf',
  'prg',
  'pst',
  'fxp',
  'bas',
  'crt',
  'cer',
  'der',
  'its',
  'jnlp',
  'asp',
  'aspx',
  'asx',
  'tmp',
  'mmc',
  'onepkg',
  // Java, Python, Perl, Ruby, PHP, Lua, Tcl and other interpreters
  'jar',
  'class',
  'py',
  'pyc',
  'pyo',
  'pyw',
  'pyz',
  'pyzw',
  'pl',
  'pm',
  'rb',
  'rbw',
  'php',
  'lua',
  'tcl',
  // Linux and Unix: shell scripts, launchers, self-extracting installers, packages
  'sh',
  'bash',
  'zsh',
  'ksh',
  'csh',
  'tcsh',
  'fish',
  'run',
  'bin',
  'out',
  'elf',
  'so',
  'ko',
  'appimage',
  'deb',
  'rpm',
  'snap',
  'flatpak',
  'flatpakref',
  'flatpakrepo',
  'x86_64',
  'kdelnk',
  // macOS
  'app',
  'command',
  'tool',
  'pkg',
  'mpkg',
  'dmg',
  'workflow',
  'action',
  'scpt',
  'scptd',
  'applescript',
  'terminal',
  'osax',
]);

export type OpenReason = 'executable' | 'shortcut' | 'bidi' | 'noExtensionExecutable';

export type OpenDecision = { action: 'open' } | { action: 'showInFolder'; reason: OpenReason };

const SHORTCUTS = new Set([
  'lnk',
  'url',
  'website',
  'webloc',
  'inetloc',
  'fileloc',
  'desktop',
  'kdelnk',
  'library-ms',
  'searchconnector-ms',
  'search-ms',
  'settingcontent-ms',
  'appref-ms',
  'glk',
  'xnk',
  'rdp',
]);

/**
 * The extension the system uses for this name: Windows ignores trailing dots and spaces (« x.js. » runs as « x.js »),
 * invisible format characters do not count, case does not matter, and an NTFS stream suffix (« a.txt:x.exe ») is
 * ignored as Windows does when it picks a handler for the file itself.
 */
export function effectiveExtension(name: string): string {
  let n = name
    .normalize('NFKC')
    .replace(BIDI_CONTROLS, '')
    .replace(/[\u200B-\u200D\u2060\uFEFF\u00AD]/g, '');
  n = n.replace(/::\$DATA$/i, '');
  n = n.replace(/[\s.]+$/u, '');
  const dot = n.lastIndexOf('.');
  if (dot < 0 || dot === n.length - 1) return '';
  return n.slice(dot + 1).toLowerCase();
}

/**
 * Open the file directly, or show it in its folder? `name` is the last path segment as on the disk. `executableBit`:
 * on Linux and macOS, whether the file carries an execute permission (a launcher or program without extension).
 */
export function openDecision(name: string, options: { executableBit?: boolean } = {}): OpenDecision {
  if (hasBidiControls(name)) return { action: 'showInFolder', reason: 'bidi' };
  const ext = effectiveExtension(name);
  if (SHORTCUTS.has(ext)) return { action: 'showInFolder', reason: 'shortcut' };
  if (DANGEROUS_EXTENSIONS.has(ext)) return { action: 'showInFolder', reason: 'executable' };
  if (options.executableBit) return { action: 'showInFolder', reason: 'noExtensionExecutable' };
  return { action: 'open' };
}

/** Last segment of an absolute path, either separator (the main process checks paths of the host's system). */
export function lastSegment(absolutePath: string): string {
  const parts = absolutePath.split(/[\\/]/).filter(Boolean);
  return parts.at(-1) ?? '';
}
