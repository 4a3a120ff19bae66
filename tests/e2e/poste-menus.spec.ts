/**
 * The desktop menus of issue 18, drawn from the very templates main/ gives Electron (src/host/tray.ts,
 * src/host/spell-menu.ts) in a test page: the Electron binary cannot run here. French only, checked and photographed.
 */
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { spellContextMenuTemplate } from '../../src/host/spell-menu.js';
import { trayMenuTemplate, trayTooltip } from '../../src/host/tray.js';
import { SHOTS_DIR } from './ostal.js';

const escape = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);

/** A native-looking menu: one row per item, separators as lines, disabled items greyed. */
async function drawMenu(page: Page, rows: { label?: string; enabled?: boolean; separator?: boolean; bold?: boolean }[], caption: string) {
  const body = rows
    .map((r) =>
      r.separator
        ? '<li class="sep" role="separator"></li>'
        : `<li role="menuitem" aria-disabled="${r.enabled === false}" class="${r.enabled === false ? 'off' : ''}${r.bold ? ' bold' : ''}">${escape(r.label ?? '')}</li>`,
    )
    .join('');
  await page.setContent(`<!doctype html><html lang="fr"><head><meta charset="utf-8"><style>
    body { font: 14px system-ui, sans-serif; background: #dfe3e8; margin: 0; padding: 24px; }
    figure { margin: 0; display: inline-block; }
    figcaption { color: #333; margin-bottom: 8px; }
    ul { list-style: none; margin: 0; padding: 4px 0; background: #fff; border: 1px solid #b8bec6; border-radius: 6px;
         box-shadow: 0 4px 16px rgba(0,0,0,.18); min-width: 260px; }
    li { padding: 6px 24px; } li.off { color: #8a8f96; } li.bold { font-weight: 600; }
    li.sep { padding: 0; margin: 4px 0; border-top: 1px solid #e1e4e8; }
  </style></head><body><figure data-testid="menu"><figcaption>${escape(caption)}</figcaption><ul role="menu">${body}</ul></figure></body></html>`);
}

test('menu de la zone de notification, en français', async ({ page }) => {
  const template = trayMenuTemplate({ unread: 3 });
  await drawMenu(
    page,
    template.map((i) => (i.type === 'separator' ? { separator: true } : { label: i.label, enabled: i.enabled })),
    trayTooltip(3),
  );
  const menu = page.getByTestId('menu');
  await expect(menu.getByRole('menuitem')).toHaveText(['3 messages non lus', 'Nouveau message', 'Ouvrir Ostal', 'Quitter']);
  await expect(menu).toContainText('Ostal – 3 messages non lus');
  await menu.screenshot({ path: path.join(SHOTS_DIR, 'poste-menu-zone-notification.png') });
});

test('menu de la correction orthographique, en français', async ({ page }) => {
  const template = spellContextMenuTemplate({
    misspelledWord: 'délibérationn',
    dictionarySuggestions: ['délibération', 'délibérations', 'libération'],
    isEditable: true,
    editFlags: { canCut: true, canCopy: true, canPaste: true, canSelectAll: true },
  });
  await drawMenu(
    page,
    template.map((i) =>
      i.type === 'separator'
        ? { separator: true }
        : i.type === 'info'
          ? { label: i.label, enabled: false }
          : i.type === 'suggestion'
            ? { label: i.label, bold: true }
            : { label: i.label, enabled: i.type === 'role' ? i.enabled : true },
    ),
    'Clic droit sur « délibérationn » dans un message',
  );
  await expect(page.getByTestId('menu').getByRole('menuitem')).toHaveText([
    'délibération',
    'délibérations',
    'libération',
    'Ajouter «\u00a0délibérationn\u00a0» au dictionnaire',
    'Couper',
    'Copier',
    'Coller',
    'Tout sélectionner',
  ]);
  await page.getByTestId('menu').screenshot({ path: path.join(SHOTS_DIR, 'poste-menu-orthographe.png') });
});
