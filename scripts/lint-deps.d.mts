// Types of scripts/lint-deps.mjs, for the tests that import it.
export interface DependencyViolation {
  /** Rule name from .dependency-cruiser.cjs, or 'src-file-in-no-layer'. */
  rule: string;
  /** The rule's reason. */
  comment: string;
  /** Repository-relative path of the importing module. */
  from: string;
  /** Repository-relative path (or name) of the imported module; '' for src-file-in-no-layer. */
  to: string;
  /** The import is type-only (`import type`, `import { type … }`, `import('…').T`). */
  typeOnly: boolean;
  /** For no-circular: the modules of the cycle, first one repeated at the end. */
  cycle?: string[];
}
export const CRUISED_FOLDERS: string[];
export function loadConfig(configFile?: string): { forbidden: { name: string; comment?: string }[]; options: Record<string, unknown> };
export function layerPaths(config?: unknown): RegExp[];
export function checkDependencies(
  root?: string,
  config?: unknown,
): Promise<{ violations: DependencyViolation[]; modules: number; ms: number }>;
export function formatViolations(violations: DependencyViolation[]): string;
