/** À / Cc / Cci with suggestions as the user types (ARIA 1.2 combobox): contacts then past correspondents, all local. */
import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { RecipientSuggestion } from '../../../../src/shared/contract';
import { useClient } from '../../api/react';
import { formatSuggestion, lastRecipientQuery, replaceLastRecipient } from './recipient-query';
import './recipient-field.css';

const SUGGESTIONS = 8;

export function RecipientField({
  id,
  value,
  onChange,
  testId,
  describedBy,
  inputRef,
}: {
  id: string;
  value: string;
  onChange(value: string): void;
  testId: string;
  describedBy?: string;
  inputRef?: React.Ref<HTMLInputElement>;
}) {
  const { t } = useTranslation();
  const client = useClient();
  const [suggestions, setSuggestions] = useState<RecipientSuggestion[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const [query, setQuery] = useState('');
  const ownRef = useRef<HTMLInputElement | null>(null);
  const pendingCaret = useRef<string | null>(null);
  const listId = `${id}-suggestions`;

  // Warm the core's correspondents table before the first letter.
  useEffect(() => {
    void client.call('contacts.suggest', { query: '' }).catch(() => undefined);
  }, [client]);

  useEffect(() => {
    const q = query.trim();
    if (q.length < 1) {
      setSuggestions([]);
      return;
    }
    let current = true;
    client.call('contacts.suggest', { query: q, limit: SUGGESTIONS }).then(
      (list) => {
        if (!current) return;
        setSuggestions(list);
        setActive(list.length ? 0 : -1);
      },
      () => {
        if (current) setSuggestions([]);
      },
    );
    return () => {
      current = false;
    };
  }, [client, query]);

  const expanded = open && suggestions.length > 0;

  function pick(s: RecipientSuggestion) {
    const next = replaceLastRecipient(value, formatSuggestion(s));
    onChange(next);
    setOpen(false);
    setQuery('');
    setSuggestions([]);
    pendingCaret.current = next;
  }

  // After a pick, the caret goes to the end (ready for the next recipient) in the same commit as the new value,
  // before any further keystroke.
  useLayoutEffect(() => {
    const input = ownRef.current;
    if (!input || pendingCaret.current === null || pendingCaret.current !== value) return;
    pendingCaret.current = null;
    if (document.activeElement !== input) input.focus();
    input.setSelectionRange(value.length, value.length);
  }, [value]);

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      if (!expanded) {
        if (suggestions.length) setOpen(true);
        return;
      }
      setActive((i) => (i + 1) % suggestions.length);
    } else if (event.key === 'ArrowUp') {
      if (!expanded) return;
      event.preventDefault();
      setActive((i) => (i <= 0 ? suggestions.length - 1 : i - 1));
    } else if ((event.key === 'Enter' || event.key === 'Tab') && expanded && active >= 0 && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      event.stopPropagation();
      pick(suggestions[active]);
    } else if (event.key === 'Escape' && expanded) {
      // Only closes the list; a second Échap closes the composer.
      event.preventDefault();
      event.stopPropagation();
      setOpen(false);
    }
  }

  return (
    <div className="recipient-field">
      <input
        id={id}
        ref={(el) => {
          ownRef.current = el;
          if (typeof inputRef === 'function') inputRef(el);
          else if (inputRef) (inputRef as React.MutableRefObject<HTMLInputElement | null>).current = el;
        }}
        type="text"
        inputMode="email"
        autoComplete="off"
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={expanded}
        aria-controls={listId}
        aria-activedescendant={expanded && active >= 0 ? `${listId}-${active}` : undefined}
        aria-describedby={describedBy}
        data-testid={testId}
        value={value}
        onChange={(e) => {
          onChange(e.target.value);
          const caretAtEnd = e.target.selectionStart === null || e.target.selectionStart === e.target.value.length;
          setQuery(caretAtEnd ? lastRecipientQuery(e.target.value) : '');
          setOpen(caretAtEnd);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => setOpen(false)}
      />
      <ul
        id={listId}
        role="listbox"
        className="recipient-suggestions"
        aria-label={t('compose.suggestionsLabel')}
        hidden={!expanded}
        data-testid={`${testId}-suggestions`}
      >
        {expanded
          ? suggestions.map((s, index) => (
              <li
                key={s.email}
                id={`${listId}-${index}`}
                role="option"
                aria-selected={index === active}
                className={index === active ? 'recipient-suggestion active' : 'recipient-suggestion'}
                data-testid="recipient-suggestion"
                onMouseDown={(e) => e.preventDefault()}
                onMouseEnter={() => setActive(index)}
                onClick={() => pick(s)}
              >
                <span className="recipient-suggestion-name">{s.name || s.email}</span>
                {s.name ? <span className="recipient-suggestion-email">{s.email}</span> : null}
                <span className="recipient-suggestion-source">
                  {s.source === 'contact' ? t('compose.suggestionContact') : t('compose.suggestionCorrespondent')}
                </span>
              </li>
            ))
          : null}
      </ul>
    </div>
  );
}
