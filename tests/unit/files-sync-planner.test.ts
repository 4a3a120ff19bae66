/**
 * The planner of the Fichiers sync alone (src/files/sync-planner.ts): from a local snapshot, a server listing and the
 * stored state, which actions — no disk, no server, no database.
 */
import { describe, expect, it } from 'vitest';
import type { StateRow } from '../../src/files/repository.js';
import {
  isBigDeletion,
  planSync,
  resolveDeletions,
  screenLocalEntries,
  screenRemoteChildren,
  type LocalItem,
  type PlanInput,
  type RemoteSnapshotItem,
  type SyncPlan,
} from '../../src/files/sync-planner.js';
import { t } from '../../src/i18n/index.js';

const MTIME = 1_700_000_000_000;
const hash = (content: string) => `sha-${content}`;

/** A local file or folder. */
const lf = (key: string, content: string, mtimeMs = MTIME): LocalItem => ({
  key,
  actual: key,
  kind: 'file',
  size: content.length,
  mtimeMs,
  hash: hash(content),
});
const ld = (key: string): LocalItem => ({ key, actual: key, kind: 'folder', size: 0, mtimeMs: 0, hash: null });
/** A server file or folder. */
const rf = (key: string, etag: string, size: number, modified: string | null = null): RemoteSnapshotItem => ({
  key,
  kind: 'file',
  size,
  etag,
  modified,
});
const rd = (key: string, etag = '"dossier"'): RemoteSnapshotItem => ({ key, kind: 'folder', size: 0, etag, modified: null });
/** The state recorded after the last sync. */
const sf = (key: string, content: string, etag: string, extra: Partial<StateRow> = {}): StateRow => ({
  path: key,
  kind: 'file',
  size: content.length,
  mtimeMs: MTIME,
  hash: hash(content),
  etag,
  remoteModified: null,
  local: true,
  state: 'synced',
  error: null,
  pending: null,
  ...extra,
});
const sd = (key: string): StateRow => ({
  path: key,
  kind: 'folder',
  size: 0,
  mtimeMs: null,
  hash: null,
  etag: '"dossier"',
  remoteModified: null,
  local: true,
  state: 'synced',
  error: null,
  pending: null,
});
/** A file synced on both sides and recorded. */
const synced = (key: string, content: string, etag = `"${content}"`) => ({
  local: [lf(key, content)],
  remote: [rf(key, etag, content.length)],
  base: [sf(key, content, etag)],
});
const sfolder = (key: string) => ({ local: [ld(key)], remote: [rd(key)], base: [sd(key)] });

interface World {
  local?: LocalItem[];
  remote?: RemoteSnapshotItem[];
  base?: StateRow[];
  pins?: [string, boolean][];
  refused?: PlanInput['refused'];
  unavailable?: string[];
  conflictCopies?: string[];
}

/** Several worlds in one (e.g. synced files plus the case's own items). */
function merge(...parts: World[]): World {
  return {
    local: parts.flatMap((p) => p.local ?? []),
    remote: parts.flatMap((p) => p.remote ?? []),
    base: parts.flatMap((p) => p.base ?? []),
    pins: parts.flatMap((p) => p.pins ?? []),
    refused: parts.flatMap((p) => p.refused ?? []),
    unavailable: parts.flatMap((p) => p.unavailable ?? []),
    conflictCopies: parts.flatMap((p) => p.conflictCopies ?? []),
  };
}

function input(w: World): PlanInput {
  return {
    local: new Map((w.local ?? []).map((l) => [l.key, l])),
    remote: new Map((w.remote ?? []).map((r) => [r.key, r])),
    base: new Map((w.base ?? []).map((b) => [b.path, b])),
    pins: new Map(w.pins ?? []),
    refused: w.refused ?? [],
    unavailable: w.unavailable ?? [],
    conflictCopies: new Set(w.conflictCopies ?? []),
  };
}

