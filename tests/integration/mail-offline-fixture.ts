/**
 * Big generated French mailboxes for the offline download tests: a fresh Dovecot user per test file (added to the
 * run's passwd-file, which Dovecot reads again when it changes), its folders filled by IMAP APPEND, and the
 * generated texts kept so that a test can compute what a search must find. No vitest import: the e2e uses it too.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { ImapFlow } from 'imapflow';
import { prng } from '../fixtures/seed/data.js';
import { runLayout } from '../servers/layout.js';
import type { ServersInfo, TestUser } from '../servers/types.js';

/** A user of its own, so that thousands of messages never change what other test files see. */
export function addImapUser(s: ServersInfo, prefix: string): TestUser {
  const local = `${prefix}-${Date.now().toString(36)}-${crypto.randomBytes(3).toString('hex')}`;
  const email = `${local}@${s.domain}`;
  const user: TestUser = { email, username: email, password: `motdepasse-${local}`, name: 'Lou Garnier' };
  fs.appendFileSync(runLayout(s.dir).dovecot.users, `${user.username}:{PLAIN}${user.password}::::::\n`);
  return user;
}

/**
 * An IMAP connection as `user`. A user just added to Dovecot's passwd file can be refused for a moment (Dovecot
 * re-reads the file when it sees it changed, not always on the very next login: seen once in a fresh-clone run):
 * a refused login is tried again for up to 5 s; any other failure is thrown at once.
 */
