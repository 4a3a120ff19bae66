/**
 * Formatted writing in the composer (TipTap on ProseMirror): bold, italic, underline, lists, links, quotes, images
 * (inserted or pasted, kept as data: URLs until the core sends them as inline parts), « Effacer la mise en forme ».
 * The toolbar is one tab stop (roving tabindex, arrows, Début/Fin); Ctrl+B/I/U work in the text. HTML pasted from
 * Word, LibreOffice or a web page goes through the core's sanitiser (the reader's) before it enters the text.
 */
import { useEffect, useId, useRef, useState, type KeyboardEvent, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import { EditorContent, useEditor, useEditorState, type Editor } from '@tiptap/react';
import StarterKit from '@tiptap/starter-kit';
import Image from '@tiptap/extension-image';

export interface RichEditorHandle {
  focus(atStart?: boolean): void;
  getHtml(): string;
  setHtml(html: string): void;
}

const IMAGE_TYPES = /^image\/(png|gif|jpeg|webp|bmp)$/;

function readAsDataUrl(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error('read failed'));
    reader.readAsDataURL(file);
  });
}

/** What the agent typed as a link address: https:// added to a bare name, only http, https and mailto kept. */
export function normaliseLink(input: string): string | null {
  const value = input.trim();
  if (!value) return null;
  if (/^(https?:\/\/|mailto:)/i.test(value)) return /\s/.test(value) ? null : value;
  if (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) return `mailto:${value}`;
  if (/^[a-z0-9][-a-z0-9.]*\.[a-z]{2,}(\/\S*)?$/i.test(value)) return `https://${value}`;
  return null;
}

/** The text focused at once (tiptap's focus() waits for the next frame); nothing when the editor is not there. */
function focusNow(editor: Editor): void {
  if (!editor.isDestroyed && editor.isInitialized) editor.view.focus();
}

export function RichEditor({
  initialHtml,
  labelledBy,
  handle,
  onChange,
  cleanHtml,
  onImageError,
  focusAtStart,
}: {
  initialHtml: string;
  /** Put the caret at the start of the text as soon as the editor exists (a reply: above the quote). */
  focusAtStart?: boolean;
  labelledBy: string;
  handle: RefObject<RichEditorHandle | null>;
  onChange(): void;
  /** The core's sanitiser for pasted HTML (mail.html.clean). */
  cleanHtml(html: string): Promise<string>;
  onImageError(name: string): void;
}) {
  const { t } = useTranslation();
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;
  const cleanRef = useRef(cleanHtml);
  cleanRef.current = cleanHtml;
  const imageErrorRef = useRef(onImageError);
  imageErrorRef.current = onImageError;
  const editorRef = useRef<Editor | null>(null);
  const toolbarRef = useRef<HTMLDivElement | null>(null);
  const hintId = useId();

  async function insertImages(files: File[]) {
    for (const file of files) {
      try {
        const src = await readAsDataUrl(file);
        editorRef.current?.chain().focus().setImage({ src, alt: file.name }).run();
      } catch {
        imageErrorRef.current(file.name);
      }
    }
  }

  const editor = useEditor({
    injectCSS: false,
    extensions: [
      StarterKit.configure({
        heading: false,
        codeBlock: false,
        code: false,
        horizontalRule: false,
        strike: false,
        link: { openOnClick: false, autolink: true, protocols: ['mailto'], HTMLAttributes: { target: null, rel: null } },
      }),
      Image.configure({ inline: true, allowBase64: true }),
    ],
    content: initialHtml,
    editorProps: {
      attributes: {
        class: 'compose-editor',
        role: 'textbox',
        'aria-multiline': 'true',
        'aria-labelledby': labelledBy,
        'aria-describedby': hintId,
        'data-testid': 'compose-editor',
        spellcheck: 'true',
        lang: 'fr',
      },
      // Alt+F10 reaches the toolbar from the text (as in the usual office editors); Échap in the toolbar comes back.
      handleKeyDown: (_view, event) => {
        if (!(event.altKey && event.key === 'F10')) return false;
        event.preventDefault();
        toolbarRef.current?.querySelector<HTMLButtonElement>('button[tabindex="0"]')?.focus();
        return true;
      },
      handlePaste: (_view, event) => {
        const data = event.clipboardData;
        if (!data) return false;
        const images = Array.from(data.files).filter((f) => IMAGE_TYPES.test(f.type));
        const html = data.getData('text/html');
        if (images.length && !html) {
          event.preventDefault();
          void insertImages(images);
          return true;
        }
        if (!html) return false;
        event.preventDefault();
        void cleanRef.current(html).then(
          (clean) => editorRef.current?.chain().focus().insertContent(clean).run(),
          () => editorRef.current?.chain().focus().insertContent(data.getData('text/plain')).run(),
        );
        return true;
      },
      handleDrop: (_view, event) => {
        const files = Array.from((event as DragEvent).dataTransfer?.files ?? []).filter((f) => IMAGE_TYPES.test(f.type));
        if (!files.length) return false;
        event.preventDefault();
        void insertImages(files);
        return true;
      },
    },
    onUpdate: () => onChangeRef.current(),
  });
  editorRef.current = editor;

  useEffect(() => {
    handle.current = {
      focus: (atStart) =>
        editor
          ?.chain()
          .focus(atStart ? 'start' : undefined)
          .run(),
      getHtml: () => editor?.getHTML() ?? '',
      setHtml: (html) => editor?.chain().setContent(html).run(),
    };
  }, [editor, handle]);

  // The editor comes from a lazily loaded chunk: the composer cannot focus it before it exists. Through a chain: an
  // editor tiptap has just destroyed (to make another) has no commands left, and `editor.commands` threw then, which
  // blanked the whole page (CI run 7, « Répondre »).
  const focusAtStartRef = useRef(focusAtStart);
  useEffect(() => {
    if (editor && !editor.isDestroyed && focusAtStartRef.current) editor.chain().focus('start').run();
  }, [editor]);

  return (
    <div className="compose-rich">
      {editor ? <Toolbar editor={editor} toolbarRef={toolbarRef} onImages={(files) => void insertImages(files)} /> : null}
      <EditorContent editor={editor} />
      <span className="visually-hidden" id={hintId}>
        {t('redaction.editorHint')}
      </span>
    </div>
  );
}

