import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

const FILE = 'secret-key';

/**
 * The key sign-in codes are hashed with (HMAC), so a copy of the database alone does not reveal
 * live codes: a 6-digit code under a plain hash falls to a million guesses. Every node must hold
 * the same key, so SECRET_KEY is the deployment's setting; without it (the embedded one-machine
 * setup, tests) a random key is made once and kept in DATA_DIR/secret-key, which every process
 * started from the same directory shares.
 */
export async function loadSecretKey(configured: string | undefined, dataDir: string): Promise<Buffer> {
  if (configured) return Buffer.from(configured, 'utf8');
  const file = path.resolve(dataDir, FILE);
  const existing = await readKey(file);
  if (existing) return existing;
  await mkdir(path.dirname(file), { recursive: true });
  try {
    // 'wx': of several processes starting at once, one writes the key and the others read it.
    await writeFile(file, randomBytes(32).toString('base64url'), { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  for (let i = 0; i < 50; i++) {
    const key = await readKey(file);
    if (key) return key;
    // Another process created the file and has not written the key into it yet.
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${file} is empty; delete it or set SECRET_KEY`);
}

async function readKey(file: string): Promise<Buffer | null> {
  try {
    const text = (await readFile(file, 'utf8')).trim();
    return text.length >= 32 ? Buffer.from(text, 'utf8') : null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}
