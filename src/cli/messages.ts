import { t } from '../i18n/index.js';

/** French texts of the CLI, from src/i18n/fr.json (`cli.*`). */
export function cliText(key: string, vars?: Record<string, string | number>): string {
  return t(`cli.${key}`, vars);
}
