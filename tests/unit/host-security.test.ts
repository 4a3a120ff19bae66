import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  contentSecurityPolicy,
  contentTypeFor,
  isAllowedExternalUrl,
  isAllowedNavigation,
  isLoopbackAddress,
  meetingConnectSource,
  resolveRendererPath,
  securityHeaders,
  windowWebPreferences,
  APP_ORIGIN,
} from '../../src/host/security.js';
import { parseHostArgs, HostArgsError } from '../../src/host/args.js';
import { tokenMatches, upgradeRefusal, createHostToken } from '../../src/host/api-server.js';

describe('windowWebPreferences', () => {
  it('isolates the renderer from Node and Electron', () => {
    const prefs = windowWebPreferences('/app/preload.cjs');
    expect(prefs).toMatchObject({
      preload: '/app/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('keeps timers on time with the window hidden in the notification area (reminders, notifications)', () => {
    expect(windowWebPreferences('/app/preload.cjs').backgroundThrottling).toBe(false);
  });
});

describe('contentSecurityPolicy', () => {
  it('is strict, with the WebSocket of the given port in browser mode', () => {
    const csp = contentSecurityPolicy(4321);
    const directives = new Map(csp.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]));
    expect(directives.get('default-src')).toBe("'self'");
    // Own scripts only; 'wasm-unsafe-eval' compiles WebAssembly (Visio's background blur), never JavaScript eval.
    expect(directives.get('script-src')).toBe("'self' 'wasm-unsafe-eval'");
    expect(directives.get('connect-src')).toBe("'self' ws://127.0.0.1:4321");
    expect(directives.get('img-src')).toBe("'self' data: blob: https:");
    // 'unsafe-inline' only for styles (mail layout in the sandboxed reading frame), never for scripts.
    expect(directives.get('style-src')).toBe("'self' 'unsafe-inline'");
    expect(directives.get('object-src')).toBe("'none'");
    expect(directives.get('base-uri')).toBe("'none'");
    expect(directives.get('frame-ancestors')).toBe("'none'");
    expect(csp.match(/unsafe-inline/g)).toHaveLength(1);
    expect(csp).not.toContain("'unsafe-eval'");
  });

  it('has no WebSocket source without a port (Electron) and rejects bad ports', () => {
    expect(contentSecurityPolicy()).toContain("connect-src 'self';");
    expect(() => contentSecurityPolicy(0)).toThrow(RangeError);
    expect(() => contentSecurityPolicy(70000)).toThrow(RangeError);
  });

  it('lets Visio open its signaling WebSocket on the configured meeting server only', () => {
    const connectSrc = (csp: string) => csp.split('; ').find((d) => d.startsWith('connect-src '));
    expect(connectSrc(contentSecurityPolicy(4321, 'https://visio.ville-exemple.fr'))).toBe(
      "connect-src 'self' ws://127.0.0.1:4321 wss://visio.ville-exemple.fr",
    );
    expect(connectSrc(contentSecurityPolicy(4321, 'https://visio.ville-exemple.fr:8443/reunions/'))).toBe(
      "connect-src 'self' ws://127.0.0.1:4321 wss://visio.ville-exemple.fr:8443",
    );
    expect(connectSrc(contentSecurityPolicy(undefined, 'http://127.0.0.1:5000'))).toBe("connect-src 'self' ws://127.0.0.1:5000");
    // Empty, malformed or other schemes add nothing; the rest of the policy does not move.
    for (const bad of ['', 'pas une adresse', 'ftp://visio.exemple.fr', 'https://moi:secret@visio.exemple.fr', 'javascript:alert(1)'])
      expect(contentSecurityPolicy(4321, bad)).toBe(contentSecurityPolicy(4321));
    expect(meetingConnectSource('https://visio.exemple.fr/salle/abc')).toBe('wss://visio.exemple.fr');
    expect(meetingConnectSource(undefined)).toBeNull();
    expect(securityHeaders(1234, 'https://visio.exemple.fr')['Content-Security-Policy']).toContain('wss://visio.exemple.fr');
  });

  it('comes with the other security headers', () => {
    const h = securityHeaders(1234);
    expect(h['X-Content-Type-Options']).toBe('nosniff');
    expect(h['Referrer-Policy']).toBe('no-referrer');
    expect(h['Content-Security-Policy']).toBe(contentSecurityPolicy(1234));
  });
});

