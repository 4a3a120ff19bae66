/**
 * The Group Policy templates in build/policies/ are the ones generated from the policy schema, they are well-formed
 * XML, and they follow the rules of Microsoft's ADMX format. The validation against an XML Schema by xmllint is in
 * policy-admx-xsd.test.ts; the rules checked here by hand are the ones an XSD cannot say across two files or keeps as
 * a second guard — required elements and attributes, their
 * order in a policy, unique names, every $(string.…) and $(presentation.…) of the ADMX defined in the ADML, every
 * option of a policy shown in its presentation and nothing else, categories and supportedOn references resolved.
 * Finally the registry values Group Policy writes from these templates are read back into a valid policy.
 */
import fs from 'node:fs';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { generatePolicyTemplates } from '../../src/policy/admx.js';
import { parsePolicy } from '../../src/policy/index.js';
import { fakeRegistry, type FakeRegistryKey } from '../../src/policy/registry.js';
import { readRegistryPolicy } from '../../src/policy/registry-policy.js';
import { NOT_A_POLICY, POLICY_DEFINITIONS, POLICY_ROOT } from '../../src/policy/schema.js';
import { SETTING_KEYS } from '../../src/store/settings-repository.js';

const dir = path.resolve(import.meta.dirname, '..', '..', 'build', 'policies');
const committed = {
  admx: fs.readFileSync(path.join(dir, 'ostal.admx'), 'utf8'),
  adml: fs.readFileSync(path.join(dir, 'fr-FR', 'ostal.adml'), 'utf8'),
};
const NS = 'http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions';

type Node = Record<string, unknown>;
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  preserveOrder: false,
  isArray: (name) =>
    [
      'policy',
      'category',
      'string',
      'presentation',
      'item',
      'definition',
      'boolean',
      'decimal',
      'text',
      'enum',
      'list',
      'multiText',
    ].includes(name) || ['checkBox', 'textBox', 'decimalTextBox', 'dropdownList', 'listBox', 'multiTextBox'].includes(name),
});
const admx = parser.parse(committed.admx) as { policyDefinitions: Node };
const adml = parser.parse(committed.adml) as { policyDefinitionResources: Node };
const defs = admx.policyDefinitions;
const res = adml.policyDefinitionResources;
const policies = (defs.policies as { policy: Node[] }).policy;
const strings = new Map(((res.resources as Node).stringTable as { string: Node[] }).string.map((s) => [s['@id'] as string, s['#text']]));
const presentations = new Map(
  ((res.resources as Node).presentationTable as { presentation: Node[] }).presentation.map((p) => [p['@id'] as string, p]),
);
const ELEMENT_KINDS = ['boolean', 'decimal', 'text', 'enum', 'list', 'multiText'] as const;
const PRESENTATION_KINDS = ['checkBox', 'textBox', 'decimalTextBox', 'dropdownList', 'listBox', 'multiTextBox'] as const;
const stringRef = (v: unknown) => /^\$\(string\.([\w.]+)\)$/.exec(String(v))?.[1];

