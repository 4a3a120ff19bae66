/**
 * A bounded sanity check of a Compound File Binary ([MS-CFB], the container of Outlook's .msg items) before it is
 * handed to @kenjiuno/msgreader, which follows sector chains and the directory tree without ever checking them:
 * a damaged file whose chains loop (zeroed sectors are enough) makes it allocate until the process dies. Every chain
 * the reader would follow is walked here once, each sector seen at most once, and each stream's chain must be long
 * enough for its declared size, so what passes cannot loop and cannot ask for more memory than the file's size.
 */

const MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
const END_OF_CHAIN = -2;
const NO_STREAM = -1;
const HEADER_FAT_SLOTS = 109;
const MINI_SECTOR = 64;
/** Streams smaller than this live in the mini stream (msgreader's fixed cutoff, as in the specification). */
const MINI_CUTOFF = 4096;
const DIR_ENTRY = 128;

/** Why a compound file is refused (for the technical log), or null when it can be read safely. */
export function compoundFileProblem(bytes: Buffer): string | null {
  if (bytes.length < 512 || !bytes.subarray(0, 8).equals(MAGIC)) return 'no compound file header';
  // msgreader: 4096-byte sectors when the sector shift is 12, 512 otherwise.
  const sectorSize = bytes[30] === 12 ? 4096 : 512;
  const perSector = sectorSize / 4;
  const sectors = Math.floor(bytes.length / sectorSize) - 1;
  if (sectors < 1) return 'no sector after the header';
  const int = (offset: number) => bytes.readInt32LE(offset);
  const sectorOffset = (s: number) => (s + 1) * sectorSize;

  const fatCount = int(0x2c);
  const dirStart = int(0x30);
  const miniFatStart = int(0x3c);
  const miniFatCount = int(0x40);
  const difatStart = int(0x44);
  const difatCount = int(0x48);
  if (fatCount < 0 || fatCount > sectors) return `FAT sector count ${fatCount} out of range`;
  if (difatCount < 0 || difatCount > sectors) return `DIFAT sector count ${difatCount} out of range`;
  const fat: number[] = [];
  for (let i = 0; i < Math.min(fatCount, HEADER_FAT_SLOTS); i++) fat.push(int(0x4c + 4 * i));
  let difat = difatStart;
  const seenDifat = new Set<number>();
  for (let i = 0; i < difatCount && fat.length < fatCount; i++) {
    if (difat < 0 || difat >= sectors || seenDifat.has(difat)) return `DIFAT chain broken at ${difat}`;
    seenDifat.add(difat);
    for (let j = 0; j < perSector - 1 && fat.length < fatCount; j++) {
      const s = int(sectorOffset(difat) + 4 * j);
      if (s < 0) break;
      fat.push(s);
    }
    difat = int(sectorOffset(difat) + 4 * (perSector - 1));
  }
  for (const s of fat) if (s < 0 || s >= sectors) return `FAT sector ${s} out of range`;
  const next = (s: number): number => {
    const fatSector = fat[Math.floor(s / perSector)];
    return fatSector === undefined ? END_OF_CHAIN : int(sectorOffset(fatSector) + 4 * (s % perSector));
  };
  /** The sectors of a chain, or null when it leaves the file or comes back on itself. */
  const chain = (start: number, step: (s: number) => number, limit: number): number[] | null => {
    const seen = new Set<number>();
    const out: number[] = [];
    for (let s = start; s !== END_OF_CHAIN; s = step(s)) {
      if (s < 0 || s >= limit || seen.has(s)) return null;
      seen.add(s);
      out.push(s);
    }
    return out;
  };

  const dir = chain(dirStart, next, sectors);
  if (!dir || !dir.length) return 'directory chain broken';
  const entries = (dir.length * sectorSize) / DIR_ENTRY;
  const entryOffset = (i: number) => sectorOffset(dir[Math.floor((i * DIR_ENTRY) / sectorSize)]) + ((i * DIR_ENTRY) % sectorSize);
  const root = entryOffset(0);
  if (bytes[root + 0x42] !== 5) return 'first directory entry is not the root';

  const miniFat = miniFatCount > 0 ? chain(miniFatStart, next, sectors) : [];
  if (!miniFat) return 'mini FAT chain broken';
  const rootSize = int(root + 0x78);
  const miniStream = rootSize > 0 ? chain(int(root + 0x74), next, sectors) : [];
  if (!miniStream) return 'mini stream chain broken';
  const miniSectors = Math.floor((miniStream.length * sectorSize) / MINI_SECTOR);
  const nextMini = (s: number): number => {
    const fatSector = miniFat[Math.floor(s / perSector)];
    return fatSector === undefined ? END_OF_CHAIN : int(sectorOffset(fatSector) + 4 * (s % perSector));
  };

  // The directory tree: every entry reached once from the root (msgreader walks siblings and children).
  const seen = new Set<number>([0]);
  const pending = [int(root + 0x4c)];
  while (pending.length) {
    const i = pending.pop()!;
    if (i === NO_STREAM) continue;
    if (i < 0 || i >= entries || seen.has(i)) return `directory tree broken at entry ${i}`;
    seen.add(i);
    const e = entryOffset(i);
    const type = bytes[e + 0x42];
    // An unallocated entry: msgreader reads it as a leaf without siblings.
    if (type === 0) continue;
    pending.push(int(e + 0x44), int(e + 0x48));
    if (type === 1) pending.push(int(e + 0x4c));
    else if (type === 2) {
      const size = int(e + 0x78);
      if (size < 0 || size > bytes.length) return `stream size ${size} out of range`;
      if (size === 0) continue;
      const start = int(e + 0x74);
      const small = size < MINI_CUTOFF;
      const sectorsOf = small ? chain(start, nextMini, miniSectors) : chain(start, next, sectors);
      if (!sectorsOf || sectorsOf.length * (small ? MINI_SECTOR : sectorSize) < size) return `stream chain of entry ${i} broken`;
    } else return `directory entry ${i} of unknown type ${type}`;
  }
  return null;
}
