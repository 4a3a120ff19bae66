/**
 * Preload (sandboxed): exposes exactly `window.ostalBridge = { postMessage, onMessage, onClose }`,
 * string messages over the MessagePort the main process sends on 'ostal:port'. Nothing else.
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
