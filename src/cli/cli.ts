/**
 * Headless CLI over the same core and API as the UI. IT scripts and benchmarks depend on its flags and JSON:
 * keep them stable. Human-readable output and errors are French; `--json` output follows src/shared/contract.ts.
 *
 *   ostal account add --email E --password-env VAR [--name N] [--imap URL] [--smtp URL] [--caldav URL] [--carddav URL] [--webdav URL]
 *                     [--sieve sieve://HOST:PORT]
 *                     [--xmpp xmpp://HOTE:5222]
 *   ostal account list [--json]
 *   ostal account remove --email E
 *   ostal sync [--account E] [--only mail|calendar|contacts|files[,…]]
 *   ostal status [--json]
 *   ostal mail search QUERY [--limit N] [--account E] [--json]   (French operators: de: à: objet: avant: après: pj:; 100 results
 *                                                              by default, --limit 0: every match)
 *   ostal mail space [--json]        (MailOfflineSpace: space used on this computer by offline reading)
 *   ostal mail free-space [--json]   (MailFreeSpaceResult: bodies outside the chosen window forgotten; nothing unsent)
 *   ostal mail send --from E --to A [--to A]… [--cc A]… [--bcc A]… --subject S --body-file F [--attach F]… [--send-at DATE] [--json]
 *                   (--send-at AAAA-MM-JJTHH:MM, heure de cet ordinateur, or with an offset: « Envoyer plus tard », the entry
 *                   stays in the Boîte d'envoi with its scheduledAt and leaves at that time from a running Ostal)
 *   ostal mail outbox list [--account E] [--json]   (OutboxEntry[]: the Boîte d'envoi, scheduled messages included)
 *   ostal mail vacation status [--account E] [--json]   (« Réponse automatique », read from the ManageSieve server: SieveState)
 *   ostal mail vacation set --message-file F [--external-message-file F] [--from DATE] [--to DATE] [--subject S] [--account E] [--json]
 *   ostal mail vacation off [--account E] [--json]
 *   ostal mail rules list [--account E] [--json]   (« Règles »: MailRule[] of src/shared/contract.ts)
 *   ostal mail rules set --file RULES.json [--account E] [--json]   (replaces the rules by the file's MailRule[])
 *   ostal mail list --folder PATH [--account E] [--json]   (messages of the local store: run `ostal sync` first)
 *   ostal calendar list --from DATE --to DATE [--json]   (occurrences overlapping the range; DATE = AAAA-MM-JJ or ISO)
 *   ostal contacts list [--json]
 *   ostal workspace create --name N --members a@x,b@x [--description D] [--account E] [--json]
 *   ostal workspace list [--json]          (asks the XMPP server first: spaces created elsewhere appear)
 *   ostal workspace members --workspace ID [--add a@x,b@x] [--remove c@x] [--json]   (owners and admins only)
 *   ostal chat send --workspace ID --text T [--json]   (offline: queued « en attente », sent at the next connection)
 *   ostal chat send --workspace ID --file CHEMIN [--json]   (the file through the server's file sharing, XEP-0363; offline: refused)
 *   ostal chat history --workspace ID [--limit N] [--json]
 *   ostal calendar add --summary TITRE --start DATE [--end DATE] [--all-day] [--location LIEU] [--rrule RRULE] [--json]
 *                      (DATE = AAAA-MM-JJTHH:MM, heure de cet ordinateur, ou AAAA-MM-JJ avec --all-day; sent to the server at once when it answers)
 *   ostal import FICHIER [--json]   (.ics events or .vcf contacts; French summary of what was imported and refused)
 *   ostal import FICHIER… [--account E] [--json]   (.pst, .ost, .msg, .eml, mbox files and folders of them: MigrationReport of
 *                      src/shared/contract.ts; progress on stderr; resumable, a second run adds nothing)
 *   ostal import-account --from E1 --to E2 [--folder CHEMIN]… [--json]   (copy of another account's folders, same report)
 *   ostal files sync [--account E]   (returns when the folders are in sync; progress on stderr)
 *   ostal files status [--json]       (FilesStatus of src/shared/contract.ts: local root, remote root, counts per state)
 *   ostal files conflicts [--json]    (FileConflict[]: both versions kept, waiting for the user's choice)
 *   Every command takes --profile DIR (else OSTAL_PROFILE, else the OS default).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { AccountSummary, ApiError, MethodName, Params, Result, ServerSettings, SyncScope } from '../shared/contract.js';
import { OstalError } from '../errors.js';
import { decodeImportBytes } from '../calendar/import.js';
import { Core } from '../core.js';
import { cliText } from './messages.js';
import { formatNumber, formatSize } from '../shared/format.js';
import { formatClockTime, formatLongDate } from '../shared/time.js';
import { defaultProfileDir } from '../store/profile.js';
import { displayFileName } from '../files/open-safety.js';

const SCOPES: SyncScope[] = ['mail', 'calendar', 'contacts', 'files'];

interface Io {
  out(s: string): void;
  err(s: string): void;
  env: NodeJS.ProcessEnv;
}

const processIo: Io = {
  out: (s) => process.stdout.write(s + '\n'),
  err: (s) => process.stderr.write(s + '\n'),
  env: process.env,
};

class UsageError extends Error {}

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  try {
    return await run(argv, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(err.message);
      io.err(cliText('usage'));
      return 2;
    }
    if (err instanceof OstalError) {
      io.err(err.message);
      return err.code === 'profile_locked' ? 3 : 1;
    }
    const apiErr = err as Partial<ApiError>;
    io.err(typeof apiErr?.message === 'string' && apiErr.code ? apiErr.message : cliText('unexpected'));
    if (io.env.OSTAL_DEBUG === '1') io.err(String((err as Error)?.stack ?? err));
    return 1;
  }
}

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        profile: { type: 'string' },
        json: { type: 'boolean', default: false },
        email: { type: 'string' },
        'password-env': { type: 'string' },
        name: { type: 'string' },
        imap: { type: 'string' },
        smtp: { type: 'string' },
        caldav: { type: 'string' },
        carddav: { type: 'string' },
        webdav: { type: 'string' },
        sieve: { type: 'string' },
        'message-file': { type: 'string' },
        'external-message-file': { type: 'string' },
        file: { type: 'string' },
        xmpp: { type: 'string' },
        members: { type: 'string' },
        description: { type: 'string' },
        workspace: { type: 'string' },
        add: { type: 'string' },
        remove: { type: 'string' },
        text: { type: 'string' },
        username: { type: 'string' },
        account: { type: 'string' },
        only: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string', multiple: true },
        cc: { type: 'string', multiple: true },
        bcc: { type: 'string', multiple: true },
        subject: { type: 'string' },
        'body-file': { type: 'string' },
        'send-at': { type: 'string' },
        attach: { type: 'string', multiple: true },
        folder: { type: 'string' },
        summary: { type: 'string' },
        start: { type: 'string' },
        end: { type: 'string' },
        'all-day': { type: 'boolean', default: false },
        limit: { type: 'string' },
        location: { type: 'string' },
        rrule: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    // Node's message is English (« Unknown option '--x'… », « Option '--profile <value>' argument missing »): only the
    // option it names is shown, in a French sentence.
    const e = err as { code?: string; message?: string };
    const option = /'(-[^' ]+)/.exec(e.message ?? '')?.[1] ?? '';
    const key = e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' ? 'missingOptionValue' : 'badOption';
    throw new UsageError(cliText(key, { option }));
  }
}

async function run(argv: string[], io: Io): Promise<number> {
  const { values: v, positionals } = parse(argv);
  const [cmd, sub] = positionals;
  if (v.help || !cmd) {
    io.out(cliText('usage'));
    return v.help ? 0 : 2;
  }
  const profileDir = v.profile ?? io.env.OSTAL_PROFILE ?? defaultProfileDir(io.env);

  const withCore = async <T>(fn: (call: Caller, core: Core) => Promise<T>): Promise<T> => {
    const core = await Core.open({ profileDir, mode: 'cli' });
    try {
      const call: Caller = (method, params) => core.handle(method, params);
      return await fn(call, core);
    } finally {
      await core.close();
    }
  };

  // `import FICHIER`: the second word is the file, not a subcommand.
  switch (cmd === 'import' || cmd === 'import-account' ? cmd : `${cmd}${sub ? ' ' + sub : ''}`) {
    case 'account add': {
      if (!v.email) throw new UsageError(cliText('missingOption', { option: '--email' }));
      const varName = v['password-env'];
      if (!varName) throw new UsageError(cliText('missingOption', { option: '--password-env' }));
      const password = io.env[varName];
      if (!password) throw new UsageError(cliText('emptyPasswordEnv', { name: varName }));
      const manual = manualSettings(v);
      return withCore(async (call) => {
        let settings: ServerSettings | undefined;
        if (manual.imap && manual.smtp) {
          settings = {
            imap: manual.imap,
            smtp: manual.smtp,
            caldav: manual.caldav ?? null,
            carddav: manual.carddav ?? null,
            webdav: manual.webdav ?? null,
            sieve: manual.sieve ?? null,
            xmpp: manual.xmpp ?? null,
            username: manual.username ?? null,
          };
        } else {
          io.err(cliText('discovering', { email: v.email! }));
          const found = await call('accounts.discover', { email: v.email! });
          settings = { ...found.settings };
          for (const key of ['imap', 'smtp', 'caldav', 'carddav', 'webdav', 'sieve', 'xmpp', 'username'] as const) {
            if (manual[key]) (settings as unknown as Record<string, string>)[key] = manual[key]!;
          }
        }
        io.err(cliText('checking'));
        const account = await call('accounts.add', { email: v.email!, name: v.name, password, settings });
        if (v.json) io.out(JSON.stringify(account, null, 2));
        else io.out(cliText('accountAdded', { email: account.email }));
        return 0;
      });
    }
    case 'account list':
      return withCore(async (call) => {
        const accounts = await call('accounts.list', {});
        if (v.json) io.out(JSON.stringify(accounts.map(publicAccount), null, 2));
        else if (accounts.length === 0) io.out(cliText('noAccount'));
        else for (const a of accounts) io.out(`${a.email}\t${a.name}\t${a.settings.imap}`);
        return 0;
      });
    case 'account remove': {
      if (!v.email) throw new UsageError(cliText('missingOption', { option: '--email' }));
      return withCore(async (call) => {
        const account = await findAccount(call, v.email!);
        await call('accounts.remove', { id: account.id });
        io.out(cliText('accountRemoved', { email: account.email }));
        return 0;
      });
    }
    case 'sync': {
      // --only takes one scope or several separated by commas (« calendar,contacts »): one run each, one report.
      const scopes =
        v.only === undefined
          ? [undefined]
          : String(v.only)
              .split(',')
              .map((x) => x.trim());
      for (const scope of scopes)
        if (scope !== undefined && !SCOPES.includes(scope as SyncScope))
          throw new UsageError(cliText('badOnly', { value: String(v.only) }));
      return withCore(async (call, core) => {
        const accountId = v.account ? (await findAccount(call, v.account)).id : undefined;
        let lastLabel = '';
        const off = core.onEvent((event, data) => {
          if (event !== 'status.changed') return;
          const p = (data as Result<'status.get'>).progress;
          if (p && p.label !== lastLabel) {
            lastLabel = p.label;
            io.err(p.label); // the label already carries its counts
          }
        });
        try {
          const report: Result<'sync.run'> = { accounts: [] };
          for (const only of scopes as (SyncScope | undefined)[]) {
            for (const a of (await call('sync.run', { accountId, only })).accounts) {
              const seen = report.accounts.find((r) => r.email === a.email);
              if (!seen) report.accounts.push({ ...a, scopes: [...a.scopes], ...(a.skipped ? { skipped: [...a.skipped] } : {}) });
              else {
                seen.scopes.push(...a.scopes);
                if (a.skipped) seen.skipped = [...(seen.skipped ?? []), ...a.skipped];
                if (!a.ok && seen.ok) Object.assign(seen, { ok: false, error: a.error });
              }
            }
          }
          if (v.json) io.out(JSON.stringify(report, null, 2));
          let failed = 0;
          for (const a of report.accounts) {
            if (a.ok) io.err(cliText('syncDone', { email: a.email }));
            else {
              failed++;
              io.err(cliText('syncFailed', { email: a.email, message: a.error?.message ?? '' }));
            }
          }
          if (report.accounts.length === 0) io.err(cliText('noAccount'));
          return failed > 0 ? 1 : 0;
        } finally {
          off();
        }
      });
    }
    case 'status':
      return withCore(async (call) => {
        const status = await call('status.cli', {});
        if (v.json) io.out(JSON.stringify(status, null, 2));
        else if (status.accounts.length === 0) io.out(cliText('noAccount'));
        else
          for (const a of status.accounts) {
            io.out(
              cliText('statusAccount', { email: a.email, state: cliText(a.online ? 'online' : 'offline'), pending: a.pendingOperations }),
            );
            for (const f of a.folders) io.out(cliText('statusFolder', { name: f.name, total: f.total, unread: f.unread }));
          }
        return 0;
      });
    case 'mail send':
      return mailSend(v, io, withCore);
    case 'mail list':
      return mailList(v, io, withCore);
    case 'mail outbox':
      if (positionals[2] !== 'list') throw new UsageError(cliText('usage'));
      return withCore(async (call) => {
        const accountId = v.account ? (await findAccount(call, v.account)).id : undefined;
        const list = await call('mail.outbox.list', accountId ? { accountId } : {});
        if (v.json) io.out(JSON.stringify(list, null, 2));
        else for (const e of list) io.out(`${e.state}\t${e.scheduledAt ?? ''}\t${[...e.to, ...e.cc, ...e.bcc].join(', ')}\t${e.subject}`);
        return 0;
      });
    case 'mail vacation':
      return mailVacation(positionals[2], v, io, withCore);
    case 'mail rules':
      return mailRules(positionals[2], v, io, withCore);
    case 'mail space':
      return withCore(async (call) => {
        const space = await call('mail.offlineSpace', {});
        if (v.json) io.out(JSON.stringify(space, null, 2));
        else io.out(cliText('mailSpace', { size: formatSize(space.bytes), bodies: formatNumber(space.bodies, 0) }));
        return 0;
      });
    case 'mail free-space':
      return withCore(async (call) => {
        const r = await call('mail.freeSpace', {});
        if (v.json) io.out(JSON.stringify(r, null, 2));
        else
          io.out(
            cliText('mailFreed', {
              freed: formatSize(r.freedBytes),
              dropped: formatNumber(r.droppedBodies, 0),
              size: formatSize(r.space.bytes),
            }),
          );
        return 0;
      });
    case 'mail search': {
      const query = positionals.slice(2).join(' ').trim();
      if (!query) throw new UsageError(cliText('missingQuery'));
      const limit = v.limit === undefined ? 100 : Number(v.limit);
      if (!Number.isInteger(limit) || limit < 0) throw new UsageError(cliText('badLimit', { value: String(v.limit) }));
      return withCore(async (call) => {
        const accountId = v.account ? (await findAccount(call, v.account)).id : undefined;
        const hits = await call('mail.search', { query, accountId, limit });
        if (v.json) io.out(JSON.stringify(hits, null, 2));
        else if (hits.length === 0) io.out(cliText('searchNothing'));
        else for (const m of hits) io.out(`${m.date ?? ''}\t${m.folder}\t${m.from?.address ?? ''}\t${m.subject}`);
        return 0;
      });
    }
    case 'calendar list': {
      const to = v.to?.[0];
      if (!v.from || !to) throw new UsageError(cliText('calendarWindowMissing'));
      const from = v.from;
      return withCore(async (call) => {
        const events = await call('calendar.list', { from, to });
        if (v.json) io.out(JSON.stringify(events, null, 2));
        else if (events.length === 0) io.out(cliText('calendarNothing'));
        else for (const e of events) io.out(`${e.start}\t${e.end}\t${e.calendar}\t${e.summary}`);
        return 0;
      });
    }
    case 'calendar add': {
      if (!v.summary || !v.start) throw new UsageError(cliText('calendarAddMissing'));
      const allDay = v['all-day'] === true;
      const event = { summary: v.summary, start: v.start, end: v.end ?? v.start, allDay, location: v.location, rrule: v.rrule ?? null };
      return withCore(async (call) => {
        const { uid } = await call('calendar.createEvent', { event });
        // Send it now when the server answers; offline, it waits in the journal for the next sync.
        const report = await call('sync.run', { only: 'calendar' });
        const sent = report.accounts.every((a) => a.ok);
        if (v.json) io.out(JSON.stringify({ uid, sent }, null, 2));
        else io.out(cliText(sent ? 'calendarAdded' : 'calendarAddedOffline', { summary: v.summary! }));
        return 0;
      });
    }
    case 'import': {
      const file = positionals[1];
      if (!file) throw new UsageError(cliText('importMissing'));
      const files = positionals.slice(1);
      if (files.length > 1 || isMigrationInput(file)) {
        if (files.some((f) => /\.(ics|ical|ifb|vcf|vcard)$/i.test(f))) throw new UsageError(cliText('migrationPaths'));
        return migrationCommand(files, v, io, withCore);
      }
      let content: string;
      try {
        content = decodeImportBytes(fs.readFileSync(file));
      } catch {
        throw new UsageError(cliText('importUnreadable', { file }));
      }
      return withCore(async (call) => {
        const result = await call('dav.import', { content, name: path.basename(file) });
        if (result.imported > 0) await call('sync.run', { only: result.kind === 'calendar' ? 'calendar' : 'contacts' });
        if (v.json) io.out(JSON.stringify(result, null, 2));
        else io.out(result.message);
        return result.imported === 0 && result.refused.length > 0 ? 1 : 0;
      });
    }
    case 'import-account': {
      if (!v.from || !v.to?.length) throw new UsageError(cliText('importAccountMissing'));
      const folders = argv.flatMap((a, i) =>
        a === '--folder' && argv[i + 1] ? [argv[i + 1]] : a.startsWith('--folder=') ? [a.slice(9)] : [],
      );
      return withCore(async (call, core) => {
        const from = await findAccount(call, v.from!);
        const to = await findAccount(call, v.to![0]);
        let last = 0;
        const off = core.onEvent((event, data) => {
          if (event !== 'migration.progress') return;
          const p = data as { done: number; total: number; current: string | null; state: string };
          if (p.state === 'running' && Date.now() - last < 1000) return;
          last = Date.now();
          io.err(cliText('migrationProgress', { done: p.done, total: p.total, current: p.current ?? '' }));
        });
        try {
          const report = await call('migration.copyAccount', {
            fromAccountId: from.id,
            accountId: to.id,
            folders: folders.length ? folders : undefined,
          });
          if (v.json) io.out(JSON.stringify(report, null, 2));
          else io.out(report.message);
          return report.state === 'failed' ? 1 : 0;
        } finally {
          off();
        }
      });
    }
    case 'files sync':
    case 'files status':
    case 'files conflicts':
      return filesCommand(sub!, v, io, withCore);
    case 'workspace create': {
      if (!v.name) throw new UsageError(cliText('missingOption', { option: '--name' }));
      const members = String(v.members ?? '')
        .split(',')
        .map((m) => m.trim())
        .filter(Boolean);
      return withCore(async (call) => {
        const accountId = v.account ? (await findAccount(call, v.account)).id : undefined;
        const w = await call('workspaces.create', { name: v.name!, description: v.description, members, accountId });
        if (v.json) io.out(JSON.stringify(w, null, 2));
        else io.out(cliText('workspaceCreated', { name: w.name, id: w.id }));
        return 0;
      });
    }
    case 'workspace list':
      return withCore(async (call) => {
        const list = await call('workspaces.refresh', {});
        if (v.json) io.out(JSON.stringify(list, null, 2));
        else if (list.length === 0) io.out(cliText('workspacesNothing'));
        else for (const w of list) io.out(`${w.id}\t${w.name}\t${w.members.join(', ')}`);
        return 0;
      });
    case 'workspace members': {
      if (!v.workspace) throw new UsageError(cliText('missingOption', { option: '--workspace' }));
      const split = (x: string | undefined): string[] =>
        String(x ?? '')
          .split(',')
          .map((m) => m.trim())
          .filter(Boolean);
      const add = split(v.add);
      const remove = split(v.remove);
      if (add.length + remove.length === 0) throw new UsageError(cliText('workspaceMembersMissing'));
      return withCore(async (call) => {
        await call('workspaces.refresh', {});
        const w = await call('workspaces.members', { workspaceId: v.workspace!, add, remove });
        if (v.json) io.out(JSON.stringify(w, null, 2));
        else io.out(cliText('workspaceMembers', { name: w.name, members: w.members.join(', ') }));
        return 0;
      });
    }
    case 'chat send': {
      if (!v.workspace) throw new UsageError(cliText('missingOption', { option: '--workspace' }));
      if (v.text === undefined && v.file === undefined) throw new UsageError(cliText('missingOption', { option: '--text' }));
      const file = typeof v.file === 'string' ? v.file : null;
      if (file !== null && !fs.existsSync(file)) throw new UsageError(cliText('fileUnreadable', { file }));
      return withCore(async (call) => {
        // A space known here is written to at once (offline too: the message waits in the queue).
        if (!(await call('workspaces.list', {})).some((w) => w.id === v.workspace)) await call('workspaces.refresh', {});
        const m = file
          ? await call('chat.file.send', {
              workspaceId: v.workspace!,
              name: path.basename(file),
              content: fs.readFileSync(file).toString('base64'),
            })
          : await call('chat.send', { workspaceId: v.workspace!, text: v.text! });
        if (v.json) io.out(JSON.stringify(m, null, 2));
        else if (m.pending) io.out(cliText('chatPending'));
        return 0;
      });
    }
    case 'chat history': {
      if (!v.workspace) throw new UsageError(cliText('missingOption', { option: '--workspace' }));
      const limit = v.limit === undefined ? undefined : Number(v.limit);
      return withCore(async (call) => {
        await call('workspaces.refresh', {});
        const list = await call('chat.history', { workspaceId: v.workspace!, limit });
        if (v.json) io.out(JSON.stringify(list, null, 2));
        else for (const m of list) io.out(`${m.sentAt}\t${m.from}\t${m.text}`);
        return 0;
      });
    }
    case 'contacts list':
      return withCore(async (call) => {
        const contacts = await call('contacts.list', {});
        // The JSON keeps its documented fields (IT scripts read it); the card's organisation, fonction and note stay in the app.
        const shape = contacts.map(({ uid, fn, emails, phones, addressBook }) => ({ uid, fn, emails, phones, addressBook }));
        if (v.json) io.out(JSON.stringify(shape, null, 2));
        else if (contacts.length === 0) io.out(cliText('contactsNothing'));
        else for (const c of contacts) io.out(`${c.fn}\t${c.emails.join(', ')}\t${c.phones.join(', ')}\t${c.addressBook}`);
        return 0;
      });
    default:
      throw new UsageError(cliText('unknownCommand', { command: positionals.join(' ') }));
  }
}

type Caller = <M extends MethodName>(method: M, params: Params<M>) => Promise<Result<M>>;

function manualSettings(
  v: Record<string, string | string[] | boolean | undefined>,
): Partial<Record<'imap' | 'smtp' | 'caldav' | 'carddav' | 'webdav' | 'sieve' | 'xmpp' | 'username', string>> {
  const out: Partial<Record<'imap' | 'smtp' | 'caldav' | 'carddav' | 'webdav' | 'sieve' | 'xmpp' | 'username', string>> = {};
  for (const key of ['imap', 'smtp', 'caldav', 'carddav', 'webdav', 'sieve', 'xmpp', 'username'] as const) {
    const value = v[key];
    if (typeof value === 'string' && value) out[key] = value;
  }
  return out;
}

async function findAccount(call: Caller, email: string): Promise<AccountSummary> {
  const accounts = await call('accounts.list', {});
  const found = accounts.find((a) => a.email.toLowerCase() === email.toLowerCase());
  if (!found) throw new OstalError('not_found', cliText('accountUnknown', { email }));
  return found;
}

/** `account list --json`: stable fields for IT scripts. */
function publicAccount(a: AccountSummary) {
  return {
    id: a.id,
    email: a.email,
    name: a.name,
    settings: a.settings,
    online: a.online,
    lastSync: a.lastSync,
    pendingOperations: a.pendingOperations,
  };
}

