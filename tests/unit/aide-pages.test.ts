import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { foldForSearch, parseHelpPage } from '../../renderer/src/aide/markdown';
import { compareVersions, NEWS, newsSince, parseNews } from '../../renderer/src/aide/news';
import { HELP_PAGES, helpPage, searchHelp } from '../../renderer/src/aide/pages';
import { seenModules, withSeen } from '../../renderer/src/aide/tours';
import { referencedCaptures } from '../../scripts/aide-captures.mjs';
import { SETTING_DEFINITIONS } from '../../src/store/settings-repository';

const E2E_DIR = path.join(process.cwd(), 'tests', 'e2e');
const e2eSources = fs
  .readdirSync(E2E_DIR)
  .filter((file) => file.endsWith('.ts'))
  .map((file) => fs.readFileSync(path.join(E2E_DIR, file), 'utf8'))
  .join('\n');

describe('centre d’aide', () => {
  it('has about thirty task pages, each with a title and a section, and a page for IT', () => {
    expect(HELP_PAGES.length).toBeGreaterThanOrEqual(30);
    for (const page of HELP_PAGES) {
      expect(page.title.length, page.slug).toBeGreaterThan(5);
      expect(page.blocks.length, page.slug).toBeGreaterThan(0);
    }
    const it = helpPage('service-informatique');
    expect(it?.section).toBe('informatique');
    for (const word of ['policies.json', 'disabledFeatures', 'account add', 'aide.visiteGuidee']) {
      expect(JSON.stringify(it?.blocks)).toContain(word);
    }
  });

  it('finds « Mettre une réponse automatique » first whatever the accents and case', () => {
    for (const query of ['reponse automatique', 'Réponse automatique', 'RÉPONSE AUTOMATIQUE', 'réponse  automatique ']) {
      expect(searchHelp(query)[0]?.slug, query).toBe('reponse-automatique');
    }
    expect(searchHelp('outlook')[0]?.slug).toBe('importer-outlook');
    expect(searchHelp('piece jointe')[0]?.slug).toBe('envoyer-piece-jointe');
    expect(searchHelp('xyzzy')).toEqual([]);
    expect(searchHelp(' ')).toEqual([]);
    expect(foldForSearch('Œuvre d’Élodie')).toBe("oeuvre d'elodie");
  });

  it('links only to pages that exist, and every « ? » of Réglages has its page', () => {
    for (const page of HELP_PAGES) {
      const links = JSON.stringify(page.blocks).match(/"page":"([a-z0-9-]+)"/g) ?? [];
      for (const link of links) expect(helpPage(link.slice(8, -1)), `${page.slug} → ${link}`).toBeDefined();
    }
    const renderer = [
      'renderer/src/views/ReglagesView.tsx',
      'renderer/src/views/reglages/CourrierSettings.tsx',
      'renderer/src/views/reglages/ImportPanel.tsx',
    ]
      .map((file) => fs.readFileSync(file, 'utf8'))
      .join('\n');
    const used = [...renderer.matchAll(/(?:page="|help: ')([a-z0-9-]+)/g)].map((m) => m[1]);
    expect(used.length).toBeGreaterThanOrEqual(6);
    for (const slug of used) expect(helpPage(slug), slug).toBeDefined();
  });

  it('shows only screenshots an end-to-end spec takes', () => {
    const names = referencedCaptures();
    expect(names.length).toBeGreaterThan(30);
    for (const name of names) {
      // Either literally, or through walk.spec's `walk-${name}.png` for the screens it walks.
      const literal = e2eSources.includes(`'${name}'`);
      const walked = name.startsWith('walk-') && e2eSources.includes('`walk-${name}.png`') && e2eSources.includes(`'${name.slice(5, -4)}'`);
      expect(literal || walked, name).toBe(true);
    }
  });

  it('never turns the text into HTML: tags, web links and other image sources stay plain text', () => {
    const page = parseHelpPage(
      '---\ntitre: Essai\n---\n<img src=x onerror=alert(1)> [site](https://exemple.fr) **gras**\n\n![x](https://exemple.fr/a.png)\n![y](capture:../secret.png)\n',
    );
    expect(page.blocks[0]).toEqual({
      type: 'paragraph',
      inlines: [
        { type: 'text', text: '<img src=x onerror=alert(1)> [site](https://exemple.fr) ' },
        { type: 'strong', text: 'gras' },
      ],
    });
    expect(page.blocks.filter((b) => b.type === 'capture')).toEqual([]);
  });

  it('follows French typography: non-breaking space before « : ; ? ! » and inside quotes, typographic apostrophe', () => {
    const dir = path.join(process.cwd(), 'renderer', 'src', 'aide');
    const files = [...fs.readdirSync(path.join(dir, 'pages')).map((f) => path.join(dir, 'pages', f)), path.join(dir, 'quoi-de-neuf.md')];
    for (const file of files) {
      const body = fs.readFileSync(file, 'utf8').replace(/^---[\s\S]*?\n---\n/, '');
      const text = body.replace(/`[^`]*`/g, '').replace(/\((capture|page):[^)]*\)/g, '');
      expect(text, file).not.toMatch(/ [:;?!](\s|$)/m);
      expect(text, file).not.toMatch(/\w[:;?!](\s|$)/m);
      expect(text, file).not.toMatch(/« | »/);
      expect(text, file).not.toMatch(/\w'\w/);
    }
  });
});

describe('quoi de neuf et visites', () => {
  it('shows the versions between the last one seen and the current one, nothing at first launch', () => {
    const news = parseNews('## 0.3.0\n- trois\n\n## 0.2.0\n- deux\n\n## 0.1.0\n- un\n');
    expect(newsSince('', '0.3.0', news)).toEqual([]);
    expect(newsSince('0.3.0', '0.3.0', news)).toEqual([]);
    expect(newsSince('0.1.0', '0.3.0', news).map((n) => n.version)).toEqual(['0.3.0', '0.2.0']);
    expect(newsSince('0.1.0', '0.2.0', news).map((n) => n.version)).toEqual(['0.2.0']);
    expect(compareVersions('0.10.0', '0.9.1')).toBeGreaterThan(0);
    const version = (JSON.parse(fs.readFileSync('package.json', 'utf8')) as { version: string }).version;
    expect(
      NEWS.some((n) => n.version === version),
      'quoi-de-neuf.md has the current version',
    ).toBe(true);
  });

  it('remembers the modules toured as a short list', () => {
    expect(withSeen('', 'agenda')).toBe('agenda');
    expect(withSeen('agenda', 'courrier')).toBe('courrier,agenda');
    expect(withSeen('courrier,agenda', 'agenda')).toBe('courrier,agenda');
    expect(seenModules('courrier,inconnu,visio')).toEqual(['courrier', 'visio']);
  });
});

describe('réglages de l’aide', () => {
  it('accept only their own values (from the agent or from an IT policy)', () => {
    const tour = SETTING_DEFINITIONS['aide.visiteGuidee'];
    expect(tour.isValid('on') && tour.isValid('off')).toBe(true);
    for (const bad of ['non', '', 0, null]) expect(tour.isValid(bad), String(bad)).toBe(false);
    const seen = SETTING_DEFINITIONS['aide.visitesVues'];
    expect(seen.isValid('') && seen.isValid('courrier,agenda')).toBe(true);
    for (const bad of ['courrier;agenda', 'Courrier', ',', 12]) expect(seen.isValid(bad), String(bad)).toBe(false);
    const version = SETTING_DEFINITIONS['aide.versionVue'];
    expect(version.isValid('') && version.isValid('0.1.0')).toBe(true);
    for (const bad of ['v1', '1.0', '<b>']) expect(version.isValid(bad), bad).toBe(false);
  });

  it('turn the first-launch tour off with OSTAL_VISITE_GUIDEE=off', () => {
    const before = process.env.OSTAL_VISITE_GUIDEE;
    try {
      delete process.env.OSTAL_VISITE_GUIDEE;
      expect(SETTING_DEFINITIONS['aide.visiteGuidee'].defaultValue()).toBe('on');
      process.env.OSTAL_VISITE_GUIDEE = 'off';
      expect(SETTING_DEFINITIONS['aide.visiteGuidee'].defaultValue()).toBe('off');
    } finally {
      if (before === undefined) delete process.env.OSTAL_VISITE_GUIDEE;
      else process.env.OSTAL_VISITE_GUIDEE = before;
    }
  });
});
