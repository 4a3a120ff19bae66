/**
 * A deterministic French mail corpus for the benchmarks: threads (References/In-Reply-To), accents, UTF-8,
 * ISO-8859-15 and Windows-1252 bodies, RFC 2047 encoded subjects, some attachments. Written straight into a
 * Maildir (the same data every tool then reads through IMAP).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';

const SUBJECTS = [
  'Réunion de service du jeudi',
  'Ordre du jour du conseil municipal',
  'Demande de congés – validation',
  'Budget primitif : premières estimations',
  'Compte rendu de la commission travaux',
  'Planning des astreintes de décembre',
  'Inauguration de la médiathèque',
  'Marché public : analyse des offres',
  'Formation RGPD obligatoire',
  'Sécurité des bâtiments communaux',
  'État civil : rectification d’un acte',
  'Subvention aux associations sportives',
  'Déneigement des routes départementales',
  'Élections : organisation des bureaux de vote',
  'Procès-verbal de la séance du 12 octobre',
];
const WORDS =
  'mairie agent délibération conseil réunion dossier élu préfecture commune école cantine voirie urbanisme permis budget facture marché courrier usager accueil public échéance réponse service technique bibliothèque crèche périscolaire élection citoyen association subvention travaux chaussée éclairage déchetterie intercommunalité département région'.split(
    ' ',
  );
const PEOPLE = [
  ['Camille Martin', 'camille.martin'],
  ['Dominique Bernard', 'dominique.bernard'],
  ['Élodie Garnier', 'elodie.garnier'],
  ['Jérôme Lambert', 'jerome.lambert'],
  ['Bénédicte Roux', 'benedicte.roux'],
  ['François Lefèvre', 'francois.lefevre'],
  ['Anaïs Dupré', 'anais.dupre'],
  ['Noël Faure', 'noel.faure'],
];

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function encodedWord(s: string): string {
  return /^[\x20-\x7e]*$/.test(s) ? s : `=?UTF-8?B?${Buffer.from(s, 'utf8').toString('base64')}?=`;
}

function quotedPrintable(buf: Buffer): string {
  let out = '';
  let line = '';
  for (const byte of buf) {
    const ch =
      byte === 0x0a
        ? '\n'
        : byte >= 0x20 && byte < 0x7f && byte !== 0x3d
          ? String.fromCharCode(byte)
          : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    if (ch === '\n') {
      out += line + '\r\n';
      line = '';
      continue;
    }
    if (line.length + ch.length > 75) {
      out += line + '=\r\n';
      line = '';
    }
    line += ch;
  }
  return out + line;
}

export interface CorpusInfo {
  messages: number;
  bytes: number;
  /** Words that occur in the corpus, for search queries (accented forms). */
  queryWords: string[];
}

/** Folders of the corpus as Maildir++ subfolders of the Boîte de réception ('' is the Boîte de réception itself). */
export const CORPUS_FOLDERS = ['', '.Archive', '.Sent', '.Trash', '.Projets', '.Associations'] as const;

/**
 * Writes `count` messages into `<maildir>/cur` (and creates new/ tmp/); with `folders`, about 40 % in the Boîte de
 * réception and the rest spread over the other Maildir++ subfolders.
 */
export function writeCorpus(
  maildir: string,
  count: number,
  opts: { domain: string; to: string; seed?: number; folders?: readonly string[] },
): CorpusInfo {
  const rnd = prng(opts.seed ?? 42);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)];
  const folders = opts.folders ?? [''];
  for (const folder of folders) for (const sub of ['cur', 'new', 'tmp']) fs.mkdirSync(path.join(maildir, folder, sub), { recursive: true });
  const now = Date.now();
  const threads: { subject: string; ids: string[] }[] = [];
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const [name, local] = pick(PEOPLE);
    const replyTo = threads.length > 0 && rnd() < 0.4 ? pick(threads) : null;
    const subject = replyTo ? `RE : ${replyTo.subject}` : `${pick(SUBJECTS)} n° ${i}`;
    const id = `<bench-${i}-${crypto.createHash('sha1').update(String(i)).digest('hex').slice(0, 10)}@${opts.domain}>`;
    const date = new Date(now - Math.floor(rnd() * 365 * 86_400_000));
    const paragraphs = Array.from(
      { length: 3 + Math.floor(rnd() * 6) },
      () => Array.from({ length: 30 + Math.floor(rnd() * 60) }, () => pick(WORDS)).join(' ') + '.',
    );
    const text = `Bonjour,\n\n${paragraphs.join('\n\n')}\n\nBien cordialement,\n${name}\n`;
    const charset = rnd() < 0.7 ? 'UTF-8' : rnd() < 0.66 ? 'ISO-8859-15' : 'windows-1252';
    const body = charset === 'UTF-8' ? Buffer.from(text, 'utf8') : iconv.encode(text.replace(/’/g, "'"), charset);
    const headers = [
      `From: ${encodedWord(name)} <${local}@${opts.domain}>`,
      `To: ${opts.to}`,
      `Subject: ${encodedWord(subject)}`,
      `Date: ${date.toUTCString().replace('GMT', '+0000')}`,
      `Message-ID: ${id}`,
      ...(replyTo ? [`In-Reply-To: ${replyTo.ids[replyTo.ids.length - 1]}`, `References: ${replyTo.ids.join(' ')}`] : []),
      'MIME-Version: 1.0',
    ];
    let raw: string;
    if (rnd() < 0.15) {
      const boundary = `----=_bench_${i}`;
      const attachment = Buffer.alloc(20_000 + Math.floor(rnd() * 40_000));
      for (let k = 0; k < attachment.length; k++) attachment[k] = Math.floor(rnd() * 256);
      const fname = `${pick(['Compte rendu', 'Délibération', 'Facture', 'Réunion'])} ${i}.pdf`;
      raw =
        headers.join('\r\n') +
        `\r\nContent-Type: multipart/mixed; boundary="${boundary}"\r\n\r\n--${boundary}\r\nContent-Type: text/plain; charset=${charset}\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n` +
        quotedPrintable(body) +
        `\r\n--${boundary}\r\nContent-Type: application/pdf; name="${encodedWord(fname)}"\r\nContent-Disposition: attachment; filename="${encodedWord(fname)}"\r\nContent-Transfer-Encoding: base64\r\n\r\n` +
        (attachment.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n') +
        `\r\n--${boundary}--\r\n`;
    } else {
      raw =
        headers.join('\r\n') +
        `\r\nContent-Type: text/plain; charset=${charset}\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n` +
        quotedPrintable(body);
    }
    const seen = rnd() < 0.8 ? 'S' : '';
    const folder = folders.length === 1 || rnd() < 0.4 ? folders[0] : folders[1 + Math.floor(rnd() * (folders.length - 1))];
    const file = path.join(maildir, folder, 'cur', `${Math.floor(date.getTime() / 1000)}.bench${i}.ostal:2,${seen}`);
    fs.writeFileSync(file, raw);
    fs.utimesSync(file, date, date);
    bytes += raw.length;
    if (replyTo) replyTo.ids.push(id);
    else if (rnd() < 0.5) threads.push({ subject: subject.replace(/ n° \d+$/, ''), ids: [id] });
  }
  return { messages: count, bytes, queryWords: [...WORDS, 'réunion', 'délibération', 'médiathèque', 'élections', 'déneigement'] };
}