type WithCore = <T>(fn: (call: Caller, core: Core) => Promise<T>) => Promise<T>;
type CliValues = ReturnType<typeof parse>['values'];

/** `mail send`: through the Boîte d'envoi (durable first), then one send attempt waited for. */
async function mailSend(v: CliValues, io: Io, withCore: WithCore): Promise<number> {
  if (!v.from) throw new UsageError(cliText('missingOption', { option: '--from' }));
  if (!v.to?.length && !v.cc?.length && !v.bcc?.length) throw new UsageError(cliText('missingOption', { option: '--to' }));
  if (v.subject === undefined) throw new UsageError(cliText('missingOption', { option: '--subject' }));
  if (!v['body-file']) throw new UsageError(cliText('missingOption', { option: '--body-file' }));
  let text: string;
  try {
    text = await fs.promises.readFile(v['body-file'], 'utf8');
  } catch {
    throw new UsageError(cliText('fileUnreadable', { file: v['body-file'] }));
  }
  for (const file of v.attach ?? []) {
    if (!fs.existsSync(file)) throw new UsageError(cliText('fileUnreadable', { file }));
  }
  return withCore(async (call) => {
    const account = await findAccount(call, v.from!);
    const queued = await call('mail.send', {
      accountId: account.id,
      to: v.to ?? [],
      cc: v.cc ?? [],
      bcc: v.bcc ?? [],
      subject: v.subject!,
      text,
      attachments: (v.attach ?? []).map((file) => ({ filename: path.basename(file), path: path.resolve(file) })),
      ...(v['send-at'] !== undefined ? { sendAt: v['send-at'] } : {}),
    });
    if (queued.scheduledAt) {
      // « Envoyer plus tard »: durable in the Boîte d'envoi; a running Ostal sends it at that time.
      if (v.json) io.out(JSON.stringify(queued, null, 2));
      io.err(cliText('mailScheduled', { date: formatLongDate(queued.scheduledAt), time: formatClockTime(queued.scheduledAt) }));
      return 0;
    }
    const after = await call('mail.outbox.drain', { accountId: account.id, ignoreBackoff: true });
    const entry = after.find((e) => e.id === queued.id) ?? queued;
    if (v.json) io.out(JSON.stringify(entry, null, 2));
    if (entry.state === 'sent') {
      io.err(cliText('mailSent', { to: [...entry.to, ...entry.cc, ...entry.bcc].join(', '), messageId: entry.messageId }));
      return 0;
    }
    if (entry.state === 'queued') io.err(cliText('mailStillQueued', { message: entry.lastError ?? '' }));
    else io.err(cliText('mailSendFailed', { message: entry.lastError ?? '' }));
    return 1;
  });
}

