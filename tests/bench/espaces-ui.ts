/**
 * The Discussion's half of `npm run bench -- espaces` in the browser (tests/bench/espaces.ts starts it in a process that
 * trusts the run's authority, with OSTAL_TEST_SERVERS set): a room whose archive on the run's Prosody holds `messages`
 * messages, opened in browser mode in Debian's Chromium by a fresh profile of the same agent, then:
 * 1. « archive »: time to the first rendered page, then scrolling back to the first message while the older pages come
 *    from the room's archive (MAM, RSM before; nothing kept on this computer yet);
 * 2. « local »: the page reloaded, the space opened again and scrolled back once more, the whole history now in the
 *    local store (the usual state of an agent who has followed the space).
 * Every animation frame is sampled while scrolling (the method of tests/e2e/courrier-volume.spec.ts, the 100 000-message
 * mail list): frames over 100 ms, their share, p50, p95, the rows in the DOM. One JSON line of results on stdout.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { chromium, type Page } from '@playwright/test';
import { addAccountByCli, ostalEnv, servers, startOstal, tempProfile, type RunningOstal } from '../e2e/ostal.js';
import { fillRoomArchive } from '../e2e/chat-archive.js';

const input = JSON.parse(process.argv[2]!) as { messages: number };
const say = (line: string): boolean => process.stderr.write(`${line}\n`);
const words = ['réunion', 'école', 'budget', 'voirie', 'médiathèque', 'conseil', 'marché', 'crèche', 'piscine', 'élus'];
const text = (i: number): string =>
  i % 5 === 2
    ? `Message ${i} : ${words[i % words.length]} et ${words[(i * 3 + 1) % words.length]}, le point de la semaine ${i % 52} avec les remarques de chacun, les dates à retenir et ce qui reste à faire avant le prochain conseil.`
    : `Message ${i} : ${words[i % words.length]}`;

async function startSampling(page: Page): Promise<void> {
  // A script in a string: tsx would name the callback with a helper the page does not have.
  await page.evaluate(`(() => {
    window.__frames = [];
    window.__sampling = true;
    const tick = (t) => {
      window.__frames.push({ t, rows: document.querySelectorAll('[data-testid="discussion-message"]').length });
      if (window.__sampling) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })()`);
}

async function stopSampling(
  page: Page,
): Promise<{ frames: number; longFrames: number; share: number; p50: number; p95: number; max: number; maxRows: number }> {
  const frames = await page.evaluate(() => {
    const w = window as unknown as { __frames: { t: number; rows: number }[]; __sampling: boolean };
    w.__sampling = false;
    return w.__frames;
  });
  const gaps = frames.slice(1).map((f, i) => f.t - frames[i]!.t);
  const sorted = [...gaps].sort((a, b) => a - b);
  const longFrames = gaps.filter((g) => g > 100).length;
  return {
    frames: frames.length,
    longFrames,
    share: gaps.length ? longFrames / gaps.length : 0,
    p50: Math.round(sorted[Math.floor(sorted.length * 0.5)] ?? 0),
    p95: Math.round(sorted[Math.floor(sorted.length * 0.95)] ?? 0),
    max: Math.round(sorted.at(-1) ?? 0),
    maxRows: Math.max(0, ...frames.map((f) => f.rows)),
  };
}

/** Opens the space (time to its newest message rendered), then wheels back to the first message. */
async function openAndScroll(page: Page, name: string, newest: string, oldest: string) {
  await page.getByRole('button', { name: 'Espaces' }).click();
  const item = page.getByRole('button', { name: new RegExp(name) });
  await item.waitFor({ timeout: 60_000 });
  const t0 = performance.now();
  await item.click();
  await page.getByTestId('discussion').getByText(newest, { exact: true }).waitFor({ timeout: 60_000 });
  const firstPageMs = performance.now() - t0;
  const scroller = page.getByTestId('discussion-scroller');
  const box = (await scroller.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await startSampling(page);
  const t1 = performance.now();
  for (;;) {
    await page.mouse.wheel(0, -1500);
    const [complete, top] = await scroller.evaluate((el) => [el.dataset.complete === 'true', el.scrollTop] as const);
    if (complete && top === 0) break;
    if (performance.now() - t1 > 600_000) throw new Error('défilement jusqu’au premier message : plus de 10 minutes');
  }
  await page.getByTestId('discussion').getByText(oldest, { exact: true }).waitFor();
  const scrollMs = performance.now() - t1;
  const frames = await stopSampling(page);
  const count = Number(await scroller.getAttribute('data-count'));
  return { firstPageMs, scrollMs, count, ...frames };
}

const s = servers();
const a1 = s.users[0]!;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-bench-espaces-ui-'));
const policy = path.join(work, 'policies.json');
fs.writeFileSync(policy, JSON.stringify({ settings: { 'workspaces.webdavRoot': { value: s.sharedWebdavRoot } } }));
const env = { OSTAL_POLICIES: policy };
let ostal: RunningOstal | undefined;
const profiles: string[] = [];
const browser = await chromium.launch({
  executablePath: process.env.OSTAL_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
try {
  const name = `Historique banc ${randomUUID().slice(0, 6)}`;
  const p0 = tempProfile();
  profiles.push(p0);
  addAccountByCli(p0, a1, env);
  const created = spawnSync(
    process.execPath,
    ['bin/ostal.cjs', 'workspace', 'create', '--name', name, '--members', '', '--json', '--profile', p0],
    {
      env: ostalEnv(s, env),
      encoding: 'utf8',
    },
  );
  if (created.status !== 0) throw new Error(`workspace create : ${created.stderr}`);
  const room = (JSON.parse(created.stdout) as { id: string }).id;
  say(`Archive du salon : ${input.messages} messages…`);
  const f0 = performance.now();
  await fillRoomArchive({ prosodyPort: s.prosody.port, email: a1.email, password: a1.password, room, count: input.messages, text });
  const fillMs = performance.now() - f0;

  const p1 = tempProfile();
  profiles.push(p1);
  addAccountByCli(p1, a1, env);
  ostal = await startOstal({ profileDir: p1, env });
  const context = await browser.newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris', viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(ostal.url);
  const newest = text(input.messages - 1);
  const oldest = text(0);
  say('Ouverture et défilement, pages lues dans l’archive du salon…');
  const archive = await openAndScroll(page, name, newest, oldest);
  say('Ouverture et défilement, historique sur cet ordinateur…');
  await page.reload();
  const local = await openAndScroll(page, name, newest, oldest);
  process.stdout.write(`${JSON.stringify({ fillMs, archive, local, loadAverage: os.loadavg()[0] })}\n`);
} finally {
  await browser.close();
  await ostal?.stop();
  for (const dir of [work, ...profiles]) fs.rmSync(dir, { recursive: true, force: true });
}