describe('isLoopbackAddress', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['::1', true],
    ['::ffff:127.0.0.1', true],
    ['192.168.1.5', false],
    ['::ffff:10.0.0.1', false],
    ['0.0.0.0', false],
    ['', false],
    [undefined, false],
  ])('%s → %s', (address, expected) => {
    expect(isLoopbackAddress(address)).toBe(expected);
  });
});

describe('isAllowedExternalUrl', () => {
  it.each([
    ['https://www.service-public.fr/', true],
    ['http://example.org/page?x=1', true],
    ['mailto:agent1@ostal.test', true],
    ['file:///etc/passwd', false],
    ['javascript:alert(1)', false],
    ['data:text/html,<script>1</script>', false],
    ['ostal-app://renderer/index.html', false],
    ['smb://serveur/partage', false],
    ['http://localhost:8080/', false],
    ['http://127.0.0.1:9000/api', false],
    ['http://[::1]/', false],
    ['https://user:pass@example.org/', false],
    ['pas une adresse', false],
  ])('%s → %s', (url, expected) => {
    expect(isAllowedExternalUrl(url)).toBe(expected);
  });
});

describe('isAllowedNavigation', () => {
  it('only allows the app origin', () => {
    expect(isAllowedNavigation(`${APP_ORIGIN}/index.html#/courrier`)).toBe(true);
    expect(isAllowedNavigation('https://evil.example/')).toBe(false);
    expect(isAllowedNavigation('file:///tmp/x.html')).toBe(false);
    expect(isAllowedNavigation('nonsense')).toBe(false);
  });
});

describe('resolveRendererPath', () => {
  const root = path.resolve('/srv/renderer');
  it('maps / to index.html and assets inside the folder', () => {
    expect(resolveRendererPath(root, '/')).toBe(path.join(root, 'index.html'));
    expect(resolveRendererPath(root, '/assets/app-123.js?v=1')).toBe(path.join(root, 'assets', 'app-123.js'));
    expect(resolveRendererPath(root, '/fonts/Marianne%20Bold.woff2')).toBe(path.join(root, 'fonts', 'Marianne Bold.woff2'));
  });
  it.each([
    '/../package.json',
    '/%2e%2e/package.json',
    '/assets/..%2f..%2fsecret',
    '/a/./b',
    '/..\\secret',
    '/x%00.html',
    '/%E0%A4%A',
    'relative.js',
  ])('refuses %s', (p) => {
    expect(resolveRendererPath(root, p)).toBeNull();
  });
  it('knows content types', () => {
    expect(contentTypeFor('a/index.html')).toBe('text/html; charset=utf-8');
    expect(contentTypeFor('a.woff2')).toBe('font/woff2');
    expect(contentTypeFor('a.unknown')).toBe('application/octet-stream');
  });
});

describe('parseHostArgs', () => {
  it('parses profile, port and --no-sync in both spellings', () => {
    expect(parseHostArgs(['--profile', '/tmp/p', '--port', '8080', '--no-sync'])).toEqual({
      profile: '/tmp/p',
      port: 8080,
      sync: false,
      help: false,
    });
    expect(parseHostArgs(['--profile=/tmp/q', '--port=0'])).toEqual({ profile: '/tmp/q', port: 0, sync: true, help: false });
    expect(parseHostArgs(['--enable-logging', '--help'])).toMatchObject({ help: true, profile: null });
  });
  it('refuses bad values in French', () => {
    expect(() => parseHostArgs(['--port', '99999'])).toThrow(HostArgsError);
    expect(() => parseHostArgs(['--port', '-1'])).toThrow(/n’est pas valide/);
    expect(() => parseHostArgs(['--profile'])).toThrow(/demande une valeur/);
  });
});

