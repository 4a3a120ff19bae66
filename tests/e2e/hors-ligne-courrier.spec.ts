import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { ImapFlow } from 'imapflow';
import { startServer, stopServer } from '../servers/index.js';
import { SHOTS_DIR, addAccountByCli, servers, startOstal, tempProfile, type RunningOstal, expectConnectionState } from './ostal.js';

let ostal: RunningOstal | undefined;
test.afterEach(async () => {
  await ostal?.stop();
  ostal = undefined;
});

const stamp = `e2e${Date.now()}`;

async function imap(): Promise<ImapFlow> {
  const s = servers();
  const user = s.users[3];
  const client = new ImapFlow({
    host: 'localhost',
    port: s.imap.tlsPort,
    secure: true,
    auth: { user: user.username, pass: user.password },
    tls: { ca: fs.readFileSync(s.caCertPath, 'utf8') },
    logger: false,
  });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

function raw(subject: string, id: string): string {
  const s = servers();
  return [
    `From: Élodie Durand <elodie@ostal.test>`,
    `To: ${s.users[3].email}`,
    `Subject: =?UTF-8?B?${Buffer.from(subject).toString('base64')}?=`,
    `Message-ID: ${id}`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Texte de ${subject}.`,
    '',
  ].join('\r\n');
}

/** Whether the server has the message read (\\Seen), in the Boîte de réception. */
async function serverSeen(id: string): Promise<boolean | null> {
  const client = await imap();
  try {
    const lock = await client.getMailboxLock('INBOX', { readOnly: true });
    try {
      const uids = await client.search({ header: { 'message-id': id } }, { uid: true });
      if (!Array.isArray(uids) || !uids.length) return null;
      const [msg] = await client.fetchAll(uids.join(','), { uid: true, flags: true }, { uid: true });
      return msg?.flags?.has('\\Seen') ?? null;
    } finally {
      lock.release();
    }
  } finally {
    await client.logout().catch(() => undefined);
  }
}

/** Where each message is on the server and its flags (independent connection). */
async function serverState(ids: string[]): Promise<Record<string, string[]>> {
  const client = await imap();
  const out: Record<string, string[]> = {};
  try {
    for (const folder of ['INBOX', 'Archive', 'Trash']) {
      const lock = await client.getMailboxLock(folder, { readOnly: true });
      try {
        for (const id of ids) {
          const uids = await client.search({ header: { 'message-id': id } }, { uid: true });
          if (!Array.isArray(uids) || !uids.length) continue;
          for (const msg of await client.fetchAll(uids.join(','), { uid: true, flags: true }, { uid: true })) {
            if (msg.flags?.has('\\Deleted')) continue;
            out[id] = [...(out[id] ?? []), `${folder}${msg.flags?.has('\\Flagged') ? ' suivi' : ''}`];
          }
        }
      } finally {
        lock.release();
      }
    }
  } finally {
    await client.logout().catch(() => undefined);
  }
  return out;
}

test('courrier hors ligne : déplacer, suivre et supprimer s’affichent aussitôt ; au retour du serveur, son état correspond', async ({
  page,
}) => {
  const s = servers();
  const ids = {
    suivi: `<suivi-${stamp}@ostal.test>`,
    archive: `<archive-${stamp}@ostal.test>`,
    corbeille: `<corbeille-${stamp}@ostal.test>`,
  };
  const subjects = { suivi: `Réunion de service ${stamp}`, archive: `Compte rendu ${stamp}`, corbeille: `Publicité ${stamp}` };
  const client = await imap();
  try {
    for (const key of ['suivi', 'archive', 'corbeille'] as const) await client.append('INBOX', raw(subjects[key], ids[key]), ['\\Seen']);
  } finally {
    await client.logout().catch(() => undefined);
  }
  const profileDir = tempProfile();
  addAccountByCli(profileDir, s.users[3]);
  ostal = await startOstal({ profileDir });
  await page.goto(ostal.url);

  const row = (key: keyof typeof subjects) => page.getByTestId('message').filter({ hasText: subjects[key] });
  await expect(row('suivi')).toBeVisible({ timeout: 30_000 });
  const state = page.getByTestId('connection-state');
  // Connected (the first background download of every folder may still run: its end is not what this test is about).
  await expectConnectionState(page, profileDir, /^(online|syncing)$/);
  await expect(page.getByTestId('mail-toolbar')).toBeVisible();

  // Search as you type, accents ignored.
  await page.getByTestId('mail-search').fill('reunion');
  const results = page.getByTestId('search-results');
  await expect(results.getByTestId('message').filter({ hasText: subjects.suivi })).toBeVisible();
  // Results come from every folder: each row says which one.
  await expect(results.getByTestId('message').filter({ hasText: subjects.suivi }).getByTestId('message-folder')).toHaveText(
    'Dossier\u00a0: Boîte de réception',
  );
  await page.screenshot({ path: path.join(SHOTS_DIR, 'courrier-recherche.png') });
  // A result opened from the search can be answered from the reading pane, as one opened from its folder.
  await results.getByTestId('message').filter({ hasText: subjects.suivi }).click();
  const reader = page.getByTestId('reader');
  await expect(reader.getByTestId('reader-subject')).toContainText(subjects.suivi);
  await reader.getByTestId('reply').click();
  await expect(page.getByTestId('compose').getByLabel('Objet')).toHaveValue(new RegExp(`^Re\\s?: ${subjects.suivi}$`));
  await page.getByTestId('compose').getByRole('button', { name: 'Annuler' }).click();
  await expect(page.getByTestId('compose')).toBeHidden();
  await page.getByTestId('mail-search').fill('');
  await expect(results).toBeHidden();
  // A smaller window (1 024 × 700): the message stays beside the list, on the right, and keeps most of the height
  // (stacked under the folders and the list, it was a strip of about a hundred pixels).
  await expect(reader.getByTestId('reader-subject')).toContainText(subjects.suivi);
  const viewport = page.viewportSize()!;
  await page.setViewportSize({ width: 1024, height: 700 });
  await expect
    .poll(async () => {
      const r = (await reader.boundingBox())!;
      const l = (await page.locator('.mail-panes > .message-pane').boundingBox())!;
      return { beside: r.x >= l.x + l.width, tall: r.height >= 300 };
    })
    .toEqual({ beside: true, tall: true });
  // « Déplacer vers… » stays on the line of the other actions (it wrapped to a line of its own).
  const lineOf = async (id: string) => Math.round((await page.getByTestId(id).boundingBox())!.y);
  expect(await lineOf('action-move')).toBeLessThanOrEqual((await lineOf('action-junk')) + 4);
  await page.screenshot({ path: path.join(SHOTS_DIR, 'courrier-1024.png') });
  await page.setViewportSize(viewport);

  await stopServer(s, 'imap');
  try {
    await expect(state).toHaveAttribute('data-state', 'offline', { timeout: 20_000 });

    // Suivre: shows at once.
    await row('suivi').click();
    await page.getByTestId('action-flag').click();
    await expect(row('suivi')).toHaveAttribute('data-flagged', 'true');
    await page.screenshot({ path: path.join(SHOTS_DIR, 'courrier-barre-actions.png') });

    // Déplacer vers… Archives: leaves the list at once, « Annuler » offered.
    await row('archive').click();
    await page.getByTestId('action-move').selectOption({ label: 'Archives' });
    await expect(row('archive')).toHaveCount(0);
    const toast = page.getByTestId('mail-toast');
    await expect(toast).toContainText('Message déplacé vers «\u00a0Archives\u00a0».');
    await expect(toast.getByTestId('toast-undo')).toBeVisible();
    await page.screenshot({ path: path.join(SHOTS_DIR, 'courrier-annuler.png') });

    // Suppr: to the Corbeille at once.
    await row('corbeille').click();
    await page.keyboard.press('Delete');
    await expect(row('corbeille')).toHaveCount(0);
    await expect(toast).toContainText('Message mis à la corbeille.');
    await page.getByTestId('folder').filter({ hasText: 'Corbeille' }).click();
    await expect(row('corbeille')).toBeVisible();
    await page.getByTestId('folder').filter({ hasText: 'Archives' }).click();
    await expect(row('archive')).toBeVisible();
  } finally {
    await startServer(s, 'imap');
  }

  // Back online (or already syncing again); the server's state below is the real check.
  await expectConnectionState(page, profileDir, /^(online|syncing)$/);
  await expect
    .poll(async () => serverState(Object.values(ids)), { timeout: 30_000 })
    .toEqual({ [ids.suivi]: ['INBOX suivi'], [ids.archive]: ['Archive'], [ids.corbeille]: ['Trash'] });
  // The lists converge on the server's UIDs without duplicates.
  await page.getByTestId('folder').filter({ hasText: 'Archives' }).click();
  await expect(row('archive')).toHaveCount(1);
  await expect.poll(async () => Number(await row('archive').getAttribute('data-uid')), { timeout: 20_000 }).toBeGreaterThan(0);

  // The right-click menu of a row: the toolbar's actions (and the reader's replies for one message), in French.
  await page.getByTestId('folder').filter({ hasText: 'Boîte de réception' }).click();
  await expect(row('suivi')).toBeVisible();
  // Opened (the reader shows it), then left out of the selection with Ctrl: the right click selects it again.
  await row('suivi').click();
  await expect(page.getByTestId('reader').getByTestId('reader-subject')).toContainText(subjects.suivi);
  await row('suivi').click({ modifiers: ['Control'] });
  await expect(row('suivi')).not.toHaveAttribute('data-selected', 'true');
  await expect(row('suivi')).not.toHaveAttribute('data-unread', 'true');
  await row('suivi').click({ button: 'right' });
  const menu = page.getByTestId('message-menu');
  await expect(menu).toBeVisible();
  await expect(menu).toHaveAttribute('role', 'menu');
  await expect(menu.getByRole('menuitem')).toHaveText([
    'Répondre',
    'Répondre à tous',
    'Transférer',
    'Marquer comme non lu',
    'Ne plus suivre',
    'Archiver',
    'Supprimer',
    'Indésirable',
  ]);
  // The right-clicked row is the selection now; the focus is on the first item.
  await expect(row('suivi')).toHaveAttribute('data-selected', 'true');
  await expect(menu.getByRole('menuitem', { name: 'Répondre', exact: true })).toBeFocused();
  // Inside the window, near the pointer.
  const box = (await menu.boundingBox())!;
  const size = page.viewportSize()!;
  expect(box.x + box.width).toBeLessThanOrEqual(size.width);
  expect(box.y + box.height).toBeLessThanOrEqual(size.height);
  await page.screenshot({ path: path.join(SHOTS_DIR, 'courrier-menu-contextuel.png') });
  await menu.getByRole('menuitem', { name: 'Marquer comme non lu' }).click();
  await expect(menu).toBeHidden();
  await expect(row('suivi')).toHaveAttribute('data-unread', 'true');
  await expect(page.getByTestId('mail-toast')).toContainText('Message marqué comme non lu.');
  await expect.poll(() => serverSeen(ids.suivi), { timeout: 30_000 }).toBe(false);

  // The keyboard: Maj+F10 on the list's active row, Bas, Entrée.
  const list = page.getByTestId('message-list');
  await list.focus();
  const activeRow = await list.getAttribute('aria-activedescendant');
  expect(activeRow).toBe(await row('suivi').getAttribute('id'));
  await page.keyboard.press('Shift+F10');
  await expect(menu).toBeVisible();
  await expect(menu.getByRole('menuitem', { name: 'Répondre', exact: true })).toBeFocused();
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown');
  await expect(menu.getByRole('menuitem', { name: 'Marquer comme lu' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(menu).toBeHidden();
  await expect(row('suivi')).not.toHaveAttribute('data-unread', 'true');
  await expect(list).toBeFocused();
  // On the server too, at once: the replay of « non lu » may still be running; « lu » is sent right after it (it
  // waited for the next minute when it joined that run).
  await expect.poll(() => serverSeen(ids.suivi), { timeout: 20_000 }).toBe(true);
  // Échap closes it and gives the focus back to the list, on the same row; a click elsewhere closes it too.
  await page.keyboard.press('Shift+F10');
  await expect(menu).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(menu).toBeHidden();
  await expect(list).toBeFocused();
  await expect(list).toHaveAttribute('aria-activedescendant', activeRow!);
  await row('suivi').click({ button: 'right' });
  await expect(menu).toBeVisible();
  await page.getByTestId('mail-toolbar').click({ position: { x: 2, y: 2 } });
  await expect(menu).toBeHidden();
  // Elsewhere (the message's text), the browser's own menu is left alone (copy).
  const prevented = await page
    .getByTestId('reader')
    .evaluate((el) => !el.dispatchEvent(new MouseEvent('contextmenu', { bubbles: true, cancelable: true })));
  expect(prevented).toBe(false);
  const rowPrevented = await row('suivi').evaluate(
    (el) => !el.dispatchEvent(new MouseEvent('contextmenu', { bubbles: true, cancelable: true, button: 2 })),
  );
  expect(rowPrevented).toBe(true);
  await expect(menu).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(menu).toBeHidden();

  // « Aide › Raccourcis clavier »: F1 opens « Aide ».
  await page.keyboard.press('F1');
  await page.getByTestId('aide-raccourcis').click();
  const dialog = page.getByTestId('shortcuts-dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('Ctrl+Maj+R');
  await page.screenshot({ path: path.join(SHOTS_DIR, 'courrier-raccourcis.png') });
  await dialog.getByRole('button', { name: 'Fermer' }).click();
  await expect(dialog).toBeHidden();
});
