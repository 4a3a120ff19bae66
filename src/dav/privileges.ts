/**
 * What the agent may do in a collection, from its DAV:current-user-privilege-set (RFC 3744 §5.4) as parsed by
 * src/dav/multistatus.ts (namespace prefixes removed). A server that does not give the property (missing, or
 * answered 404) leaves the collection writable, as Ostal assumed before reading it.
 */

/** The property to ask in a PROPFIND (prefix D bound to DAV:). */
export const PRIVILEGE_SET_PROP = '<D:current-user-privilege-set/>';

/** Privileges that let the agent add, change or remove resources of a collection (DAV:all aggregates them all). */
const WRITING = new Set(['all', 'write', 'write-content', 'bind']);

/** The privilege names (local names, e.g. 'read', 'write-content') of a parsed current-user-privilege-set. */
export function privilegeNames(node: unknown): string[] {
  if (!node || typeof node !== 'object') return [];
  const privileges = (node as Record<string, unknown>).privilege;
  const list = Array.isArray(privileges) ? privileges : privileges === undefined ? [] : [privileges];
  const names: string[] = [];
  for (const p of list) if (p && typeof p === 'object') names.push(...Object.keys(p as Record<string, unknown>));
  return names;
}

/**
 * Whether the agent may write in the collection whose properties are `props`: true when the privilege set is absent,
 * or grants DAV:write, DAV:write-content, DAV:bind or DAV:all; false when it is given without any of them (only
 * DAV:read, or empty).
 */
export function writableFrom(props: Record<string, unknown>): boolean {
  if (!('current-user-privilege-set' in props)) return true;
  return privilegeNames(props['current-user-privilege-set']).some((n) => WRITING.has(n));
}
