/**
 * Meeting links, as defined by the shared protocol (src/shared/meet-protocol.ts): `<server URL>/salle/<roomId>`,
 * optionally with `?jeton=<join token>`. The protocol file has no import at all, so the renderer uses its pure
 * helpers directly (the import rules allow values from src/shared/; .dependency-cruiser.cjs).
 */
import { parseMeetingLink as parseLink } from '../../../../src/shared/meet-protocol';

export { meetingLink, meetingWebSocketUrl, newRoomId, normaliseServerUrl } from '../../../../src/shared/meet-protocol';

/** Query parameter of a meeting link that carries a join token. */
export const TOKEN_PARAM = 'jeton';

export interface MeetingAddress {
  /** Server URL without trailing slash (may carry a path prefix). */
  serverUrl: string;
  roomId: string;
  /** Join token given in the link, if any. */
  token: string | null;
}

/** Parse a pasted meeting link (spaces, fragment, trailing slash tolerated), or null when it is not one. */
export function parseMeetingLink(link: string): MeetingAddress | null {
  const parsed = parseLink(link);
  if (parsed === null) return null;
  const token = new URL(link.trim()).searchParams.get(TOKEN_PARAM);
  return { ...parsed, token: token && token.trim() ? token.trim() : null };
}
