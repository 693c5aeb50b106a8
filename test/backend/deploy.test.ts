/**
 * Deployment files and start-up guidance, checked without Docker (no engine here): compose.yaml,
 * .env.example and the Dockerfile agree with the server's configuration, and the failures a first
 * deployment meets end in one line saying what to do. The real production install is in
 * production-install.test.ts (slow).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { load } from 'js-yaml';
import { loadConfig } from '../../backend/src/config/index.ts';
import { dockerfileStages } from '../support/dockerfile.ts';
import { runFailingStart } from '../support/process.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const read = (f: string) => readFileSync(path.join(ROOT, f), 'utf8');

interface ComposeService {
  build?: string;
  image?: string;
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  ports?: string[];
}

describe('deploy: image, compose and start-up guidance', function () {
  it('compose.yaml runs the image built here with PostgreSQL and Redis, starting it once both are healthy', () => {
    const compose = load(read('compose.yaml')) as { services: Record<string, ComposeService> };
    assert.deepEqual(Object.keys(compose.services).sort(), ['postgres', 'redis', 'server']);
    const server = compose.services.server!;
    assert.equal(server.build, '.');
    assert.match(server.environment?.DATABASE_URL ?? '', /@postgres:5432\//);
    assert.equal(server.environment?.REDIS_URL, 'redis://redis:6379');
    assert.deepEqual(server.depends_on, { postgres: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
    assert.ok(server.ports?.some((p) => p.endsWith(':3000')));
    assert.ok(compose.services.postgres!.healthcheck && compose.services.redis!.healthcheck);
  });

  it('the Dockerfile builds in its own stage, runs as an unprivileged user and checks /readyz', () => {
    const text = read('Dockerfile');
    const stages = dockerfileStages(text);
    assert.deepEqual(
      stages.map((s) => s.name),
      ['build', 'deps', undefined],
    );
    assert.ok(stages[0]!.run.some((r) => /npm run generate && npm run build/.test(r)));
    assert.ok(stages[1]!.run.includes('npm run install:prod'));
    assert.match(JSON.parse(read('package.json')).scripts['install:prod'], /^npm ci --omit=dev --omit=optional /);
    const final = stages[2]!;
    assert.equal(final.env.NODE_ENV, 'production');
    assert.equal(final.env.HOST, '0.0.0.0', 'reachable from outside the container');
    assert.match(text, /^USER node$/m);
    assert.match(final.healthcheck.join(' '), /\/readyz/);
    // Every path the final stage copies from the build context exists (a typo breaks only `docker build`).
    for (const m of text.matchAll(/^COPY (?!--from)(.+) \S+$/gm)) {
      for (const src of m[1]!.split(' ')) assert.ok(spawnSync('test', ['-e', path.join(ROOT, src)]).status === 0, `COPY ${src}`);
    }
  });

  it('.env.example, once its secrets are filled in, is a valid production configuration', () => {
    const env: Record<string, string> = {};
    for (const line of read('.env.example').split('\n')) {
      const m = /^([A-Z_]+)=(.*)$/.exec(line);
      if (m) env[m[1]!] = m[2]!;
    }
    assert.equal(env.SECRET_KEY, '', 'no example secret anyone could copy');
    env.SECRET_KEY = 'a-real-deployment-secret-0123456789abcdef';
    env.DATABASE_URL = 'postgresql://inbox_chat:pw@postgres:5432/inbox_chat';
    const config = loadConfig(env);
    assert.equal(config.publicUrl, env.PUBLIC_URL);
    assert.equal(config.devMailbox, false);
    assert.equal(config.trustProxy, true);
  });

  it('as root, a DATA_DIR the postgres user cannot reach stops the start with one line saying what to do', async function () {
    if (process.getuid?.() !== 0) this.skip();
    const home = mkdtempSync(path.join(tmpdir(), 'inbox-chat-home-'));
    try {
      chmodSync(home, 0o700); // like /root: other users may not enter
      mkdirSync(path.join(home, 'checkout'));
      const started = Date.now();
      const { code, output } = await runFailingStart({ DATA_DIR: path.join(home, 'checkout/.data'), INBOUND_SMTP: 'false' });
      assert.equal(code, 1);
      assert.match(output, new RegExp(`postgres user, who cannot enter ${home}: set DATA_DIR to a folder it can reach`));
      assert.doesNotMatch(output, /EACCES|\n\s+at /, 'no stack trace');
      assert.ok(Date.now() - started < 20_000, 'fails before creating a cluster');
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('npm test first checks what the suites need and says what to install', () => {
    const r = spawnSync(process.execPath, ['scripts/preflight.mjs', 'test'], {
      cwd: ROOT,
      env: { ...process.env, CHROMIUM_PATH: '/nonexistent/chromium', THUNDERBIRD_BIN: '/nonexistent/thunderbird' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /\.ci\/run/);
    assert.match(r.stderr, /Chromium \(\/nonexistent\/chromium\): apt-get install chromium/);
    assert.match(r.stderr, /Thunderbird \(\/nonexistent\/thunderbird\): apt-get install thunderbird/);
    assert.match(JSON.parse(read('package.json')).scripts.test, /^node scripts\/preflight\.mjs test && /);
  });
});
