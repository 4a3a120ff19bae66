/**
 * A pop-up menu at a point (right click, or Maj+F10 / the menu key on a focused item), for any module.
 *
 * Accessibility: `role="menu"` of `menuitem` buttons; the focus goes to the first item that can act,
 * Haut / Bas (and Début / Fin) or the pointer move it, Entrée or Espace acts, Échap or Tab closes and gives the focus
 * back to where it was (the row the menu was opened on). A click anywhere else closes it. It is drawn in
 * `document.body` at a fixed position, flipped near the window's right and bottom edges (lib/menu-place).
 */
import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import { createPortal } from 'react-dom';
import { placeMenu, type MenuPoint } from '../lib/menu-place';
import { useDismissOnOutside } from './common';
import './context-menu.css';

export interface ContextMenuItem {
  id: string;
  label: string;
  onSelect(): void;
  disabled?: boolean;
  /** A line above this item (groups of actions). */
  separatorBefore?: boolean;
  testId?: string;
}

export function ContextMenu({
  at,
  items,
  label,
  onClose,
  testId = 'context-menu',
}: {
  /** Viewport coordinates (the pointer, or the bottom left corner of the row for the keyboard). */
  at: MenuPoint;
  items: ContextMenuItem[];
  /** The menu's accessible name. */
  label: string;
  onClose(): void;
  testId?: string;
}) {
  const menu = useRef<HTMLDivElement>(null);
  const [place, setPlace] = useState<MenuPoint | null>(null);
  // Where the focus was when the menu opened: it goes back there when the menu closes from the keyboard or acts.
  const returnTo = useRef<HTMLElement | null>(null);
  const close = useRef(onClose);
  close.current = onClose;

  useLayoutEffect(() => {
    const el = menu.current;
    if (!el) return;
    const rect = el.getBoundingClientRect();
    setPlace(placeMenu(at, { width: rect.width, height: rect.height }, { width: window.innerWidth, height: window.innerHeight }));
  }, [at]);

  useLayoutEffect(() => {
    returnTo.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  }, []);

  useEffect(() => {
    if (place) menu.current?.querySelector<HTMLElement>('[role="menuitem"]:not(:disabled)')?.focus();
  }, [place]);

  useDismissOnOutside(menu, true, onClose);
  useEffect(() => {
    const dismiss = () => close.current();
    window.addEventListener('resize', dismiss);
    window.addEventListener('blur', dismiss);
    return () => {
      window.removeEventListener('resize', dismiss);
      window.removeEventListener('blur', dismiss);
    };
  }, []);

  const closeAndReturn = () => {
    close.current();
    returnTo.current?.focus();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    // The menu's keys stop here: nothing behind it (the list, Courrier's shortcuts) acts on them.
    event.stopPropagation();
    const enabled = [...(menu.current?.querySelectorAll<HTMLElement>('[role="menuitem"]:not(:disabled)') ?? [])];
    const index = enabled.indexOf(document.activeElement as HTMLElement);
    const moves: Record<string, number> = {
      ArrowDown: (index + 1) % enabled.length,
      ArrowUp: (index - 1 + enabled.length) % enabled.length,
      Home: 0,
      End: enabled.length - 1,
    };
    if (event.key in moves && enabled.length) {
      event.preventDefault();
      enabled[moves[event.key]]?.focus();
    } else if (event.key === 'Escape' || event.key === 'Tab') {
      event.preventDefault();
      closeAndReturn();
    }
  };

  return createPortal(
    <div
      ref={menu}
      role="menu"
      aria-label={label}
      className="context-menu"
      data-testid={testId}
      style={place ? { left: place.x, top: place.y } : { left: 0, top: 0, visibility: 'hidden' }}
      onKeyDown={onKeyDown}
      onContextMenu={(event) => event.preventDefault()}
    >
      {items.map((item) => [
        item.separatorBefore ? <div key={`${item.id}-separator`} role="separator" className="context-menu-separator" /> : null,
        <button
          key={item.id}
          type="button"
          role="menuitem"
          className="list-button context-menu-item"
          disabled={item.disabled}
          tabIndex={-1}
          data-testid={item.testId}
          onMouseEnter={(event) => {
            if (!item.disabled) event.currentTarget.focus();
          }}
          onClick={() => {
            closeAndReturn();
            item.onSelect();
          }}
        >
          {item.label}
        </button>,
      ])}
    </div>,
    document.body,
  );
}
