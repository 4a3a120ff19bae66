/**
 * Names of people, for Espaces and Agenda: the address of a member, an author, a colleague or a participant shown as
 * the name the agent's own accounts (first) or contacts give it, as Teams and Outlook do. Read once for a whole view
 * (PeopleProvider) and read again when the contacts or accounts change: a row of a long Discussion only looks its
 * author up in a table.
 *
 * Only ever given an address the core verified (a message's sender as the server named it, a member of the room, a
 * participant of an event): never a name the sender put in its message.
 */
import { createContext, useContext, useMemo, type ReactNode } from 'react';
import type { ContactSummary } from '../../src/shared/contract';
import { useApiQuery } from './api/react';
import { namesByAddress } from './contacts-lookup';

interface People {
  /** The agent's contacts (a name typed where an address is asked). */
  contacts: readonly ContactSummary[];
  names: ReadonlyMap<string, string>;
}

const PeopleContext = createContext<People>({ contacts: [], names: new Map() });

/** The names of a view, read from the core (contacts.list, accounts.list) and read again when they change. */
export function PeopleProvider({ children }: { children: ReactNode }) {
  const contacts = useApiQuery('contacts.list', {}, { refreshOn: ['accounts.changed', 'dav.changed'], refreshAfterSync: true });
  const accounts = useApiQuery('accounts.list', {}, { refreshOn: ['accounts.changed'] });
  return (
    <PeopleFrom contacts={contacts.data} accounts={accounts.data}>
      {children}
    </PeopleFrom>
  );
}

/** The names of the given contacts and accounts (the table is built again only when one of them changes). */
export function PeopleFrom({
  contacts = NONE,
  accounts = NONE,
  children,
}: {
  contacts?: readonly ContactSummary[] | undefined;
  accounts?: readonly { email: string; name: string }[] | undefined;
  children: ReactNode;
}) {
  const value = useMemo<People>(() => ({ contacts, names: namesByAddress(contacts, accounts) }), [contacts, accounts]);
  return <PeopleContext.Provider value={value}>{children}</PeopleContext.Provider>;
}
const NONE: readonly never[] = [];

/** The agent's contacts, for fields that take a name. */
export function useContactsList(): readonly ContactSummary[] {
  return useContext(PeopleContext).contacts;
}

/** A name a view holds for an address (an event's participant and its CN), asked after the agent's own. */
export interface NamedAddress {
  email: string;
  name: string | null;
}

/**
 * address → the agent's own name or the contact's name for it, then the name `fallback` gives it (an event's CN,
 * written by the organiser's program), undefined when nobody names it.
 */
export function useKnownName(fallback: readonly NamedAddress[] = NONE): (address: string) => string | undefined {
  const { names } = useContext(PeopleContext);
  return useMemo(
    () => (address: string) => {
      const lower = address.toLowerCase();
      return names.get(lower) ?? (fallback.find((p) => p.email.toLowerCase() === lower)?.name?.trim() || undefined);
    },
    [names, fallback],
  );
}

/** address → the name to show (as useKnownName), or the address itself when nobody names it. */
export function usePersonName(fallback?: readonly NamedAddress[]): (address: string) => string {
  const known = useKnownName(fallback);
  return useMemo(() => (address: string) => known(address) ?? address, [known]);
}

/** address → « Dominique Bernard (agent2@ostal.test) » (as useKnownName), or the address alone when nobody names it. */
export function usePersonText(fallback?: readonly NamedAddress[]): (address: string) => string {
  const known = useKnownName(fallback);
  return useMemo(
    () => (address: string) => {
      const name = known(address);
      return name ? `${name} (${address})` : address;
    },
    [known],
  );
}

/** A person shown by name, the address in the tooltip (and in data-address); the bare address when no name is known. */
export function Person({ address, className }: { address: string; className?: string }) {
  const name = usePersonName()(address);
  return (
    <span className={className} title={name !== address ? address : undefined} data-address={address}>
      {name}
    </span>
  );
}