/** The plan in one readable line per action, sorted. */
function actions(plan: SyncPlan): string[] {
  return [
    ...plan.folderMoves.map((m) => `${m.side === 'remote' ? 'MOVE folder' : 'rename folder'} ${m.from} → ${m.to}`),
    ...plan.transfers.map((x) => `${x.kind} ${x.key}`),
    ...plan.mkcols.map((k) => `MKCOL ${k}`),
    ...plan.mkdirs.map((m) => `mkdir ${m.key}`),
    ...plan.moveRemote.map((m) => `MOVE ${m.from} → ${m.to}`),
    ...plan.moveLocal.map((m) => `rename ${m.from} → ${m.to}`),
    ...plan.deleteLocal.map((d) => (d.kind === 'file' ? `trash ${d.key}` : `rmdir ${d.key}`)),
    ...plan.deleteRemote.map((d) => `DELETE ${d.key}`),
    ...plan.onlineOnly.map((r) => `online-only ${r.path}`),
    ...plan.forget.map((k) => `forget ${k}`),
    ...plan.records.map((r) => `record ${r.path}`),
    ...plan.landed.map((r) => `landed ${r.path}`),
    ...plan.problems.map((p) => `problem ${p.side} ${p.path}`),
  ].sort();
}

const plan = (w: World) => planSync(input(w));

