/**
 * `npm run bench -- uploads`: upload throughput and the server's memory while many members upload
 * big files to one chat at once, over tus, into the folder media store. The server is the real
 * backend in its own process; its resident memory is read from /proc every 100 ms (no forced GC,
 * so this is what the machine sees). It must stay flat: well below the bytes in flight.
 *
 * Environment knobs (all optional):
 *   BENCH_UPLOAD_MEMBERS=10   members uploading at once (one chat)
 *   BENCH_UPLOAD_MB=100       size of each member's file
 *   BENCH_UPLOAD_CHUNK_MB=8   tus chunk size of the clients
 *   BENCH_JSON=path           also write the results as JSON
 */
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tus from 'tus-js-client';
import { MEDIA_ID_HEADER, UPLOADS_PATH, UPLOAD_METADATA } from '../protocol/index.ts';
import { createBenchDatabase, seedChats, type SeededMember } from './lib/database.ts';
import { startServerChild } from './lib/processes.ts';

const members = Number(process.env.BENCH_UPLOAD_MEMBERS ?? 10);
const mb = Number(process.env.BENCH_UPLOAD_MB ?? 100);
const chunkMb = Number(process.env.BENCH_UPLOAD_CHUNK_MB ?? 8);
const log = (...a: unknown[]) => console.log(...a);

/** Resident memory of a process in MiB, as the kernel counts it. */
function rssMb(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb ?? 0) / 1024;
}

/** A file of `mb` MiB of random-ish bytes, written as a stream; returns its SHA-256. */
async function makeFile(file: string, seed: number): Promise<string> {
  const block = randomBytes(1024 * 1024);
  const hash = createHash('sha256');
  const out = createWriteStream(file);
  for (let i = 0; i < mb; i++) {
    block[0] = i;
    block[1] = seed;
    hash.update(block);
    if (!out.write(block)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'close');
  return hash.digest('hex');
}

function upload(url: string, m: SeededMember, file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const u = new tus.Upload(createReadStream(file), {
      endpoint: `${url}${UPLOADS_PATH}`,
      headers: { Authorization: `Bearer ${m.token}` },
      metadata: { [UPLOAD_METADATA.chatId]: m.chatId, [UPLOAD_METADATA.name]: path.basename(file) },
      uploadSize: mb * 1024 * 1024,
      chunkSize: chunkMb * 1024 * 1024,
      storeFingerprintForResuming: false,
      onError: reject,
      onSuccess: ({ lastResponse }) => resolve(lastResponse.getHeader(MEDIA_ID_HEADER) ?? ''),
    });
    u.start();
  });
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'inbox-bench-uploads-'));
const db = await createBenchDatabase();
const server = await startServerChild('server', {
  NODE_ENV: 'production',
  PORT: '0',
  HOST: '127.0.0.1',
  DATABASE_URL: db.url,
  LOG_LEVEL: 'silent',
  SMTP_URL: 'smtp://127.0.0.1:1',
  SECRET_KEY: randomBytes(32).toString('base64url'),
  HTTP_REQUESTS_PER_MINUTE: '1000000',
  MEDIA_DIR: path.join(dir, 'media'),
  MEDIA_MAX_FILE_MB: String(mb + 1),
  MEDIA_MAX_DAILY_MB: String((mb + 1) * 2),
});
try {
  const [chat] = await seedChats(db.url, 1, members, 'uploads');
  log(`${members} members of one chat (seeded in SQL), each uploading ${mb} MiB over tus in ${chunkMb} MiB chunks`);
  const files = await Promise.all(
    chat!.map(async (_m, i) => ({ file: path.join(dir, `file-${i}.bin`), id: await makeFile(path.join(dir, `file-${i}.bin`), i) })),
  );
  const pid = server.proc.pid!;
  const before = rssMb(pid);
  let peak = before;
  const samples: number[] = [];
  const sampler = setInterval(() => {
    const now = rssMb(pid);
    samples.push(now);
    peak = Math.max(peak, now);
  }, 100);
  const started = performance.now();
  const ids = await Promise.all(chat!.map((m, i) => upload(server.url, m, files[i]!.file)));
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const wrong = ids.filter((id, i) => id !== files[i]!.id).length;
  const totalMb = members * mb;
  const result = {
    members,
    fileMb: mb,
    totalMb,
    seconds: Number(seconds.toFixed(2)),
    throughputMbPerS: Number((totalMb / seconds).toFixed(1)),
    serverRssBeforeMb: Number(before.toFixed(1)),
    serverRssPeakMb: Number(peak.toFixed(1)),
    serverRssGrowthMb: Number((peak - before).toFixed(1)),
    wrongHashes: wrong,
  };
  log(`  ${totalMb} MiB in ${result.seconds} s: ${result.throughputMbPerS} MiB/s (client, server and disk on this machine)`);
  log(
    `  server RSS: ${result.serverRssBeforeMb} MiB before, ${result.serverRssPeakMb} MiB at peak (+${result.serverRssGrowthMb} MiB for ${totalMb} MiB in flight)`,
  );
  log(`  stored objects hashing to their ids: ${members - wrong}/${members}`);
  if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, JSON.stringify(result, null, 2));
  if (wrong > 0) process.exitCode = 1;
} finally {
  await server.stop();
  await db.drop();
  await rm(dir, { recursive: true, force: true });
}
