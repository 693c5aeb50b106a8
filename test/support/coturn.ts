/**
 * A real coturn (Debian's `turnserver`) on loopback for call tests, with the TURN REST API
 * shared secret the server signs credentials with. Spare ports: the listener's port is found
 * free first, the relay range is random, so suites and other runs on the machine do not collide.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { waitUntil } from './wait.ts';

export const TURNSERVER = process.env.TURNSERVER_PATH ?? '/usr/bin/turnserver';

export interface Coturn {
  port: number;
  secret: string;
  /** TURN_URLS for the server under test: UDP and TCP, or TCP only. */
  urls: string;
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

/** `tcpOnly`: no UDP listener at all, as behind a firewall that lets only TCP out. */
export async function startCoturn(opts: { tcpOnly?: boolean; port?: number; secret?: string } = {}): Promise<Coturn> {
  if (!existsSync(TURNSERVER)) throw new Error(`coturn not found at ${TURNSERVER}: run \`apt-get install -y coturn\``);
  // `port` and `secret` of a relay stopped before: the same relay coming back.
  const port = opts.port ?? (await freeTcpPort());
  const secret = opts.secret ?? randomBytes(24).toString('hex');
  const dir = mkdtempSync(path.join(tmpdir(), 'coturn-'));
  const minPort = 40_000 + Math.floor(Math.random() * 200) * 100;
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
    '--no-tls',
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
  const urls = opts.tcpOnly
    ? `turn:127.0.0.1:${port}?transport=tcp`
    : `turn:127.0.0.1:${port}?transport=udp,turn:127.0.0.1:${port}?transport=tcp`;
  return {
    port,
    secret,
    urls,
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
