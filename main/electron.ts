/**
 * Electron main process: thin by design (ARCHITECTURE.md). It wires ports, applies the security
 * decisions of src/host/security.ts, seals secrets with the OS keychain, and starts the core in a
 * utility process. Built by scripts/build-main.mjs into dist/main/electron.cjs.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  app,
  BrowserWindow,
  desktopCapturer,
  Menu,
  nativeImage,
  Tray,
  dialog,
  ipcMain,
  MessageChannelMain,
  net,
  Notification,
  protocol,
  safeStorage,
  session,
  shell,
  utilityProcess,
  type UtilityProcess,
} from 'electron';
import { dropDebugSwitches, parseHostArgs } from '../src/host/args.js';
import { coreProcessEnv } from '../src/host/core-process-env.js';
import {
  APP_ORIGIN,
  APP_SCHEME,
  contentTypeFor,
  isAllowedExternalUrl,
  devToolsAllowed,
  isAllowedNavigation,
  isAllowedPermissionRequest,
  resolveRendererPath,
  securityHeaders,
  windowWebPreferences,
} from '../src/host/security.js';
import { serveDesktopShell } from '../src/host/desktop-shell.js';
import { showNotification, type SystemNotifications } from '../src/host/desktop-notification.js';
import { sessionProxyConfig } from '../src/host/session-proxy.js';
import { serveSystemProxy } from '../src/host/system-proxy.js';
import { chosenSourceId, screenSourceChoices } from '../src/host/screen-share.js';
import { launchRequestFromArgv, pathPlatform, secondInstanceArgs, type LaunchRequest } from '../src/host/launch-request.js';
import { isMailtoUrl, parseMailto } from '../src/shared/compose-args.js';
import { sendToShortcut } from '../src/host/desktop-integration.js';
import { badgeText, loginItemSettings, onWindowClose, startsHidden, trayMenuTemplate, trayTooltip } from '../src/host/tray.js';
import { emptyComposeRequest } from '../src/shared/compose-args.js';
import { spellContextMenuTemplate } from '../src/host/spell-menu.js';
import { installShippedDictionary, spellCheckerSession } from '../src/host/spell-dictionary.js';
import { isMessageWindowUrl } from '../src/host/message-window.js';
import { serveSealer } from '../src/host/sealed-secrets.js';
import { t } from '../src/i18n/index.js';
import { loadSystemPolicy } from '../src/policy/registry-policy.js';
import type { Logger } from '../src/log.js';
import { defaultProfileDir } from '../src/store/profile.js';
import type { CoreProcessMessage, MainProcessMessage } from './messages.js';

const rendererDir = path.join(app.getAppPath(), 'renderer', 'dist');
const preloadPath = path.join(__dirname, 'preload.cjs');
const coreModulePath = path.join(__dirname, 'core-process.cjs');

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
]);

let mainWindow: BrowserWindow | null = null;
let core: UtilityProcess | null = null;
let quitting = false;
/** The meeting server the page may reach (reported by the core from the settings). */
let meetingServerUrl = '';
/** The notification-area icon and what the core last reported (issue 18). */
let tray: Tray | null = null;
let desktopState: { unread: number; closeToTray: 'yes' | 'no'; startAtLogin: 'yes' | 'no' } = {
  unread: 0,
  closeToTray: 'yes',
  startAtLogin: 'no',
};

