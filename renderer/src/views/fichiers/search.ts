/** Search by name in Fichiers: walks the folder and its sub-folders through files.list (local store), accent- and case-insensitive. */
import { useEffect, useState } from 'react';
import type { FileEntrySummary } from '../../../../src/shared/contract';
import type { OstalClient } from '../../api/client';

/** « Délibération » and « deliberation » match. */
export function foldName(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLocaleLowerCase('fr');
}

const MAX_FOLDERS = 500;
const MAX_RESULTS = 200;
const PARALLEL = 4;

export interface NameSearch {
  results: FileEntrySummary[];
  searching: boolean;
  /** The walk stopped at its limits: there may be more. */
  truncated: boolean;
}

export function useNameSearch(client: OstalClient, accountId: string | null, from: string, query: string): NameSearch {
  const [state, setState] = useState<NameSearch>({ results: [], searching: false, truncated: false });
  useEffect(() => {
    const needle = foldName(query.trim());
    if (!accountId || !needle) {
      setState({ results: [], searching: false, truncated: false });
      return;
    }
    let cancelled = false;
    setState({ results: [], searching: true, truncated: false });
    const timer = setTimeout(() => {
      void (async () => {
        let level = [from];
        const results: FileEntrySummary[] = [];
        let listed = 0;
        // Breadth first, a few folders at a time, within limits (the store answers quickly, but a tree can be large).
        while (!cancelled && level.length > 0 && listed < MAX_FOLDERS && results.length < MAX_RESULTS) {
          const next: string[] = [];
          for (let i = 0; i < level.length && !cancelled && listed < MAX_FOLDERS; i += PARALLEL) {
            const batch = level.slice(i, i + PARALLEL);
            listed += batch.length;
            const lists = await Promise.all(
              batch.map((folder) => client.call('files.list', { accountId, path: folder }).catch((): FileEntrySummary[] => [])),
            );
            for (const entry of lists.flat()) {
              if (entry.kind === 'folder') next.push(entry.path);
              if (foldName(entry.name).includes(needle)) results.push(entry);
            }
          }
          level = next;
        }
        if (!cancelled)
          setState({
            results: results.slice(0, MAX_RESULTS),
            searching: false,
            truncated: level.length > 0 || results.length >= MAX_RESULTS,
          });
      })();
    }, 250);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [client, accountId, from, query]);
  return state;
}
