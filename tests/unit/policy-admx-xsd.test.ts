/**
 * The Group Policy templates in build/policies/ validated against an XML Schema by a real validator: libxml2's
 * `xmllint --schema` (Debian package libxml2-utils). The schema, tests/fixtures/admx/{admx,adml}.xsd with the types in
 * policy-definition-types.xsd, is Ostal's own transcription of Microsoft's public documentation of the ADMX format
 * (PolicyDefinitions namespace; the pages are listed in its header), strict: no element or attribute the documentation
 * does not list. The negative cases prove the validator bites: each broken copy of the templates is refused, for the
 * reason expected. The structural rules the XSD cannot say (references resolved between .admx and .adml) stay in
 * policy-admx.test.ts.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');
const SCHEMAS = {
  admx: path.join(root, 'tests', 'fixtures', 'admx', 'admx.xsd'),
  adml: path.join(root, 'tests', 'fixtures', 'admx', 'adml.xsd'),
};
const admx = fs.readFileSync(path.join(root, 'build', 'policies', 'ostal.admx'), 'utf8');
const adml = fs.readFileSync(path.join(root, 'build', 'policies', 'fr-FR', 'ostal.adml'), 'utf8');

/** xmllint's exit status: 0 valid, 3 invalid against the schema, 5 the schema itself does not compile. */
function validate(xml: string, kind: keyof typeof SCHEMAS): { status: number | null; errors: string } {
  const run = spawnSync('xmllint', ['--noout', '--nonet', '--schema', SCHEMAS[kind], '-'], { input: xml, encoding: 'utf8' });
  if (run.error)
    throw new Error(`xmllint cannot run (${run.error.message}): install the Debian package libxml2-utils (scripts/install.sh)`);
  return { status: run.status, errors: run.stderr };
}

/** Replaces exactly one occurrence (the first), failing if the fragment is not in the template any more. */
function broken(xml: string, from: string, to: string): string {
  expect(xml, `fragment « ${from} » not found: update the negative case`).toContain(from);
  return xml.replace(from, to);
}

