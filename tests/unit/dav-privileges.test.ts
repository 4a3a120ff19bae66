/**
 * DAV:current-user-privilege-set (RFC 3744) read from real multistatus answers: a calendar is writable when the set
 * grants DAV:write, DAV:write-content, DAV:bind or DAV:all, or when the server does not give the property.
 */
import { describe, expect, it } from 'vitest';
import { parseMultistatus } from '../../src/dav/multistatus.js';
import { privilegeNames, writableFrom } from '../../src/dav/privileges.js';

/** A PROPFIND answer for one calendar, with `privileges` as the property's content, or none (`null`) / a 404 ('404'). */
function answer(privileges: string[] | null | '404'): Record<string, unknown> {
  const set =
    privileges === null
      ? ''
      : privileges === '404'
        ? ''
        : `<D:current-user-privilege-set>${privileges.map((p) => `<D:privilege>${p}</D:privilege>`).join('')}</D:current-user-privilege-set>`;
  const missing =
    privileges === '404'
      ? '<D:propstat><D:prop><D:current-user-privilege-set/></D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat>'
      : '';
  const xml = `<?xml version="1.0" encoding="utf-8"?>
<D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:response><D:href>/agent1/feries/</D:href>
    <D:propstat><D:prop><D:resourcetype><D:collection/><C:calendar/></D:resourcetype><D:displayname>Jours fériés</D:displayname>${set}</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>
    ${missing}
  </D:response>
</D:multistatus>`;
  const entries = parseMultistatus(xml);
  expect(entries).toHaveLength(1);
  return entries[0]!.props;
}

describe('current-user-privilege-set', () => {
  it('only DAV:read (Radicale, read-only rights): read-only', () => {
    const props = answer(['<D:read/>']);
    expect(privilegeNames(props['current-user-privilege-set'])).toEqual(['read']);
    expect(writableFrom(props)).toBe(false);
  });

  it('read plus CalDAV read-free-busy only: still read-only', () => {
    expect(writableFrom(answer(['<D:read/>', '<C:read-free-busy/>']))).toBe(false);
  });

  it('an empty set given by the server: read-only', () => {
    const xml = `<D:multistatus xmlns:D="DAV:"><D:response><D:href>/c/</D:href><D:propstat><D:prop><D:current-user-privilege-set/></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response></D:multistatus>`;
    expect(writableFrom(parseMultistatus(xml)[0]!.props)).toBe(false);
  });

  it('the full set Radicale gives the owner (read, all, write, write-properties, write-content): writable', () => {
    const props = answer(['<D:read/>', '<D:all/>', '<D:write/>', '<D:write-properties/>', '<D:write-content/>']);
    expect(privilegeNames(props['current-user-privilege-set'])).toEqual(['read', 'all', 'write', 'write-properties', 'write-content']);
    expect(writableFrom(props)).toBe(true);
  });

  it('DAV:all alone: writable', () => {
    expect(writableFrom(answer(['<D:all/>']))).toBe(true);
  });

  it('write-content only (change existing events): writable', () => {
    expect(writableFrom(answer(['<D:read/>', '<D:write-content/>']))).toBe(true);
  });

  it('bind only (add events): writable', () => {
    expect(writableFrom(answer(['<D:read/>', '<D:bind/>']))).toBe(true);
  });

  it('write-properties only (rename, recolour) does not allow writing events: read-only', () => {
    expect(writableFrom(answer(['<D:read/>', '<D:write-properties/>']))).toBe(false);
  });

  it('the property not given, or answered 404: writable, as before it was read', () => {
    expect(writableFrom(answer(null))).toBe(true);
    const props = answer('404');
    expect('current-user-privilege-set' in props).toBe(false);
    expect(writableFrom(props)).toBe(true);
  });
});