/** `files sync|status|conflicts`: two-way WebDAV sync of Fichiers (src/files/). */
/**
 * Files for the migration (`import` of .pst, .ost, .msg, .eml, mbox and folders); anything else keeps going to the
 * .ics/.vcf import (whose French refusal names the two formats), as before.
 */
function isMigrationInput(file: string): boolean {
  if (/\.(pst|ost|msg|eml|mbox|mbx)$/i.test(file)) return true;
  if (/\.(ics|ical|ifb|vcf|vcard)$/i.test(file)) return false;
  try {
    if (fs.statSync(file).isDirectory()) return true;
    const head = Buffer.alloc(8);
    const fd = fs.openSync(file, 'r');
    try {
      fs.readSync(fd, head, 0, 8, 0);
    } finally {
      fs.closeSync(fd);
    }
    const text = head.toString('latin1');
    return (
      text.startsWith('!BDN') || text.startsWith('From ') || head.equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]))
    );
  } catch {
    return false;
  }
}

async function migrationCommand(files: string[], v: CliValues, io: Io, withCore: WithCore): Promise<number> {
  return withCore(async (call, core) => {
    const accountId = v.account ? (await findAccount(call, v.account)).id : undefined;
    let last = 0;
    const off = core.onEvent((event, data) => {
      if (event !== 'migration.progress') return;
      const p = data as { done: number; total: number; current: string | null; state: string };
      const now = Date.now();
      if (p.state === 'running' && now - last < 1000) return;
      last = now;
      io.err(cliText('migrationProgress', { done: p.done, total: p.total, current: p.current ?? '' }));
    });
    try {
      const report = await call('migration.run', { paths: files.map((f) => path.resolve(f)), accountId });
      if (v.json) io.out(JSON.stringify(report, null, 2));
      else {
        io.out(report.message);
        for (const s of report.skipped) io.out(`${s.source} › ${s.item} : ${s.reason}`.replace(' :', '\u00a0:'));
        for (const n of report.notes) io.out(n);
      }
      const refused = report.sources.every((s) => s.error !== null);
      return report.state === 'failed' || refused ? 1 : 0;
    } finally {
      off();
    }
  });
}

