/**
 * The disk a benchmark's tools write to. By default, when the bench runs as root on Linux with `mkfs.ext4` and a free
 * loop device: a fresh ext4 file system with its journal (Debian's default for a workstation's disk), made in a
 * sparse image file in the temporary folder and mounted through a loop device, the same for every tool of the run.
 * `--fs tmp`, or when that cannot be made: the temporary folder itself, as it is.
 *
 * Why: this project's machines have their root file system in ext4 **without a journal**, on which creating thousands
 * of files costs from 0,1 to 3 s of kernel time depending on how many files were deleted in the minutes before (the
 * allocator avoids reusing their inodes and reads the inode tables to find them); a tool writing one file per message
 * (mbsync's Maildir, Ostal's blobs) was then timed on what the machine did before rather than on its own work. A fresh
 * file system gives every pass the same disk; the journal makes an fsync cost what it costs on an agent's computer.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface BenchDisk {
  /** The folder to write in. */
  dir: string;
  /** What it is, in French, for the report. */
  label: string;
  release(): void;
}

const IMAGE_BYTES = 8 * 1024 ** 3;

export function benchDisk(args: string[]): BenchDisk {
  const here: BenchDisk = { dir: os.tmpdir(), label: `le dossier temporaire (${os.tmpdir()}), tel quel`, release() {} };
  const choice = args.includes('--fs') ? args[args.indexOf('--fs') + 1] : 'ext4';
  if (choice === 'tmp') return here;
  if (choice !== 'ext4') throw new Error('--fs attend « ext4 » ou « tmp »');
  const why = cannotMount();
  if (why) {
    process.stderr.write(`Disque des outils : dossier temporaire (pas de système de fichiers neuf : ${why}).\n`);
    return { ...here, label: `${here.label} (${why})` };
  }
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-bench-disk-'));
  const image = path.join(base, 'disk.img');
  const mount = path.join(base, 'mnt');
  fs.mkdirSync(mount);
  try {
    fs.writeFileSync(image, '');
    fs.truncateSync(image, IMAGE_BYTES); // sparse: only what is written takes room
    execFileSync('mkfs.ext4', ['-q', '-F', image], { stdio: 'pipe' });
    execFileSync('mount', ['-o', 'loop', image, mount], { stdio: 'pipe' });
  } catch (err) {
    fs.rmSync(base, { recursive: true, force: true });
    const reason = String((err as { stderr?: Buffer }).stderr ?? err)
      .trim()
      .split('\n')[0];
    process.stderr.write(`Disque des outils : dossier temporaire (montage impossible : ${reason}).\n`);
    return { ...here, label: `${here.label} (montage impossible)` };
  }
  return {
    dir: mount,
    label: 'un système de fichiers ext4 neuf, avec journal (image de 8 Gio montée en boucle)',
    release() {
      spawnSync('umount', [mount]);
      fs.rmSync(base, { recursive: true, force: true });
    },
  };
}

function cannotMount(): string | null {
  if (process.platform !== 'linux') return 'hors Linux';
  if (process.getuid?.() !== 0) return 'le montage demande root';
  if (spawnSync('mkfs.ext4', ['-V'], { stdio: 'ignore' }).error) return 'mkfs.ext4 absent';
  if (!fs.existsSync('/dev/loop-control')) return 'pas de périphérique loop';
  return null;
}
