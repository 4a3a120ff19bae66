/**
 * The policy schema seen from Windows: every key of the policy file (src/policy/index.ts, parsePolicy) as a Group
 * Policy, with where it lives in the registry and how its value is typed. Two things are made from this one table:
 * - the reading of HKLM/HKCU\Software\Policies\Ostal into the very object the JSON file holds (./registry-policy.ts),
 *   which parsePolicy then checks as it checks the file;
 * - the ADMX/ADML templates (./admx.ts, `npm run policies:admx` → build/policies/).
 * A setting added to SETTING_DEFINITIONS must get its entry in SETTING_POLICIES (the compiler says so), and then
 * appears in both. French texts are keys of src/i18n/fr.json (`poste.admx.*`).
 */
import { OFFLINE_WINDOWS, type SettingKey } from '../store/settings-repository.js';
import { FEATURES, PROXY_MODES } from './index.js';

/** Where the policies live, under HKLM (machine) or HKCU (user). */
export const POLICY_ROOT = 'Software\\Policies\\Ostal';

/** A path in the JSON policy object (keys may hold dots: `['settings', 'mail.offlineWindow', 'value']`). */
export type JsonPath = readonly string[];

/** One value a policy sets, and its registry value (under the policy's key, or its own `key`). */
export type PolicyElement =
  | { kind: 'boolean'; id: string; valueName: string; path: JsonPath }
  | { kind: 'decimal'; id: string; valueName: string; path: JsonPath; min: number; max: number }
  | { kind: 'text'; id: string; valueName: string; path: JsonPath; expandable?: boolean }
  /** A JSON value written as text (REG_MULTI_SZ, lines joined), for the nested objects (domains). */
  | { kind: 'json'; id: string; valueName: string; path: JsonPath }
  | { kind: 'enum'; id: string; valueName: string; path: JsonPath; values: readonly { value: string; label: string }[] }
  /** A list of strings: a subkey whose values are named 1, 2, 3… */
  | { kind: 'list'; id: string; key: string; path: JsonPath };

export interface PolicyDefinition {
  /** ADMX policy name (also the id of its strings). */
  name: string;
  category: 'general' | 'network' | 'settings';
  /** Registry key under POLICY_ROOT ('' = the root). */
  key: string;
  /** A policy without elements: enabled = 1, disabled = 0 in this DWORD, as this boolean. */
  toggle?: { valueName: string; path: JsonPath };
  elements: readonly PolicyElement[];
  /** Key of fr.json for the title, and for the explanation. */
  title: string;
  explain: string;
}

type SettingPolicy =
  | { kind: 'enum'; values: readonly { value: string; label: string }[] }
  | { kind: 'decimal'; min: number; max: number }
  | { kind: 'text'; expandable?: boolean };

/**
 * Settings that are the agent's own state or data, never a policy: visio.joinToken is obsolete, the visite guidée's
 * progress and the last « Quoi de neuf » seen are bookkeeping, and each agent writes their own signature (IT sets the
 * organisation's template, mail.signatureTemplate).
 */
export const NOT_A_POLICY = ['visio.joinToken', 'aide.visitesVues', 'aide.versionVue', 'mail.signatures'] as const;
type NotAPolicy = (typeof NOT_A_POLICY)[number];

/** Every setting IT may set, with its ADMX shape. */
export const SETTING_POLICIES: Record<Exclude<SettingKey, NotAPolicy>, SettingPolicy & { title: string; explain: string }> = {
  'mail.offlineWindow': {
    kind: 'enum',
    values: OFFLINE_WINDOWS.map((value) => ({ value, label: `poste.admx.offlineWindow.${value}` })),
    title: 'poste.admx.settings.mailOfflineWindow',
    explain: 'poste.admx.settings.mailOfflineWindowExplain',
  },
  'mail.speedLimitKbps': {
    kind: 'decimal',
    min: 0,
    max: 10_000_000,
    title: 'poste.admx.settings.mailSpeedLimit',
    explain: 'poste.admx.settings.mailSpeedLimitExplain',
  },
  'visio.serverUrl': { kind: 'text', title: 'poste.admx.settings.visioServer', explain: 'poste.admx.settings.visioServerExplain' },
  'files.localRoot': {
    kind: 'text',
    expandable: true,
    title: 'poste.admx.settings.filesRoot',
    explain: 'poste.admx.settings.filesRootExplain',
  },
  'files.speedLimitKbps': {
    kind: 'decimal',
    min: 0,
    max: 10_000_000,
    title: 'poste.admx.settings.filesSpeedLimit',
    explain: 'poste.admx.settings.filesSpeedLimitExplain',
  },
  'workspaces.webdavRoot': {
    kind: 'text',
    title: 'poste.admx.settings.workspacesWebdav',
    explain: 'poste.admx.settings.workspacesWebdavExplain',
  },
  'workspaces.caldavRoot': {
    kind: 'text',
    title: 'poste.admx.settings.workspacesCaldav',
    explain: 'poste.admx.settings.workspacesCaldavExplain',
  },
  'workspaces.mucService': {
    kind: 'text',
    title: 'poste.admx.settings.workspacesMuc',
    explain: 'poste.admx.settings.workspacesMucExplain',
  },
  'aide.visiteGuidee': {
    kind: 'enum',
    values: [
      { value: 'on', label: 'poste.admx.onOff.on' },
      { value: 'off', label: 'poste.admx.onOff.off' },
    ],
    title: 'poste.admx.settings.aideVisite',
    explain: 'poste.admx.settings.aideVisiteExplain',
  },
  'mail.composeFormat': {
    kind: 'enum',
    values: [
      { value: 'html', label: 'poste.admx.composeFormat.html' },
      { value: 'text', label: 'poste.admx.composeFormat.text' },
    ],
    title: 'poste.admx.settings.mailComposeFormat',
    explain: 'poste.admx.settings.mailComposeFormatExplain',
  },
  'mail.signatureTemplate': {
    kind: 'text',
    title: 'poste.admx.settings.mailSignatureTemplate',
    explain: 'poste.admx.settings.mailSignatureTemplateExplain',
  },
  'desktop.closeToTray': {
    kind: 'enum',
    values: [
      { value: 'yes', label: 'poste.admx.closeToTray.yes' },
      { value: 'no', label: 'poste.admx.closeToTray.no' },
    ],
    title: 'poste.admx.settings.desktopCloseToTray',
    explain: 'poste.admx.settings.desktopCloseToTrayExplain',
  },
  'desktop.startAtLogin': {
    kind: 'enum',
    values: [
      { value: 'yes', label: 'poste.admx.startAtLogin.yes' },
      { value: 'no', label: 'poste.admx.startAtLogin.no' },
    ],
    title: 'poste.admx.settings.desktopStartAtLogin',
    explain: 'poste.admx.settings.desktopStartAtLoginExplain',
  },
};

