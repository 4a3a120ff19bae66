import path from 'node:path';

/**
 * Security decisions shared by the two hosts of the renderer: the Electron main process (main/)
 * and the browser-mode HTTP server (src/host/api-server.ts). They are pure functions so that
 * unit tests can pin them down; main/ only applies what they return.
 */

/** The only address the browser-mode host may listen on. */
export const LOOPBACK_HOST = '127.0.0.1';

/** Custom scheme the Electron window loads the renderer from (a privileged, secure, standard scheme). */
export const APP_SCHEME = 'ostal-app';
export const APP_ORIGIN = `${APP_SCHEME}://renderer`;

/** webPreferences of every BrowserWindow. Electron's own type is structurally compatible. */
export interface RendererWebPreferences {
  preload: string;
  contextIsolation: true;
  sandbox: true;
  nodeIntegration: false;
  nodeIntegrationInWorker: false;
  nodeIntegrationInSubFrames: false;
  webSecurity: true;
  allowRunningInsecureContent: false;
  webviewTag: false;
  navigateOnDragDrop: false;
  safeDialogs: true;
  spellcheck: true;
  /**
   * Timers keep their pace with the window hidden in the notification area (issue 18): Chromium otherwise slows a
   * hidden page's timers to once a minute, and reminders and grouped notifications would arrive late.
   */
  backgroundThrottling: false;
  /** Developer tools: only when {@link devToolsAllowed}. */
  devTools: boolean;
}

export function windowWebPreferences(preloadPath: string, options: { devTools?: boolean } = {}): RendererWebPreferences {
  return {
    preload: preloadPath,
    devTools: options.devTools ?? false,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: true,
    backgroundThrottling: false,
  };
}

/**
 * WebSocket source of the organisation's meeting server (setting 'visio.serverUrl'): wss:// for an
 * https:// server, ws:// for http://, same host and port. Nothing for an empty or malformed value, or one
 * that would widen the policy (credentials, wildcards, quotes, spaces, semicolons).
 */
export function meetingConnectSource(serverUrl: string | undefined | null): string | null {
  if (!serverUrl) return null;
  let url: URL;
  try {
    url = new URL(serverUrl);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (url.username || url.password || !url.hostname || /[\s;'"*,]/.test(url.host)) return null;
  return `${url.protocol === 'https:' ? 'wss' : 'ws'}://${url.host}`;
}

/**
 * Content-Security-Policy of the renderer. With a port (browser mode), the page may also open
 * the API WebSocket on ws://127.0.0.1:PORT; without (Electron), it talks over a MessagePort only.
 * With a meeting server address, Visio may open its signaling WebSocket there (media itself is WebRTC,
 * which connect-src does not govern).
 */
export function contentSecurityPolicy(port?: number, meetingServerUrl?: string): string {
  const connect = ["'self'"];
  if (port !== undefined) {
    if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new RangeError(`invalid port ${port}`);
    connect.push(`ws://${LOOPBACK_HOST}:${port}`);
  }
  const meeting = meetingConnectSource(meetingServerUrl);
  if (meeting !== null && !connect.includes(meeting)) connect.push(meeting);
  return [
    "default-src 'self'",
    // wasm-unsafe-eval: compiling WebAssembly (Visio's background blur model, served by Ostal itself); no eval.
    "script-src 'self' 'wasm-unsafe-eval'",
    // Mail HTML is shown in a sandboxed srcdoc frame, and a srcdoc document inherits this policy on top of its
    // own: inline styles (already filtered by the core's sanitiser) must be allowed for mail to keep its layout,
    // and https images for « Afficher les images ». The frame's own policy still allows only data: images until
    // the user chooses, the sanitiser strips remote URLs until then, and scripts stay 'self' only.
    "style-src 'self' 'unsafe-inline'",
    `connect-src ${connect.join(' ')}`,
    "img-src 'self' data: blob: https:",
    "media-src 'self' blob: mediastream:",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "frame-src 'none'",
    "worker-src 'self' blob:",
  ].join('; ');
}

/** Headers sent with every response of the browser-mode host (and, for the CSP, by Electron's session). */
export function securityHeaders(port?: number, meetingServerUrl?: string): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(port, meetingServerUrl),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(self), microphone=(self), display-capture=(self), geolocation=(), payment=(), usb=()',
  };
}

/** True for an IPv4/IPv6 loopback address as Node reports it in `socket.remoteAddress`. */
export function isLoopbackAddress(address: string | undefined | null): boolean {
  if (!address) return false;
  const a = address.toLowerCase();
  if (a === '::1') return true;
  const v4 = a.startsWith('::ffff:') ? a.slice(7) : a;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

const BLOCKED_EXTERNAL_HOSTS = /^(localhost|.*\.localhost|127\.\d+\.\d+\.\d+|\[::1\]|0\.0\.0\.0|\[::\])$/i;

/**
 * May this link be handed to the operating system (default browser, mail client)?
 * Only web pages and mail addresses; never local files, scripts, custom schemes, or this machine's own services.
 */
export function isAllowedExternalUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.protocol === 'mailto:') return url.pathname.length > 0 && !/[\r\n]/.test(raw);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return false;
  if (url.username || url.password) return false;
  if (!url.hostname || BLOCKED_EXTERNAL_HOSTS.test(url.hostname)) return false;
  return true;
}

