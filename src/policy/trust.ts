/**
 * Is the policy file safe to obey? On a shared computer, a policy that any user could write would let one agent
 * preset the organisation's servers to their own for every other agent. The packaged app therefore reads the file
 * only when neither it nor any folder above it can be changed by an ordinary user:
 *
 * - Linux (and macOS): the file and each parent folder up to `/` (or a given top folder) belong to root and have no
 *   group or other write bit (sticky or not);
 * - Windows: the MSI creates `%ProgramData%\Ostal` with an administrators-only ACL (build/msi-policy-folder.mjs), and
 *   the app checks that the file and its folder are owned by, and writable only by, SYSTEM, Administrators or
 *   TrustedInstaller. Reading ACLs needs Windows: it is behind {@link WindowsAclReader}, and the decision
 *   ({@link windowsTrustProblem}) is a pure function over the facts it returns.
 *
 * Each check answers null (trusted) or the reason in English for the log; the caller writes the French line.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** What the file system says about one path, on Linux and macOS. */
export interface PosixPathFacts {
  path: string;
  uid: number;
  mode: number;
}

/** Why a chain of paths (the file, then each parent folder) is not trusted, or null. */
export function posixTrustProblem(chain: readonly PosixPathFacts[]): string | null {
  for (const item of chain) {
    if (item.uid !== 0) return `${item.path} belongs to uid ${item.uid}, not root`;
    if ((item.mode & 0o022) !== 0)
      return `${item.path} is writable by group or others (mode ${(item.mode & 0o7777).toString(8).padStart(4, '0')})`;
  }
  return null;
}

