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
    expect(opened).toEqual(['/home/agent/Documents/Ostal/agent@mairie.fr/Compte rendu.odt', '/home/agent/Documents/Ostal/agent@mairie.fr/plan.xyz']);
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