describe('Fichiers: planificateur de synchronisation', () => {
  const cases: { name: string; world: World; expected: string[] }[] = [
    { name: 'new local file: upload', world: { local: [lf('/Compte rendu.odt', 'cr')] }, expected: ['upload /Compte rendu.odt'] },
    { name: 'new server file: download', world: { remote: [rf('/Budget.csv', '"b1"', 6)] }, expected: ['download /Budget.csv'] },
    { name: 'unchanged on both sides: nothing', world: synced('/Budget.csv', 'budget'), expected: [] },
    {
      name: 'touched here, same content: only the state is recorded',
      world: {
        local: [lf('/Budget.csv', 'budget', MTIME + 5_000)],
        remote: [rf('/Budget.csv', '"b"', 6)],
        base: [sf('/Budget.csv', 'budget', '"b"')],
      },
      expected: ['record /Budget.csv'],
    },
    {
      name: 'changed here: upload',
      world: { local: [lf('/Budget.csv', 'budget v2')], remote: [rf('/Budget.csv', '"b"', 6)], base: [sf('/Budget.csv', 'budget', '"b"')] },
      expected: ['upload /Budget.csv'],
    },
    {
      name: 'changed on the server: download',
      world: { local: [lf('/Budget.csv', 'budget')], remote: [rf('/Budget.csv', '"b2"', 9)], base: [sf('/Budget.csv', 'budget', '"b"')] },
      expected: ['download /Budget.csv'],
    },
    {
      name: 'changed on both sides: conflict (both versions kept)',
      world: { local: [lf('/Budget.csv', 'ici')], remote: [rf('/Budget.csv', '"b2"', 9)], base: [sf('/Budget.csv', 'budget', '"b"')] },
      expected: ['conflict /Budget.csv'],
    },
    {
      name: 'new on both sides with different contents: conflict',
      world: { local: [lf('/Note.txt', 'ici')], remote: [rf('/Note.txt', '"n"', 8, new Date(MTIME - 3_600_000).toUTCString())] },
      expected: ['conflict /Note.txt'],
    },
    {
      name: 'new on both sides, same size and date: adopted without transfer',
      world: { local: [lf('/Note.txt', 'même')], remote: [rf('/Note.txt', '"n"', 4, new Date(MTIME).toUTCString())] },
      expected: ['adopt /Note.txt'],
    },
    {
      name: 'changed on both sides to the same size and date: conflict path (contents compared), never adopted',
      world: {
        local: [lf('/Note.txt', 'ici!')],
        remote: [rf('/Note.txt', '"n2"', 4, new Date(MTIME).toUTCString())],
        base: [sf('/Note.txt', 'avant', '"n"')],
      },
      expected: ['conflict /Note.txt'],
    },
    {
      name: 'deleted here: DELETE on the server',
      world: { local: [], remote: [rf('/Budget.csv', '"b"', 6)], base: [sf('/Budget.csv', 'budget', '"b"')] },
      expected: ['DELETE /Budget.csv'],
    },
    {
      name: 'deleted on the server: to Ostal’s Corbeille here',
      world: { local: [lf('/Budget.csv', 'budget')], base: [sf('/Budget.csv', 'budget', '"b"')] },
      expected: ['trash /Budget.csv'],
    },
    {
      name: 'deleted here, changed on the server: the change wins (download)',
      world: { remote: [rf('/Budget.csv', '"b2"', 9)], base: [sf('/Budget.csv', 'budget', '"b"')] },
      expected: ['download /Budget.csv'],
    },
    {
      name: 'deleted on the server, changed here: the change wins (upload)',
      world: { local: [lf('/Budget.csv', 'budget v2')], base: [sf('/Budget.csv', 'budget', '"b"')] },
      expected: ['upload /Budget.csv'],
    },
    {
      name: 'deleted on both sides: the state row goes',
      world: { base: [sf('/Budget.csv', 'budget', '"b"')] },
      expected: ['forget /Budget.csv'],
    },
    {
      name: 'renamed here: one MOVE on the server',
      world: {
        local: [lf('/Budget 2026.csv', 'budget')],
        remote: [rf('/Budget.csv', '"b"', 6)],
        base: [sf('/Budget.csv', 'budget', '"b"')],
      },
      expected: ['MOVE /Budget.csv → /Budget 2026.csv'],
    },
    {
      name: 'moved here into another folder: one MOVE on the server',
      world: merge(sfolder('/Archives'), {
        local: [lf('/Archives/Budget.csv', 'budget')],
        remote: [rf('/Budget.csv', '"b"', 6)],
        base: [sf('/Budget.csv', 'budget', '"b"')],
      }),
      expected: ['MOVE /Budget.csv → /Archives/Budget.csv', 'record /Archives'],
    },
    {
      name: 'renamed on the server: renamed here, nothing downloaded',
      world: {
        local: [lf('/Budget.csv', 'budget')],
        remote: [rf('/Budget 2026.csv', '"b"', 6)],
        base: [sf('/Budget.csv', 'budget', '"b"')],
      },
      expected: ['rename /Budget.csv → /Budget 2026.csv'],
    },
    {
      name: 'two identical new copies are not a rename: uploads and a DELETE',
      world: {
        local: [lf('/Copie 1.csv', 'budget'), lf('/Copie 2.csv', 'budget')],
        remote: [rf('/Budget.csv', '"b"', 6)],
        base: [sf('/Budget.csv', 'budget', '"b"')],
      },
      expected: ['DELETE /Budget.csv', 'upload /Copie 1.csv', 'upload /Copie 2.csv'],
    },
    {
      name: 'folder renamed here: one MOVE of the folder, nothing else transferred',
      world: {
        local: [ld('/Séances 2026'), lf('/Séances 2026/mars.txt', 'mars'), lf('/Séances 2026/avril.txt', 'avril')],
        remote: [rd('/Séances'), rf('/Séances/mars.txt', '"m"', 4), rf('/Séances/avril.txt', '"a"', 5)],
        base: [sd('/Séances'), sf('/Séances/mars.txt', 'mars', '"m"'), sf('/Séances/avril.txt', 'avril', '"a"')],
      },
      expected: ['MOVE folder /Séances → /Séances 2026', 'record /Séances 2026'],
    },
    {
      name: 'folder renamed on the server: one local rename of the folder',
      world: {
        local: [ld('/Séances'), lf('/Séances/mars.txt', 'mars'), lf('/Séances/avril.txt', 'avril')],
        remote: [rd('/Séances 2026'), rf('/Séances 2026/mars.txt', '"m"', 4), rf('/Séances 2026/avril.txt', '"a"', 5)],
        base: [sd('/Séances'), sf('/Séances/mars.txt', 'mars', '"m"'), sf('/Séances/avril.txt', 'avril', '"a"')],
      },
      expected: ['rename folder /Séances → /Séances 2026', 'record /Séances 2026'],
    },
    {
      name: 'new folder here: MKCOL, then its files',
      world: { local: [ld('/Projet'), lf('/Projet/plan.txt', 'plan')] },
      expected: ['MKCOL /Projet', 'upload /Projet/plan.txt'],
    },
    {
      name: 'new folder on the server: created here, its files come down',
      world: { remote: [rd('/Projet'), rf('/Projet/plan.txt', '"p"', 4)] },
      expected: ['download /Projet/plan.txt', 'mkdir /Projet'],
    },
    {
      name: 'folder deleted here: its files, then the folder, deleted on the server',
      world: { remote: [rd('/Projet'), rf('/Projet/plan.txt', '"p"', 4)], base: [sd('/Projet'), sf('/Projet/plan.txt', 'plan', '"p"')] },
      expected: ['DELETE /Projet', 'DELETE /Projet/plan.txt'],
    },
    {
      name: 'folder deleted on the server with a new file in it here: the file goes up, the folder is made again',
      world: {
        local: [ld('/Projet'), lf('/Projet/plan.txt', 'plan'), lf('/Projet/nouveau.txt', 'nouveau')],
        base: [sd('/Projet'), sf('/Projet/plan.txt', 'plan', '"p"')],
      },
      expected: ['MKCOL /Projet', 'trash /Projet/plan.txt', 'upload /Projet/nouveau.txt'],
    },
    {
      name: 'online only (folder pinned online): listed, not downloaded',
      world: { remote: [rd('/Archives'), rf('/Archives/2019.pdf', '"v"', 10)], pins: [['/Archives', false]] },
      expected: ['online-only /Archives', 'online-only /Archives/2019.pdf'],
    },
    {
      name: 'online only: a freed local copy is not a deletion',
      world: {
        remote: [rf('/Archives/2019.pdf', '"v"', 10)],
        base: [sf('/Archives/2019.pdf', 'x'.repeat(10), '"v"', { local: false, state: 'online-only', mtimeMs: null })],
        pins: [['/Archives', false]],
      },
      expected: ['online-only /Archives/2019.pdf'],
    },
    {
      name: 'online only: a synced file whose folder is set online only is freed, not deleted on the server',
      world: merge(sfolder('/Archives'), {
        remote: [rf('/Archives/2019.pdf', '"v"', 10)],
        base: [sf('/Archives/2019.pdf', 'x'.repeat(10), '"v"')],
        pins: [['/Archives', false]],
      }),
      expected: ['online-only /Archives/2019.pdf', 'record /Archives'],
    },
    {
      name: 'online only, pinned offline again: comes down',
      world: {
        remote: [rf('/Archives/2019.pdf', '"v"', 10)],
        base: [sf('/Archives/2019.pdf', 'x'.repeat(10), '"v"', { local: false, state: 'online-only', mtimeMs: null })],
        pins: [['/Archives', true]],
      },
      expected: ['download /Archives/2019.pdf'],
    },
    {
      name: 'a name refused on the server is neither downloaded nor deleted here',
      world: {
        local: [lf('/CON', 'réservé')],
        base: [sf('/CON', 'réservé', '"c"')],
        refused: [{ path: '/CON', side: 'server', message: 'refusé' }],
      },
      expected: [],
    },
    {
      name: 'a folder deleted on the server that holds a refused name here is kept',
      world: {
        local: [ld('/Projet'), lf('/Projet/plan.txt', 'plan')],
        base: [sd('/Projet'), sf('/Projet/plan.txt', 'plan', '"p"')],
        refused: [{ path: '/Projet/fin.', side: 'local', message: 'refusé' }],
      },
      expected: ['MKCOL /Projet', 'trash /Projet/plan.txt'],
    },
    {
      name: 'a folder whose listing failed decides nothing below it (no deletion)',
      world: {
        local: [ld('/Lots'), lf('/Lots/Lot 1.txt', 'lot')],
        remote: [rd('/Lots')],
        base: [sd('/Lots'), sf('/Lots/Lot 1.txt', 'lot', '"l"')],
        unavailable: ['/Lots'],
      },
      expected: [],
    },
    {
      name: 'a file here and a folder there with one name: reported, not synced',
      world: { local: [lf('/Plan', 'plan')], remote: [rd('/Plan'), rf('/Plan/a.txt', '"a"', 1)] },
      expected: ['problem local /Plan'],
    },
    {
      name: 'a conflict copy waiting for the user is not synced (not even « deleted on the server »)',
      world: {
        local: [lf('/Budget (conflit du 23-11-2026 14 h 30).csv', 'ici')],
        base: [sf('/Budget (conflit du 23-11-2026 14 h 30).csv', 'ici', '', { etag: null, state: 'conflict' })],
        conflictCopies: ['/Budget (conflit du 23-11-2026 14 h 30).csv'],
      },
      expected: [],
    },
    {
      name: 'a download interrupted after it landed is recorded, not done again',
      world: {
        local: [lf('/Budget.csv', 'budget v2')],
        remote: [rf('/Budget.csv', '"b2"', 9)],
        base: [
          sf('/Budget.csv', 'budget', '"b"', {
            state: 'syncing',
            pending: {
              kind: 'download',
              hash: hash('budget v2'),
              size: 9,
              etag: '"b2"',
              modified: null,
              at: new Date(MTIME).toISOString(),
            },
          }),
        ],
      },
      expected: ['landed /Budget.csv', 'record /Budget.csv'],
    },
    {
      name: 'the placeholder of an upload that never landed is a new file again',
      world: {
        local: [lf('/Budget.csv', 'budget')],
        base: [
          sf('/Budget.csv', 'budget', '', {
            hash: null,
            etag: null,
            size: 0,
            state: 'syncing',
            pending: { kind: 'upload', hash: null, size: 6, etag: null, modified: null, at: new Date(MTIME).toISOString() },
          }),
        ],
      },
      expected: ['upload /Budget.csv'],
    },
  ];

  it.each(cases)('$name', ({ world, expected }) => {
    expect(actions(plan(world))).toEqual([...expected].sort());
  });

  it('uploads carry If-Match of the recorded ETag when the server has the file, and create otherwise', () => {
    const changed = plan({ local: [lf('/a.txt', 'v2')], remote: [rf('/a.txt', '"a1"', 2)], base: [sf('/a.txt', 'v1', '"a1"')] });
    expect(changed.transfers).toMatchObject([{ kind: 'upload', key: '/a.txt', ifMatch: '"a1"', size: 2 }]);
    expect(plan({ local: [lf('/a.txt', 'v1')] }).transfers).toMatchObject([{ kind: 'upload', ifMatch: null }]);
    const deletedThere = plan({ local: [lf('/a.txt', 'v2')], base: [sf('/a.txt', 'v1', '"a1"')] });
    expect(deletedThere.transfers).toMatchObject([{ kind: 'upload', ifMatch: null }]);
  });

  it('a deletion on the server keeps its If-Match; the inputs are left as they were', () => {
    const world = input({ remote: [rf('/a.txt', '"a1"', 2)], base: [sf('/a.txt', 'v1', '"a1"')] });
    const before = JSON.stringify([...world.base.values(), ...world.remote.values()]);
    const p = planSync(world);
    expect(p.deleteRemote).toMatchObject([{ key: '/a.txt', kind: 'file', etag: '"a1"' }]);
    expect(JSON.stringify([...world.base.values(), ...world.remote.values()])).toBe(before);
  });

  it('the conflict plan keeps both sides (the local copy is renamed by the executor, the server one downloaded)', () => {
    const p = plan({ local: [lf('/r.odt', 'ici')], remote: [rf('/r.odt', '"r2"', 9)], base: [sf('/r.odt', 'avant', '"r1"')] });
    expect(p.transfers).toEqual([
      { kind: 'conflict', key: '/r.odt', local: lf('/r.odt', 'ici'), remote: rf('/r.odt', '"r2"', 9), size: 9 },
    ]);
    expect(p.deleteLocal).toEqual([]);
    expect(p.deleteRemote).toEqual([]);
  });

  it('a file here and a folder there: a French problem with the fix', () => {
    expect(plan({ local: [lf('/Plan', 'plan')], remote: [rd('/Plan')] }).problems).toEqual([
      { path: '/Plan', side: 'local', message: t('files.names.kindClash', { name: 'Plan' }) },
    ]);
  });
});

