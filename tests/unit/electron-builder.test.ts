import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';

/**
 * electron-builder.yml against electron-builder's own configuration schema, offline
 * (node_modules/app-builder-lib/scheme.json, JSON Schema draft-07), plus the points issue 3 asks for.
 */

const root = path.resolve(import.meta.dirname, '..', '..');
const require = createRequire(import.meta.url);
// js-yaml comes with electron-builder (the YAML reader it uses itself).
const yaml = require('js-yaml') as { load(text: string): unknown };
const schema = JSON.parse(fs.readFileSync(path.join(root, 'node_modules', 'app-builder-lib', 'scheme.json'), 'utf8')) as Record<
  string,
  unknown
>;

type Config = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const config = yaml.load(fs.readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')) as Config;

// Draft-07, as the schema declares; no type coercion (stricter than electron-builder itself);
// unknown keywords of the schema (`typeof`, `tsType`) are ignored, as electron-builder does.
const ajv = new Ajv({ allErrors: true, strict: false, coerceTypes: false });
const validate = ajv.compile(schema);

function errorsOf(data: unknown): string[] {
  return validate(data) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

describe('electron-builder.yml', () => {
  it('uses the draft-07 schema shipped with electron-builder', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
  });

  it('is valid against the schema', () => {
    expect(errorsOf(config)).toEqual([]);
  });

  it('passes electron-builder’s own validation', async () => {
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
      validateConfiguration(config: unknown, debugLogger: { isEnabled: boolean; add(): void }): Promise<void>;
    };
    await expect(validateConfiguration(structuredClone(config), { isEnabled: false, add() {} })).resolves.toBeUndefined();
    await expect(
      validateConfiguration({ ...structuredClone(config), msi: { perMachine: true, silent: true } }, { isEnabled: false, add() {} }),
    ).rejects.toThrow(/Invalid configuration object/);
  });

  it('rejects a broken variant (the check can fail)', () => {
    expect(errorsOf({ ...config, msi: { ...config.msi, perMachine: 'yes' } }).join()).toMatch(/\/msi\/perMachine/);
    expect(errorsOf({ ...config, telemetry: false }).join()).toMatch(/additional properties/);
  });

  it('has the identity of Ostal', () => {
    expect(config.appId).toBe('fr.ostal.client');
    expect(config.productName).toBe('Ostal');
    expect(config.directories.output).toBe('out');
  });

  it('builds a per-machine MSI for silent deployment (msiexec /qn)', () => {
    const targets = (config.win.target as { target: string }[]).map((t) => (typeof t === 'string' ? t : t.target));
    expect(targets).toEqual(['msi']);
    expect(config.msi.perMachine).toBe(true);
    expect(config.msi.oneClick).toBe(true);
    expect(config.msi.runAfterFinish).toBe(false);
    expect(config.msi.upgradeCode).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
  });

  it('builds deb and AppImage for Linux, in the Office category, described in French', () => {
    expect(config.linux.target).toEqual(['deb', 'AppImage']);
    expect(config.linux.category).toBe('Office');
    expect(config.linux.maintainer).toMatch(/<.+@.+>/);
    expect(config.linux.description).toMatch(/courrier/);
  });

  it('never publishes, and ships the app files with SQLite unpacked', () => {
    expect(config.publish).toBeNull();
    expect(config.files).toEqual(expect.arrayContaining(['dist/main/**/*', 'renderer/dist/**/*', 'src/**/*.sql', 'package.json']));
    expect(config.asarUnpack).toEqual(expect.arrayContaining(['node_modules/better-sqlite3/**/*']));
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { main: string };
    expect(pkg.main).toBe('dist/main/electron.cjs');
  });

  it('has its icons: a 512 px PNG set for Linux and an .ico for Windows', () => {
    const png = fs.readFileSync(path.join(root, 'build', 'icons', '512x512.png'));
    expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(512);
    expect(png.readUInt32BE(20)).toBe(512);
    const ico = fs.readFileSync(path.join(root, config.win.icon as string));
    expect(ico.readUInt16LE(2)).toBe(1); // icon type
    expect(ico[6]).toBe(0); // 256 px
    expect(ico.subarray(23, 26).toString('ascii')).toBe('PNG');
    expect(fs.existsSync(path.join(root, config.linux.icon as string, '256x256.png'))).toBe(true);
  });

  it('flips every Electron fuse at packaging (electronFuses, applied by electron-builder with @electron/fuses)', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
      grantFileProtocolExtraPrivileges: false,
    });
    // The option exists in this electron-builder (not silently ignored) and the fuses package it uses is installed.
    expect(Object.keys((schema.properties as Record<string, unknown>).electronFuses as object)).toContain('anyOf');
    expect(errorsOf({ ...config, electronFuses: { ...config.electronFuses, runAsNodeTypo: false } }).join()).toMatch(
      /additional properties/,
    );
    const fuses = require('@electron/fuses') as { FuseV1Options: Record<string, number> };
    for (const name of [
      'RunAsNode',
      'EnableCookieEncryption',
      'EnableNodeOptionsEnvironmentVariable',
      'EnableNodeCliInspectArguments',
      'EnableEmbeddedAsarIntegrityValidation',
      'OnlyLoadAppFromAsar',
    ])
      expect(fuses.FuseV1Options[name], name).toEqual(expect.any(Number));
    // onlyLoadAppFromAsar needs the app in an asar.
    expect(config.asar).toBe(true);
  });

  it('declares mailto (handled: main/ hands it to launch-request.ts), never ostal://, and never makes itself the default', async () => {
    expect(config.protocols).toEqual([{ name: 'Courriel', schemes: ['mailto'] }]);
    expect(config.linux.mimeTypes).toEqual(['x-scheme-handler/mailto']);
    const main = fs.readFileSync(path.join(root, 'main', 'electron.ts'), 'utf8');
    expect(main).not.toMatch(/setAsDefaultProtocolClient/);
    expect(main).toMatch(/launchRequestFromArgv\(secondInstanceArgs\(argv/);
    // The MSI: default programs (Capabilities, RegisteredApplications) and the mailto ProgID, on the real template.
    const hook = (await import(pathToFileURL(path.join(root, 'build', 'msi-mail-client.mjs')).href)) as {
      addMailClient(wxs: string): string;
    };
    const template = fs.readFileSync(path.join(root, 'node_modules', 'app-builder-lib', 'templates', 'msi', 'template.xml'), 'utf8');
    const wxs = hook.addMailClient(template);
    expect(wxs).toContain('<RegistryValue Name="mailto" Type="string" Value="Ostal.Url.mailto"/>');
    expect(wxs).toContain(
      'Key="Software\\RegisteredApplications" Name="Ostal" Type="string" Value="Software\\Clients\\Mail\\Ostal\\Capabilities"',
    );
    expect(wxs).toContain('Value="&quot;[APPLICATIONFOLDER]Ostal.exe&quot; &quot;%1&quot;"');
    expect(wxs.indexOf('OstalMailClientFeature')).toBeLessThan(wxs.indexOf('</Product>'));
    expect(hook.addMailClient(wxs)).toBe(wxs);
    expect(errorsOf(config)).toEqual([]);
  });

  it('the MSI creates %ProgramData%\\Ostal with an administrators-only ACL (hook checked on the real MSI template)', async () => {
    expect(config.msiProjectCreated).toBe('./build/msi-policy-folder.mjs');
    const hook = (await import(pathToFileURL(path.join(root, 'build', 'msi-policy-folder.mjs')).href)) as {
      addPolicyFolder(wxs: string): string;
      POLICY_FOLDER_SDDL: string;
    };
    const template = fs.readFileSync(path.join(root, 'node_modules', 'app-builder-lib', 'templates', 'msi', 'template.xml'), 'utf8');
    const wxs = hook.addPolicyFolder(template);
    expect(wxs).toMatch(
      /<Directory Id="TARGETDIR" Name="SourceDir">\s*<!--[^>]*-->\s*<Directory Id="CommonAppDataFolder">\s*<Directory Id="OSTALPOLICYFOLDER" Name="Ostal"\/>/,
    );
    expect(wxs).toContain(`<PermissionEx Sddl="${hook.POLICY_FOLDER_SDDL}"/>`);
    expect(wxs.indexOf('OstalPolicyFeature')).toBeLessThan(wxs.indexOf('</Product>'));
    expect(hook.addPolicyFolder(wxs)).toBe(wxs);
    // Owner Administrators; protected DACL; SYSTEM and Administrators full control; Users read and execute only.
    expect(hook.POLICY_FOLDER_SDDL).toBe('O:BAG:BAD:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1200a9;;;BU)');
    expect(() => hook.addPolicyFolder('<Wix/>')).toThrow();
  });
});