describe('API admission (pure)', () => {
  const token = createHostToken();
  const ok = {
    url: `/api?token=${token}`,
    headers: { host: '127.0.0.1:5000', origin: 'http://127.0.0.1:5000' },
    remoteAddress: '127.0.0.1',
  };
  it('accepts the right request', () => {
    expect(upgradeRefusal(ok, { token, port: 5000 })).toBeNull();
  });
  it('refuses a non-loopback remote address even with the right token', () => {
    expect(upgradeRefusal({ ...ok, remoteAddress: '192.168.1.20' }, { token, port: 5000 })).toBe('remote address is not loopback');
  });
  it('compares tokens fully', () => {
    expect(tokenMatches(token, token)).toBe(true);
    expect(tokenMatches(token.slice(0, -1), token)).toBe(false);
    expect(tokenMatches(undefined, token)).toBe(false);
    expect(createHostToken()).not.toBe(token);
  });
});

describe('isAllowedPermission', () => {
  it('grants camera, microphone and notifications to the app only', async () => {
    const { isAllowedPermission } = await import('../../src/host/security.js');
    expect(isAllowedPermission('media', `${APP_ORIGIN}/index.html`)).toBe(true);
    expect(isAllowedPermission('notifications', `${APP_ORIGIN}/`)).toBe(true);
    expect(isAllowedPermission('media', 'https://evil.example/')).toBe(false);
    expect(isAllowedPermission('geolocation', `${APP_ORIGIN}/`)).toBe(false);
    expect(isAllowedPermission('openExternal', `${APP_ORIGIN}/`)).toBe(false);
  });
});

