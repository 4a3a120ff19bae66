import { describe, expect, it } from 'vitest';
import { createPageDesktopShell, DESKTOP_HELLO } from '../../src/host/page-desktop-shell.js';

/** Browser mode's desktop channel, played by a page (src/host/page-desktop-shell.ts): the wire, without a browser. */
function fakePage(shell: ReturnType<typeof createPageDesktopShell>, answer: (op: string, value: string) => string) {
  const seen: { op: string; value: string }[] = [];
  const page = {
    send(raw: string) {
      const { id, op, value } = (JSON.parse(raw) as { desktop: { id: number; op: string; value: string } }).desktop;
      seen.push({ op, value });
      queueMicrotask(() => shell.receive(page, JSON.stringify({ desktop: { id, value: answer(op, value) } })));
    },
  };
  return { page, seen };
}

describe('page desktop shell', () => {
  it('is unavailable until a page says hello, and only desktop messages are taken from the API socket', async () => {
    const shell = createPageDesktopShell({ timeoutMs: 500 });
    expect(shell.available?.()).toBe(false);
    const { page, seen } = fakePage(shell, () => '');
    expect(shell.receive(page, JSON.stringify({ id: 1, method: 'app.info', params: {} }))).toBe(false);
    expect(shell.receive(page, DESKTOP_HELLO)).toBe(true);
    expect(shell.available?.()).toBe(true);
    expect(await shell.openPath('/home/agent/Ostal/CR.pdf')).toBe('');
    expect(await shell.showItemInFolder('/home/agent/Ostal/setup.exe')).toBe('');
    expect(seen).toEqual([
      { op: 'openPath', value: '/home/agent/Ostal/CR.pdf' },
      { op: 'showItemInFolder', value: '/home/agent/Ostal/setup.exe' },
    ]);
    shell.detach(page);
    expect(shell.available?.()).toBe(false);
  });

  it('never hands the page a program, a script, a shortcut or a relative path to open', async () => {
    const shell = createPageDesktopShell({ timeoutMs: 500 });
    const { page, seen } = fakePage(shell, () => '');
    shell.receive(page, DESKTOP_HELLO);
    for (const p of ['/srv/a.pdf.lnk', '/srv/x.js', '/srv/facture\u202Efdp.js', '/srv/setup.exe', '/srv/script.sh', 'relatif/CR.pdf'])
      expect(await shell.openPath(p)).toMatch(/refused/);
    expect(seen).toEqual([]);
  });
});
