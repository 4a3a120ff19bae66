/**
 * A tiny Markdown reader for the documents the application shows as they are in the repository (the accessibility
 * statement): headings, paragraphs, bulleted and numbered lists, **bold** and `code`. React elements only, never
 * HTML from the text. Headings move down by `headingOffset` levels (the screen has its own h1).
 */
import type { ReactNode } from 'react';

function inline(text: string, key: string): ReactNode[] {
  const out: ReactNode[] = [];
  const pattern = /\*\*([^*]+)\*\*|`([^`]+)`/g;
  let at = 0;
  let n = 0;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    if (m.index > at) out.push(text.slice(at, m.index));
    out.push(m[1] !== undefined ? <strong key={`${key}-${n++}`}>{m[1]}</strong> : <code key={`${key}-${n++}`}>{m[2]}</code>);
    at = m.index + m[0].length;
  }
  if (at < text.length) out.push(text.slice(at));
  return out;
}

type Block = { kind: 'heading'; level: number; text: string } | { kind: 'p'; text: string } | { kind: 'ul' | 'ol'; items: string[] };

export function parseMarkdown(source: string): Block[] {
  const blocks: Block[] = [];
  let paragraph: string[] = [];
  let list: { kind: 'ul' | 'ol'; items: string[] } | null = null;
  const flush = () => {
    if (paragraph.length) blocks.push({ kind: 'p', text: paragraph.join(' ') });
    paragraph = [];
    if (list) blocks.push(list);
    list = null;
  };
  for (const raw of source.split('\n')) {
    const line = raw.trimEnd();
    const heading = /^(#{1,6}) (.+)$/.exec(line);
    const bullet = /^[-*] (.+)$/.exec(line);
    const numbered = /^\d+\. (.+)$/.exec(line);
    if (!line.trim()) flush();
    else if (heading) {
      flush();
      blocks.push({ kind: 'heading', level: heading[1].length, text: heading[2] });
    } else if (bullet || numbered) {
      const kind = bullet ? 'ul' : 'ol';
      if (paragraph.length || (list && list.kind !== kind)) flush();
      list ??= { kind, items: [] };
      list.items.push((bullet ?? numbered)![1]);
    } else if (list && /^\s+\S/.test(line)) {
      list.items[list.items.length - 1] += ` ${line.trim()}`;
    } else {
      if (list) flush();
      paragraph.push(line.trim());
    }
  }
  flush();
  return blocks;
}

export function Markdown({ source, headingOffset = 1 }: { source: string; headingOffset?: number }) {
  return (
    <>
      {parseMarkdown(source).map((block, i) => {
        const key = `b${i}`;
        if (block.kind === 'heading') {
          const level = Math.min(6, block.level + headingOffset);
          const Tag = `h${level}` as 'h2';
          return <Tag key={key}>{inline(block.text, key)}</Tag>;
        }
        if (block.kind === 'p') return <p key={key}>{inline(block.text, key)}</p>;
        const List = block.kind;
        return (
          <List key={key}>
            {block.items.map((item, j) => (
              <li key={`${key}-${j}`}>{inline(item, `${key}-${j}`)}</li>
            ))}
          </List>
        );
      })}
    </>
  );
}
