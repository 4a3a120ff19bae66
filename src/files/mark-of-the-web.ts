/**
 * Mark-of-the-Web on Windows: a file that came from the server gets the `Zone.Identifier` alternate data stream
 * (« Internet » zone, ZoneId=3) as a browser download does, so Office opens it in Protected View and SmartScreen
 * checks programs before they run. The content is a pure function; the write happens only on Windows (NTFS streams
 * do not exist elsewhere: on Linux « file:Zone.Identifier » would be a second, visible file).
 */
import fs from 'node:fs';

/** Windows' « Internet » security zone. */
export const INTERNET_ZONE = 3;

/** The server address as recorded: no user name, password, query or fragment, no line breaks; '' when unusable. */
export function zoneHostUrl(serverUrl: string): string {
  try {
    const u = new URL(serverUrl);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return '';
    u.username = '';
    u.password = '';
    u.search = '';
    u.hash = '';
    return /[\r\n]/.test(u.href) ? '' : u.href;
  } catch {
    return '';
  }
}

/** Content of the `Zone.Identifier` stream for a file downloaded from `serverUrl` (CRLF, as Windows writes it). */
export function zoneIdentifierContent(serverUrl: string): string {
  const host = zoneHostUrl(serverUrl);
  return `[ZoneTransfer]\r\nZoneId=${INTERNET_ZONE}\r\n${host ? `HostUrl=${host}\r\n` : ''}`;
}

/** Path of the stream for a file: `C:\…\Rapport.docx:Zone.Identifier`. */
export function zoneIdentifierPath(file: string): string {
  return `${file}:Zone.Identifier`;
}

/**
 * Mark `file` as downloaded from `serverUrl`. Only on Windows (`platform === 'win32'`); elsewhere nothing is written
 * and false is returned. Written before the file is moved into place and before its date is set: NTFS keeps the
 * stream through the rename, and writing a stream changes the file's modification date. A disk that has no streams
 * (FAT, network share) makes the write fail: the file is still synced, the failure is only reported.
 */
export async function markFromServer(file: string, serverUrl: string, platform: NodeJS.Platform = process.platform): Promise<boolean> {
  if (platform !== 'win32') return false;
  try {
    await fs.promises.writeFile(zoneIdentifierPath(file), zoneIdentifierContent(serverUrl), 'utf8');
    return true;
  } catch {
    return false;
  }
}