async function filesCommand(sub: string, v: CliValues, io: Io, withCore: WithCore): Promise<number> {
  return withCore(async (call, core) => {
    const accountId = v.account ? (await findAccount(call, v.account)).id : undefined;
    if (sub === 'status') {
      const status = await call('files.status', { accountId });
      if (v.json) io.out(JSON.stringify(status, null, 2));
      else if (status.accounts.length === 0) io.out(cliText('filesNoAccount'));
      else
        for (const a of status.accounts)
          io.out(
            cliText('filesStatusAccount', {
              email: a.email,
              local: a.localRoot,
              remote: a.remoteRoot,
              synced: a.counts.synced,
              pending: a.counts.pending + a.counts.syncing + a.counts.error,
              conflicts: a.counts.conflict,
            }),
          );
      return 0;
    }
    if (sub === 'conflicts') {
      const conflicts = await call('files.conflicts', { accountId });
      if (v.json) io.out(JSON.stringify(conflicts, null, 2));
      else if (conflicts.length === 0) io.out(cliText('filesNoConflict'));
      else for (const c of conflicts) io.out(`${displayFileName(c.path)}\t${displayFileName(c.conflictPath)}\t${c.detectedAt}`);
      return 0;
    }
    let lastLabel = '';
    const off = core.onEvent((event, data) => {
      if (event === 'files.progress') {
        const label = (data as { label: string }).label;
        if (label !== lastLabel) io.err(displayFileName((lastLabel = label)));
      } else if (event === 'files.notice' || event === 'workspaces.documentsKept')
        io.err(displayFileName((data as { message: string }).message));
    });
    try {
      const report = await call('files.sync', { accountId });
      if (v.json) io.out(JSON.stringify(report, null, 2));
      let failed = 0;
      for (const a of report.accounts) {
        if (a.skipped?.includes('files')) io.err(cliText('filesNotConfigured', { email: a.email }));
        else if (a.ok) io.err(cliText('syncDone', { email: a.email }));
        else {
          failed++;
          io.err(cliText('syncFailed', { email: a.email, message: a.error?.message ?? '' }));
        }
      }
      if (report.accounts.length === 0) io.err(cliText('noAccount'));
      return failed > 0 ? 1 : 0;
    } finally {
      off();
    }
  });
}