/** `mail.offlineWindow` → `Setting_mail_offlineWindow` (an ADMX name: letters, digits, underscores). */
const settingPolicyName = (key: string) => `Setting_${key.replace(/\W/g, '_')}`;

function settingPolicy(key: keyof typeof SETTING_POLICIES): PolicyDefinition {
  const meta = SETTING_POLICIES[key];
  const path: JsonPath = ['settings', key, 'value'];
  const id = `${settingPolicyName(key)}_Value`;
  const value: PolicyElement =
    meta.kind === 'enum'
      ? { kind: 'enum', id, valueName: 'Value', path, values: meta.values }
      : meta.kind === 'decimal'
        ? { kind: 'decimal', id, valueName: 'Value', path, min: meta.min, max: meta.max }
        : { kind: 'text', id, valueName: 'Value', path, expandable: meta.expandable };
  return {
    name: settingPolicyName(key),
    category: 'settings',
    key: `Settings\\${key}`,
    elements: [
      value,
      { kind: 'boolean', id: `${settingPolicyName(key)}_Locked`, valueName: 'Locked', path: ['settings', key, 'locked'] },
      { kind: 'boolean', id: `${settingPolicyName(key)}_Hidden`, valueName: 'Hidden', path: ['settings', key, 'hidden'] },
    ],
    title: meta.title,
    explain: meta.explain,
  };
}

/** All the policies, in the order of the templates. */
export const POLICY_DEFINITIONS: readonly PolicyDefinition[] = [
  {
    name: 'Domains',
    category: 'general',
    key: '',
    elements: [{ kind: 'json', id: 'Domains_Json', valueName: 'Domains', path: ['domains'] }],
    title: 'poste.admx.domains',
    explain: 'poste.admx.domainsExplain',
  },
  {
    name: 'AllowOtherDomains',
    category: 'general',
    key: '',
    toggle: { valueName: 'AllowOtherDomains', path: ['allowOtherDomains'] },
    elements: [],
    title: 'poste.admx.allowOtherDomains',
    explain: 'poste.admx.allowOtherDomainsExplain',
  },
  {
    name: 'DisabledFeatures',
    category: 'general',
    key: '',
    elements: [{ kind: 'list', id: 'DisabledFeatures_List', key: 'DisabledFeatures', path: ['disabledFeatures'] }],
    title: 'poste.admx.disabledFeatures',
    explain: 'poste.admx.disabledFeaturesExplain',
  },
  {
    name: 'DevTools',
    category: 'general',
    key: '',
    toggle: { valueName: 'DevToolsAllowed', path: ['devtools', 'allowed'] },
    elements: [],
    title: 'poste.admx.devtools',
    explain: 'poste.admx.devtoolsExplain',
  },
  {
    name: 'Proxy',
    category: 'network',
    key: 'Proxy',
    elements: [
      {
        kind: 'enum',
        id: 'Proxy_Mode',
        valueName: 'Mode',
        path: ['proxy', 'mode'],
        values: PROXY_MODES.map((value) => ({ value, label: `poste.admx.proxyMode.${value}` })),
      },
      { kind: 'text', id: 'Proxy_Url', valueName: 'Url', path: ['proxy', 'url'] },
      { kind: 'text', id: 'Proxy_PacUrl', valueName: 'PacUrl', path: ['proxy', 'pacUrl'] },
      { kind: 'list', id: 'Proxy_Bypass', key: 'Proxy\\Bypass', path: ['proxy', 'bypass'] },
    ],
    title: 'poste.admx.proxy',
    explain: 'poste.admx.proxyExplain',
  },
  ...(Object.keys(SETTING_POLICIES) as (keyof typeof SETTING_POLICIES)[]).map(settingPolicy),
];

/** The features a DisabledFeatures list may name (for the explanation text). */
export const FEATURE_NAMES = FEATURES;