/** The tray icon, its menu and tooltip, the taskbar/launcher badge and the login item, from src/host/tray.ts. */
function applyDesktopState(): void {
  if (!tray) {
    tray = new Tray(nativeImage.createFromPath(path.join(app.getAppPath(), 'build', 'icon.png')).resize({ width: 16, height: 16 }));
    tray.on('click', () => handleLaunch({ kind: 'show' }));
  }
  const actions = {
    compose: () => handleLaunch({ kind: 'compose', request: emptyComposeRequest() }),
    open: () => handleLaunch({ kind: 'show' }),
    quit: () => app.quit(),
  };
  tray.setContextMenu(
    Menu.buildFromTemplate(
      trayMenuTemplate({ unread: desktopState.unread }).map((item) =>
        item.type === 'separator' ? { type: 'separator' } : { label: item.label, enabled: item.enabled, click: actions[item.id] },
      ),
    ),
  );
  tray.setToolTip(trayTooltip(desktopState.unread));
  const badge = badgeText(desktopState.unread);
  if (process.platform === 'linux') app.setBadgeCount(desktopState.unread);
  if (process.platform === 'win32')
    mainWindow?.setOverlayIcon(
      badge ? nativeImage.createFromPath(path.join(app.getAppPath(), 'build', 'icon.png')).resize({ width: 16, height: 16 }) : null,
      badge,
    );
  if (app.isPackaged && process.platform !== 'linux') app.setLoginItemSettings(loginItemSettings(desktopState.startAtLogin));
}

function fail(message: string): void {
  dialog.showErrorBox(t('host.electron.startFailedTitle'), message);
  quitting = true;
  app.exit(1);
}

/** Serve renderer/dist on ostal-app://renderer/ with the security headers, never outside the folder. */
function registerAppProtocol(): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    const file = url.host === new URL(APP_ORIGIN).host ? resolveRendererPath(rendererDir, url.pathname) : null;
    if (file === null) return new Response('404', { status: 404, headers: securityHeaders(undefined, meetingServerUrl) });
    const response = await net.fetch(pathToFileURL(file).href).catch(() => null);
    if (!response || !response.ok) return new Response('404', { status: 404, headers: securityHeaders(undefined, meetingServerUrl) });
    return new Response(response.body, {
      status: 200,
      headers: { ...securityHeaders(undefined, meetingServerUrl), 'Content-Type': contentTypeFor(file), 'Cache-Control': 'no-cache' },
    });
  });
}

function hardenSession(): void {
  const s = session.defaultSession;
  // IT's forced proxy for the window's own connections (meeting signalling); the core applies it to its own.
  const proxy = sessionProxyConfig(loadSystemPolicy({ log: mainLog, packaged: app.isPackaged }).proxy);
  if (proxy) void s.setProxy(proxy);
  // The French dictionary shipped with Ostal, copied where Chromium looks before any download; the download URL is
  // the shipped folder itself, so Chromium never fetches a dictionary from a server (src/host/spell-dictionary.ts).
  const installed = installShippedDictionary(process.resourcesPath, app.getPath('userData'));
  if (installed.action === 'missing') mainLog.warn('spell: no French dictionary', { path: installed.path, reason: installed.reason });
  const spell = spellCheckerSession(process.resourcesPath);
  s.setSpellCheckerDictionaryDownloadURL(spell.dictionaryUrl);
  if (process.platform !== 'darwin') s.setSpellCheckerLanguages(spell.languages);
  s.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [securityHeaders(undefined, meetingServerUrl)['Content-Security-Policy']],
      },
    });
  });
  // Decided on the frame that asks (a mail's frame never gets the camera because the window is Ostal's).
  s.setPermissionRequestHandler((webContents, permission, callback, details) =>
    callback(isAllowedPermissionRequest(permission, { requestingUrl: details.requestingUrl, topUrl: webContents.getURL() })),
  );
  s.setPermissionCheckHandler((webContents, permission, requestingOrigin, details) =>
    isAllowedPermissionRequest(permission, {
      requestingUrl: details.requestingUrl ?? requestingOrigin,
      topUrl: webContents?.getURL() ?? details.embeddingOrigin,
    }),
  );
}

/** How long the French picker waits for the agent before sharing nothing. */
const SCREEN_CHOICE_TIMEOUT_MS = 120_000;

/**
 * « Partager l’écran »: Electron has no picker on Windows and Linux. List screens and windows, let the page show them
 * in French (ScreenSourcePicker), and share only the one it answers among those offered; nothing on cancel.
 */
