import { parentPort } from 'node:worker_threads';
import { readReply } from './read-reply.ts';

// A long-lived reader thread (reader.ts): one email at a time, answered by id. The reader
// terminates this thread when an email misses its deadline and starts a fresh one.
const port = parentPort;
if (!port) throw new Error('read-reply.worker.ts runs only as a worker thread');
port.on('message', (job: { id: number; raw: Uint8Array }) => {
  readReply(Buffer.from(job.raw.buffer, job.raw.byteOffset, job.raw.byteLength)).then(
    (reply) => port.postMessage({ id: job.id, ok: true, reply }),
    (err: unknown) => port.postMessage({ id: job.id, ok: false, error: err instanceof Error ? err.message : String(err) }),
  );
});
port.postMessage({ ready: true });