/** May the window itself navigate to this URL? Only within the app's own origin. */
export function isAllowedNavigation(raw: string, appOrigin: string = APP_ORIGIN): boolean {
  try {
    // Compare scheme and host: URL.origin is the opaque "null" for custom schemes and file:, so it cannot be used.
    const url = new URL(raw);
    const app = new URL(appOrigin);
    return url.protocol === app.protocol && url.host === app.host && url.host !== '';
  } catch {
    return false;
  }
}

/**
 * Map a URL path of the renderer to a file inside `rendererDir`, or null when the path tries to
 * leave it (`..`, encoded `%2e%2e`, backslashes, NUL bytes, absolute paths). `/` maps to index.html.
 */
export function resolveRendererPath(rendererDir: string, urlPath: string): string | null {
  const root = path.resolve(rendererDir);
  const pathname = urlPath.split('?')[0].split('#')[0];
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (!decoded.startsWith('/') || decoded.includes('\0') || decoded.includes('\\')) return null;
  const segments = decoded.split('/').filter((s) => s.length > 0);
  if (segments.some((s) => s === '..' || s === '.')) return null;
  const relative = segments.length === 0 ? 'index.html' : segments.join('/');
  const full = path.resolve(root, relative);
  if (full !== root && !full.startsWith(root + path.sep)) return null;
  return full;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

export function contentTypeFor(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** Permissions the renderer may get (Visio needs camera, microphone and screen; notifications for new mail). */
const GRANTED_PERMISSIONS = new Set(['media', 'display-capture', 'notifications', 'clipboard-sanitized-write', 'fullscreen']);

/** Should Electron grant `permission` to a page at `requestingUrl`? Only the app's own pages, only what Ostal needs. */
export function isAllowedPermission(permission: string, requestingUrl: string, appOrigin: string = APP_ORIGIN): boolean {
  return GRANTED_PERMISSIONS.has(permission) && isAllowedNavigation(requestingUrl, appOrigin);
}

/** What Electron tells about a permission request or check, reduced to plain data. */
export interface PermissionRequestFacts {
  /** URL of the frame that asks (`details.requestingUrl`, or the `requestingOrigin` of a check). */
  requestingUrl: string | undefined | null;
  /** URL of the top page of the window (`webContents.getURL()`), or the check's `embeddingOrigin`. */
  topUrl?: string | undefined | null;
}

/**
 * The decision on the frame that asks, not the window: a mail shown in its sandboxed srcdoc frame, or any frame
 * inside the app's page, never gets the camera, microphone or screen because the top page is Ostal's. Both the
 * requesting frame and (when known) the top page must be the app's own origin; an unknown requester is refused.
 */
export function isAllowedPermissionRequest(permission: string, facts: PermissionRequestFacts, appOrigin: string = APP_ORIGIN): boolean {
  if (!facts.requestingUrl) return false;
  if (!isAllowedPermission(permission, facts.requestingUrl, appOrigin)) return false;
  return facts.topUrl === undefined || facts.topUrl === null || facts.topUrl === '' || isAllowedNavigation(facts.topUrl, appOrigin);
}

/**
 * May the window open the developer tools? Only when IT allows them in the policy (`"devtools": { "allowed": true }`);
 * without a policy entry, yes in a development run and no in a packaged build.
 */
export function devToolsAllowed(options: { packaged: boolean; policyAllows: boolean | null }): boolean {
  return options.policyAllows ?? !options.packaged;
}
