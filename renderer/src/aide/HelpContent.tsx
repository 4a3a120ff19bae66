/** A help page's blocks as React elements (never HTML strings), with its screenshots from the e2e suite. */
import { useState } from 'react';
import type { Block, Inline } from './markdown';

/** Where the published screenshots are, next to index.html (scripts/aide-captures.mjs). */
export function captureUrl(file: string): string {
  return `aide/captures/${file}`;
}

function Inlines({ inlines, onOpenPage }: { inlines: Inline[]; onOpenPage(slug: string): void }) {
  return (
    <>
      {inlines.map((inline, index) =>
        inline.type === 'strong' ? (
          <strong key={index}>{inline.text}</strong>
        ) : inline.type === 'code' ? (
          <code key={index}>{inline.text}</code>
        ) : inline.type === 'link' ? (
          <a
            key={index}
            href={`#aide-${inline.page}`}
            className="aide-link"
            onClick={(event) => {
              event.preventDefault();
              onOpenPage(inline.page);
            }}
          >
            {inline.text}
          </a>
        ) : (
          <span key={index}>{inline.text}</span>
        ),
      )}
    </>
  );
}

/** A screenshot; one not published in this build (its spec did not run) is left out rather than shown broken. */
function Capture({ file, alt }: { file: string; alt: string }) {
  const [missing, setMissing] = useState(false);
  if (missing) return null;
  return (
    <figure className="aide-capture" data-testid="aide-capture" data-capture={file}>
      <img src={captureUrl(file)} alt={alt} loading="lazy" onError={() => setMissing(true)} />
      <figcaption>{alt}</figcaption>
    </figure>
  );
}

export function HelpContent({ blocks, onOpenPage }: { blocks: Block[]; onOpenPage(slug: string): void }) {
  return (
    <>
      {blocks.map((block, index) => {
        switch (block.type) {
          case 'heading':
            return (
              <h2 key={index}>
                <Inlines inlines={block.inlines} onOpenPage={onOpenPage} />
              </h2>
            );
          case 'paragraph':
            return (
              <p key={index}>
                <Inlines inlines={block.inlines} onOpenPage={onOpenPage} />
              </p>
            );
          case 'list': {
            const items = block.items.map((item, i) => (
              <li key={i}>
                <Inlines inlines={item} onOpenPage={onOpenPage} />
              </li>
            ));
            return block.ordered ? <ol key={index}>{items}</ol> : <ul key={index}>{items}</ul>;
          }
          case 'capture':
            return <Capture key={index} file={block.file} alt={block.alt} />;
        }
      })}
    </>
  );
}
