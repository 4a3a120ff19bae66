/**
 * The Group Policy templates of Ostal, made from the policy schema (./schema.ts): `ostal.admx` (the policies, their
 * registry keys and values) and `fr-FR/ostal.adml` (their French texts and the layout of their options in the Group
 * Policy editor). Written to build/policies/ by `npm run policies:admx` (scripts/policies-admx.ts); a unit test checks
 * that the committed files are the generated ones and follow the ADMX schema's rules.
 */
import { t } from '../i18n/index.js';
import { POLICY_DEFINITIONS, POLICY_ROOT, type PolicyDefinition, type PolicyElement } from './schema.js';

export const ADMX_NAMESPACE = 'http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions';
/** The templates' own namespace (ADMX target). */
export const OSTAL_ADMX_NAMESPACE = 'Ostal.Policies';
const REVISION = '1.0';
const SUPPORTED = 'SUPPORTED_Ostal_1';

const CATEGORIES: Record<PolicyDefinition['category'], { name: string; title: string }> = {
  general: { name: 'Ostal_General', title: 'poste.admx.categories.general' },
  network: { name: 'Ostal_Network', title: 'poste.admx.categories.network' },
  settings: { name: 'Ostal_Settings', title: 'poste.admx.categories.settings' },
};

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const keyOf = (def: PolicyDefinition) => (def.key ? `${POLICY_ROOT}\\${def.key}` : POLICY_ROOT);

/** The string id of an enum item: `<element id>_<value>`. */
const itemId = (el: Extract<PolicyElement, { kind: 'enum' }>, value: string) => `${el.id}_${value.replace(/\W/g, '_')}`;