/** `mail list`: the messages of a folder as the local store has them (filled by `ostal sync`), newest first. */
async function mailList(v: CliValues, io: Io, withCore: WithCore): Promise<number> {
  if (!v.folder) throw new UsageError(cliText('folderRequired'));
  return withCore(async (call) => {
    let account: AccountSummary;
    if (v.account) account = await findAccount(call, v.account);
    else {
      const accounts = await call('accounts.list', {});
      if (accounts.length === 0) throw new OstalError('not_found', cliText('noAccount'));
      if (accounts.length > 1) throw new UsageError(cliText('accountRequired'));
      account = accounts[0];
    }
    const messages: Result<'mail.messages'> = [];
    for (let offset = 0; ; offset += 1000) {
      const page = await call('mail.messages', { accountId: account.id, folder: v.folder!, offset, limit: 1000 });
      messages.push(...page);
      if (page.length < 1000) break;
    }
    if (v.json) io.out(JSON.stringify(messages, null, 2));
    else for (const m of messages) io.out(`${m.uid}\t${m.date ?? ''}\t${m.from?.address ?? ''}\t${m.subject}`);
    return 0;
  });
}

/** The account named by --account, or the only one. */
async function oneAccount(call: Caller, v: CliValues): Promise<AccountSummary> {
  if (v.account) return findAccount(call, v.account);
  const accounts = await call('accounts.list', {});
  if (accounts.length === 0) throw new OstalError('not_found', cliText('noAccount'));
  if (accounts.length > 1) throw new UsageError(cliText('accountRequired'));
  return accounts[0]!;
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(cliText('fileUnreadable', { file }));
  }
}

