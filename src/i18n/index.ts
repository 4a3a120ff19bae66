import fr from './fr.json' with { type: 'json' };

type Tree = { [key: string]: string | Tree };

/**
 * French messages of the core (errors, progress labels, folder names).
 * The renderer has its own resources in renderer/src/i18n/fr.json; both are checked
 * by tests/unit/typography.test.ts.
 */
export const coreMessages: Tree = fr as Tree;

export function t(key: string, vars?: Record<string, string | number>): string {
  let node: string | Tree | undefined = coreMessages;
  for (const part of key.split('.')) {
    if (typeof node !== 'object' || node === null) {
      node = undefined;
      break;
    }
    node = node[part];
  }
  if (typeof node !== 'string') throw new Error(`Missing French message: ${key}`);
  return node.replace(/\{\{(\w+)\}\}/g, (_, name: string) => (vars && name in vars ? String(vars[name]) : `{{${name}}}`));
}