describe('hardening of the desktop app (issue 12)', () => {
  it('drops --inspect and --remote-debugging-port (every form) from argv, keeps Ostal’s own options', async () => {
    const { dropDebugSwitches } = await import('../../src/host/args.js');
    expect(dropDebugSwitches(['--inspect', '--profile', '/p', '--remote-debugging-port=9222'], 'linux')).toEqual({
      argv: ['--profile', '/p'],
      dropped: ['inspect', 'remote-debugging-port'],
    });
    expect(dropDebugSwitches(['--remote-debugging-port', '9222', '--no-sync'], 'linux')).toEqual({
      argv: ['--no-sync'],
      dropped: ['remote-debugging-port'],
    });
    expect(dropDebugSwitches(['--inspect=0.0.0.0:9229', '--inspect-brk', '--inspect-port', '9230', '--port', '0'], 'linux')).toEqual({
      argv: ['--port', '0'],
      dropped: ['inspect', 'inspect-brk', 'inspect-port'],
    });
    expect(dropDebugSwitches(['--inspect', '127.0.0.1:9229', '--profile=/p'], 'linux').argv).toEqual(['--profile=/p']);
    expect(
      dropDebugSwitches(
        ['--js-flags', '--allow-natives-syntax', '--js-flags=--expose-gc', '--remote-debugging-pipe', '--enable-logging'],
        'linux',
      ),
    ).toEqual({
      argv: ['--enable-logging'],
      dropped: ['js-flags', 'remote-debugging-pipe'],
    });
    // Chromium also reads « -switch », and on Windows « /switch » in any case.
    expect(dropDebugSwitches(['-remote-debugging-port=9222'], 'linux').argv).toEqual([]);
    expect(dropDebugSwitches(['/Remote-Debugging-Port=9222', '--INSPECT', 'C:\\doc.txt'], 'win32').argv).toEqual(['C:\\doc.txt']);
    // A path or another switch after --inspect is not taken as its value.
    expect(dropDebugSwitches(['--inspect', '--profile', '/p'], 'linux').argv).toEqual(['--profile', '/p']);
    const { parseHostArgs: parse } = await import('../../src/host/args.js');
    expect(parse(dropDebugSwitches(['--inspect', '--profile', '/p', '--remote-debugging-port', '9222']).argv)).toMatchObject({
      profile: '/p',
    });
  });

  it('decides permissions on the frame that asks, not on the window', async () => {
    const { isAllowedPermissionRequest } = await import('../../src/host/security.js');
    const top = `${APP_ORIGIN}/index.html`;
    expect(isAllowedPermissionRequest('media', { requestingUrl: `${APP_ORIGIN}/index.html`, topUrl: top })).toBe(true);
    expect(isAllowedPermissionRequest('display-capture', { requestingUrl: `${APP_ORIGIN}/`, topUrl: top })).toBe(true);
    // A mail in its sandboxed srcdoc frame, or any other frame inside Ostal's window, gets nothing.
    expect(isAllowedPermissionRequest('media', { requestingUrl: 'about:srcdoc', topUrl: top })).toBe(false);
    expect(isAllowedPermissionRequest('media', { requestingUrl: 'https://visio.evil.example/', topUrl: top })).toBe(false);
    expect(isAllowedPermissionRequest('notifications', { requestingUrl: 'null', topUrl: top })).toBe(false);
    expect(isAllowedPermissionRequest('media', { requestingUrl: '', topUrl: top })).toBe(false);
    expect(isAllowedPermissionRequest('media', { requestingUrl: undefined, topUrl: top })).toBe(false);
    // The app's origin inside a foreign window is refused too; unknown permissions always.
    expect(isAllowedPermissionRequest('media', { requestingUrl: top, topUrl: 'https://evil.example/' })).toBe(false);
    expect(isAllowedPermissionRequest('geolocation', { requestingUrl: top, topUrl: top })).toBe(false);
  });

  it('opens developer tools only when the policy allows them (closed by default in the installed app)', async () => {
    const { devToolsAllowed, windowWebPreferences: prefs } = await import('../../src/host/security.js');
    expect(devToolsAllowed({ packaged: true, policyAllows: null })).toBe(false);
    expect(devToolsAllowed({ packaged: true, policyAllows: true })).toBe(true);
    expect(devToolsAllowed({ packaged: false, policyAllows: null })).toBe(true);
    expect(devToolsAllowed({ packaged: false, policyAllows: false })).toBe(false);
    expect(prefs('/app/preload.cjs').devTools).toBe(false);
    expect(prefs('/app/preload.cjs', { devTools: true }).devTools).toBe(true);
  });
});

describe('main/electron.ts applies these decisions (Electron cannot run here: its source is read)', () => {
  it('drops debugging switches, decides permissions on the requesting frame, gates DevTools, passes packaged and the keychain backend', async () => {
    const fs = await import('node:fs');
    const pathModule = await import('node:path');
    const main = fs.readFileSync(pathModule.resolve(import.meta.dirname, '../../main/electron.ts'), 'utf8');
    expect(main).toMatch(/dropDebugSwitches\(process\.argv\.slice\(1\)\)/);
    expect(main).toMatch(/app\.commandLine\.removeSwitch\(name\)/);
    expect(main).toMatch(/parseHostArgs\(argv\)/);
    expect(main).not.toMatch(/parseHostArgs\(process\.argv/);
    expect(main).toMatch(/isAllowedPermissionRequest\(permission, \{ requestingUrl: details\.requestingUrl,/);
    expect(main).not.toMatch(/isAllowedPermission\(permission, webContents\.getURL\(\)\)/);
    expect(main).toMatch(/windowWebPreferences\(preloadPath, \{ devTools: devTools\(\) \}\)/);
    expect(main).toMatch(/packaged: app\.isPackaged/);
    expect(main).toMatch(/getSelectedStorageBackend\(\)/);
    expect(main).not.toMatch(/setAsDefaultProtocolClient|openDevTools/);
  });
});
