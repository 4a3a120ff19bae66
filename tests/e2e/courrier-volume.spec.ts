/**
 * The virtualised message list at 100 000 messages: a test profile whose Boîte de réception holds
 * 100 000 messages (written straight into its SQLite through the mail repository, in one
 * transaction; the account's servers are unreachable so no sync touches them), opened in
 * Chromium; once the folder's list is cached (in the background, in chunks), scrolled top to bottom
 * with the keyboard and the wheel while every animation frame is sampled: rows in the DOM, rows still
 * loading in view, frame durations — no blank frame allowed. A Chromium performance
 * trace (test-results/courrier-volume/) and the Playwright trace (test-results/e2e/) are kept.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { openDatabase } from '../../src/store/database.js';
import { MailRepository, type MessageHeaders } from '../../src/mail/repository.js';
import { SHOTS_DIR, startOstal, tempProfile, type RunningOstal } from './ostal.js';

const COUNT = 100_000;
const UNREAD_EVERY = 10;
const TRACE_DIR = path.join(process.cwd(), 'test-results', 'courrier-volume');

// The Playwright trace of the run is kept too (test-results/e2e/<this test>/trace.zip).
test.use({ trace: { mode: 'on', screenshots: false, snapshots: true } });

let ostal: RunningOstal | undefined;
test.afterEach(async () => {
  await ostal?.stop();
  ostal = undefined;
});

const senders = ['Élodie Durand', 'Joël Lefèvre', 'Anaïs Garnier', 'François Bézier', 'Zoé Martin'];
const topics = ['Réunion de service', 'Compte rendu du conseil', 'Marché public n°', 'Congés d’été', 'Dossier de subvention'];

function headers(uid: number): MessageHeaders {
  const date = new Date(Date.UTC(2015, 0, 1) + uid * 45 * 60_000).toISOString();
  const who = senders[uid % senders.length];
  return {
    uid,
    modseq: null,
    messageId: `<volume-${uid}@ostal.test>`,
    subject: `${topics[uid % topics.length]} ${uid}`,
    from: { name: who, address: `agent.${uid % senders.length}@ostal.test` },
    to: [{ name: 'Agent de test', address: 'volume@ostal.test' }],
    cc: [],
    date,
    internalDate: date,
    flags: uid % UNREAD_EVERY === 0 ? [] : uid % 17 === 0 ? ['\\Flagged', '\\Seen'] : ['\\Seen'],
    size: 4000 + (uid % 900),
    hasAttachments: uid % 11 === 0,
    inReplyTo: null,
    references: [],
  };
}

/** A profile with one account (servers unreachable: 127.0.0.1:1) whose Boîte de réception holds COUNT messages. */
function volumeProfile(): string {
  const dir = tempProfile();
  const db = openDatabase(path.join(dir, 'ostal.sqlite'));
  try {
    const accountId = randomUUID();
    db.prepare('INSERT INTO accounts (id, email, name, settings, created_at) VALUES (?, ?, ?, ?, ?)').run(
      accountId,
      'volume@ostal.test',
      'Agent de test',
      JSON.stringify({ imap: 'imaps://127.0.0.1:1', smtp: 'smtps://127.0.0.1:1' }),
      new Date().toISOString(),
    );
    const repo = new MailRepository(db);
    const folders = repo.replaceFolders(accountId, [
      { path: 'INBOX', name: 'Boîte de réception', specialUse: '\\Inbox', delimiter: '/', subscribed: true },
      { path: 'Trash', name: 'Corbeille', specialUse: '\\Trash', delimiter: '/', subscribed: true },
    ]);
    const inbox = folders.find((f) => f.path === 'INBOX')!;
    const all: MessageHeaders[] = [];
    for (let uid = 1; uid <= COUNT; uid++) all.push(headers(uid));
    repo.upsertMessages(accountId, inbox.id, all);
    repo.setFolderCounts(inbox.id, COUNT, COUNT / UNREAD_EVERY);
  } finally {
    db.close();
  }
  return dir;
}

interface FrameSample {
  t: number;
  rows: number;
  placeholdersInView: number;
  rowsInView: number;
}

