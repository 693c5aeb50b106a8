// `npm install` / `npm ci`: generate the Prisma client and build the bundles, so a newcomer's
// `npm install && npm start` just works. A production install (`npm ci --omit=dev`) has neither
// the Prisma CLI nor webpack: it gets the client and bundles from a separate build step (the
// Dockerfile's build stage, see docs/deploy.md), so here it only says so instead of failing.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tooling = ['node_modules/prisma/package.json', 'node_modules/webpack/package.json'];
if (!tooling.every((f) => existsSync(root + f))) {
  console.log(
    'inbox-chat: production install (no dev dependencies): skipping `npm run generate && npm run build`; ' +
      'copy backend/src/generated/ and dist/ from a build (see docs/deploy.md).',
  );
  process.exit(0);
}
const npm = process.env.npm_execpath;
const run = (script) => {
  const r = npm
    ? spawnSync(process.execPath, [npm, 'run', script], { cwd: root, stdio: 'inherit' })
    : spawnSync('npm', ['run', script], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
run('generate');
run('build');
