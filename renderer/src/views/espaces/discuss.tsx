/**
 * « Discuter » from elsewhere in the app (a contact card, a message's sender): opens Espaces on the direct discussion
 * with a colleague — an address in one of the agent's own mail domains. Absent (null) when Espaces is turned off.
 */
import { createContext, useContext } from 'react';
import { useTranslation } from 'react-i18next';

export interface Discuss {
  domains: string[];
  /** The agent's own addresses: no « Discuter » with oneself (one's own card, one's own sent message). */
  own: string[];
  open(address: string): void;
}

export const DiscussContext = createContext<Discuss | null>(null);

/** The colleague's address among `emails` that « Discuter » can open, if any (never one's own). */
export function colleagueAddress(discuss: Discuss | null, emails: readonly string[]): string | undefined {
  if (!discuss) return undefined;
  const own = new Set(discuss.own.map((a) => a.trim().toLowerCase()));
  return emails.find((e) => {
    const address = e.trim().toLowerCase();
    return !own.has(address) && discuss.domains.includes(address.split('@').pop() ?? '');
  });
}

/** « Discuter » for the first colleague's address of `emails` (nothing otherwise). */
export function DiscussButton({
  emails,
  name,
  className = 'button button-quiet',
}: {
  emails: readonly string[];
  name: string;
  className?: string;
}) {
  const { t } = useTranslation();
  const discuss = useContext(DiscussContext);
  const address = colleagueAddress(discuss, emails);
  if (!discuss || !address) return null;
  return (
    <button
      type="button"
      className={className}
      aria-label={t('contacts.discussNamed', { name: name || address })}
      onClick={() => discuss.open(address)}
      data-testid="contact-discuss"
    >
      {t('contacts.discuss')}
    </button>
  );
}
