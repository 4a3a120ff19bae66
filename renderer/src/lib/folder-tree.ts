/**
 * Folders of a mail account as a tree, in the order a French agent expects:
 * Boîte de réception first, then Brouillons, Envoyés, Archives, Indésirables, Corbeille,
 * then the others alphabetically (French collation). Pure, unit-tested.
 */
import type { FolderInfo, SpecialUse } from '../../../src/shared/contract';

export interface FolderNode {
  /** Full server path of this node (a folder may exist only as a parent of others). */
  path: string;
  /** Last path segment, or the French name from the core when the folder exists. */
  name: string;
  folder: FolderInfo | null;
  children: FolderNode[];
}

const SPECIAL_ORDER: SpecialUse[] = ['\\Inbox', '\\Drafts', '\\Sent', '\\Archive', '\\Junk', '\\Trash', '\\Flagged', '\\All'];

function rank(node: FolderNode): number {
  const use = node.folder?.specialUse ?? null;
  if (use === null && node.path.toUpperCase() === 'INBOX') return 0;
  const index = use ? SPECIAL_ORDER.indexOf(use) : -1;
  return index === -1 ? SPECIAL_ORDER.length : index;
}

const collator = new Intl.Collator('fr', { sensitivity: 'base', numeric: true });

function sortNodes(nodes: FolderNode[]): void {
  nodes.sort((a, b) => rank(a) - rank(b) || collator.compare(a.name, b.name));
  for (const node of nodes) sortNodes(node.children);
}

export function buildFolderTree(folders: readonly FolderInfo[]): FolderNode[] {
  const roots: FolderNode[] = [];
  const byPath = new Map<string, FolderNode>();
  const ensure = (segments: string[], delimiter: string): FolderNode => {
    const path = segments.join(delimiter);
    const existing = byPath.get(path);
    if (existing) return existing;
    const node: FolderNode = { path, name: segments[segments.length - 1], folder: null, children: [] };
    byPath.set(path, node);
    if (segments.length === 1) roots.push(node);
    else ensure(segments.slice(0, -1), delimiter).children.push(node);
    return node;
  };
  // Parents before children, so that a parent folder keeps its own data.
  const sorted = [...folders].sort((a, b) => a.path.length - b.path.length);
  for (const folder of sorted) {
    const segments = folder.delimiter ? folder.path.split(folder.delimiter) : [folder.path];
    const node = ensure(segments, folder.delimiter || '/');
    node.folder = folder;
    node.name = folder.name || node.name;
  }
  sortNodes(roots);
  return roots;
}

/** The folder to open first: the inbox, else the first folder. */
export function defaultFolder(folders: readonly FolderInfo[]): FolderInfo | null {
  return folders.find((f) => f.specialUse === '\\Inbox') ?? folders.find((f) => f.path.toUpperCase() === 'INBOX') ?? folders[0] ?? null;
}
