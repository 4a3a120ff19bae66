/** Minimal HTTPS client for the DAV servers of a run: verified TLS with the run's CA, always Content-Length. */
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

/** Percent-encodes each segment of a '/'-separated path (keeps '@', as DAV servers do). */
export function encodePath(p: string): string {
  return p
    .split('/')
    .map((s) => encodeURIComponent(s).replace(/%40/g, '@'))
    .join('/');
}
