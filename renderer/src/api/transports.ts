/**
 * The two ways the renderer reaches the core:
 * - browser mode: a WebSocket to `ws://<host>/api?token=<token>`, the token coming from the
 *   page address fragment `#token=…` (removed from the address bar at once);
 * - Electron: the preload's `window.ostalBridge` (string messages over a MessagePort).
 */
import type { Transport, TransportFactory } from './client';
import { pageDesktopOf, withDesktopChannel } from './desktop-channel';

/** What the Electron preload exposes on `window.ostalBridge`. */
export interface OstalBridge {
  postMessage(message: string): void;
  onMessage(callback: (message: string) => void): void;
  onClose?(callback: () => void): void;
}

declare global {
  interface Window {
    ostalBridge?: OstalBridge;
    ostal?: { connect(): MessagePortLike | Promise<MessagePortLike> };
  }
}

const TOKEN_STORAGE_KEY = 'ostal.token';

/**
 * Read the API token from `#token=…`, then remove it from the address bar (history.replaceState).
 * The token is kept in sessionStorage so that reloading this tab still works.
 */
export function takeTokenFromLocation(win: Window = window): string | null {
  const hash = win.location.hash.replace(/^#/, '');
  const params = new URLSearchParams(hash);
  const token = params.get('token');
  if (token) {
    params.delete('token');
    const rest = params.toString();
    const clean = win.location.pathname + win.location.search + (rest ? `#${rest}` : '');
    win.history.replaceState(win.history.state, '', clean);
    try {
      win.sessionStorage.setItem(TOKEN_STORAGE_KEY, token);
    } catch {
      // Storage may be unavailable; the token stays in memory for this page.
    }
    return token;
  }
  try {
    return win.sessionStorage.getItem(TOKEN_STORAGE_KEY);
  } catch {
    return null;
  }
}

/** The WebSocket address of the API for a page served by the browser-mode host. */
export function apiSocketUrl(location: { protocol: string; host: string }, token: string): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/api?token=${encodeURIComponent(token)}`;
}

/** The part of the WebSocket constructor we use (the browser's, or another implementation in tests). */
export type WebSocketConstructor = new (url: string) => WebSocket;

export function webSocketTransport(url: string, Socket: WebSocketConstructor = WebSocket): TransportFactory {
  return () =>
    new Promise<Transport>((resolve, reject) => {
      const socket = new Socket(url);
      let opened = false;
      const closeCallbacks: (() => void)[] = [];
      const messageCallbacks: ((message: string) => void)[] = [];
      socket.addEventListener('open', () => {
        opened = true;
        resolve({
          send: (message) => socket.send(message),
          onMessage: (callback) => messageCallbacks.push(callback),
          onClose: (callback) => closeCallbacks.push(callback),
          close: () => socket.close(),
        });
      });
      socket.addEventListener('message', (event: MessageEvent) => {
        if (typeof event.data === 'string') for (const callback of messageCallbacks) callback(event.data);
      });
      socket.addEventListener('close', () => {
        if (!opened) reject(new Error('socket closed before opening'));
        else for (const callback of closeCallbacks) callback();
      });
      socket.addEventListener('error', () => {
        if (!opened) reject(new Error('socket error before opening'));
      });
    });
}

/** Electron: the preload bridge is opened once; it only closes with the window (or when the core process exits). */
export function bridgeTransport(bridge: OstalBridge): TransportFactory {
  let messageCallbacks: ((message: string) => void)[] = [];
  let closeCallbacks: (() => void)[] = [];
  let wired = false;
  return async () => {
    messageCallbacks = [];
    closeCallbacks = [];
    if (!wired) {
      wired = true;
      bridge.onMessage((message) => {
        for (const callback of messageCallbacks) callback(message);
      });
      bridge.onClose?.(() => {
        for (const callback of closeCallbacks) callback();
      });
    }
    return {
      send: (message) => bridge.postMessage(message),
      onMessage: (callback) => messageCallbacks.push(callback),
      onClose: (callback) => closeCallbacks.push(callback),
    };
  };
}

/** Picks the transport for where the page runs: Electron's bridge when present, else the WebSocket of browser mode. */
export function detectTransport(win: Window = window): TransportFactory | null {
  if (win.ostalBridge) return bridgeTransport(win.ostalBridge);
  const preload = win.ostal;
  if (preload && typeof preload.connect === 'function') return messagePortTransport(() => preload.connect());
  const token = takeTokenFromLocation(win);
  if (!token) return null;
  const socket = webSocketTransport(apiSocketUrl(win.location, token));
  // Browser mode has no desktop, unless the page plays one (tests: src/host/page-desktop-shell.ts).
  const desktop = pageDesktopOf(win);
  return desktop ? withDesktopChannel(socket, desktop) : socket;
}

/** A MessagePort-like channel, as an alternative preload API `window.ostal.connect()` may return. */
export interface MessagePortLike {
  postMessage(message: string): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'close', listener: () => void): void;
  start?(): void;
  close?(): void;
}

export function messagePortTransport(connect: () => MessagePortLike | Promise<MessagePortLike>): TransportFactory {
  return async () => {
    const port = await connect();
    const messageCallbacks: ((message: string) => void)[] = [];
    const closeCallbacks: (() => void)[] = [];
    port.addEventListener('message', (event) => {
      if (typeof event.data === 'string') for (const callback of messageCallbacks) callback(event.data);
    });
    port.addEventListener('close', () => {
      for (const callback of closeCallbacks) callback();
    });
    port.start?.();
    return {
      send: (message) => port.postMessage(message),
      onMessage: (callback) => messageCallbacks.push(callback),
      onClose: (callback) => closeCallbacks.push(callback),
      close: () => port.close?.(),
    };
  };
}
