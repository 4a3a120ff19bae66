/** Minimal HTTPS client for the DAV servers of a run: verified TLS with the run's CA, always Content-Length. */
import fs from 'node:fs';
import https from 'node:https';

export interface HttpReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface HttpRequest {
  port: number;
  method: string;
  path: string;
  ca: string;
  auth?: { user: string; password: string };
  headers?: Record<string, string>;
  body?: string | Buffer;
  agent?: https.Agent;
}

export function httpsRequest(req: HttpRequest): Promise<HttpReply> {
  const body = req.body === undefined ? undefined : typeof req.body === 'string' ? Buffer.from(req.body, 'utf8') : req.body;
  const headers: Record<string, string> = { ...(req.headers ?? {}) };
  if (body !== undefined) headers['Content-Length'] = String(body.length);
  if (req.auth) headers.Authorization = `Basic ${Buffer.from(`${req.auth.user}:${req.auth.password}`, 'utf8').toString('base64')}`;
  return new Promise((resolve, reject) => {
    const r = https.request(
      {
        host: '127.0.0.1',
        servername: 'localhost',
        port: req.port,
        method: req.method,
        path: req.path,
        headers,
        ca: req.ca,
        rejectUnauthorized: true,
        agent: req.agent,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    r.on('error', reject);
    r.end(body);
  });
}

export interface DavReply {
  status: number;
  body: string;
  etag: string | null;
}

/**
 * A request to the run's Radicale as `user`, as another client would send it (never through Ostal), for tests
 * that check or change what the server holds. Content-Length is always set; PROPFIND and REPORT ask Depth 1
 * unless told; a body's type is guessed (iCalendar, vCard, else XML) unless given.
 */
export function radicaleRequest(
  run: { radicale: { port: number }; caCertPath: string },
  user: { username: string; password: string },
  method: string,
  path: string,
  body = '',
  headers: Record<string, string> = {},
): Promise<DavReply> {
  const type = body.startsWith('BEGIN:VCALENDAR')
    ? 'text/calendar; charset=utf-8'
    : body.startsWith('BEGIN:VCARD')
      ? 'text/vcard; charset=utf-8'
      : 'application/xml';
  const defaults: Record<string, string> = {
    ...(body ? { 'Content-Type': type } : {}),
    ...(method === 'PROPFIND' || method === 'REPORT' ? { Depth: '1' } : {}),
  };
  return httpsRequest({
    port: run.radicale.port,
    method,
    path,
    ca: caOf(run.caCertPath),
    auth: { user: user.username, password: user.password },
    headers: { ...defaults, ...headers },
    body,
  }).then((r) => ({ status: r.status, body: r.body, etag: (r.headers.etag as string | undefined) ?? null }));
}

const cas = new Map<string, string>();
function caOf(file: string): string {
  let ca = cas.get(file);
  if (ca === undefined) {
    ca = fs.readFileSync(file, 'utf8');
    cas.set(file, ca);
  }
  return ca;
}

/** Percent-encodes each segment of a '/'-separated path (keeps '@', as DAV servers do). */
export function encodePath(p: string): string {
  return p
    .split('/')
    .map((s) => encodeURIComponent(s).replace(/%40/g, '@'))
    .join('/');
}