describe('Fichiers: grosse suppression', () => {
  /** `total` synced files, the first `deleted` of them deleted on the server. */
  function deletedOnServer(total: number, deleted: number): World {
    const parts = Array.from({ length: total }, (_, i) => synced(`/f${String(i).padStart(4, '0')}.txt`, `c${i}`));
    for (const p of parts.slice(0, deleted)) p.remote = [];
    return merge(...parts);
  }

  it.each([
    { deleted: 50, total: 1000, big: false },
    { deleted: 51, total: 1000, big: true },
    { deleted: 12, total: 40, big: false }, // exactly 30 %
    { deleted: 13, total: 40, big: true },
    { deleted: 9, total: 20, big: false }, // 45 %, under the floor of 10 files
    { deleted: 10, total: 20, big: true },
  ])('$deleted of $total files deleted: big = $big', ({ deleted, total, big }) => {
    expect(isBigDeletion(deleted, total)).toBe(big);
    const p = plan(deletedOnServer(total, deleted));
    expect(p.deletions).toEqual({ local: deleted, server: 0, big });
  });

  it('counts deletions on both sides, folders not included', () => {
    // The whole folder deleted here: 20 files and the folder deleted on the server.
    const world = merge(...Array.from({ length: 20 }, (_, i) => synced(`/Lot/f${i}.txt`, `c${i}`)), sfolder('/Lot'));
    world.local = [];
    const p = plan(world);
    expect(p.deletions).toEqual({ local: 0, server: 20, big: true });
    expect(p.deleteRemote.filter((d) => d.kind === 'folder').map((d) => d.key)).toEqual(['/Lot']);
  });

  const bigPlan = () => {
    const world = merge(deletedOnServer(20, 0), {
      local: [ld('/Lot'), ...Array.from({ length: 12 }, (_, i) => lf(`/Lot/f${i}.txt`, `l${i}`))],
      base: [sd('/Lot'), ...Array.from({ length: 12 }, (_, i) => sf(`/Lot/f${i}.txt`, `l${i}`, `"l${i}"`))],
      remote: [rf('/Nouveau.txt', '"n"', 7)],
    });
    return plan(world);
  };

  it('waits for the user: nothing deleted, the transfers still go, a notice once per new count', () => {
    const p = bigPlan();
    expect(p.deletions).toEqual({ local: 12, server: 0, big: true });
    const first = resolveDeletions(p, { pendingDeletion: null, deletionDecision: 'none' });
    expect(first.outcome).toEqual({
      kind: 'waiting',
      pending: { local: 12, server: 0 },
      notify: true,
      account: { pendingDeletion: { local: 12, server: 0 } },
    });
    expect(first.plan.deleteLocal).toEqual([]);
    expect(first.plan.deleteRemote).toEqual([]);
    expect(actions(first.plan)).toEqual(['download /Nouveau.txt']);
    const again = resolveDeletions(p, { pendingDeletion: { local: 12, server: 0 }, deletionDecision: 'none' });
    expect(again.outcome).toMatchObject({ kind: 'waiting', notify: false });
    expect(resolveDeletions(p, { pendingDeletion: { local: 11, server: 0 }, deletionDecision: 'none' }).outcome).toMatchObject({
      kind: 'waiting',
      notify: true,
    });
  });

  it('confirmed: the deletions go (to the Corbeille) and the question is over', () => {
    const r = resolveDeletions(bigPlan(), { pendingDeletion: { local: 12, server: 0 }, deletionDecision: 'confirm' });
    expect(r.outcome).toEqual({ kind: 'confirmed', account: { pendingDeletion: null, deletionDecision: 'none' } });
    expect(actions(r.plan)).toEqual(
      ['download /Nouveau.txt', ...Array.from({ length: 12 }, (_, i) => `trash /Lot/f${i}.txt`), 'rmdir /Lot'].sort(),
    );
  });

  it('« Garder les fichiers »: the files go back to the side that lost them, the question is over', () => {
    const r = resolveDeletions(bigPlan(), { pendingDeletion: { local: 12, server: 0 }, deletionDecision: 'restore' });
    expect(r.outcome).toMatchObject({ kind: 'restored', account: { pendingDeletion: null, deletionDecision: 'none' } });
    expect(r.outcome.kind === 'restored' && [...r.outcome.forget].sort()).toEqual(
      Array.from({ length: 12 }, (_, i) => `/Lot/f${i}.txt`).sort(),
    );
    expect(actions(r.plan)).toEqual(
      ['MKCOL /Lot', 'download /Nouveau.txt', ...Array.from({ length: 12 }, (_, i) => `upload /Lot/f${i}.txt`)].sort(),
    );
    for (const x of r.plan.transfers.filter((y) => y.kind === 'upload')) expect(x, x.key).toMatchObject({ restore: true, ifMatch: null });

    // Deleted here: the server's files come back down and the folder is made again here.
    const here = merge(...Array.from({ length: 12 }, (_, i) => synced(`/Lot/f${i}.txt`, `c${i}`)), sfolder('/Lot'), deletedOnServer(8, 0));
    here.local = here.local!.filter((l) => !l.key.startsWith('/Lot'));
    const back = resolveDeletions(plan(here), { pendingDeletion: { local: 0, server: 12 }, deletionDecision: 'restore' });
    expect(actions(back.plan)).toEqual(['mkdir /Lot', ...Array.from({ length: 12 }, (_, i) => `download /Lot/f${i}.txt`)].sort());
    expect(back.plan.mkdirs).toEqual([{ key: '/Lot', etag: '"dossier"' }]);
  });

  it('a small deletion goes on; a question left from before is closed', () => {
    const small = plan(deletedOnServer(100, 3));
    expect(resolveDeletions(small, { pendingDeletion: null, deletionDecision: 'none' }).outcome).toEqual({ kind: 'none', account: null });
    const stale = resolveDeletions(small, { pendingDeletion: { local: 60, server: 0 }, deletionDecision: 'restore' });
    expect(stale.outcome).toEqual({ kind: 'none', account: { pendingDeletion: null, deletionDecision: 'none' } });
    expect(stale.plan.deleteLocal).toHaveLength(3);
  });
});

