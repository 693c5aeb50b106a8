/* eslint-disable @typescript-eslint/no-explicit-any -- test support for Thunderbird's untyped Marionette protocol and messenger API, whose JSON shapes the tests do not type */
/**
 * Debian's Thunderbird, headless, on a fresh profile, driven over Marionette in chrome context.
 * Everything it creates (process, profile folder) goes away in stop().
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import net from 'node:net';
import { Marionette } from './marionette.ts';
import { createProfile, type ProfileOptions } from './profile.ts';

export const THUNDERBIRD_BIN = process.env.THUNDERBIRD_BIN ?? 'thunderbird';

export function thunderbirdVersion(): string | null {
  const r = spawnSync(THUNDERBIRD_BIN, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Thunderbird {
  marionette: Marionette;
  profileDir: string;
  /** Output of the Thunderbird process, for failure messages. */
  output(): string;
  /** Runs an async chrome-context script; it resolves by calling `done(value)`. */
  chrome<T = any>(body: string, args?: unknown[]): Promise<T>;
  stop(): Promise<void>;
}

export async function startThunderbird(
  opts: Omit<ProfileOptions, 'marionettePort'>,
  extraPrefs: Record<string, string | number | boolean> = {},
): Promise<Thunderbird> {
  const marionettePort = await freePort();
  const profileDir = createProfile({ ...opts, marionettePort, extraPrefs });
  let out = '';
  const proc: ChildProcess = spawn(
    THUNDERBIRD_BIN,
    ['--headless', '--no-remote', '--profile', profileDir, '--marionette', '--remote-allow-system-access'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, MOZ_HEADLESS_WIDTH: '1400', MOZ_HEADLESS_HEIGHT: '1000' } },
  );
  // GTK complains a lot without a display; keep the lines that can explain a failure.
  const keep = (d: Buffer) => {
    const useful = d
      .toString()
      .split('\n')
      .filter((l) => l.trim() && !/Gtk-CRITICAL|gtk_|GDK_IS_SCREEN|glib warning/.test(l))
      .join('\n');
    if (useful) out = `${out}${useful}\n`.slice(-40_000);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));

  const cleanup = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      const killer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(profileDir, { recursive: true, force: true });
  };

  let marionette: Marionette | undefined;
  try {
    // Marionette listens once Thunderbird's startup reached the point where it can be driven.
    while (!marionette) {
      if (proc.exitCode !== null) throw new Error(`Thunderbird exited with ${proc.exitCode}:\n${out}`);
      marionette = await Marionette.connect(marionettePort).catch(async () => {
        await sleep(250);
        return undefined;
      });
    }
    await marionette.setContext('chrome');
  } catch (err) {
    await cleanup();
    throw err;
  }
  const m = marionette;
  return {
    marionette: m,
    profileDir,
    output: () => out,
    chrome: (body, args = []) =>
      m
        .executeAsync(
          `const done = arguments[arguments.length - 1];
         const args = Array.prototype.slice.call(arguments, 0, -1);
         (async () => { ${body} })().then(done, (e) => done({ __error: String(e) + '\\n' + (e && e.stack) }));`,
          args,
          // Marionette needs a script timeout; the test's own timeout is the real limit.
          10 * 60_000,
        )
        .then((v: any) => {
          if (v && typeof v === 'object' && '__error' in v) throw new Error(`chrome script failed: ${v.__error}`);
          return v;
        }),
    async stop() {
      await m.close().catch(() => undefined);
      await cleanup();
    },
  };
}