/** The file, then each parent folder up to `top` (included) or the root. */
export function posixChain(file: string, top = '/', stat: (p: string) => { uid: number; mode: number } = fs.statSync): PosixPathFacts[] {
  const chain: PosixPathFacts[] = [];
  let current = path.resolve(file);
  const stop = path.resolve(top);
  for (;;) {
    const st = stat(current);
    chain.push({ path: current, uid: st.uid, mode: st.mode });
    if (current === stop) break;
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return chain;
}

/** Well-known Windows accounts allowed to own or write the policy: SYSTEM, Administrators, TrustedInstaller. */
export const WINDOWS_TRUSTED_SIDS: readonly string[] = [
  'S-1-5-18',
  'S-1-5-32-544',
  'S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464',
];

/** One access rule of a Windows ACL, as `Get-Acl` reports it with SIDs. */
export interface WindowsAccessRule {
  sid: string;
  /** FileSystemRights as a number (Get-Acl's `FileSystemRights.value__`). */
  rights: number;
  allow: boolean;
}

/** Owner and rules of one path. */
export interface WindowsPathFacts {
  path: string;
  ownerSid: string;
  rules: WindowsAccessRule[];
}

/**
 * Rights that let someone change the file or the folder's content: WriteData/CreateFiles (0x2), AppendData/
 * CreateDirectories (0x4), WriteExtendedAttributes (0x10), DeleteSubdirectoriesAndFiles (0x40), WriteAttributes
 * (0x100), Delete (0x10000), ChangePermissions (0x40000), TakeOwnership (0x80000), and the generic ones
 * (GENERIC_ALL 0x10000000, GENERIC_WRITE 0x40000000).
 */
export const WINDOWS_WRITE_RIGHTS = 0x2 | 0x4 | 0x10 | 0x40 | 0x100 | 0x10000 | 0x40000 | 0x80000 | 0x10000000 | 0x40000000;

/** Why the file or its folder could be changed by someone other than SYSTEM or the administrators, or null. */
export function windowsTrustProblem(chain: readonly WindowsPathFacts[]): string | null {
  for (const item of chain) {
    if (!WINDOWS_TRUSTED_SIDS.includes(item.ownerSid)) return `${item.path} is owned by ${item.ownerSid}, not by the administrators`;
    const writer = item.rules.find((r) => r.allow && (r.rights & WINDOWS_WRITE_RIGHTS) !== 0 && !WINDOWS_TRUSTED_SIDS.includes(r.sid));
    if (writer) return `${item.path} can be changed by ${writer.sid}`;
  }
  return null;
}

/** Reads owner and ACL of paths on Windows (Get-Acl through PowerShell). Cannot run on Linux. */
export interface WindowsAclReader {
  read(p: string): WindowsPathFacts;
}

/** PowerShell that prints owner and rules of `$env:OSTAL_ACL_PATH` as JSON, with SIDs (never localised names). */
export const GET_ACL_SCRIPT = [
  '$ErrorActionPreference = "Stop"',
  '$acl = Get-Acl -LiteralPath $env:OSTAL_ACL_PATH',
  '$sid = [System.Security.Principal.SecurityIdentifier]',
  '$rules = @($acl.GetAccessRules($true, $true, $sid) | ForEach-Object { @{ sid = $_.IdentityReference.Value; rights = [int64]$_.FileSystemRights; allow = ($_.AccessControlType -eq "Allow") } })',
  '@{ owner = $acl.GetOwner($sid).Value; rules = $rules } | ConvertTo-Json -Compress -Depth 4',
].join('; ');

/** Parse GET_ACL_SCRIPT's output. Throws on anything unexpected (then the file is not trusted). */
export function parseWindowsAcl(p: string, json: string): WindowsPathFacts {
  const data = JSON.parse(json) as { owner?: unknown; rules?: unknown };
  if (typeof data.owner !== 'string') throw new Error('no owner');
  const rules = Array.isArray(data.rules) ? data.rules : data.rules && typeof data.rules === 'object' ? [data.rules] : [];
  return {
    path: p,
    ownerSid: data.owner,
    rules: rules.map((r: { sid?: unknown; rights?: unknown; allow?: unknown }) => {
      if (typeof r.sid !== 'string' || typeof r.rights !== 'number' || typeof r.allow !== 'boolean') throw new Error('malformed rule');
      return { sid: r.sid, rights: r.rights, allow: r.allow };
    }),
  };
}

/** The real reader, for Windows only (not run by the tests: there is no Windows here). */
export const powershellAclReader: WindowsAclReader = {
  read(p) {
    const systemRoot = process.env.SystemRoot ?? 'C:\\Windows';
    const exe = path.win32.join(systemRoot, 'System32', 'WindowsPowerShell', 'v1.0', 'powershell.exe');
    const r = spawnSync(exe, ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-Command', GET_ACL_SCRIPT], {
      env: { ...process.env, OSTAL_ACL_PATH: p },
      encoding: 'utf8',
      timeout: 15_000,
      windowsHide: true,
    });
    if (r.status !== 0) throw new Error(`Get-Acl failed (${r.status ?? r.signal}): ${String(r.stderr).trim()}`);
    return parseWindowsAcl(p, r.stdout);
  },
};

export interface PolicyTrustOptions {
  platform?: NodeJS.Platform;
  /** Linux/macOS: the highest folder checked (default '/'). */
  posixTop?: string;
  stat?: (p: string) => { uid: number; mode: number };
  acl?: WindowsAclReader;
}

/**
 * Why `file` must not be obeyed, or null when only administrators can change it. Called only when the file exists.
 * Any failure to read the facts counts as untrusted.
 */
export function policyTrustProblem(file: string, options: PolicyTrustOptions = {}): string | null {
  const platform = options.platform ?? process.platform;
  try {
    if (platform === 'win32') {
      const acl = options.acl ?? powershellAclReader;
      return windowsTrustProblem([acl.read(file), acl.read(path.win32.dirname(file))]);
    }
    return posixTrustProblem(posixChain(file, options.posixTop ?? '/', options.stat ?? fs.statSync));
  } catch (err) {
    return `cannot check who may change it: ${(err as Error).message}`;
  }
}