describe('Fichiers: noms refusés et majuscules', () => {
  const item = (href: string) => ({ href, kind: 'file' as const, size: 1, etag: '"e"', modified: null });

  it('server listing: hostile names and case clashes refused, Windows names accepted but reported, NFC keys', () => {
    const nfd = 'Procès-verbal.txt'.normalize('NFD');
    const r = screenRemoteChildren('/Mairie', [
      item('/dav/u/Mairie/Rapport.txt'),
      item('/dav/u/Mairie/rapport.txt'),
      item('/dav/u/Mairie/..'),
      item('/dav/u/Mairie/CON'),
      item(`/dav/u/Mairie/${nfd}`),
    ]);
    expect(r.accepted.map((c) => c.key)).toEqual(['/Mairie/Rapport.txt', '/Mairie/CON', '/Mairie/Procès-verbal.txt'.normalize('NFC')]);
    expect(r.problems.map((p) => [p.side, p.path])).toEqual([
      ['server', '/Mairie/rapport.txt'],
      ['server', '/Mairie/..'],
      ['server', '/Mairie/CON'],
    ]);
    expect(r.problems[0].message).toBe(t('files.names.caseClash', { name: 'rapport.txt', other: 'Rapport.txt' }));
    expect(r.problems[2].message).toMatch(/nom réservé par Windows.*«\u00a0CON_\u00a0»/);
  });

  it('local folder: partial downloads, links and conflict copies set aside; refused names with their fix; case and NFC/NFD clashes', () => {
    const nfc = 'Été.txt';
    const verdicts = screenLocalEntries(
      '/Dossier',
      [
        { name: '.ostal-partial-0123456789abcdef', kind: 'file' },
        { name: 'lien', kind: 'other' },
        { name: 'r (conflit du 23-11-2026 14 h 30).odt', kind: 'file' },
        { name: 'fin.', kind: 'file' },
        { name: 'Budget.csv', kind: 'file' },
        { name: 'budget.csv', kind: 'file' },
        { name: nfc.normalize('NFD'), kind: 'file' },
        { name: nfc, kind: 'file' },
        { name: 'Sous-dossier', kind: 'folder' },
      ],
      new Set(['/Dossier/r (conflit du 23-11-2026 14 h 30).odt']),
    );
    expect(
      verdicts.map((v) => (v.kind === 'refused' ? `refused ${v.problem.path}` : v.kind === 'accept' ? `accept ${v.key}` : v.kind)),
    ).toEqual([
      'partial',
      'skip',
      'skip',
      'refused /Dossier/fin.',
      'accept /Dossier/Budget.csv',
      'refused /Dossier/budget.csv',
      `accept /Dossier/${nfc}`,
      `refused /Dossier/${nfc}`,
      'accept /Dossier/Sous-dossier',
    ]);
    const accepted = verdicts.filter((v) => v.kind === 'accept');
    expect(accepted[1]).toEqual({ kind: 'accept', key: `/Dossier/${nfc}`, actual: `/Dossier/${nfc.normalize('NFD')}` });
    const refused = verdicts.filter((v) => v.kind === 'refused');
    expect(refused[0].kind === 'refused' && refused[0].problem.message).toMatch(/se termine par un point.*«\u00a0fin\u00a0»/);
    expect(refused[1].kind === 'refused' && refused[1].problem.message).toBe(
      t('files.names.caseClash', { name: 'budget.csv', other: 'Budget.csv' }),
    );
  });
});