type ToolId = 'bold' | 'italic' | 'underline' | 'bulletList' | 'orderedList' | 'link' | 'blockquote' | 'image' | 'clear';

function Toolbar({
  editor,
  toolbarRef,
  onImages,
}: {
  editor: Editor;
  toolbarRef: RefObject<HTMLDivElement | null>;
  onImages(files: File[]): void;
}) {
  const { t } = useTranslation();
  const id = useId();
  const [focusIndex, setFocusIndex] = useState(0);
  const [linkOpen, setLinkOpen] = useState(false);
  const buttons = useRef<(HTMLButtonElement | null)[]>([]);
  const fileInput = useRef<HTMLInputElement>(null);
  const active = useEditorState({
    editor,
    selector: ({ editor: e }) => ({
      bold: e.isActive('bold'),
      italic: e.isActive('italic'),
      underline: e.isActive('underline'),
      bulletList: e.isActive('bulletList'),
      orderedList: e.isActive('orderedList'),
      link: e.isActive('link'),
      blockquote: e.isActive('blockquote'),
    }),
  });

  // tiptap's focus() gives the text its focus back at the next frame: a key typed right after « Entrée » on a tool went
  // to the button and was lost. The text is focused at once too.
  const format = (command: (chain: ReturnType<Editor['chain']>) => ReturnType<Editor['chain']>) => () => {
    command(editor.chain().focus()).run();
    focusNow(editor);
  };
  const tools: { id: ToolId; label: string; text: string; pressed?: boolean; run(): void }[] = [
    { id: 'bold', label: t('redaction.bold'), text: 'G', pressed: active.bold, run: format((c) => c.toggleBold()) },
    {
      id: 'italic',
      label: t('redaction.italic'),
      text: 'I',
      pressed: active.italic,
      run: format((c) => c.toggleItalic()),
    },
    {
      id: 'underline',
      label: t('redaction.underline'),
      text: 'S',
      pressed: active.underline,
      run: format((c) => c.toggleUnderline()),
    },
    {
      id: 'bulletList',
      label: t('redaction.bulletList'),
      text: '•',
      pressed: active.bulletList,
      run: format((c) => c.toggleBulletList()),
    },
    {
      id: 'orderedList',
      label: t('redaction.orderedList'),
      text: '1.',
      pressed: active.orderedList,
      run: format((c) => c.toggleOrderedList()),
    },
    { id: 'link', label: t('redaction.link'), text: t('redaction.linkShort'), pressed: active.link, run: () => setLinkOpen(true) },
    {
      id: 'blockquote',
      label: t('redaction.quote'),
      text: '«\u00a0»',
      pressed: active.blockquote,
      run: format((c) => c.toggleBlockquote()),
    },
    { id: 'image', label: t('redaction.image'), text: t('redaction.imageShort'), run: () => fileInput.current?.click() },
    {
      id: 'clear',
      label: t('redaction.clear'),
      text: t('redaction.clearShort'),
      run: format((c) => c.unsetAllMarks().clearNodes()),
    },
  ];

  function onKeyDown(event: KeyboardEvent) {
    let next = focusIndex;
    if (event.key === 'ArrowRight') next = (focusIndex + 1) % tools.length;
    else if (event.key === 'ArrowLeft') next = (focusIndex - 1 + tools.length) % tools.length;
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = tools.length - 1;
    else if (event.key === 'Escape' && !linkOpen) {
      event.preventDefault();
      event.stopPropagation();
      editor.chain().focus().run();
      focusNow(editor);
      return;
    } else return;
    event.preventDefault();
    setFocusIndex(next);
    buttons.current[next]?.focus();
  }

  return (
    <>
      <div
        ref={toolbarRef}
        className="compose-toolbar"
        role="toolbar"
        aria-label={t('redaction.toolbar')}
        data-testid="compose-toolbar"
        onKeyDown={onKeyDown}
      >
        {tools.map((tool, index) => (
          <button
            key={tool.id}
            ref={(el) => {
              buttons.current[index] = el;
            }}
            type="button"
            className={`compose-tool compose-tool-${tool.id}`}
            tabIndex={index === focusIndex ? 0 : -1}
            aria-label={tool.label}
            title={tool.label}
            aria-pressed={tool.pressed === undefined ? undefined : tool.pressed}
            data-testid={`tool-${tool.id}`}
            onFocus={() => setFocusIndex(index)}
            onMouseDown={(e) => e.preventDefault()}
            onClick={tool.run}
          >
            <span aria-hidden="true">{tool.text}</span>
          </button>
        ))}
        <input
          ref={fileInput}
          type="file"
          accept="image/png,image/jpeg,image/gif,image/webp"
          className="visually-hidden"
          tabIndex={-1}
          aria-label={t('redaction.image')}
          data-testid="compose-image-file"
          onChange={(e) => {
            onImages(Array.from(e.target.files ?? []));
            e.target.value = '';
          }}
        />
      </div>
      {linkOpen ? (
        <LinkForm
          id={id}
          initial={(editor.getAttributes('link').href as string | undefined) ?? ''}
          onApply={(href) => {
            setLinkOpen(false);
            const chain = editor.chain().focus().extendMarkRange('link');
            if (href === null) chain.unsetLink().run();
            else if (editor.state.selection.empty && !editor.isActive('link'))
              chain
                .insertContent({
                  type: 'text',
                  text: href.replace(/^(mailto:|https?:\/\/)/, ''),
                  marks: [{ type: 'link', attrs: { href } }],
                })
                .run();
            else chain.setLink({ href }).run();
          }}
          onCancel={() => {
            setLinkOpen(false);
            editor.chain().focus().run();
          }}
        />
      ) : null}
    </>
  );
}