export async function imapConnection(s: ServersInfo, user: TestUser): Promise<ImapFlow> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const client = new ImapFlow({
      host: 'localhost',
      port: s.imap.tlsPort,
      secure: true,
      auth: { user: user.username, pass: user.password },
      tls: { ca: fs.readFileSync(s.caCertPath, 'utf8') },
      logger: false,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return client;
    } catch (err) {
      if (!(err as { authenticationFailed?: boolean }).authenticationFailed || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** Folders of the generated mailbox: the special ones Dovecot creates, and four of the user's (one accented). */
export const OFFLINE_FOLDERS = [
  'INBOX',
  'Archive',
  'Sent',
  'Trash',
  'Junk',
  'Drafts',
  'Projets',
  'Projets/Comptabilité',
  'Projets/Voirie',
  'Associations',
] as const;

export interface GeneratedMessage {
  folder: string;
  date: Date;
  /** Everything the search index sees of it: subject, sender, recipients, body text, attachment names. */
  searchable: string;
  raw: Buffer;
}

const PEOPLE = [
  ['Hélène Dupré', 'helene.dupre@mairie-exemple.fr'],
  ['Jérôme Lefèvre', 'jerome.lefevre@mairie-exemple.fr'],
  ['Maëlle Rousseau', 'maelle.rousseau@cc-exemple.fr'],
  ['François Nguyen', 'francois.nguyen@prefecture-exemple.gouv.fr'],
  ['Agnès Moreau', 'agnes.moreau@ecole-exemple.fr'],
  ['Noël Girard', 'noel.girard@sdis-exemple.fr'],
] as const;

const SUBJECTS = [
  'Réunion du conseil municipal',
  'Compte rendu de la commission travaux',
  'Budget primitif : dernières corrections',
  'Déménagement des archives',
  'Fête de l’école : planning des bénévoles',
  'Voirie : réfection de la chaussée',
  'Demande de subvention',
  'Élections : tenue des bureaux de vote',
  'Cantine : menus de la semaine',
  'Courrier de la préfecture',
];

const SENTENCES = [
  'Merci de confirmer votre présence à la réunion de jeudi.',
  'La reunion est reportée à la semaine prochaine, salle des fêtes.',
  'Le déménagement du service état civil aura lieu le 14.',
  'Pour le demenagement, prévoir des cartons et un véhicule.',
  'Vous trouverez ci-joint le compte rendu validé par les élus.',
  'Le budget de fonctionnement augmente de deux pour cent.',
  'Les travaux de voirie commenceront après l’été.',
  'Pensez à déposer le dossier de subvention avant la fin du mois.',
  'L’équipe enseignante remercie la mairie pour son soutien.',
  'Le secrétariat sera fermé vendredi après-midi.',
  'Une permanence est assurée en préfecture le mardi matin.',
  'Le procès-verbal sera affiché à la porte de la mairie.',
  'Les bénévoles sont attendus à huit heures devant le gymnase.',
  'Merci de relire la délibération avant la séance publique.',
];

function encodeWord(text: string): string {
  return /^[\x20-\x7e]*$/.test(text) ? text : `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;
}

function wrap76(b64: string): string {
  return b64.replace(/.{1,76}/g, '$&\r\n');
}

/**
 * `count` messages spread over the folders, dated over the last two years, plain text (8bit, quoted-printable or
 * base64), HTML only, or with a PDF attachment; `bodyBytes` pads each body to about that size.
 */
export function generateMessages(
  count: number,
  options: { seed: number; folders?: readonly string[]; bodyBytes?: number; domain: string; to: string },
): GeneratedMessage[] {
  const random = prng(options.seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const folders = options.folders ?? OFFLINE_FOLDERS;
  const now = Date.now();
  const out: GeneratedMessage[] = [];
  for (let i = 0; i < count; i++) {
    // A third of them in the Boîte de réception, the rest spread over the other folders.
    const folder = random() < 0.3 ? folders[0] : folders[1 + Math.floor(random() * (folders.length - 1))];
    const date = new Date(now - Math.floor(random() * 730 * 86_400_000));
    const [fromName, fromAddr] = pick(PEOPLE);
    const subject = `${pick(SUBJECTS)} (n° ${i + 1})`;
    const sentences: string[] = [];
    for (let n = 1 + Math.floor(random() * 5); n > 0; n--) sentences.push(pick(SENTENCES));
    let body = sentences.join(' ');
    while (options.bodyBytes && Buffer.byteLength(body) < options.bodyBytes) body += '\n' + pick(SENTENCES);
    const kind = random();
    const attachment = kind > 0.93 ? `Plan-déménagement-${i + 1}.pdf` : kind > 0.88 ? `Ordre du jour réunion ${i + 1}.pdf` : null;
    const id = `<gen-${options.seed}-${i}@${options.domain}>`;
    const head = [
      `From: ${encodeWord(fromName)} <${fromAddr}>`,
      `To: ${options.to}`,
      `Subject: ${encodeWord(subject)}`,
      `Date: ${date.toUTCString().replace('GMT', '+0000')}`,
      `Message-ID: ${id}`,
      'MIME-Version: 1.0',
    ];
    let mime: string;
    if (attachment) {
      const boundary = `=_ostal_${i}`;
      mime = [
        ...head,
        `Content-Type: multipart/mixed; boundary="${boundary}"`,
        '',
        `--${boundary}`,
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: base64',
        '',
        wrap76(Buffer.from(body, 'utf8').toString('base64')),
        `--${boundary}`,
        `Content-Type: application/pdf; name="${encodeWord(attachment)}"`,
        `Content-Disposition: attachment; filename*=utf-8''${encodeURIComponent(attachment)}`,
        'Content-Transfer-Encoding: base64',
        '',
        wrap76(Buffer.from(`%PDF-1.4\n% ${i}\n%%EOF\n`).toString('base64')),
        `--${boundary}--`,
        '',
      ].join('\r\n');
    } else if (kind > 0.75) {
      mime = [
        ...head,
        'Content-Type: text/html; charset=utf-8',
        'Content-Transfer-Encoding: 8bit',
        '',
        `<html><body><p>${body.replace(/\n/g, '</p><p>')}</p></body></html>`,
        '',
      ].join('\r\n');
    } else if (kind > 0.5) {
      mime = [
        ...head,
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: base64',
        '',
        wrap76(Buffer.from(body, 'utf8').toString('base64')),
      ].join('\r\n');
    } else {
      mime = [
        ...head,
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: 8bit',
        '',
        body.replace(/\n/g, '\r\n'),
        '',
      ].join('\r\n');
    }
    out.push({
      folder,
      date,
      searchable: [subject, fromName, fromAddr, options.to, body, attachment ?? ''].join('\n'),
      raw: Buffer.from(mime, 'utf8'),
    });
  }
  return out;
}

/** Append the messages, one connection per folder, several folders at once. */
export async function appendMessages(s: ServersInfo, user: TestUser, messages: GeneratedMessage[]): Promise<void> {
  const byFolder = new Map<string, GeneratedMessage[]>();
  for (const m of messages) byFolder.set(m.folder, [...(byFolder.get(m.folder) ?? []), m]);
  const setup = await imapConnection(s, user);
  try {
    const existing = new Set((await setup.list()).map((f) => f.path));
    for (const folder of byFolder.keys()) if (!existing.has(folder)) await setup.mailboxCreate(folder);
  } finally {
    await setup.logout();
  }
  const folders = [...byFolder.keys()];
  const workers = Array.from({ length: 4 }, async () => {
    for (let folder = folders.shift(); folder !== undefined; folder = folders.shift()) {
      const client = await imapConnection(s, user);
      try {
        for (const m of byFolder.get(folder)!) await client.append(folder, m.raw, m.folder === 'INBOX' ? [] : ['\\Seen'], m.date);
      } finally {
        await client.logout();
      }
    }
  });
  await Promise.all(workers);
}

/** How many messages a search of `word` must find: a token of theirs starts with it, accents and case aside (FTS5 unicode61, remove_diacritics 2). */
export function referenceCount(messages: GeneratedMessage[], word: string): number {
  const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  const w = fold(word);
  return messages.filter((m) =>
    fold(m.searchable)
      .split(/[^\p{L}\p{N}]+/u)
      .some((token) => token.startsWith(w)),
  ).length;
}
