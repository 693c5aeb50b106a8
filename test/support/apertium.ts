import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { waitUntil } from './wait.ts';

/** Where Debian's apertium-eng-spa (and any other pair package) installs its modes. */
export const APERTIUM_MODES = '/usr/share/apertium/modes';

export interface ApertiumServer {
  url: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * A real Apertium APy server (Debian's apertium-apy) with the installed pairs, on a free port.
 * Resolves once it answers /listPairs with the English-Spanish pair.
 */
export async function startApertium(): Promise<ApertiumServer> {
  const port = await freePort();
  const child = spawn('apertium-apy', ['-p', String(port), APERTIUM_MODES], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(
    'Apertium APy to list the eng-spa pair',
    async () => {
      if (gone) throw new Error(`apertium-apy exited:\n${output}`);
      const res = await fetch(`${url}/listPairs`).catch(() => null);
      const text = res?.ok ? await res.text() : '';
      return /"sourceLanguage": ?"eng", ?"targetLanguage": ?"spa"/.test(text);
    },
    30_000,
    100,
  );
  return {
    url,
    async stop() {
      if (!gone) child.kill('SIGTERM');
      await exited;
    },
  };
}