describe('ADMX and ADML templates against the ADMX schema (xmllint)', () => {
  it('xmllint is installed (the test fails, never skips, without it)', () => {
    const run = spawnSync('xmllint', ['--version'], { encoding: 'utf8' });
    expect(run.error, 'install libxml2-utils').toBeUndefined();
    expect(run.stderr + run.stdout).toMatch(/using libxml version \d+/);
  });

  it('ostal.admx is valid', () => {
    const { status, errors } = validate(admx, 'admx');
    expect(errors).toMatch(/validates/);
    expect(status).toBe(0);
  });

  it('fr-FR/ostal.adml is valid', () => {
    const { status, errors } = validate(adml, 'adml');
    expect(errors).toMatch(/validates/);
    expect(status).toBe(0);
  });

  it('the templates really use multiText and multiTextBox, which the schema checks', () => {
    expect(admx).toMatch(/<multiText id="\w+" valueName="\w+" maxLength="\d+" \/>/);
    expect(adml).toMatch(/<multiTextBox refId="\w+">[^<]+<\/multiTextBox>/);
  });

  const badAdmx: [string, string, string, RegExp][] = [
    [
      'a policy with a misspelt element',
      '<parentCategory ref="Ostal_General" />',
      '<parentCategroy ref="Ostal_General" />',
      /parentCategroy.*This element is not expected/,
    ],
    [
      'a policy whose elements are in the wrong order',
      '<parentCategory ref="Ostal_General" />\n      <supportedOn ref="SUPPORTED_Ostal_1" />',
      '<supportedOn ref="SUPPORTED_Ostal_1" />\n      <parentCategory ref="Ostal_General" />',
      /parentCategory.*This element is not expected/,
    ],
    [
      'a policy without supportedOn',
      '      <supportedOn ref="SUPPORTED_Ostal_1" />\n',
      '',
      /elements.*This element is not expected. Expected is one of.*supportedOn/,
    ],
    ['a multiText missing its id', '<multiText id="Domains_Json" ', '<multiText ', /multiText.*The attribute 'id' is required/],
    [
      'a multiText with a misspelt attribute',
      'maxLength="65535"',
      'maxlength="65535"',
      /multiText.*The attribute 'maxlength' is not allowed/,
    ],
    [
      'a multiText whose maxStrings is not a number',
      'maxLength="65535"',
      'maxLength="65535" maxStrings="beaucoup"',
      /maxStrings.*'beaucoup'.*unsignedInt/,
    ],
    ['a policy class that does not exist', 'class="Both"', 'class="Everyone"', /'class'.*enumeration.*'Everyone'/],
    [
      'a displayName that is not a string reference',
      'displayName="$(string.Domains)"',
      'displayName="Domaines"',
      /displayName.*'Domaines'.*pattern/,
    ],
    [
      'a boolean value that is not a number',
      '<trueValue><decimal value="1" />',
      '<trueValue><decimal value="oui" />',
      /value.*'oui'.*unsignedInt/,
    ],
    ['an enum item without a value', '<value><string>system</string></value>', '', /item.*Missing child element\(s\).*value/],
    ['a decimal with a negative maximum', 'maxValue="10000000"', 'maxValue="-1"', /maxValue.*'-1'.*unsignedInt/],
    [
      'an element that the schema does not know in elements',
      '<text id="Proxy_Url" valueName="Url" />',
      '<password id="Proxy_Url" valueName="Url" />',
      /password.*This element is not expected/,
    ],
    ['two policies with the same name', 'name="AllowOtherDomains"', 'name="Domains"', /uniquePolicyName|Duplicate key-sequence/],
    ['no schemaVersion', 'schemaVersion="1.0"', '', /The attribute 'schemaVersion' is required/],
  ];
  it.each(badAdmx)('refuses %s', (_, from, to, reason) => {
    const { status, errors } = validate(broken(admx, from, to), 'admx');
    expect(errors).toMatch(reason);
    expect(errors).toMatch(/fails to validate/);
    expect(status).toBe(3);
  });

  const badAdml: [string, string, string, RegExp][] = [
    [
      'a multiTextBox without refId',
      '<multiTextBox refId="Domains_Json">',
      '<multiTextBox>',
      /multiTextBox.*The attribute 'refId' is required/,
    ],
    [
      'a multiTextBox with a defaultHeight in words',
      '<multiTextBox refId="Domains_Json">',
      '<multiTextBox refId="Domains_Json" defaultHeight="dix">',
      /defaultHeight.*'dix'.*unsignedInt/,
    ],
    ['a dropdownList with a defaultItem in words', 'defaultItem="0"', 'defaultItem="premier"', /defaultItem.*'premier'.*unsignedInt/],
    [
      'a textBox without its label',
      /<textBox refId="Proxy_Url"><label>[^<]*<\/label><\/textBox>/.exec(adml)?.[0] ?? '<textBox refId="Proxy_Url">',
      '<textBox refId="Proxy_Url"></textBox>',
      /textBox.*Missing child element\(s\).*label/,
    ],
    [
      'a presentation part the schema does not know',
      '<listBox refId="DisabledFeatures_List">Fonctions à désactiver</listBox>',
      '<listbox refId="DisabledFeatures_List">Fonctions à désactiver</listbox>',
      /listbox.*This element is not expected/,
    ],
    ['two strings with the same id', '<string id="Ostal_Network">', '<string id="Ostal_General">', /uniqueStringId|Duplicate key-sequence/],
    [
      'a presentation showing the same option twice',
      '<checkBox refId="Setting_mail_offlineWindow_Hidden">',
      '<checkBox refId="Setting_mail_offlineWindow_Locked">',
      /uniqueRefId|Duplicate key-sequence/,
    ],
    [
      'no description',
      /<description>[^<]*<\/description>\n\s*/.exec(adml)?.[0] ?? '<description>',
      '',
      /resources.*This element is not expected. Expected is.*description/,
    ],
  ];
  it.each(badAdml)('refuses an ADML with %s', (_, from, to, reason) => {
    const { status, errors } = validate(broken(adml, from, to), 'adml');
    expect(errors).toMatch(reason);
    expect(status).toBe(3);
  });

  it('refuses an ADML given as the ADMX and the other way round', () => {
    expect(validate(adml, 'admx').errors).toMatch(/No matching global declaration available for the validation root/);
    expect(validate(admx, 'adml').status).toBe(3);
  });
});