function LinkForm({
  id,
  initial,
  onApply,
  onCancel,
}: {
  id: string;
  initial: string;
  onApply(href: string | null): void;
  onCancel(): void;
}) {
  const { t } = useTranslation();
  const [value, setValue] = useState(initial);
  const [error, setError] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  const apply = () => {
    const href = normaliseLink(value);
    if (!href) {
      setError(true);
      return;
    }
    onApply(href);
  };
  return (
    <div
      className="compose-link-form"
      data-testid="compose-link-form"
      onKeyDown={(e) => {
        if (e.key === 'Enter') {
          e.preventDefault();
          apply();
        } else if (e.key === 'Escape') {
          e.preventDefault();
          e.stopPropagation();
          onCancel();
        }
      }}
    >
      <label htmlFor={`${id}-link`}>{t('redaction.linkAddress')}</label>
      <input
        ref={input}
        id={`${id}-link`}
        type="text"
        inputMode="url"
        value={value}
        placeholder={t('redaction.linkPlaceholder')}
        aria-invalid={error}
        aria-describedby={error ? `${id}-link-error` : undefined}
        data-testid="compose-link-input"
        onChange={(e) => {
          setValue(e.target.value);
          setError(false);
        }}
      />
      <button type="button" className="button button-primary" onClick={apply} data-testid="compose-link-apply">
        {t('redaction.linkApply')}
      </button>
      {initial ? (
        <button type="button" className="button" onClick={() => onApply(null)}>
          {t('redaction.linkRemove')}
        </button>
      ) : null}
      <button type="button" className="button" onClick={onCancel}>
        {t('compose.cancel')}
      </button>
      {error ? (
        <p className="field-error" id={`${id}-link-error`} role="alert">
          {t('redaction.linkInvalid')}
        </p>
      ) : null}
    </div>
  );
}
