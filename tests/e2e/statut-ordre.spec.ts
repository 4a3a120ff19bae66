/**
 * The status area shows the core's latest status, whatever the order in which the page handles what it receives
 * (renderer/src/components/StatusArea.tsx). Seen in a CI run: the answer to `status.get` and a newer `status.changed`
 * came back to back; the answer, applied after a render, overwrote the event, and « Synchronisation en cours… » stayed
 * on screen after the sync had ended. Here the page's API socket is routed through Playwright (`routeApiAnswers`): once
 * the first sync is over, the page is reloaded and the core's answer to `status.get` (« En ligne ») is followed at once by a
 * newer `status.changed` (the same status, « Hors ligne »), both reaching the page while it is busy. Expected: the status
 * area shows the newer one, and keeps it. On the earlier StatusArea, it showed « En ligne ».
 */
import { expect, test } from '@playwright/test';
import type { AppStatus } from '../../src/shared/contract.js';
import { routeApiAnswers } from './api-route.js';
import { addAccountByCli, expectConnectionState, servers, startOstal, tempProfile, type RunningOstal } from './ostal.js';

let ostal: RunningOstal | undefined;
test.afterEach(async () => {
  await ostal?.stop();
  ostal = undefined;
});

test('statut : une réponse de status.get suivie aussitôt d’un état plus récent laisse l’état le plus récent à l’écran', async ({
  page,
}) => {
  const profileDir = tempProfile();
  addAccountByCli(profileDir, servers().users[4]!, {}, 'mail');
  ostal = await startOstal({ profileDir });

  // The page's API socket through Playwright: the core's answer to status.get is held once `hold` is set (after the
  // reload); every status.changed passed to the page is noted (the last one is what the page must show).
  let hold = false;
  let held: { reply: string; send: (message: string) => void } | null = null;
  let lastEventAt = 0;
  let lastState: string | null = null;
  await routeApiAnswers(
    page,
    'status.get',
    (reply, send) => {
      if (hold && !held) held = { reply, send };
      else send(reply);
    },
    (message) => {
      const frame = JSON.parse(message) as { event?: unknown; data?: AppStatus };
      if (frame.event !== 'status.changed') return;
      lastEventAt = Date.now();
      lastState = frame.data?.state ?? null;
    },
  );

  await page.goto(ostal.url);
  await expectConnectionState(page, profileDir, 'online');
  // The syncs of the start (the first, and the one the watch of the Boîte de réception asks for) are over: 3 s quiet.
  await expect.poll(() => Date.now() - lastEventAt, { timeout: 60_000 }).toBeGreaterThan(3000);
  hold = true;
  await page.reload();
  await expect.poll(() => held !== null, { timeout: 15_000 }).toBe(true);
  const { reply, send } = held!;
  const { result } = JSON.parse(reply) as { result: AppStatus };
  expect(result.state).toBe('online');
  // The page is kept busy a moment, and both messages reach it meanwhile: it then handles them one after the other,
  // before anything it scheduled in between (a render) — as a busy agent's window did.
  await page.evaluate(() => {
    setTimeout(() => {
      const end = performance.now() + 800;
      while (performance.now() < end);
    }, 100);
  });
  await page.waitForTimeout(300);
  send(reply);
  lastState = 'offline';
  send(JSON.stringify({ event: 'status.changed', data: { ...result, state: 'offline', progress: null } }));

  const indicator = page.getByTestId('connection-state');
  // (Until its status comes, a page shows « Hors ligne » too: wait until the busy moment is over, and longer.)
  await page.waitForTimeout(1500);
  // The latest status the page received: the injected one, unless the core has sent a newer one since.
  await expect(indicator).toHaveAttribute('data-state', lastState);
  if (lastState === 'offline') await expect(indicator).toContainText('Hors ligne');
});