describe('ADMX and ADML templates', () => {
  it('are the ones generated from the schema (run « npm run policies:admx » after changing a policy)', () => {
    const generated = generatePolicyTemplates();
    expect(committed.admx).toBe(generated.admx);
    expect(committed.adml).toBe(generated.adml);
  });

  it('are well-formed XML in the PolicyDefinitions namespace, revision and schemaVersion set', () => {
    expect(XMLValidator.validate(committed.admx)).toBe(true);
    expect(XMLValidator.validate(committed.adml)).toBe(true);
    for (const root of [defs, res]) {
      expect(root['@xmlns']).toBe(NS);
      expect(root['@revision']).toMatch(/^\d+\.\d+$/);
      expect(root['@schemaVersion']).toMatch(/^\d+\.\d+$/);
    }
    expect(committed.admx.startsWith('<?xml version="1.0" encoding="utf-8"?>')).toBe(true);
  });

  it('have the required parts of an ADMX file, in the schema’s order', () => {
    const order = ['policyNamespaces', 'resources', 'supportedOn', 'categories', 'policies'];
    const positions = order.map((tag) => committed.admx.indexOf(`<${tag}`));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    const ns = defs.policyNamespaces as { target: Node };
    expect(ns.target['@prefix']).toBe('ostal');
    expect(ns.target['@namespace']).toMatch(/^[\w.]+$/);
    expect((defs.resources as Node)['@minRequiredRevision']).toBe(defs['@revision']);
    expect(typeof res.displayName).toBe('string');
    expect(typeof res.description).toBe('string');
  });

  it('resolve every reference: categories, supportedOn, strings, presentations', () => {
    const categories = (defs.categories as { category: Node[] }).category;
    const categoryNames = new Set(categories.map((c) => c['@name']));
    const supported = new Set(
      ((defs.supportedOn as Node).definitions as { definition: Node[] }).definition.map((d) => {
        expect(strings.has(stringRef(d['@displayName']) ?? '')).toBe(true);
        return d['@name'];
      }),
    );
    for (const c of categories) {
      expect(strings.has(stringRef(c['@displayName']) ?? ''), String(c['@name'])).toBe(true);
      const parent = (c.parentCategory as Node | undefined)?.['@ref'];
      if (parent !== undefined) expect(categoryNames.has(parent)).toBe(true);
    }
    const names = new Set<unknown>();
    for (const p of policies) {
      const name = String(p['@name']);
      expect(names.has(name), `policy ${name} defined twice`).toBe(false);
      names.add(name);
      expect(name).toMatch(/^[A-Za-z_][\w]*$/);
      expect(['User', 'Machine', 'Both']).toContain(p['@class']);
      expect(p['@key']).toMatch(/^Software\\Policies\\Ostal(\\[\w.]+)*$/);
      expect(strings.get(stringRef(p['@displayName']) ?? ''), `${name} displayName`).toBeTruthy();
      expect(strings.get(stringRef(p['@explainText']) ?? ''), `${name} explainText`).toBeTruthy();
      expect(categoryNames.has((p.parentCategory as Node)['@ref']), `${name} category`).toBe(true);
      expect(supported.has((p.supportedOn as Node)['@ref']), `${name} supportedOn`).toBe(true);

      const elements = (p.elements as Record<string, Node[]> | undefined) ?? {};
      const ids = ELEMENT_KINDS.flatMap((k) => (elements[k] ?? []).map((e) => String(e['@id'])));
      expect(new Set(ids).size, `${name}: element ids unique`).toBe(ids.length);
      for (const e of elements.enum ?? [])
        for (const item of e.item as Node[]) expect(strings.has(stringRef(item['@displayName']) ?? '')).toBe(true);
      for (const k of ['boolean', 'decimal', 'text', 'enum', 'multiText'] as const)
        for (const e of elements[k] ?? []) expect(e['@valueName'], `${name}/${String(e['@id'])} valueName`).toBeTruthy();
      for (const e of elements.list ?? []) expect(e['@key']).toMatch(/^Software\\Policies\\Ostal\\/);
      if (!ids.length) {
        // A policy without options stores its state in its own value.
        expect(p['@valueName'], name).toBeTruthy();
        expect(p.enabledValue && p.disabledValue, name).toBeTruthy();
        expect(p['@presentation']).toBeUndefined();
        continue;
      }
      const presentation = presentations.get(/^\$\(presentation\.(\w+)\)$/.exec(String(p['@presentation']))?.[1] ?? '');
      expect(presentation, `${name} presentation`).toBeDefined();
      const refIds = PRESENTATION_KINDS.flatMap((k) => ((presentation?.[k] as Node[] | undefined) ?? []).map((e) => String(e['@refId'])));
      expect([...refIds].sort(), `${name}: every option shown once`).toEqual([...ids].sort());
    }
    // Policy element order: parentCategory, supportedOn, enabledValue, disabledValue, elements.
    for (const block of committed.admx.split('<policy ').slice(1)) {
      const at = (tag: string) => block.indexOf(`<${tag}`);
      expect(at('parentCategory')).toBeLessThan(at('supportedOn'));
      if (at('enabledValue') >= 0) expect(at('supportedOn')).toBeLessThan(at('enabledValue'));
      if (at('elements') >= 0) expect(at('supportedOn')).toBeLessThan(at('elements'));
    }
  });

  it('say everything in French, with no key left untranslated', () => {
    for (const [id, text] of strings) {
      expect(String(text), id).not.toMatch(/^poste\.|⟦|\{\{/);
      expect(String(text).length, id).toBeGreaterThan(1);
    }
    expect(strings.get('Proxy')).toBe('Serveur mandataire (proxy)');
  });

  it('cover every policy key: every setting, the proxy, the domains', () => {
    const names = policies.map((p) => p['@name']);
    const notPolicies: readonly string[] = NOT_A_POLICY;
    // Every setting but the agent's own state and data (the list is short: a new setting is a policy unless said).
    expect(notPolicies.length).toBeLessThanOrEqual(4);
    for (const key of SETTING_KEYS.filter((k) => !notPolicies.includes(k))) expect(names).toContain(`Setting_${key.replace(/\W/g, '_')}`);
    expect(names).toEqual(expect.arrayContaining(['Domains', 'AllowOtherDomains', 'DisabledFeatures', 'DevTools', 'Proxy']));
    expect(names).toHaveLength(POLICY_DEFINITIONS.length);
  });

  it('store values that are read back into a valid policy', () => {
    // What the Group Policy editor writes when every policy of the templates is enabled with sample options.
    const root: FakeRegistryKey = {
      Domains: ['{ "ville-exemple.fr": {', '"imap": "imaps://imap.ville-exemple.fr", "smtp": "smtp://smtp.ville-exemple.fr" } }'],
      AllowOtherDomains: 0,
      DevToolsAllowed: 1,
      DisabledFeatures: { '1': 'visio' },
      Proxy: { Mode: 'pac', Url: '', PacUrl: 'https://proxy.ville-exemple.fr/proxy.pac', Bypass: { '1': '<local>' } },
      Settings: {},
    };
    const samples: Record<string, unknown> = {
      'mail.offlineWindow': '3months',
      'mail.speedLimitKbps': 300,
      'visio.serverUrl': 'https://visio.ville-exemple.fr',
      'files.localRoot': { type: 'REG_EXPAND_SZ', data: '%DOCUMENTS%\\Ostal' },
      'files.speedLimitKbps': 0,
      'workspaces.webdavRoot': 'https://fichiers.ville-exemple.fr/espaces/',
      'workspaces.caldavRoot': 'https://dav.ville-exemple.fr/espaces/',
      'workspaces.mucService': 'salons.ville-exemple.fr',
    };
    for (const [key, value] of Object.entries(samples))
      (root.Settings as FakeRegistryKey)[key] = { Value: value as string, Locked: 1, Hidden: 0 };
    const data = readRegistryPolicy(fakeRegistry({ HKLM: { [POLICY_ROOT]: root } }));
    expect(data?.problems).toEqual([]);
    const { policy, problems, unknown } = parsePolicy(data?.data);
    expect(problems).toEqual([]);
    expect(unknown).toEqual([]);
    expect(policy.proxy).toEqual({ mode: 'pac', pacUrl: 'https://proxy.ville-exemple.fr/proxy.pac', bypass: ['<local>'] });
    expect(policy.settings.size).toBe(Object.keys(samples).length);
    expect(policy.devtoolsAllowed).toBe(true);
  });
});