function handleScreenShare(): void {
  session.defaultSession.setDisplayMediaRequestHandler((_request, callback) => {
    void (async () => {
      const window = mainWindow;
      if (!window) return callback({});
      const sources = await desktopCapturer
        .getSources({ types: ['screen', 'window'], thumbnailSize: { width: 320, height: 180 } })
        .catch(() => []);
      const offered = screenSourceChoices(
        sources.map((s) => ({ id: s.id, name: s.name, thumbnail: s.thumbnail.isEmpty() ? '' : s.thumbnail.toDataURL() })),
        window.getMediaSourceId(),
      );
      const answer = await new Promise<unknown>((resolve) => {
        const done = (value: unknown): void => {
          clearTimeout(timer);
          ipcMain.removeListener('ostal:screen-choice', listener);
          resolve(value);
        };
        const listener = (event: Electron.IpcMainEvent, id: unknown): void => {
          if (event.sender === window.webContents) done(id);
        };
        const timer = setTimeout(() => done(null), SCREEN_CHOICE_TIMEOUT_MS);
        ipcMain.on('ostal:screen-choice', listener);
        window.webContents.send('ostal:screen-sources', offered);
      });
      const id = chosenSourceId(offered, answer);
      const source = id ? sources.find((s) => s.id === id) : undefined;
      callback(source ? { video: source } : {});
    })();
  });
}

/** Electron's notifications with buttons (macOS, Windows; Linux where the notification server has actions). */
const systemNotifications: SystemNotifications = {
  show(request, on) {
    if (!Notification.isSupported()) return;
    const n = new Notification({
      title: request.title,
      body: request.body,
      actions: request.actions.map((text) => ({ type: 'button', text })),
    });
    n.on('click', () => {
      handleLaunch({ kind: 'show' });
      on.click();
    });
    n.on('action', (details) => on.action(details.actionIndex));
    n.show();
  },
};

/**
 * A notification with actions asked by the main window's page (an Agenda reminder): shown by Electron, the chosen
 * action sent back to the page, which decides what it does (src/host/desktop-notification.ts).
 */
function serveNotifications(): void {
  ipcMain.on('ostal:notify', (event, raw: unknown) => {
    const window = mainWindow;
    if (!window || event.sender !== window.webContents) return;
    showNotification(systemNotifications, raw, (answer) => {
      if (!window.isDestroyed()) window.webContents.send('ostal:notification-answer', answer);
    });
  });
}

function startCore(profileDir: string): UtilityProcess {
  const child = utilityProcess.fork(coreModulePath, [], { serviceName: 'Ostal', stdio: 'inherit', env: coreProcessEnv(process.env) });
  const secrets = new MessageChannelMain();
  serveSealer(
    { postMessage: (m) => secrets.port2.postMessage(m), onMessage: (fn) => secrets.port2.on('message', (e) => fn(e.data)) },
    { encrypt: (plain) => safeStorage.encryptString(plain), decrypt: (sealed) => safeStorage.decryptString(sealed) },
  );
  secrets.port2.start();
  // « Ouvrir » in Fichiers: the core asks, the system application opens (the page never names a path itself).
  const desktop = new MessageChannelMain();
  serveDesktopShell(
    { postMessage: (m) => desktop.port2.postMessage(m), onMessage: (fn) => desktop.port2.on('message', (e) => fn(e.data)) },
    shell,
    path.isAbsolute,
  );
  desktop.port2.start();
  // The system's proxy as Chromium sees it, for the core's own requests (src/host/system-proxy.ts).
  const proxy = new MessageChannelMain();
  serveSystemProxy(
    { postMessage: (m) => proxy.port2.postMessage(m), onMessage: (fn) => proxy.port2.on('message', (e) => fn(e.data)) },
    (url) => session.defaultSession.resolveProxy(url),
  );
  proxy.port2.start();
  const init: MainProcessMessage = {
    type: 'init',
    profileDir,
    keychain: {
      available: safeStorage.isEncryptionAvailable(),
      platform: process.platform,
      linuxBackend: process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : null,
    },
    packaged: app.isPackaged,
  };
  child.postMessage(init, [secrets.port1, desktop.port1, proxy.port1]);
  child.on('message', (message: CoreProcessMessage) => {
    if (message.type === 'failed') fail(message.message);
    else if (message.type === 'meetingServer') meetingServerUrl = message.url;
    else if (message.type === 'desktop') {
      desktopState = { unread: message.unread, closeToTray: message.closeToTray, startAtLogin: message.startAtLogin };
      applyDesktopState();
    }
  });
  child.on('exit', (code) => {
    core = null;
    if (!quitting) fail(t('host.electron.coreStopped') + (code ? ` (${code})` : ''));
  });
  return child;
}

