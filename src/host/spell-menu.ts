/**
 * Spell checking in French (issue 18): the context menu of an editable field, decided in plain Node; main/electron.ts
 * builds Electron's Menu from it on `context-menu` (params.misspelledWord, params.dictionarySuggestions,
 * params.editFlags) and applies the actions (replaceMisspelling, addWordToSpellCheckerDictionary, the edit roles).
 *
 * Dictionaries are never downloaded at run time: the French one is shipped with Ostal (src/host/spell-dictionary.ts).
 */
import { t } from '../i18n/index.js';
export { spellCheckerSession } from './spell-dictionary.js';

export type SpellMenuItem =
  | { type: 'suggestion'; label: string; word: string }
  | { type: 'info'; label: string }
  | { type: 'action'; id: 'addToDictionary'; label: string; word: string }
  | { type: 'role'; role: 'cut' | 'copy' | 'paste' | 'selectAll'; label: string; enabled: boolean }
  | { type: 'separator' };

export interface SpellMenuParams {
  misspelledWord: string;
  dictionarySuggestions: readonly string[];
  isEditable: boolean;
  editFlags: { canCut: boolean; canCopy: boolean; canPaste: boolean; canSelectAll: boolean };
}

/** At most this many suggestions, as Word and LibreOffice show. */
export const MAX_SUGGESTIONS = 5;

/** The French context menu; empty when there is nothing to offer (not editable and nothing selected). */
export function spellContextMenuTemplate(params: SpellMenuParams): SpellMenuItem[] {
  const items: SpellMenuItem[] = [];
  const word = params.misspelledWord.trim();
  if (params.isEditable && word !== '') {
    const suggestions = [...new Set(params.dictionarySuggestions)].slice(0, MAX_SUGGESTIONS);
    if (suggestions.length === 0) items.push({ type: 'info', label: t('desktop.spell.noSuggestion') });
    for (const s of suggestions) items.push({ type: 'suggestion', label: s, word: s });
    items.push({ type: 'separator' });
    items.push({ type: 'action', id: 'addToDictionary', label: t('desktop.spell.addToDictionary', { word }), word });
    items.push({ type: 'separator' });
  }
  if (params.isEditable) {
    items.push({ type: 'role', role: 'cut', label: t('desktop.spell.cut'), enabled: params.editFlags.canCut });
    items.push({ type: 'role', role: 'copy', label: t('desktop.spell.copy'), enabled: params.editFlags.canCopy });
    items.push({ type: 'role', role: 'paste', label: t('desktop.spell.paste'), enabled: params.editFlags.canPaste });
    items.push({ type: 'separator' });
    items.push({ type: 'role', role: 'selectAll', label: t('desktop.spell.selectAll'), enabled: params.editFlags.canSelectAll });
  } else if (params.editFlags.canCopy) {
    items.push({ type: 'role', role: 'copy', label: t('desktop.spell.copy'), enabled: true });
  }
  return items;
}
