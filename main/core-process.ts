/**
 * The core in an Electron utility process: same Core and API dispatcher as browser mode, over
 * MessagePorts handed over by the main process. Secrets are sealed by the main process's
 * safeStorage (the OS keychain) and stored as ciphertext in the profile.
 */
import path from 'node:path';
import type { MessagePortMain } from 'electron';
import { Core } from '../src/core.js';
import { createDispatcher, type Dispatcher } from '../src/api/dispatch.js';
import { OstalError, toApiError } from '../src/errors.js';
import { watchMeetingServer } from '../src/host/meeting-server.js';
import { createDesktopShellClient } from '../src/host/desktop-shell.js';
import { createSystemProxyClient } from '../src/host/system-proxy.js';
import {
  createSealerClient,
  keychainDecision,
  keychainNotice,
  migrateSealedSecrets,
  SealedSecretStore,
} from '../src/host/sealed-secrets.js';
import { FileSecretStore, type SecretStore } from '../src/secrets/index.js';
import { isInboxFolder } from '../src/shared/notification-rules.js';
import type { CoreProcessMessage, MainProcessMessage } from './messages.js';

const parentPort = process.parentPort;
let core: Core | null = null;
let ready: Promise<Dispatcher> | null = null;

function report(message: CoreProcessMessage): void {
  parentPort.postMessage(message);
}

function endpoint(port: MessagePortMain) {
  return {
    postMessage: (m: unknown) => port.postMessage(m),
    onMessage: (fn: (m: unknown) => void) => port.on('message', (e) => fn(e.data)),
  };
}

async function open(
  init: Extract<MainProcessMessage, { type: 'init' }>,
  secretsPort: MessagePortMain | undefined,
  desktopPort: MessagePortMain | undefined,
  proxyPort: MessagePortMain | undefined,
): Promise<Dispatcher> {
  let secrets: SecretStore;
  // No keychain (e.g. Linux without a secret service, or only Chromium's fixed-key « basic_text »): the 0600 profile
  // file, as in browser mode.
  const keychain = keychainDecision(init.keychain);
  if (keychain.store === 'sealed' && secretsPort) {
    secretsPort.start();
    secrets = new SealedSecretStore(createSealerClient(endpoint(secretsPort)), path.join(init.profileDir, 'secrets.sealed.json'));
  } else {
    secrets = new FileSecretStore(path.join(init.profileDir, 'secrets.json'));
    // Passwords an earlier version sealed with basic_text (a public key): moved to the 0600 file, sealed file deleted.
    if (keychain.store === 'file' && keychain.reason === 'basicText' && secretsPort) {
      secretsPort.start();
      await migrateSealedSecrets(createSealerClient(endpoint(secretsPort)), path.join(init.profileDir, 'secrets.sealed.json'), secrets);
    }
  }
  desktopPort?.start();
  const desktop = desktopPort ? createDesktopShellClient(endpoint(desktopPort)) : undefined;
  proxyPort?.start();
  const systemProxy = proxyPort ? createSystemProxyClient(endpoint(proxyPort)) : undefined;
  core = await Core.open({ profileDir: init.profileDir, mode: 'electron', secrets, desktop, systemProxy, packaged: init.packaged });
  const notice = keychainNotice(keychain, init.keychain);
  if (notice) core.ctx.log.warn(notice);
  core.startBackgroundSync();
  watchMeetingServer(core, (url) => report({ type: 'meetingServer', url }), core.ctx.log);
  watchDesktopState(core);
  return createDispatcher(core);
}

/** Tell main the unread count and the desktop settings (tray menu, close to tray, start at login), then on each change. */
function watchDesktopState(opened: Core): void {
  let timer: NodeJS.Timeout | null = null;
  const send = async () => {
    timer = null;
    const accounts = await opened.handle('accounts.list', {});
    let unread = 0;
    for (const account of accounts) {
      const folders = await opened.handle('mail.folders', { accountId: account.id }).catch(() => []);
      unread += folders.filter((f) => isInboxFolder(f)).reduce((sum, f) => sum + f.unread, 0);
    }
    const settings = await opened.handle('settings.list', {});
    const value = (key: string) => settings.find((s) => s.key === key)?.value;
    report({
      type: 'desktop',
      unread,
      closeToTray: value('desktop.closeToTray') === 'no' ? 'no' : 'yes',
      startAtLogin: value('desktop.startAtLogin') === 'yes' ? 'yes' : 'no',
    });
  };
  const soon = () => {
    timer ??= setTimeout(() => void send().catch(() => undefined), 1000);
  };
  opened.onEvent((event) => {
    if (event === 'mail.changed' || event === 'settings.changed' || event === 'accounts.changed') soon();
  });
  soon();
}

function serveApi(port: MessagePortMain): void {
  if (!ready) return port.close();
  void ready.then(
    (dispatcher) => {
      const unsubscribe = dispatcher.subscribe((message) => port.postMessage(message));
      port.on('message', (e) => {
        void dispatcher.dispatch(e.data as string).then((response) => port.postMessage(response));
      });
      port.on('close', unsubscribe);
      port.start();
    },
    () => port.close(),
  );
}

async function shutdown(): Promise<void> {
  try {
    await core?.close();
  } finally {
    process.exit(0);
  }
}

parentPort.on('message', (event) => {
  const message = event.data as MainProcessMessage;
  switch (message?.type) {
    case 'init':
      if (ready) return;
      ready = open(message, event.ports[0], event.ports[1], event.ports[2]);
      ready.then(
        () => report({ type: 'ready' }),
        (err: unknown) => {
          const apiError = err instanceof OstalError ? err.toApiError() : toApiError(err);
          if (!(err instanceof OstalError)) process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
          report({ type: 'failed', code: apiError.code, message: apiError.message });
        },
      );
      break;
    case 'api':
      if (event.ports[0]) serveApi(event.ports[0]);
      break;
    case 'compose':
      void ready?.then(() => core?.ctx.services.launchCompose.push(message.request)).catch(() => undefined);
      break;
    case 'shutdown':
      void shutdown();
      break;
    default:
      break;
  }
});
