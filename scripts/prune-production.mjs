// Run after `npm ci --omit=dev --omit=optional` in the Docker image (and by test/backend/deploy.test.ts,
// which proves the server still starts after it): drops what the server never loads. The Prisma
// runtime ships a query compiler for every database, ~4.5 MB each in .js and .mjs; the generated
// client imports only PostgreSQL's (backend/src/generated/prisma/internal/class.ts).
import { readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const runtime = fileURLToPath(new URL('../node_modules/@prisma/client/runtime/', import.meta.url));
let removed = 0;
for (const name of readdirSync(runtime)) {
  const otherDatabase = /^query_compiler_\w+_bg\.(\w+)\./.exec(name)?.[1];
  const sourceMap = name.endsWith('.map');
  if ((otherDatabase && otherDatabase !== 'postgresql') || sourceMap) {
    rmSync(runtime + name);
    removed++;
  }
}
console.log(`prune-production: removed ${removed} files from @prisma/client/runtime`);