/** Give the page a fresh API port to the core (at each load, so a reload reconnects). */
function connectRenderer(window: BrowserWindow): void {
  if (!core) return;
  const channel = new MessageChannelMain();
  const message: MainProcessMessage = { type: 'api' };
  core.postMessage(message, [channel.port1]);
  window.webContents.postMessage('ostal:port', null, [channel.port2]);
}

/** Main's own log lines (the core writes the profile's log): standard error, which the system journal keeps. */
const mainLog: Logger = {
  info: () => undefined,
  warn: (message) => void process.stderr.write(`${message}\n`),
  error: (message) => void process.stderr.write(`${message}\n`),
};

/** Developer tools: closed in the installed app unless IT's policy allows them (`"devtools": { "allowed": true }`). */
function devTools(): boolean {
  const policy = loadSystemPolicy({ log: mainLog, packaged: app.isPackaged });
  return devToolsAllowed({ packaged: app.isPackaged, policyAllows: policy.devtoolsAllowed });
}

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 800,
    minHeight: 560,
    show: false,
    title: 'Ostal',
    backgroundColor: '#ffffff',
    autoHideMenuBar: true,
    webPreferences: windowWebPreferences(preloadPath, { devTools: devTools() }),
  });
  window.once('ready-to-show', () => {
    if (!startsHidden(process.argv)) window.show();
  });
  // Closing keeps Ostal in the notification area (setting and policy key desktop.closeToTray), unless it is quitting.
  window.on('close', (event) => {
    if (onWindowClose(desktopState.closeToTray, quitting) === 'hide' && tray) {
      event.preventDefault();
      window.hide();
    }
  });
  const contents = window.webContents;
  contents.on('will-navigate', (event, url) => {
    if (isAllowedNavigation(url)) return;
    event.preventDefault();
    if (isAllowedExternalUrl(url)) void shell.openExternal(url);
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAllowedNavigation(url)) event.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    // A message in its own window (double-click in the list): same page, same security settings, its own API port.
    if (isMessageWindowUrl(url)) {
      return {
        action: 'allow',
        overrideBrowserWindowOptions: {
          width: 900,
          height: 760,
          title: 'Ostal',
          autoHideMenuBar: true,
          webPreferences: windowWebPreferences(preloadPath, { devTools: devTools() }),
        },
      };
    }
    if (isAllowedExternalUrl(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  contents.on('did-create-window', (child) => {
    const childContents = child.webContents;
    childContents.on('will-navigate', (event, url) => {
      event.preventDefault();
      if (isAllowedExternalUrl(url)) void shell.openExternal(url);
    });
    childContents.on('will-redirect', (event) => event.preventDefault());
    childContents.on('will-attach-webview', (event) => event.preventDefault());
    childContents.on('did-finish-load', () => connectRenderer(child));
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  // French spell checking: suggestions and the edit actions in the context menu (src/host/spell-menu.ts).
  contents.on('context-menu', (_event, params) => {
    const items = spellContextMenuTemplate(params);
    if (items.length === 0) return;
    Menu.buildFromTemplate(
      items.map((item) => {
        switch (item.type) {
          case 'separator':
            return { type: 'separator' as const };
          case 'info':
            return { label: item.label, enabled: false };
          case 'suggestion':
            return { label: item.label, click: () => contents.replaceMisspelling(item.word) };
          case 'action':
            return { label: item.label, click: () => contents.session.addWordToSpellCheckerDictionary(item.word) };
          default:
            return { label: item.label, role: item.role, enabled: item.enabled };
        }
      }),
    ).popup({ window });
  });
  contents.on('did-finish-load', () => connectRenderer(window));
  void window.loadURL(`${APP_ORIGIN}/index.html`);
  return window;
}

/** Show the window (created again if it was closed), then hand a message request to the core, which tells the page. */
function handleLaunch(request: LaunchRequest): void {
  if (!app.isReady()) return;
  if (!mainWindow) {
    mainWindow = createWindow();
    mainWindow.on('closed', () => (mainWindow = null));
  }
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
  if (request.kind === 'compose' && core) {
    const message: MainProcessMessage = { type: 'compose', request: request.request };
    core.postMessage(message);
  }
}

function main(): void {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  // A second launch (mailto link, --compose, « Envoyer vers », the menu entry) hands its arguments over, then quits.
  app.on('second-instance', (_event, argv) =>
    handleLaunch(launchRequestFromArgv(secondInstanceArgs(argv, app.isPackaged), pathPlatform())),
  );
  // macOS gives mailto links this way.
  app.on('open-url', (event, url) => {
    event.preventDefault();
    if (isMailtoUrl(url)) {
      const request = parseMailto(url);
      if (request) handleLaunch({ kind: 'compose', request });
    }
  });
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
  // Debugging switches (--inspect, --remote-debugging-port, --js-flags…) are never honoured: removed from what Ostal
  // reads and from Chromium's command line. Node and Chromium read some of them before this code runs, which is why
  // the packaged app also has its fuses set (electron-builder.yml electronFuses) and refuses to start with them.
  const { argv, dropped } = dropDebugSwitches(process.argv.slice(1));
  for (const name of dropped) app.commandLine.removeSwitch(name);
  if (dropped.length > 0) {
    const switches = dropped.map((d) => `--${d}`).join(', ');
    if (app.isPackaged) return fail(t('host.electron.debugSwitchesRefused', { switches }));
    mainLog.warn(t('host.electron.debugSwitchesDropped', { switches }));
  }
  const args = parseHostArgs(argv);
  const profileDir = args.profile ? path.resolve(args.profile) : defaultProfileDir();

  void app.whenReady().then(() => {
    hardenSession();
    handleScreenShare();
    serveNotifications();
    registerAppProtocol();
    core = startCore(profileDir);
    mainWindow = createWindow();
    mainWindow.on('closed', () => (mainWindow = null));
    // « Envoyer vers › Ostal (courriel) » in the Explorer (Windows, installed app only).
    const sendTo = sendToShortcut({
      platform: process.platform,
      packaged: app.isPackaged,
      appData: process.env.APPDATA,
      execPath: process.execPath,
      description: t('desktop.sendToDescription'),
    });
    if (sendTo && !shell.writeShortcutLink(sendTo.path, sendTo.operation, sendTo.options)) mainLog.warn('send-to shortcut not written');
    // The first launch's own request (Ostal was not running when the mailto link was clicked).
    const first = launchRequestFromArgv(argv, pathPlatform());
    if (first.kind === 'compose') handleLaunch(first);
  });

  app.on('window-all-closed', () => {
    if (onWindowClose(desktopState.closeToTray, quitting) === 'quit' || !tray) app.quit();
  });
  app.on('before-quit', (event) => {
    quitting = true;
    if (!core) return;
    event.preventDefault();
    quitting = true;
    const child = core;
    const stop: MainProcessMessage = { type: 'shutdown' };
    child.postMessage(stop);
    const timer = setTimeout(() => child.kill(), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      core = null;
      app.quit();
    });
  });
}

main();
