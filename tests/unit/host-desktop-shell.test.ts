import path from 'node:path';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { createDesktopShellClient, serveDesktopShell } from '../../src/host/desktop-shell.js';
import type { PortEndpoint } from '../../src/host/sealed-secrets.js';

/**
 * « Ouvrir » with the system application in Electron: the core (utility process) asks the main process over a real
 * Node MessagePort like Electron's; Electron's shell.openPath cannot run here, a recorder stands in for it.
 */
const endpoint = (port: MessagePort): PortEndpoint => ({
  postMessage: (m) => port.postMessage(m),
  onMessage: (fn) => port.on('message', fn),
});

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function pair(answer: (p: string) => Promise<string>) {
  const channel = new MessageChannel();
  cleanups.push(() => {
    channel.port1.close();
    channel.port2.close();
  });
  const opened: string[] = [];
  serveDesktopShell(endpoint(channel.port2), { openPath: (p) => (opened.push(p), answer(p)) }, path.posix.isAbsolute);
  return { client: createDesktopShellClient(endpoint(channel.port1), { timeoutMs: 500 }), opened };
}

describe('desktop shell over a port', () => {
  it('opens an absolute path and gives back the system answer (empty on success, its error text otherwise)', async () => {
    const { client, opened } = pair(async (p) => (p.endsWith('.odt') ? '' : 'No application knows this type'));
    expect(await client.openPath('/home/agent/Documents/Ostal/agent@mairie.fr/Compte rendu.odt')).toBe('');
    expect(await client.openPath('/home/agent/Documents/Ostal/agent@mairie.fr/plan.xyz')).toBe('No application knows this type');
    expect(opened).toEqual([
      '/home/agent/Documents/Ostal/agent@mairie.fr/Compte rendu.odt',
      '/home/agent/Documents/Ostal/agent@mairie.fr/plan.xyz',
    ]);
  });

  it('refuses a relative path or a NUL byte without asking the system', async () => {
    const { client, opened } = pair(async () => '');
    expect(await client.openPath('../../etc/passwd')).toMatch(/refused/);
    expect(await client.openPath('/tmp/a\0b')).toMatch(/refused/);
    expect(opened).toEqual([]);
  });

  it('a failing shell becomes a rejected call, and silence a timeout', async () => {
    const failing = pair(async () => {
      throw new Error('shell gone');
    });
    await expect(failing.client.openPath('/tmp/x.txt')).rejects.toThrow(/desktop: shell gone/);
    const silent = pair(() => new Promise<string>(() => undefined));
    await expect(silent.client.openPath('/tmp/x.txt')).rejects.toThrow(/desktop: no answer to openPath/);
  });
});

describe('desktop side checks the name again', () => {
  it('never opens a program, script, shortcut or bidi name, even if asked; shows it in its folder instead', async () => {
    const channel = new MessageChannel();
    cleanups.push(() => {
      channel.port1.close();
      channel.port2.close();
    });
    const calls: string[] = [];
    serveDesktopShell(
      endpoint(channel.port2),
      { openPath: async (p) => (calls.push(`open ${p}`), ''), showItemInFolder: (p) => void calls.push(`show ${p}`) },
      path.posix.isAbsolute,
    );
    const client = createDesktopShellClient(endpoint(channel.port1), { timeoutMs: 500 });
    for (const name of ['a.pdf.lnk', 'x.js', 'facture\u202Efdp.js', 'setup.exe', 'script.sh', 'X.JS'])
      expect(await client.openPath(`/home/agent/Ostal/${name}`)).toMatch(/refused/);
    expect(await client.openPath('/home/agent/Ostal/CR.pdf')).toBe('');
    expect(await client.showItemInFolder('/home/agent/Ostal/setup.exe')).toBe('');
    expect(await client.showItemInFolder('Ostal/setup.exe')).toMatch(/refused/);
    expect(calls).toEqual(['open /home/agent/Ostal/CR.pdf', 'show /home/agent/Ostal/setup.exe']);
  });
});

describe('folders always open', () => {
  it('the account folder « agent@mairie.com » or a folder « Outils.app » is a folder, not a program', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const { desktopShellHandlers } = await import('../../src/host/desktop-shell.js');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-shell-'));
    try {
      const account = path.join(dir, 'agent@mairie.com');
      fs.mkdirSync(account);
      fs.writeFileSync(path.join(dir, 'setup.com'), 'MZ');
      const opened: string[] = [];
      const handlers = desktopShellHandlers({ openPath: async (p) => (opened.push(p), '') }, path.isAbsolute);
      expect(await handlers.openPath(account)).toBe('');
      expect(await handlers.openPath(path.join(dir, 'setup.com'))).toMatch(/refused/);
      expect(opened).toEqual([account]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