function admxElement(el: PolicyElement): string {
  const attrs = (pairs: Record<string, string | number | undefined>) =>
    Object.entries(pairs)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`)
      .join('');
  switch (el.kind) {
    case 'boolean':
      return (
        `        <boolean${attrs({ id: el.id, valueName: el.valueName })}>\n` +
        `          <trueValue><decimal value="1" /></trueValue>\n` +
        `          <falseValue><decimal value="0" /></falseValue>\n` +
        `        </boolean>`
      );
    case 'decimal':
      return `        <decimal${attrs({ id: el.id, valueName: el.valueName, minValue: el.min, maxValue: el.max })} />`;
    case 'text':
      return `        <text${attrs({ id: el.id, valueName: el.valueName, expandable: el.expandable ? 'true' : undefined })} />`;
    case 'json':
      return `        <multiText${attrs({ id: el.id, valueName: el.valueName, maxLength: 65535 })} />`;
    case 'list':
      return `        <list${attrs({ id: el.id, key: `${POLICY_ROOT}\\${el.key}`, valuePrefix: '' })} />`;
    case 'enum':
      return [
        `        <enum${attrs({ id: el.id, valueName: el.valueName, required: 'true' })}>`,
        ...el.values.map(
          (v) =>
            `          <item displayName="$(string.${itemId(el, v.value)})"><value><string>${escapeXml(v.value)}</string></value></item>`,
        ),
        `        </enum>`,
      ].join('\n');
  }
}

function admxPolicy(def: PolicyDefinition): string {
  const lines = [
    `    <policy name="${def.name}" class="Both" displayName="$(string.${def.name})" explainText="$(string.${def.name}_Explain)"` +
      `${def.elements.length ? ` presentation="$(presentation.${def.name})"` : ''} key="${escapeXml(keyOf(def))}"` +
      `${def.toggle ? ` valueName="${def.toggle.valueName}"` : ''}>`,
    `      <parentCategory ref="${CATEGORIES[def.category].name}" />`,
    `      <supportedOn ref="${SUPPORTED}" />`,
  ];
  if (def.toggle) {
    lines.push('      <enabledValue><decimal value="1" /></enabledValue>', '      <disabledValue><decimal value="0" /></disabledValue>');
  }
  if (def.elements.length) lines.push('      <elements>', ...def.elements.map(admxElement), '      </elements>');
  lines.push('    </policy>');
  return lines.join('\n');
}

function admlPresentation(def: PolicyDefinition): string {
  const label = (el: PolicyElement) => escapeXml(t(`poste.admx.elements.${el.id}`));
  const parts = def.elements.map((el) => {
    switch (el.kind) {
      case 'boolean':
        return `        <checkBox refId="${el.id}">${label(el)}</checkBox>`;
      case 'decimal':
        return `        <decimalTextBox refId="${el.id}" defaultValue="0">${label(el)}</decimalTextBox>`;
      case 'text':
        return `        <textBox refId="${el.id}"><label>${label(el)}</label></textBox>`;
      case 'json':
        return `        <multiTextBox refId="${el.id}">${label(el)}</multiTextBox>`;
      case 'list':
        return `        <listBox refId="${el.id}">${label(el)}</listBox>`;
      case 'enum':
        return `        <dropdownList refId="${el.id}" noSort="true" defaultItem="0">${label(el)}</dropdownList>`;
    }
  });
  return [`      <presentation id="${def.name}">`, ...parts, '      </presentation>'].join('\n');
}

/** Every string id of the ADML with its French text. */
function admlStrings(): [string, string][] {
  const strings: [string, string][] = [
    [SUPPORTED, t('poste.admx.supported')],
    ['Ostal', t('poste.admx.categories.root')],
    ...Object.values(CATEGORIES).map((c): [string, string] => [c.name, t(c.title)]),
  ];
  for (const def of POLICY_DEFINITIONS) {
    strings.push([def.name, t(def.title)], [`${def.name}_Explain`, t(def.explain)]);
    for (const el of def.elements) if (el.kind === 'enum') for (const v of el.values) strings.push([itemId(el, v.value), t(v.label)]);
  }
  return strings;
}

/** The two templates' text (UTF-8, LF line ends: the Group Policy editor reads both kinds). */
export function generatePolicyTemplates(): { admx: string; adml: string } {
  const admx = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<!-- Fichier généré (npm run policies:admx) depuis src/policy/schema.ts, ne pas modifier à la main. -->',
    `<policyDefinitions xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" revision="${REVISION}" schemaVersion="1.0" xmlns="${ADMX_NAMESPACE}">`,
    '  <policyNamespaces>',
    `    <target prefix="ostal" namespace="${OSTAL_ADMX_NAMESPACE}" />`,
    '  </policyNamespaces>',
    `  <resources minRequiredRevision="${REVISION}" />`,
    '  <supportedOn>',
    '    <definitions>',
    `      <definition name="${SUPPORTED}" displayName="$(string.${SUPPORTED})" />`,
    '    </definitions>',
    '  </supportedOn>',
    '  <categories>',
    '    <category name="Ostal" displayName="$(string.Ostal)" />',
    ...Object.values(CATEGORIES).map(
      (c) => `    <category name="${c.name}" displayName="$(string.${c.name})">\n      <parentCategory ref="Ostal" />\n    </category>`,
    ),
    '  </categories>',
    '  <policies>',
    ...POLICY_DEFINITIONS.map(admxPolicy),
    '  </policies>',
    '</policyDefinitions>',
    '',
  ].join('\n');
  const adml = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<!-- Fichier généré (npm run policies:admx) depuis src/policy/schema.ts, ne pas modifier à la main. -->',
    `<policyDefinitionResources xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" revision="${REVISION}" schemaVersion="1.0" xmlns="${ADMX_NAMESPACE}">`,
    `  <displayName>${escapeXml(t('poste.admx.displayName'))}</displayName>`,
    `  <description>${escapeXml(t('poste.admx.description'))}</description>`,
    '  <resources>',
    '    <stringTable>',
    ...admlStrings().map(([id, text]) => `      <string id="${id}">${escapeXml(text)}</string>`),
    '    </stringTable>',
    '    <presentationTable>',
    ...POLICY_DEFINITIONS.filter((d) => d.elements.length).map(admlPresentation),
    '    </presentationTable>',
    '  </resources>',
    '</policyDefinitionResources>',
    '',
  ].join('\n');
  return { admx, adml };
}
