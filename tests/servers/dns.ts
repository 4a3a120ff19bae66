/**
 * Tiny authoritative DNS server for the test domain ostal.test, UDP and TCP on one loopback port.
 * Run as its own process: `node --import tsx tests/servers/dns.ts <zone.json>` (see configs.ts dnsZone).
 * Answers A, SRV (RFC 6186 / RFC 6764) and TXT records from the zone file, NOERROR with no
 * answer for a known name asked with another type, NXDOMAIN for every other name.
 */
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import type { Answer, Packet, Question } from 'dns-packet';
import type { DnsZone } from './configs.js';

export function answerQuery(zone: DnsZone, query: Packet): Buffer {
  const questions: Question[] = query.questions ?? [];
  const answers: Answer[] = [];
  let known = false;
  for (const q of questions) {
    const name = q.name.toLowerCase().replace(/\.$/, '');
    const type: string = q.type;
    const a = zone.a[name];
    const srv = zone.srv[name];
    const txt = zone.txt[name];
    if (a !== undefined || srv !== undefined || txt !== undefined) known = true;
    if (a !== undefined && (type === 'A' || type === 'ANY')) {
      answers.push({ type: 'A', name: q.name, ttl: 60, class: 'IN', data: a });
    }
    if (srv !== undefined && (type === 'SRV' || type === 'ANY')) {
      answers.push({ type: 'SRV', name: q.name, ttl: 60, class: 'IN', data: { ...srv } });
    }
    if (txt !== undefined && (type === 'TXT' || type === 'ANY')) {
      answers.push({ type: 'TXT', name: q.name, ttl: 60, class: 'IN', data: txt });
    }
  }
  return dnsPacket.encode({
    type: 'response',
    id: query.id ?? 0,
    // dns-packet encodes the rcode only from the low bits of `flags` (NXDOMAIN = 3).
    flags: dnsPacket.AUTHORITATIVE_ANSWER | ((query.flags ?? 0) & dnsPacket.RECURSION_DESIRED) | (known ? 0 : 3),
    questions,
    answers,
  } as Packet);
}

function log(file: string, msg: string): void {
  fs.appendFileSync(file, `${new Date().toISOString()} ${msg}\n`);
}

async function main(): Promise<void> {
  const [zonePath, logPath = '/dev/stderr'] = process.argv.slice(2);
  if (!zonePath) throw new Error('usage: dns.ts <zone.json> [log]');
  const zone = JSON.parse(fs.readFileSync(zonePath, 'utf8')) as DnsZone;

  const udp = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  udp.on('message', (msg, rinfo) => {
    try {
      const reply = answerQuery(zone, dnsPacket.decode(msg));
      udp.send(reply, rinfo.port, rinfo.address);
    } catch (e) {
      log(logPath, `udp: bad query: ${String(e)}`);
    }
  });
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(zone.port, '127.0.0.1', () => resolve());
  });

  const tcp = net.createServer((sock) => {
    let buf = Buffer.alloc(0);
    sock.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2) {
        const len = buf.readUInt16BE(0);
        if (buf.length < 2 + len) break;
        const msg = buf.subarray(2, 2 + len);
        buf = buf.subarray(2 + len);
        try {
          const reply = answerQuery(zone, dnsPacket.decode(msg));
          const head = Buffer.alloc(2);
          head.writeUInt16BE(reply.length, 0);
          sock.write(Buffer.concat([head, reply]));
        } catch (e) {
          log(logPath, `tcp: bad query: ${String(e)}`);
          sock.destroy();
        }
      }
    });
    sock.on('error', () => sock.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(zone.port, '127.0.0.1', () => resolve());
  });
  log(logPath, `listening on 127.0.0.1:${zone.port} (udp+tcp) for ${zone.domain}`);
  const stop = (): void => {
    udp.close();
    tcp.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  main().catch((e: unknown) => {
    process.stderr.write(`dns: ${String(e)}\n`);
    process.exit(1);
  });
}
