/**
 * Agenda's event editor and event details (renderer/src/views/agenda/EventDialogs.tsx) name participants through the
 * renderer's people (renderer/src/people.tsx), as Espaces does: the agent's own accounts first, then its contacts,
 * shown as « Nom (adresse) »; an address nobody names stays bare. Rendered to HTML inside PeopleFrom.
 */
import { createElement, type ReactNode } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { DomUtils, parseDocument } from 'htmlparser2';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CalendarEventDetails, ContactSummary } from '../../src/shared/contract.js';
import { ApiProvider } from '../../renderer/src/api/react';
import type { OstalClient } from '../../renderer/src/api/client';
import { initI18n } from '../../renderer/src/i18n';
import { EventDetailsDialog, EventEditor } from '../../renderer/src/views/agenda/EventDialogs';
import { PeopleFrom } from '../../renderer/src/people';

const me = 'agent1@ostal.test';
const contacts: ContactSummary[] = [
  {
    uid: 'c1',
    fn: 'Dominique Bernard',
    emails: ['Agent2@ostal.test'],
    phones: [],
    organization: '',
    title: '',
    note: '',
    address: '',
    birthday: '',
    addressBook: 'Contacts',
  },
  // A contact of the agent's own address does not rename the agent: its account's name comes first.
  {
    uid: 'c2',
    fn: 'Autre nom',
    emails: [me],
    phones: [],
    organization: '',
    title: '',
    note: '',
    address: '',
    birthday: '',
    addressBook: 'Contacts',
  },
];

const details: CalendarEventDetails = {
  uid: 'e1',
  recurrenceId: null,
  accountId: 'a1',
  calendarHref: '/cal/',
  calendar: 'Agenda',
  organizer: me,
  pending: false,
  readOnly: false,
  summary: 'Réunion de service',
  start: '2026-12-07T10:00',
  end: '2026-12-07T11:00',
  allDay: false,
  location: '',
  description: '',
  attendees: [me, 'agent2@ostal.test', 'agent9@ostal.test', 'agent3@ostal.test'],
  rrule: null,
  reminderMinutes: null,
  meetingUrl: null,
  attendeeStatus: [
    { email: me, name: null, status: 'ACCEPTED' },
    { email: 'agent2@ostal.test', name: null, status: 'NEEDS-ACTION' },
    { email: 'agent9@ostal.test', name: null, status: 'TENTATIVE' },
    { email: 'agent3@ostal.test', name: 'Claude Petit', status: 'DECLINED' },
  ],
};

/** The texts of the elements of `tag` and class `cls` in `node` rendered with the agent's people. */
function texts(node: ReactNode, tag: string, cls: string): string[] {
  const html = renderToStaticMarkup(
    createElement(ApiProvider, {
      client: {} as OstalClient, // never called while rendering
      children: createElement(PeopleFrom, { contacts, accounts: [{ email: me, name: 'Camille Martin' }], children: node }),
    }),
  );
  const list = DomUtils.findOne((e) => e.attribs.class === cls, parseDocument(html).children);
  if (!list) throw new Error(`no .${cls} in ${html}`);
  return DomUtils.findAll((e) => e.name === tag, list.children).map((e) => DomUtils.textContent(e));
}

describe('Agenda participants named by the agent’s people', () => {
  beforeAll(async () => {
    (globalThis as { document?: unknown }).document ??= { documentElement: {} };
    await initI18n();
  });

  it('names the details’ participants by account, then contact; the event’s own name stays; an unknown address stays bare', () => {
    const noop = () => undefined;
    expect(
      texts(
        createElement(EventDetailsDialog, { details, onClose: noop, onEdit: noop, onDeleted: noop, onJoin: noop }),
        'li',
        'agenda-details-attendees',
      ),
    ).toEqual([
      'Camille Martin (agent1@ostal.test) — a accepté',
      'Dominique Bernard (agent2@ostal.test) — pas encore répondu',
      'agent9@ostal.test — peut-être',
      'Claude Petit (agent3@ostal.test) — a refusé',
    ]);
  });

  it('names the editor’s participant chips the same way', () => {
    const noop = () => undefined;
    expect(
      texts(createElement(EventEditor, { target: { details }, calendars: [], onClose: noop, onSaved: noop }), 'span', 'agenda-chips'),
    ).toEqual([
      'Camille Martin (agent1@ostal.test)',
      'Dominique Bernard (agent2@ostal.test)',
      'agent9@ostal.test',
      'Claude Petit (agent3@ostal.test)',
    ]);
  });
});
