/**
 * Preload (sandboxed): exposes exactly `window.ostalBridge = { postMessage, onMessage, onClose }`, string messages
 * over the MessagePort the main process sends on 'ostal:port', and `window.ostalDesktop = { onScreenSources,
 * chooseScreenSource }` for the French screen-share picker (main offers choices, the page answers one id or null,
 * main checks it against what it offered), and `notify` / `onNotificationAnswer` for a notification with actions (an
 * Agenda reminder's « Rappeler dans 5 min »; main checks the request, the page decides what an action does). Nothing
 * else.
 */
import { contextBridge, ipcRenderer } from 'electron';

let port: MessagePort | null = null;
const outbox: string[] = [];
const messageListeners: ((message: string) => void)[] = [];
const closeListeners: (() => void)[] = [];

ipcRenderer.on('ostal:port', (event) => {
  const received = event.ports[0];
  if (!received) return;
  port?.close();
  port = received;
  port.onmessage = (e: MessageEvent) => {
    if (typeof e.data !== 'string') return;
    for (const listener of messageListeners) listener(e.data);
  };
  port.addEventListener('close', () => {
    for (const listener of closeListeners) listener();
  });
  port.start();
  for (const message of outbox.splice(0)) port.postMessage(message);
});

contextBridge.exposeInMainWorld('ostalBridge', {
  postMessage(message: string): void {
    if (typeof message !== 'string') return;
    if (port) port.postMessage(message);
    else outbox.push(message);
  },
  onMessage(callback: (message: string) => void): void {
    if (typeof callback === 'function') messageListeners.push(callback);
  },
  onClose(callback: () => void): void {
    if (typeof callback === 'function') closeListeners.push(callback);
  },
});

contextBridge.exposeInMainWorld('ostalDesktop', {
  onScreenSources(callback: (choices: unknown) => void): void {
    if (typeof callback === 'function') ipcRenderer.on('ostal:screen-sources', (_event, choices: unknown) => callback(choices));
  },
  chooseScreenSource(id: unknown): void {
    ipcRenderer.send('ostal:screen-choice', typeof id === 'string' ? id : null);
  },
  notify(request: unknown): void {
    ipcRenderer.send('ostal:notify', request);
  },
  onNotificationAnswer(callback: (answer: unknown) => void): void {
    if (typeof callback === 'function') ipcRenderer.on('ostal:notification-answer', (_event, answer: unknown) => callback(answer));
  },
});