/** Samples every animation frame in the page until `stopSampling` is called. */
async function startSampling(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __frames: FrameSample[]; __sampling: boolean };
    w.__frames = [];
    w.__sampling = true;
    const list = document.querySelector<HTMLElement>('[data-testid="message-list"]')!;
    const tick = (t: number) => {
      const top = list.scrollTop;
      const bottom = top + list.clientHeight;
      let rowsInView = 0;
      let placeholdersInView = 0;
      const options = list.querySelectorAll<HTMLElement>('[role="option"]');
      for (const row of Array.from(options)) {
        const y = row.offsetTop;
        if (y + row.offsetHeight <= top || y >= bottom) continue;
        if (row.dataset.testid === 'message-placeholder') placeholdersInView += 1;
        else rowsInView += 1;
      }
      w.__frames.push({ t, rows: options.length, placeholdersInView, rowsInView });
      if (w.__sampling) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

async function stopSampling(page: Page): Promise<FrameSample[]> {
  return page.evaluate(() => {
    const w = window as unknown as { __frames: FrameSample[]; __sampling: boolean };
    w.__sampling = false;
    return w.__frames;
  });
}

function summary(frames: FrameSample[]) {
  const gaps = frames.slice(1).map((f, i) => f.t - frames[i].t);
  const sorted = [...gaps].sort((a, b) => a - b);
  // Runs of consecutive frames where rows still loading are in view: how long the view waits for its rows.
  const waits: number[] = [];
  let since: number | null = null;
  for (const f of frames) {
    if (f.placeholdersInView > 0 && since === null) since = f.t;
    if (f.placeholdersInView === 0 && since !== null) {
      waits.push(f.t - since);
      since = null;
    }
  }
  if (since !== null) waits.push(frames.at(-1)!.t - since);
  return {
    frames: frames.length,
    maxRows: Math.max(...frames.map((f) => f.rows)),
    // A blank frame: the view shows no message at all (only rows still loading, or nothing).
    blankFrames: frames.filter((f) => f.rowsInView === 0).length,
    framesWithLoadingRows: frames.filter((f) => f.placeholdersInView > 0).length,
    longestWaitMs: Math.round(Math.max(0, ...waits)),
    longFrames: gaps.filter((g) => g > 100).length,
    p50: Math.round(sorted[Math.floor(sorted.length * 0.5)] ?? 0),
    p95: Math.round(sorted[Math.floor(sorted.length * 0.95)] ?? 0),
    max: Math.round(sorted.at(-1) ?? 0),
  };
}

test('liste de 100 000 messages : défilement clavier et molette fluide, DOM borné, trace enregistrée', async ({ page, browser }) => {
  test.setTimeout(240_000);
  const started = Date.now();
  const profileDir = volumeProfile();
  const filledIn = Date.now() - started;
  ostal = await startOstal({ profileDir });
  fs.mkdirSync(TRACE_DIR, { recursive: true });

  await page.goto(ostal.url);
  const list = page.getByTestId('message-list');
  await expect(list).toHaveAttribute('data-total', String(COUNT), { timeout: 30_000 });
  await expect(page.getByTestId('message').first()).toContainText(`${COUNT}`);
  // Only the rows in view (and a few around) are in the DOM.
  expect(await list.getByRole('option').count()).toBeLessThan(100);
  await expect(list.getByRole('option').first()).toHaveAttribute('aria-setsize', String(COUNT));
  await page.screenshot({ path: path.join(SHOTS_DIR, 'courrier-liste-100000.png') });
  // Behind the first rows, the rest of the folder's list is cached in the background (chunks of 1 000 rows).
  const opened = Date.now();
  await expect(list).toHaveAttribute('data-cached', String(COUNT), { timeout: 60_000 });
  const cachedInMs = Date.now() - opened;
  const heapMb = await page.evaluate(() =>
    Math.round(((performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0) / 1e6),
  );
  expect(await list.getByRole('option').count()).toBeLessThan(100);

  await browser.startTracing(page, {
    path: path.join(TRACE_DIR, 'chromium-trace.json'),
    categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline.frame'],
  });
  const phases: Record<string, ReturnType<typeof summary>> = {};

  // 1. Keyboard: Bas, Page suivante ×40, Fin, Haut, Début.
  await startSampling(page);
  await list.focus();
  const active = async () => list.getAttribute('aria-activedescendant');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  expect(await active()).toMatch(/-row-2$/);
  for (let i = 0; i < 40; i++) await page.keyboard.press('PageDown');
  const afterPages = Number((await active())!.replace(/.*-row-/, ''));
  expect(afterPages).toBeGreaterThan(200);
  await page.keyboard.press('End');
  expect(await active()).toMatch(new RegExp(`-row-${COUNT - 1}$`));
  const lastRow = list.locator(`[id$="-row-${COUNT - 1}"]`);
  await expect(lastRow).toHaveAttribute('aria-posinset', String(COUNT));
  await expect(lastRow).toHaveAttribute('data-uid', '1');
  await expect(lastRow).toHaveAttribute('data-selected', 'true');
  await page.keyboard.press('ArrowUp');
  expect(await active()).toMatch(new RegExp(`-row-${COUNT - 2}$`));
  await page.keyboard.press('Home');
  await expect(list.locator('[id$="-row-0"]')).toHaveAttribute('data-uid', String(COUNT));
  phases.clavier = summary(await stopSampling(page));

  // 2. Wheel as a hand turns it fast (500 px a notch, 200 notches): rows are always there.
  const box = (await list.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await startSampling(page);
  for (let i = 0; i < 200; i++) await page.mouse.wheel(0, 500);
  await expect.poll(() => list.evaluate((el) => el.scrollTop)).toBeGreaterThan(50_000);
  phases.molette = summary(await stopSampling(page));

  // 3. Top to bottom in 150 big turns (like dragging the scroll bar), then back up a little.
  await startSampling(page);
  const height = await list.evaluate((el) => el.scrollHeight);
  const step = Math.ceil(height / 150);
  for (let i = 0; i < 160; i++) await page.mouse.wheel(0, step);
  await expect
    .poll(() =>
      list.evaluate(
        (el) => `${el.scrollHeight - Math.ceil(el.scrollTop + el.clientHeight) <= 2} ${el.scrollTop} ${el.clientHeight} ${el.scrollHeight}`,
      ),
    )
    .toMatch(/^true /);
  await expect(list.locator('[data-testid="message"][data-uid="1"]')).toBeVisible();
  for (let i = 0; i < 100; i++) await page.mouse.wheel(0, -400);
  phases.hautEnBas = summary(await stopSampling(page));

  await browser.stopTracing();
  const load = (await import('node:os')).loadavg()[0];
  fs.writeFileSync(
    path.join(TRACE_DIR, 'frames.json'),
    JSON.stringify({ count: COUNT, filledInMs: filledIn, cachedInMs, heapMb, loadAverage: load, phases }, null, 2),
  );
  console.log(
    `100 000 messages (charge ${load.toFixed(1)}, liste en mémoire en ${cachedInMs} ms, tas JS ${heapMb} Mo): ${JSON.stringify(phases)}`,
  );

  for (const [name, result] of Object.entries(phases)) {
    expect(result.frames, name).toBeGreaterThan(20);
    expect(result.maxRows, name).toBeLessThan(100);
  }
  // Once the list is in memory, no frame shows a row still loading, let alone a blank view: not with the
  // keyboard (Fin), not with the wheel, not when the view jumps 28 000 px at a time like a dragged scroll bar.
  for (const [name, result] of Object.entries(phases)) {
    expect(result.blankFrames, name).toBe(0);
    expect(result.framesWithLoadingRows, name).toBe(0);
  }
  // The whole list of 100 000 messages stays a modest share of memory.
  expect(heapMb).toBeLessThan(250);
  // Frames over 100 ms stay rare, even on a loaded machine (the load average is written beside the figures).
  for (const [name, result] of Object.entries(phases)) expect(result.longFrames / result.frames, name).toBeLessThan(0.15);
  expect(fs.statSync(path.join(TRACE_DIR, 'chromium-trace.json')).size).toBeGreaterThan(1000);
  await page.screenshot({ path: path.join(SHOTS_DIR, 'courrier-liste-100000-fin.png') });
});
