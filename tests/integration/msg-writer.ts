/**
 * A small writer of Outlook items (.msg) for tests, after [MS-OXMSG]: a Compound File Binary (written by the CFB
 * writer @kenjiuno/msgreader ships, `burn`; what it writes is also read by Debian's msgconvert in the tests) holding the message's property stream (`__properties_version1.0`: fixed-size values inline, variable-size
 * ones as `__substg1.0_TTTTYYYY` streams, strings in UTF-16LE), one storage per recipient
 * (`__recip_version1.0_#0000000N`) and per attachment (`__attach_version1.0_#0000000N`), and the named-property
 * mapping storage (`__nameid_version1.0`, empty here).
 */
import { burn, type Entry } from '@kenjiuno/msgreader/lib/Burner.js';

const ROOT = 5;
const STORAGE = 1;
const STREAM = 2;

/** Streams by path ('/a/b'), storages made from the paths. */
class Container {
  readonly streams = new Map<string, Buffer>();

  add(streamPath: string, data: Buffer): void {
    this.streams.set(streamPath, data);
  }

  write(): Buffer {
    const entries: Entry[] = [{ name: 'Root Entry', type: ROOT, children: [], length: 0 }];
    const storages = new Map<string, number>([['', 0]]);
    const storage = (dir: string): number => {
      const known = storages.get(dir);
      if (known !== undefined) return known;
      const parent = storage(dir.slice(0, dir.lastIndexOf('/')));
      const index = entries.push({ name: dir.slice(dir.lastIndexOf('/') + 1), type: STORAGE, children: [], length: 0 }) - 1;
      entries[parent].children!.push(index);
      storages.set(dir, index);
      return index;
    };
    for (const [streamPath, data] of this.streams) {
      const parent = storage(streamPath.slice(0, streamPath.lastIndexOf('/')));
      const index =
        entries.push({
          name: streamPath.slice(streamPath.lastIndexOf('/') + 1),
          type: STREAM,
          // A copy of its own: the burner copies from the start of the ArrayBuffer, ignoring a Buffer's offset.
          binaryProvider: () => new Uint8Array(data),
          length: data.length,
        }) - 1;
      entries[parent].children!.push(index);
    }
    return Buffer.from(burn(entries));
  }
}

export interface MsgRecipient {
  name: string;
  email: string;
  type?: 'to' | 'cc' | 'bcc';
}

export interface MsgAttachment {
  name: string;
  data: Buffer;
  mime?: string;
}

export interface MsgSpec {
  subject?: string;
  /** Plain text body; left out when undefined (a message with no body). */
  body?: string;
  senderName?: string;
  senderEmail?: string;
  messageId?: string;
  date?: Date;
  read?: boolean;
  recipients?: MsgRecipient[];
  attachments?: MsgAttachment[];
}

const PT_LONG = 0x0003;
const PT_SYSTIME = 0x0040;
const PT_UNICODE = 0x001f;
const PT_BINARY = 0x0102;

type Prop = { id: number; type: number; value: number | Date | string | Buffer };

const hex = (n: number) => n.toString(16).toUpperCase().padStart(4, '0');

/** FILETIME: 100-ns intervals since 1601-01-01 UTC. */
function filetime(d: Date): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE((BigInt(d.getTime()) + 11_644_473_600_000n) * 10_000n);
  return b;
}

/**
 * One property storage: the property stream after a header of `headerSize` bytes (32 for the message, 8 for a
 * recipient or an attachment), and a stream per variable-size value.
 */
function addProps(cfb: Container, dir: string, props: Prop[], header: Buffer): void {
  const entries: Buffer[] = [header];
  for (const p of props) {
    const e = Buffer.alloc(16);
    e.writeUInt32LE(((p.id << 16) | p.type) >>> 0, 0);
    e.writeUInt32LE(0x6, 4); // PROPATTR_READABLE | PROPATTR_WRITABLE
    if (p.type === PT_LONG) e.writeInt32LE(p.value as number, 8);
    else if (p.type === PT_SYSTIME) filetime(p.value as Date).copy(e, 8);
    else {
      const data = p.type === PT_UNICODE ? Buffer.from(p.value as string, 'utf16le') : (p.value as Buffer);
      // A string's size counts its terminating null character, which its stream leaves out.
      e.writeUInt32LE(data.length + (p.type === PT_UNICODE ? 2 : 0), 8);
      cfb.add(`${dir}__substg1.0_${hex(p.id)}${hex(p.type)}`, data);
    }
    entries.push(e);
  }
  cfb.add(`${dir}__properties_version1.0`, Buffer.concat(entries));
}

