/**
 * « Agenda » of an espace de travail against the real Prosody and Radicale: creating the space makes its calendar on
 * the organisation's shared CalDAV root (Radicale rights: every agent may make and write calendars there); an event
 * agent1 adds shows for agent2 and agent3 after their sync, in their Agenda's calendars under the space's name; agent3,
 * removed from the space, no longer syncs its calendar; a shared root on another server than the account's CalDAV
 * server is never sent the account's password.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spaceCalendarHrefs } from '../../src/workspaces/calendar-roots.js';
import { getServers, testUser } from '../servers/testing.js';
import type { User } from './files-fixture.js';
import { type OpenedCore, refreshUntilListed, WorkspaceCores } from './workspaces-fixture.js';

const cores = new WorkspaceCores();

async function openCore(user: User, label: string): Promise<OpenedCore> {
  const s = getServers();
  const opened = await cores.open(user, label);
  await opened.core.handle('settings.set', { key: 'workspaces.caldavRoot', value: s.sharedCaldavRoot });
  await opened.core.handle('accounts.update', {
    id: opened.accountId,
    password: user.password,
    settings: {
      imap: `imaps://localhost:${s.imap.tlsPort}`,
      smtp: `smtp://localhost:${s.smtp.port}`,
      caldav: `https://localhost:${s.radicale.port}/`,
      xmpp: `xmpp://localhost:${s.prosody.port}`,
      username: user.username,
    },
  });
  return opened;
}

function days(n: number, hour: number): string {
  const d = new Date(Date.now() + n * 86_400_000);
  d.setUTCHours(hour, 0, 0, 0);
  return d.toISOString();
}

describe('espaces de travail : agenda (Radicale, Prosody)', () => {
  afterAll(async () => {
    await cores.closeAll();
  });

  it('the space’s calendar is made on the shared root and an event shows for every member, not for one removed', async () => {
    const s = getServers();
    const [a1, a2, a3] = [testUser(1), testUser(2), testUser(3)];
    const name = `Projet médiathèque agenda ${Date.now().toString(36)}`;
    const one = await openCore(a1, 'agenda-a1');
    const space = await one.core.handle('workspaces.create', { name, members: [a2.email, a3.email] });
    const local = space.id.split('@')[0]!;
    const agenda1 = await one.core.handle('workspaces.agenda', { workspaceId: space.id });
    expect(agenda1.url).toBe(`${s.sharedCaldavRoot}${local}/`);
    expect(agenda1.calendarHref).toBe(`/partage/${local}/`);
    const calendars1 = await one.core.handle('calendar.calendars', {});
    expect(calendars1.find((c) => c.href === agenda1.calendarHref)?.name).toBe(name);

    const uid = (
      await one.core.handle('calendar.createEvent', {
        accountId: one.accountId,
        calendarHref: agenda1.calendarHref!,
        event: { summary: 'Réunion de chantier', start: days(2, 8), end: days(2, 9), allDay: false, location: 'Médiathèque' },
      })
    ).uid;
    await one.core.handle('sync.run', { only: 'calendar' });

    const two = await openCore(a2, 'agenda-a2');
    const three = await openCore(a3, 'agenda-a3');
    for (const o of [two, three]) {
      expect(await refreshUntilListed(o.core, space.id)).toContain(space.id);
      const agenda = await o.core.handle('workspaces.agenda', { workspaceId: space.id });
      expect(agenda.calendarHref).toBe(`/partage/${local}/`);
      const calendars = await o.core.handle('calendar.calendars', {});
      expect(calendars.find((c) => c.href === agenda.calendarHref)?.name).toBe(name);
      const occurrences = await o.core.handle('calendar.occurrences', { from: days(0, 0), to: days(7, 0) });
      const event = occurrences.find((e) => e.uid === uid);
      expect(event).toMatchObject({ summary: 'Réunion de chantier', calendarHref: agenda.calendarHref, location: 'Médiathèque' });
    }

    // agent3 removed: its Ostal drops the space, and with it the space's calendar at the next calendar sync.
    await one.core.handle('workspaces.members', { workspaceId: space.id, remove: [a3.email] });
    expect((await three.core.handle('workspaces.refresh', {})).map((w) => w.id)).not.toContain(space.id);
    await three.core.handle('sync.run', { only: 'calendar' });
    expect((await three.core.handle('calendar.calendars', {})).map((c) => c.href)).not.toContain(`/partage/${local}/`);
    const left = await three.core.handle('calendar.occurrences', { from: days(0, 0), to: days(7, 0) });
    expect(left.find((e) => e.uid === uid)).toBeUndefined();

    // A shared root on another server than the account's CalDAV: never synced with the account's password.
    await two.core.handle('settings.set', { key: 'workspaces.caldavRoot', value: 'https://agendas.example.org/partage/' });
    expect(spaceCalendarHrefs(two.core.ctx, two.accountId, `https://localhost:${s.radicale.port}/`)).toEqual([]);
  });
});
