/**
 * A real coturn (Debian's `turnserver`) on loopback for call tests, with the TURN REST API
 * shared secret the server signs credentials with. Spare ports: the listener's port is found
 * free first, the relay range is random, so suites and other runs on the machine do not collide.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { waitUntil } from './wait.ts';

export const TURNSERVER = process.env.TURNSERVER_PATH ?? '/usr/bin/turnserver';

export interface Coturn {
  port: number;
  secret: string;
  /** TURN_URLS for the server under test: UDP and TCP, TCP only, or TLS only. */
  urls: string;
  /** With `tls`: the TLS listener's port. */
  tlsPort?: number;
  /** What coturn logged so far (allocations, refused credentials). */
  log(): string;
  stop(): Promise<void>;
}

async function freeTcpPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/**
 * Whether something answers a STUN Binding request over UDP on the port. coturn opens its UDP
 * listener after its TCP ones (its log says so), so a TCP accept alone does not prove that a
 * browser's first TURN-over-UDP request will be answered.
 */
function answersStun(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const transaction = randomBytes(12);
    // Binding request: type 0x0001, no attributes, the magic cookie, a transaction id.
    const request = Buffer.concat([Buffer.from([0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42]), transaction]);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.close();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on('message', (m) => done(m.length >= 20 && m.readUInt16BE(0) === 0x0101 && m.subarray(8, 20).equals(transaction)));
    socket.on('error', () => done(false));
    socket.send(request, port, '127.0.0.1');
  });
}

/** A self-signed certificate for a TURN relay on 127.0.0.1, and the SHA-256 of its public key (base64). */
export interface TurnCertificate {
  certFile: string;
  keyFile: string;
  spki: string;
  remove(): void;
}

/**
 * Browsers check a `turns:` relay's certificate like a web site's: a self-signed one is refused
 * unless the browser is told to trust that key (Chromium: --ignore-certificate-errors-spki-list).
 */
export function makeTurnCertificate(): TurnCertificate {
  const dir = mkdtempSync(path.join(tmpdir(), 'turn-cert-'));
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'ignore' },
  );
  const spkiDer = new X509Certificate(readFileSync(certFile)).publicKey.export({ type: 'spki', format: 'der' });
  return {
    certFile,
    keyFile,
    spki: createHash('sha256').update(spkiDer).digest('base64'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * `tcpOnly`: no UDP listener at all, as behind a firewall that lets only TCP out. `tls`: also a
 * TLS listener on a spare port presenting that certificate, and `urls` naming only it
 * (`turns:`), as where only web traffic gets out.
 */
export async function startCoturn(
  opts: { tcpOnly?: boolean; tls?: TurnCertificate; port?: number; secret?: string } = {},
): Promise<Coturn> {
  if (!existsSync(TURNSERVER)) throw new Error(`coturn not found at ${TURNSERVER}: run \`apt-get install -y coturn\``);
  // `port` and `secret` of a relay stopped before: the same relay coming back.
  const port = opts.port ?? (await freeTcpPort());
  const secret = opts.secret ?? randomBytes(24).toString('hex');
  const dir = mkdtempSync(path.join(tmpdir(), 'coturn-'));
  const minPort = 40_000 + Math.floor(Math.random() * 200) * 100;
  const tlsPort = opts.tls ? await freeTcpPort() : undefined;
  const args = [
    '-n', // no config file: everything is on this command line
    '--listening-ip=127.0.0.1',
    '--relay-ip=127.0.0.1',
    `--listening-port=${port}`,
    `--min-port=${minPort}`,
    `--max-port=${minPort + 99}`,
    '--use-auth-secret',
    `--static-auth-secret=${secret}`,
    '--realm=inbox-chat.test',
    '--fingerprint',
    '--no-cli',
    ...(opts.tls ? [`--tls-listening-port=${tlsPort}`, `--cert=${opts.tls.certFile}`, `--pkey=${opts.tls.keyFile}`] : ['--no-tls']),
    '--no-dtls',
    // The browsers under test are on loopback too; a deployment never allows this.
    '--allow-loopback-peers',
    `--pidfile=${path.join(dir, 'turnserver.pid')}`,
    `--db=${path.join(dir, 'turndb')}`,
    '--verbose',
    '--log-file=stdout',
    '--simple-log',
    ...(opts.tcpOnly ? ['--no-udp'] : []),
  ];
  const child: ChildProcess = spawn(TURNSERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitUntil(`coturn listening on ${port}`, async () => child.exitCode === null && (await accepts(port)), 10_000, 50).catch((err) => {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\n${output}`);
  });
  if (!opts.tcpOnly) await waitUntil(`coturn answering STUN over UDP on ${port}`, () => answersStun(port), 10_000, 50);
  if (tlsPort) await waitUntil(`coturn TLS listening on ${tlsPort}`, () => accepts(tlsPort), 10_000, 50);
  const urls = tlsPort
    ? `turns:127.0.0.1:${tlsPort}?transport=tcp`
    : opts.tcpOnly
      ? `turn:127.0.0.1:${port}?transport=tcp`
      : `turn:127.0.0.1:${port}?transport=udp,turn:127.0.0.1:${port}?transport=tcp`;

  return {
    port,
    secret,
    urls,
    tlsPort,
    log: () => output,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
