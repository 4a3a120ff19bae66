/**
 * The offline help centre's pages: one Markdown file per task in ./pages/ (see markdown.ts for the format), bundled
 * with the renderer, and the accent-insensitive search over them. The screenshots they name are the files the e2e
 * suite writes (tests/e2e SHOTS_DIR), published next to the built renderer by scripts/aide-captures.mjs.
 */
import { blocksText, foldForSearch, parseHelpPage, type Block } from './markdown';

export type HelpSection = 'debuter' | 'courrier' | 'agenda' | 'contacts' | 'fichiers' | 'visio' | 'espaces' | 'informatique';

export const HELP_SECTIONS: readonly HelpSection[] = [
  'debuter',
  'courrier',
  'agenda',
  'contacts',
  'fichiers',
  'visio',
  'espaces',
  'informatique',
];

export interface HelpPage {
  /** File name without .md: the page's address (« page:slug » links, « ? » buttons of Réglages). */
  slug: string;
  title: string;
  section: HelpSection;
  /** Order inside the section (`ordre:` in the file; then by title). */
  order: number;
  blocks: Block[];
  /** Every screenshot the page shows, in order. */
  captures: string[];
  /** Folded text of the title, keywords and body, for search. */
  folded: { title: string; all: string };
}

const sources = import.meta.glob<string>('./pages/*.md', { query: '?raw', import: 'default', eager: true });

function isSection(value: string | undefined): value is HelpSection {
  return (HELP_SECTIONS as readonly string[]).includes(value ?? '');
}

export function buildHelpPages(files: Record<string, string>): HelpPage[] {
  const pages: HelpPage[] = [];
  for (const [file, source] of Object.entries(files)) {
    const slug = /([a-z0-9-]+)\.md$/.exec(file)?.[1];
    const { meta, blocks } = parseHelpPage(source);
    if (!slug || !meta.titre || !isSection(meta.rubrique)) continue;
    pages.push({
      slug,
      title: meta.titre,
      section: meta.rubrique,
      order: Number(meta.ordre ?? 50),
      blocks,
      captures: blocks.flatMap((block) => (block.type === 'capture' ? [block.file] : [])),
      folded: { title: foldForSearch(meta.titre), all: foldForSearch(`${meta.titre} ${meta.mots ?? ''} ${blocksText(blocks)}`) },
    });
  }
  return pages.sort(
    (a, b) =>
      HELP_SECTIONS.indexOf(a.section) - HELP_SECTIONS.indexOf(b.section) || a.order - b.order || a.title.localeCompare(b.title, 'fr'),
  );
}

export const HELP_PAGES: HelpPage[] = buildHelpPages(sources);

export function helpPage(slug: string): HelpPage | undefined {
  return HELP_PAGES.find((page) => page.slug === slug);
}

/**
 * Pages with every word of the query (accents, case and apostrophes ignored), best first: words found in the title
 * count more than words found in the text.
 */
export function searchHelp(query: string, pages: HelpPage[] = HELP_PAGES): HelpPage[] {
  const words = foldForSearch(query)
    .split(/[^a-z0-9']+/)
    .filter((word) => word.length > 1);
  if (words.length === 0) return [];
  const scored: { page: HelpPage; score: number }[] = [];
  for (const page of pages) {
    if (!words.every((word) => page.folded.all.includes(word))) continue;
    const inTitle = words.filter((word) => page.folded.title.includes(word)).length;
    const phrase = page.folded.title.includes(words.join(' ')) ? 10 : 0;
    scored.push({ page, score: phrase + inTitle * 2 });
  }
  return scored.sort((a, b) => b.score - a.score).map((entry) => entry.page);
}
