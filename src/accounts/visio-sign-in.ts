/**
 * Signs the agent in to the organisation's meeting server with the mail account Ostal already has: the core posts
 * the account's login and password (from the secrets layer; the renderer never sees it) to
 * `<visio.serverUrl>/api/connexion` (JSON body, never a URL query) and gets a join token bound to that agent and one
 * room, valid a few minutes (protocol: MeetSignInRequest / MeetSignInResult in src/shared/meet-protocol.ts). The
 * password goes only to the meeting server configured in Réglages (usually by IT policy), never to the server of a
 * link from elsewhere, and redirects are not followed.
 */
import type { CoreContext } from '../context.js';
import { OstalError } from '../errors.js';
import { t } from '../i18n/index.js';
import { classifyNetworkError } from '../net/errors.js';
import { httpRequest } from '../net/http.js';
import { isValidRoomId, MEET_SIGN_IN_PATH, normaliseServerUrl, type MeetSignInRequest } from '../shared/meet-protocol.js';
import type { VisioSignIn } from '../shared/contract.js';
import { AccountRepository } from '../store/account-repository.js';
import { readSetting } from '../store/settings-repository.js';
import { loadAccountCredentials } from './account-rows.js';

/** The server may slow repeated failures down (up to 30 s) before it answers. */
const SIGN_IN_TIMEOUT_MS = 45_000;

let deprecationLogged = false;

/** Log once per process that the shared token of `visio.joinToken` is deprecated (French, for IT). */
export function noteDeprecatedJoinToken(ctx: Pick<CoreContext, 'db' | 'policy' | 'log'>): void {
  if (deprecationLogged || readSetting(ctx, 'visio.joinToken') === '') return;
  deprecationLogged = true;
  ctx.log.warn(t('visio.joinTokenDeprecated'));
}

export async function signInToMeetingServer(
  ctx: Pick<CoreContext, 'db' | 'policy' | 'log' | 'secrets'>,
  params: { roomId: string; serverUrl?: string; accountId?: string },
): Promise<VisioSignIn> {
  noteDeprecatedJoinToken(ctx);
  const configured = normaliseServerUrl(readSetting(ctx, 'visio.serverUrl'));
  if (configured === null) throw new OstalError('not_configured', t('visio.errors.noServer'));
  if (params.serverUrl !== undefined && normaliseServerUrl(params.serverUrl) !== configured) {
    throw new OstalError('not_configured', t('visio.errors.otherServer'));
  }
  if (!isValidRoomId(params.roomId)) throw new OstalError('invalid_input', t('visio.errors.invalidRoom'));
  const accountId = params.accountId ?? new AccountRepository(ctx.db).list()[0]?.id;
  if (accountId === undefined) throw new OstalError('not_configured', t('visio.errors.noAccount'));
  const { account, password } = await loadAccountCredentials(ctx, accountId);
  const body: MeetSignInRequest = { login: account.settings.username || account.email, password, roomId: params.roomId };
  const url = new URL(`${configured}${MEET_SIGN_IN_PATH}`);
  let status: number;
  let text: string;
  try {
    const res = await httpRequest(url.href, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body),
      timeoutMs: SIGN_IN_TIMEOUT_MS,
      maxRedirects: 0,
      maxBytes: 16 * 1024,
    });
    status = res.status;
    text = res.body;
  } catch (err) {
    ctx.log.warn('visio: sign-in request failed', { err: err as Error });
    throw classifyNetworkError(err, { host: url.hostname, port: Number(url.port) || (url.protocol === 'https:' ? 443 : 80) });
  }
  if (status === 401) throw new OstalError('auth_failed', t('visio.errors.refused', { email: account.email }));
  if (status === 404) throw new OstalError('not_configured', t('visio.errors.noSignIn'));
  if (status === 502 || status === 503) throw new OstalError('server_error', t('visio.errors.unavailable'));
  let answer: unknown = null;
  try {
    answer = JSON.parse(text);
  } catch {
    answer = null;
  }
  const a = (answer ?? {}) as Partial<VisioSignIn>;
  if (status !== 200 || typeof a.token !== 'string' || typeof a.expiresAt !== 'number' || typeof a.displayName !== 'string') {
    ctx.log.warn('visio: unexpected sign-in answer', { status });
    throw new OstalError('server_error', t('visio.errors.badAnswer', { status }));
  }
  ctx.log.info('visio: signed in to the meeting server', { account: account.id, expiresAt: a.expiresAt });
  return { token: a.token, expiresAt: a.expiresAt, displayName: a.displayName };
}
