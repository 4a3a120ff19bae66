/**
 * Where the agent was in a module, kept while Ostal is open: back in Courrier after a look at Agenda, the same folder
 * and message are there, as in Outlook; back in Espaces during a meeting, the same space. Only for this window's
 * life (a module-level map, nothing written anywhere): a restart opens each module at its start.
 */
import { useCallback, useState, type Dispatch, type SetStateAction } from 'react';

const remembered = new Map<string, unknown>();

/**
 * Like useState, the value kept under `key` across the view being closed and opened again. `asked`: a value the view
 * was opened for (a notification's message), taken instead of the remembered one when not undefined.
 */
export function useViewMemory<T>(key: string, initial: T, asked?: T): [T, Dispatch<SetStateAction<T>>] {
  const [value, setValue] = useState<T>(() => {
    const v = asked !== undefined ? asked : remembered.has(key) ? (remembered.get(key) as T) : initial;
    remembered.set(key, v);
    return v;
  });
  const set = useCallback<Dispatch<SetStateAction<T>>>(
    (next) =>
      setValue((previous) => {
        const v = typeof next === 'function' ? (next as (p: T) => T)(previous) : next;
        remembered.set(key, v);
        return v;
      }),
    [key],
  );
  return [value, set];
}
