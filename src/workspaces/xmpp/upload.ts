/**
 * XMPP HTTP File Upload (XEP-0363) on the account's own server: finding the upload service (disco#items then
 * disco#info of the server's domain), its size limit, and asking it for a slot (a PUT URL with its headers, and the GET
 * URL the message will carry). Out of Band Data (XEP-0066) names the file in the message for other clients.
 */
import { randomUUID } from 'node:crypto';
import { xml, type Element } from '@xmpp/client';
import { NS, type XmppSession } from './session.js';

export const NS_UPLOAD = 'urn:xmpp:http:upload:0';
export const NS_OOB = 'jabber:x:oob';
const NS_DISCO_ITEMS = 'http://jabber.org/protocol/disco#items';

export interface UploadService {
  jid: string;
  /** Largest file the service takes (bytes), or null when it does not say. */
  maxSize: number | null;
}

export interface UploadSlot {
  put: string;
  /** Headers the PUT must carry (only those XEP-0363 allows: Authorization, Cookie, Expires). */
  headers: Record<string, string>;
  get: string;
}

/** The service's size limit from its disco#info form (XEP-0363 § 3, FORM_TYPE urn:xmpp:http:upload:0). */
function maxSizeOf(query: Element | undefined): number | null {
  for (const form of query?.getChildren('x', NS.data) ?? []) {
    const fields = form.getChildren('field');
    if (fields.find((f) => f.attrs.var === 'FORM_TYPE')?.getChildText('value') !== NS_UPLOAD) continue;
    const value = Number(fields.find((f) => f.attrs.var === 'max-file-size')?.getChildText('value'));
    return Number.isFinite(value) && value > 0 ? value : null;
  }
  return null;
}

const supportsUpload = (query: Element | undefined): boolean =>
  (query?.getChildren('feature') ?? []).some((f) => f.attrs.var === NS_UPLOAD);

/** The upload service of the server `domain` (the domain itself or one of its items), or null when it has none. */
export async function discoverUpload(session: XmppSession, domain: string): Promise<UploadService | null> {
  const info = async (jid: string): Promise<Element | undefined> =>
    (await session.request(xml('iq', { type: 'get', to: jid, id: randomUUID() }, xml('query', { xmlns: NS.discoInfo })))).getChild(
      'query',
      NS.discoInfo,
    );
  const own = await info(domain).catch(() => undefined);
  if (supportsUpload(own)) return { jid: domain, maxSize: maxSizeOf(own) };
  const items = await session.request(xml('iq', { type: 'get', to: domain, id: randomUUID() }, xml('query', { xmlns: NS_DISCO_ITEMS })));
  const jids = (items.getChild('query', NS_DISCO_ITEMS)?.getChildren('item') ?? []).map((i) => i.attrs.jid ?? '').filter(Boolean);
  for (const jid of jids) {
    // Only the server's own components (same domain or below it) are asked.
    if (jid !== domain && !jid.endsWith(`.${domain}`)) continue;
    const q = await info(jid).catch(() => undefined);
    if (supportsUpload(q)) return { jid, maxSize: maxSizeOf(q) };
  }
  return null;
}

const ALLOWED_HEADERS = new Map([
  ['authorization', 'Authorization'],
  ['cookie', 'Cookie'],
  ['expires', 'Expires'],
]);

/** Reads a slot answer; headers other than those XEP-0363 allows, or holding a line break, are dropped. */
export function readSlot(answer: Element): UploadSlot | null {
  const slot = answer.getChild('slot', NS_UPLOAD);
  const put = slot?.getChild('put');
  const get = slot?.getChild('get');
  if (!put?.attrs.url || !get?.attrs.url) return null;
  const headers: Record<string, string> = {};
  for (const h of put.getChildren('header')) {
    const name = ALLOWED_HEADERS.get((h.attrs.name ?? '').toLowerCase());
    const value = h.text();
    if (name && !/[\r\n]/.test(value)) headers[name] = value;
  }
  return { put: put.attrs.url, headers, get: get.attrs.url };
}

/** Asks the service for a slot; the server's refusal is thrown as the request's error (see requestSlotError). */
export async function requestSlot(
  session: XmppSession,
  service: string,
  file: { name: string; size: number; contentType: string },
): Promise<UploadSlot | null> {
  const answer = await session.request(
    xml(
      'iq',
      { type: 'get', to: service, id: randomUUID() },
      xml('request', { xmlns: NS_UPLOAD, filename: file.name, size: String(file.size), 'content-type': file.contentType }),
    ),
  );
  return readSlot(answer);
}

/** The OOB element (XEP-0066) carrying the file's address, for clients that show files from it. */
export const oobElement = (url: string): Element => xml('x', { xmlns: NS_OOB }, xml('url', {}, url));
