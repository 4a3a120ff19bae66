/**
 * Sanitising of HTML mail in the core (sanitize-html): an allowlist of formatting tags and
 * attributes, inline styles limited to safe properties without url() (except remote backgrounds
 * when the user allowed remote content), links limited to http/https/mailto, `cid:` images
 * replaced by the message's own inline parts, and remote images removed until allowed.
 *
 * The renderer adds a second wall: the result is shown in `<iframe sandbox>` whose document has a
 * strict CSP of its own, so a construct that slipped through here still could not run or load.
 */
import { createRequire } from 'node:module';
import type sanitizeHtmlModule from 'sanitize-html';

// sanitize-html (and postcss, htmlparser2… under it, ~60 ms to load) is loaded the first time a mail body is shown,
// not at every start of the core: CLI commands that never show a mail (files sync, status…) start faster.
const requireCjs = createRequire(import.meta.url);
let sanitizeHtmlLoaded: typeof sanitizeHtmlModule | null = null;
function sanitizeHtml(...args: Parameters<typeof sanitizeHtmlModule>): string {
  sanitizeHtmlLoaded ??= requireCjs('sanitize-html') as typeof sanitizeHtmlModule;
  return sanitizeHtmlLoaded(...args);
}

export interface SanitizeOptions {
  /** Keep remote images and backgrounds (the user chose « Afficher les images »). */
  allowRemote: boolean;
  /** Content-ID (without brackets) → data: URL of the inline part. */
  inlineImages?: ReadonlyMap<string, string>;
}

export interface SanitizedHtml {
  html: string;
  /** The message refers to remote images or backgrounds (blocked unless allowRemote). */
  hasRemoteContent: boolean;
}

const ALLOWED_TAGS = [
  'a',
  'abbr',
  'acronym',
  'address',
  'article',
  'aside',
  'b',
  'bdi',
  'bdo',
  'big',
  'blockquote',
  'br',
  'caption',
  'center',
  'cite',
  'code',
  'col',
  'colgroup',
  'dd',
  'del',
  'details',
  'dfn',
  'div',
  'dl',
  'dt',
  'em',
  'figcaption',
  'figure',
  'font',
  'footer',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hr',
  'i',
  'img',
  'ins',
  'kbd',
  'li',
  'main',
  'mark',
  'nav',
  'ol',
  'p',
  'pre',
  'q',
  's',
  'samp',
  'section',
  'small',
  'span',
  'strike',
  'strong',
  'sub',
  'summary',
  'sup',
  'table',
  'tbody',
  'td',
  'tfoot',
  'th',
  'thead',
  'time',
  'tr',
  'tt',
  'u',
  'ul',
  'var',
  'wbr',
];

/** Tags whose text content is dropped with them (not shown as text). */
const NON_TEXT_TAGS = [
  'script',
  'style',
  'textarea',
  'option',
  'noscript',
  'title',
  'head',
  'template',
  'svg',
  'math',
  'xmp',
  'noembed',
  'noframes',
  'iframe',
  'object',
];

const COMMON_ATTRIBUTES = ['dir', 'lang', 'title', 'align', 'valign', 'width', 'height', 'style', 'bgcolor'];

const ALLOWED_ATTRIBUTES: Record<string, string[]> = {
  '*': COMMON_ATTRIBUTES,
  a: ['href', 'rel', 'title', 'target'],
  img: ['src', 'srcset', 'alt', 'border', 'hspace', 'vspace'],
  font: ['face', 'size', 'color'],
  table: ['border', 'cellpadding', 'cellspacing', 'summary', 'background', 'frame', 'rules'],
  td: ['colspan', 'rowspan', 'nowrap', 'headers', 'scope', 'background', 'abbr'],
  th: ['colspan', 'rowspan', 'nowrap', 'headers', 'scope', 'background', 'abbr'],
  tr: ['background'],
  col: ['span'],
  colgroup: ['span'],
  ol: ['start', 'type', 'reversed'],
  ul: ['type'],
  li: ['value', 'type'],
  blockquote: ['cite'],
  q: ['cite'],
  del: ['cite', 'datetime'],
  ins: ['cite', 'datetime'],
  time: ['datetime'],
  hr: ['size', 'noshade', 'color'],
  details: ['open'],
};

