/**
 * `npm run bench -- visio [--participants 2,4] [--seconds 15]`: the meeting server and Ostal's Visio view with
 * N headless Chromium participants (fake camera and micro, camera sent in 3 simulcast layers).
 * Measures, per N: the time from « Rejoindre » to the first remote video frame (median and worst of the N), and
 * the meeting server's CPU (node + mediasoup-worker processes, % of one core) and memory (RSS) over a steady
 * window, then per participant. One Ostal browser-mode instance (one account) serves every participant page;
 * with `--guest 1` (the default) the last participant of each meeting is a guest in a plain page (the guest page
 * the meeting server serves at /salle/<id>, no Ostal), `--guest 0` for Ostal pages only.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import { spawnVisioServer } from '../../server/src/spawn.js';
import { startServers, stopServers } from '../servers/index.js';
import { addAccountByCli, startOstal, tempProfile } from '../e2e/ostal.js';
import { percentile, writeJson } from './report.js';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
];

interface ProcSample {
  cpuTicks: number;
  rssBytes: number;
}

/** CPU ticks (user + system) and RSS of a process and its descendants, from /proc. */
function sampleTree(rootPid: number): ProcSample {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(fields[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  let cpuTicks = 0;
  let rssBytes = 0;
  const pageSize = 4096;
  const walk = (pid: number) => {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      cpuTicks += Number(fields[11]) + Number(fields[12]);
      rssBytes += Number(fields[21]) * pageSize;
    } catch {
      return;
    }
    for (const child of children.get(pid) ?? []) walk(child);
  };
  walk(rootPid);
  return { cpuTicks, rssBytes };
}

const TICKS_PER_SECOND = 100;

async function joinAsParticipant(
  browser: Browser,
  ostalUrl: string,
  link: string,
  first: boolean,
): Promise<{ page: Page; joinToFrameMs: number }> {
  const context = await browser.newContext({ permissions: ['camera', 'microphone'], viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(ostalUrl);
  await page.getByTestId('nav-visio').click();
  await page.getByTestId('visio-link').fill(link);
  await page.getByTestId('visio-join').click();
  await page.getByTestId('visio-rejoindre').waitFor();
  await page.waitForFunction(() => {
    const v = document.querySelector<HTMLVideoElement>('[data-testid="visio-preview"]');
    return !!v && v.getVideoPlaybackQuality().totalVideoFrames > 0;
  });
  const start = Date.now();
  await page.getByTestId('visio-rejoindre').click();
  if (first) {
    // Nobody to see yet.
    await page.locator('[data-testid="visio-meeting"][data-phase="joined"]').waitFor({ timeout: 60_000 });
    return { page, joinToFrameMs: Date.now() - start };
  }
  // First remote video frame: any remote tile's video has decoded one.
  await page.waitForFunction(
    () =>
      [...document.querySelectorAll<HTMLVideoElement>('[data-testid="visio-tile"][data-mine="false"] video')].some(
        (v) => v.getVideoPlaybackQuality().totalVideoFrames > 0,
      ),
    undefined,
    { timeout: 60_000, polling: 20 },
  );
  return { page, joinToFrameMs: Date.now() - start };
}

/** A guest in a plain browser page: the meeting link, a name, « Demander à entrer » (no salle d'attente here). */
async function joinAsGuest(browser: Browser, link: string): Promise<{ page: Page; joinToFrameMs: number }> {
  const context = await browser.newContext({ permissions: ['camera', 'microphone'], viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(link);
  await page.getByTestId('visio-name-input').fill('Invitée du banc');
  await page.waitForFunction(() => {
    const v = document.querySelector<HTMLVideoElement>('[data-testid="visio-preview"]');
    return !!v && v.getVideoPlaybackQuality().totalVideoFrames > 0;
  });
  const start = Date.now();
  await page.getByTestId('visio-rejoindre').click();
  await page.waitForFunction(
    () =>
      [...document.querySelectorAll<HTMLVideoElement>('[data-testid="visio-tile"][data-mine="false"] video')].some(
        (v) => v.getVideoPlaybackQuality().totalVideoFrames > 0,
      ),
    undefined,
    { timeout: 60_000, polling: 20 },
  );
  return { page, joinToFrameMs: Date.now() - start };
}

export async function benchVisio(args: string[]): Promise<void> {
  const option = (name: string, fallback: string) => {
    const at = args.indexOf(`--${name}`);
    return at >= 0 && args[at + 1] ? args[at + 1]! : fallback;
  };
  const counts = option('participants', '2,4')
    .split(',')
    .map(Number)
    .filter((n) => Number.isInteger(n) && n >= 2);
  const steadySeconds = Number(option('seconds', '15'));
  const withGuest = option('guest', '1') !== '0';

  const servers = await startServers({ seed: 'none' });
  process.env.OSTAL_TEST_SERVERS = path.join(servers.dir, 'servers.json');
  const visio = await spawnVisioServer({ requireToken: false, waitingRoom: false, logLevel: 'warn' });
  const profileDir = tempProfile();
  addAccountByCli(profileDir, servers.users[4]!);
  const policyFile = path.join(profileDir, 'bench-policy.json');
  fs.writeFileSync(policyFile, JSON.stringify({ settings: { 'visio.serverUrl': { value: visio.url, locked: true } } }));
  const ostal = await startOstal({ profileDir, env: { OSTAL_POLICIES: policyFile } });
  const browser = await chromium.launch({ executablePath: process.env.OSTAL_CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const results: {
    participants: number;
    joinToFirstFrameMs: { median: number; worst: number };
    /** The guest page's own join → first frame (null with --guest 0). */
    guestJoinToFirstFrameMs: number | null;
    serverCpuPercent: number;
    serverRssMb: number;
    cpuPerParticipant: number;
    rssPerParticipantMb: number;
  }[] = [];
  try {
    const idle = sampleTree(visio.child.pid!);
    for (const n of counts) {
      const roomId = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64url');
      const link = `${visio.url}/salle/${roomId}`;
      const pages: Page[] = [];
      const joins: number[] = [];
      let guestJoin: number | null = null;
      for (let i = 0; i < n; i++) {
        const guest = withGuest && i === n - 1;
        const { page, joinToFrameMs } = guest
          ? await joinAsGuest(browser, link)
          : await joinAsParticipant(browser, ostal.url, link, i === 0);
        pages.push(page);
        // The first participant has nobody to see until the second arrives: only count from the second on.
        if (i > 0) joins.push(joinToFrameMs);
        if (guest) guestJoin = joinToFrameMs;
      }
      await new Promise((r) => setTimeout(r, 3000));
      const before = sampleTree(visio.child.pid!);
      const t0 = Date.now();
      await new Promise((r) => setTimeout(r, steadySeconds * 1000));
      const after = sampleTree(visio.child.pid!);
      const seconds = (Date.now() - t0) / 1000;
      const cpu = (100 * (after.cpuTicks - before.cpuTicks)) / TICKS_PER_SECOND / seconds;
      const rssMb = after.rssBytes / 1024 / 1024;
      results.push({
        participants: n,
        joinToFirstFrameMs: { median: percentile(joins, 50), worst: Math.max(...joins) },
        guestJoinToFirstFrameMs: guestJoin,
        serverCpuPercent: Math.round(cpu * 10) / 10,
        serverRssMb: Math.round(rssMb * 10) / 10,
        cpuPerParticipant: Math.round((cpu / n) * 10) / 10,
        rssPerParticipantMb: Math.round(((after.rssBytes - idle.rssBytes) / 1024 / 1024 / n) * 10) / 10,
      });
      for (const page of pages) {
        await page
          .getByTestId('visio-quitter')
          .click()
          .catch(() => undefined);
        await page.context().close();
      }
    }
  } finally {
    await browser.close();
    await ostal.stop();
    await visio.stop();
    await stopServers(servers);
  }
  const header = [
    'Participants',
    'Rejoindre → 1re image (médiane)',
    'Pire',
    'Invité (navigateur)',
    'CPU serveur',
    'Mémoire serveur',
    'CPU par participant',
    'Mémoire par participant',
  ];
  const rows = results.map((r) => [
    String(r.participants),
    `${r.joinToFirstFrameMs.median} ms`,
    `${r.joinToFirstFrameMs.worst} ms`,
    r.guestJoinToFirstFrameMs === null ? '—' : `${r.guestJoinToFirstFrameMs} ms`,
    `${String(r.serverCpuPercent).replace('.', ',')} %`,
    `${String(r.serverRssMb).replace('.', ',')} Mo`,
    `${String(r.cpuPerParticipant).replace('.', ',')} %`,
    `${String(r.rssPerParticipantMb).replace('.', ',')} Mo`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  process.stdout.write(
    '\nVisio : serveur de réunion mediasoup 3.12.16 et vue Visio d’Ostal (Chromium sans interface, caméra et micro factices)\n',
  );
  for (const [i, line] of [header, ...rows].entries()) {
    process.stdout.write(line.map((c, k) => c.padEnd(widths[k]!)).join(' | ') + '\n');
    if (i === 0) process.stdout.write(widths.map((w) => '-'.repeat(w)).join('-|-') + '\n');
  }
  process.stdout.write('CPU en % d’un cœur (processus node du serveur et mediasoup-worker), mesuré sur une fenêtre stable.\n');
  if (withGuest)
    process.stdout.write('Le dernier participant de chaque réunion est un invité, dans la page des invités d’un navigateur.\n');
  writeJson('visio', { steadySeconds, withGuest, results });
}
