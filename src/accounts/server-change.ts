/** The core's side of « a new server address needs the password again » (the rule: src/shared/server-change.ts). */
import type { ServerSettings } from '../shared/contract.js';
import { newServerDestinations } from '../shared/server-change.js';
import { OstalError } from '../errors.js';
import { t } from '../i18n/index.js';

/** Refuse (French message) a change of server address that comes without the password. */
export function requirePasswordForNewServers(
  before: Partial<ServerSettings>,
  after: Partial<ServerSettings>,
  password: string | undefined | null,
): void {
  if (password) return;
  const changed = newServerDestinations(before, after);
  if (changed.length === 0) return;
  throw new OstalError(
    'invalid_input',
    t('accounts.passwordForNewServer', { servers: changed.map((f) => t(`accounts.endpoints.${f}`)).join(', ') }),
    { details: { fields: changed } },
  );
}