/** The bytes of a .msg file describing `spec`. */
export function writeMsg(spec: MsgSpec): Buffer {
  const cfb = new Container();
  const recipients = spec.recipients ?? [];
  const attachments = spec.attachments ?? [];
  const str = (id: number, value: string | undefined): Prop[] => (value === undefined ? [] : [{ id, type: PT_UNICODE, value }]);
  const date = spec.date ?? new Date(Date.UTC(2026, 5, 15, 8, 30));
  const props: Prop[] = [
    { id: 0x001a, type: PT_UNICODE, value: 'IPM.Note' },
    ...str(0x0037, spec.subject),
    ...str(0x1000, spec.body),
    ...str(0x0c1a, spec.senderName),
    ...(spec.senderEmail
      ? [
          { id: 0x0c1e, type: PT_UNICODE, value: 'SMTP' },
          { id: 0x0c1f, type: PT_UNICODE, value: spec.senderEmail },
          { id: 0x5d01, type: PT_UNICODE, value: spec.senderEmail },
        ]
      : []),
    ...str(0x1035, spec.messageId),
    { id: 0x0039, type: PT_SYSTIME, value: date },
    { id: 0x0e06, type: PT_SYSTIME, value: date },
    { id: 0x0e07, type: PT_LONG, value: ((spec.read ?? true) ? 0x1 : 0) | (attachments.length ? 0x10 : 0) },
  ];
  const header = Buffer.alloc(32);
  header.writeUInt32LE(recipients.length, 8); // next recipient ID
  header.writeUInt32LE(attachments.length, 12); // next attachment ID
  header.writeUInt32LE(recipients.length, 16);
  header.writeUInt32LE(attachments.length, 20);
  addProps(cfb, '/', props, header);

  const empty = Buffer.alloc(0);
  for (const stream of ['00020102', '00030102', '00040102']) cfb.add(`/__nameid_version1.0/__substg1.0_${stream}`, empty);

  recipients.forEach((r, i) => {
    const dir = `/__recip_version1.0_#${i.toString(16).toUpperCase().padStart(8, '0')}/`;
    addProps(
      cfb,
      dir,
      [
        { id: 0x3000, type: PT_LONG, value: i }, // PidTagRowid
        { id: 0x0c15, type: PT_LONG, value: r.type === 'cc' ? 2 : r.type === 'bcc' ? 3 : 1 },
        { id: 0x3001, type: PT_UNICODE, value: r.name },
        { id: 0x3002, type: PT_UNICODE, value: 'SMTP' },
        { id: 0x3003, type: PT_UNICODE, value: r.email },
        { id: 0x39fe, type: PT_UNICODE, value: r.email },
      ],
      Buffer.alloc(8),
    );
  });
  attachments.forEach((a, i) => {
    const dir = `/__attach_version1.0_#${i.toString(16).toUpperCase().padStart(8, '0')}/`;
    const ext = /\.[^.]*$/.exec(a.name)?.[0] ?? '';
    addProps(
      cfb,
      dir,
      [
        { id: 0x0e21, type: PT_LONG, value: i }, // PidTagAttachNumber
        { id: 0x3705, type: PT_LONG, value: 1 }, // PidTagAttachMethod: afByValue
        { id: 0x0e20, type: PT_LONG, value: a.data.length },
        { id: 0x3001, type: PT_UNICODE, value: a.name },
        { id: 0x3707, type: PT_UNICODE, value: a.name }, // PidTagAttachLongFilename
        { id: 0x3704, type: PT_UNICODE, value: `PJ${i + 1}${ext.slice(0, 4)}`.toUpperCase() }, // 8.3 name
        { id: 0x3703, type: PT_UNICODE, value: ext },
        ...str(0x370e, a.mime),
        { id: 0x3701, type: PT_BINARY, value: a.data }, // PidTagAttachDataBinary
      ],
      Buffer.alloc(8),
    );
  });
  return cfb.write();
}