/** A CSS value without url(), escapes, at-rules or functions other than colours and calc(). */
const SAFE_CSS_VALUE = /^(?:[-#%.,\w\s'"!/+]|(?:rgba?|hsla?|calc)\([-#%.,\w\s/+*]*\))+$/i;
/** A remote background, only when remote content is allowed. */
const REMOTE_CSS_URL = /^(?:[-#%.,\w\s]*\s)?url\(\s*(['"]?)https?:\/\/[^\s'"()\\]+\1\s*\)(?:\s[-#%.,\w\s]*)?$/i;

const STYLE_PROPERTIES = [
  'color',
  'background-color',
  'font',
  'font-size',
  'font-family',
  'font-weight',
  'font-style',
  'font-variant',
  'text-align',
  'text-decoration',
  'text-indent',
  'text-transform',
  'line-height',
  'letter-spacing',
  'word-spacing',
  'white-space',
  'word-break',
  'overflow-wrap',
  'word-wrap',
  'vertical-align',
  'direction',
  'margin',
  'margin-top',
  'margin-right',
  'margin-bottom',
  'margin-left',
  'padding',
  'padding-top',
  'padding-right',
  'padding-bottom',
  'padding-left',
  'border',
  'border-top',
  'border-right',
  'border-bottom',
  'border-left',
  'border-color',
  'border-style',
  'border-width',
  'border-radius',
  'border-collapse',
  'border-spacing',
  'width',
  'height',
  'max-width',
  'min-width',
  'max-height',
  'min-height',
  'list-style-type',
  'table-layout',
  'text-overflow',
  'overflow',
  'float',
  'clear',
];

function styleRules(allowRemote: boolean): Record<string, Record<string, RegExp[]>> {
  const rules: Record<string, RegExp[]> = {};
  for (const p of STYLE_PROPERTIES) rules[p] = [SAFE_CSS_VALUE];
  rules.display = [/^(?:block|inline|inline-block|table|table-row|table-cell|list-item|none)$/i];
  rules.background = allowRemote ? [SAFE_CSS_VALUE, REMOTE_CSS_URL] : [SAFE_CSS_VALUE];
  if (allowRemote) rules['background-image'] = [REMOTE_CSS_URL];
  return { '*': rules };
}

const SAFE_DATA_IMAGE = /^data:image\/(?:png|gif|jpe?g|webp|bmp);base64,[a-z0-9+/=\s]+$/i;
const REMOTE_URL = /^\s*(?:https?:)?\/\//i;
const CSS_REMOTE_URL = /url\s*\(\s*['"]?\s*(?:https?:)?\/\//i;

/** Sanitise the HTML body of a message. Pure and synchronous. */
export function sanitizeMailHtml(html: string, options: SanitizeOptions): SanitizedHtml {
  const { allowRemote } = options;
  const inline = options.inlineImages ?? new Map<string, string>();
  let hasRemoteContent = false;
  const allowedTags = new Set(ALLOWED_TAGS);

  const result = sanitizeHtml(html, {
    allowedTags: ALLOWED_TAGS,
    allowedAttributes: ALLOWED_ATTRIBUTES,
    disallowedTagsMode: 'discard',
    nonTextTags: NON_TEXT_TAGS,
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesByTag: { img: ['http', 'https', 'data'] },
    allowedSchemesAppliedToAttributes: ['href', 'src', 'cite', 'background'],
    allowProtocolRelative: false,
    allowedStyles: styleRules(allowRemote),
    parseStyleAttributes: true,
    allowVulnerableTags: false,
    enforceHtmlBoundary: false,
    transformTags: {
      a: (tagName, attribs) => {
        const out: sanitizeHtmlModule.Attributes = {};
        for (const [k, v] of Object.entries(attribs)) if (k !== 'target' && k !== 'rel') out[k] = v;
        // Only absolute web and mail addresses: a relative one has no meaning in a message.
        if (out.href !== undefined && !/^\s*(?:https?:\/\/|mailto:)/i.test(out.href)) delete out.href;
        if (out.href) {
          // The frame never navigates: a link opens in a new browser window (the system browser in
          // browser mode), without opener nor referrer; hovering shows the real address.
          out.target = '_blank';
          out.rel = 'noopener noreferrer';
          out.title = out.href.trim();
        }
        return { tagName, attribs: out };
      },
      img: (tagName, attribs) => {
        const out: sanitizeHtmlModule.Attributes = { ...attribs };
        const src = (attribs.src ?? '').trim();
        if (/^cid:/i.test(src)) {
          const data = inline.get(decodeURIComponent(src.slice(4)).replace(/^<|>$/g, ''));
          if (data) out.src = data;
          else delete out.src;
        } else if (/^data:/i.test(src)) {
          if (!SAFE_DATA_IMAGE.test(src)) delete out.src;
        } else if (REMOTE_URL.test(src)) {
          hasRemoteContent = true;
          if (!allowRemote || src.startsWith('//')) delete out.src;
        } else {
          delete out.src;
        }
        if (attribs.srcset !== undefined) {
          if (/(?:https?:)?\/\//i.test(attribs.srcset)) hasRemoteContent = true;
          if (!allowRemote) delete out.srcset;
        }
        return { tagName, attribs: out };
      },
      '*': (tagName, attribs) => {
        if (!allowedTags.has(tagName)) return { tagName, attribs };
        const out: sanitizeHtmlModule.Attributes = { ...attribs };
        if (attribs.background !== undefined) {
          if (REMOTE_URL.test(attribs.background)) hasRemoteContent = true;
          if (!allowRemote || !/^\s*https?:\/\//i.test(attribs.background)) delete out.background;
        }
        if (attribs.style !== undefined && CSS_REMOTE_URL.test(attribs.style)) hasRemoteContent = true;
        return { tagName, attribs: out };
      },
    },
  });
  return { html: result, hasRemoteContent };
}