function printVacation(state: Result<'mail.sieve.get'>, io: Io): void {
  const v = state.vacation;
  if (!v.enabled) io.out(cliText('vacationOff', { server: state.server }));
  else
    io.out(
      cliText(state.vacationActiveNow ? 'vacationOnNow' : 'vacationOnLater', {
        from: v.from ?? '—',
        to: v.to ?? '—',
        server: state.server,
      }),
    );
  if (state.keptScript) io.out(cliText('sieveKept', { name: state.keptScript }));
}

/** `mail vacation status|set|off`: the « Réponse automatique » on the account's ManageSieve server. */
async function mailVacation(action: string | undefined, v: CliValues, io: Io, withCore: WithCore): Promise<number> {
  if (action !== 'status' && action !== 'set' && action !== 'off') throw new UsageError(cliText('vacationUsage'));
  const message = action === 'set' ? readText(v['message-file'] ?? '') : '';
  const external = action === 'set' && v['external-message-file'] ? readText(v['external-message-file']) : null;
  return withCore(async (call) => {
    const account = await oneAccount(call, v);
    let state: Result<'mail.sieve.get'>;
    if (action === 'status') state = await call('mail.sieve.get', { accountId: account.id });
    else if (action === 'off') {
      const current = await call('mail.sieve.get', { accountId: account.id });
      state = await call('mail.vacation.set', { accountId: account.id, vacation: { ...current.vacation, enabled: false } });
    } else {
      const vacation = {
        enabled: true,
        from: v.from ?? null,
        to: v.to?.[0] ?? null,
        subject: v.subject ?? '',
        message,
        externalMessage: external,
      };
      state = await call('mail.vacation.set', { accountId: account.id, vacation });
    }
    if (v.json) io.out(JSON.stringify(state, null, 2));
    else printVacation(state, io);
    return 0;
  });
}

/** `mail rules list|set`: the « Règles » on the account's ManageSieve server. */
async function mailRules(action: string | undefined, v: CliValues, io: Io, withCore: WithCore): Promise<number> {
  if (action !== 'list' && action !== 'set') throw new UsageError(cliText('rulesUsage'));
  let rules: unknown;
  if (action === 'set') {
    if (!v.file) throw new UsageError(cliText('missingOption', { option: '--file' }));
    try {
      rules = JSON.parse(readText(v.file));
    } catch (e) {
      if (e instanceof UsageError) throw e;
      throw new UsageError(cliText('rulesNotJson', { file: v.file }));
    }
  }
  return withCore(async (call) => {
    const account = await oneAccount(call, v);
    const state =
      action === 'set'
        ? await call('mail.rules.set', { accountId: account.id, rules: rules as Params<'mail.rules.set'>['rules'] })
        : await call('mail.sieve.get', { accountId: account.id });
    if (v.json) io.out(JSON.stringify(state.rules, null, 2));
    else if (state.rules.length === 0) io.out(cliText('rulesNone'));
    else for (const r of state.rules) io.out(`${r.enabled ? cliText('ruleOn') : cliText('ruleOff')}\t${r.name}`);
    return 0;
  });
}
