// Runs `prisma generate` offline. The Prisma CLI tries to download its schema engine at
// start even though generation never uses it; pointing PRISMA_SCHEMA_ENGINE_BINARY at any
// existing file skips that download (see docs/database.md).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const env = { ...process.env };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.execPath;
env.PRISMA_HIDE_UPDATE_MESSAGE = '1';
const cli = fileURLToPath(new URL('../node_modules/prisma/build/index.js', import.meta.url));
const result = spawnSync(process.execPath, [cli, 'generate'], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
