/**
 * `npm run bench [-- <name>...]`: the one entry to every benchmark (docs/performance.md).
 *
 *   npm run bench                    the load, latency and memory benchmark (bench/run.ts)
 *   npm run bench -- translation     message translation: 50 readers in 5 languages (bench/translation.ts)
 *   npm run bench -- uploads         upload throughput and server memory (bench/uploads.ts)
 *   npm run bench -- writer          the message writer alone against PostgreSQL (bench/writer-micro.ts)
 *   npm run bench -- calls           call signalling latency and server CPU per call (bench/calls.ts)
 *   npm run bench -- all             each of them in turn
 *
 * Each runs in its own process, one after the other: they share nothing but the machine, and a
 * benchmark measured next to another measures both. Their knobs are environment variables, listed
 * at the top of each file.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const BENCHES = {
  load: 'run.ts',
  translation: 'translation.ts',
  uploads: 'uploads.ts',
  writer: 'writer-micro.ts',
  calls: 'calls.ts',
} as const;
type Bench = keyof typeof BENCHES;

const isBench = (name: string): name is Bench => Object.hasOwn(BENCHES, name);

const asked = process.argv.slice(2);
const names: Bench[] = asked.length === 0 ? ['load'] : asked.includes('all') ? (Object.keys(BENCHES) as Bench[]) : [];
for (const name of asked) {
  if (name === 'all') continue;
  if (!isBench(name)) {
    console.error(`unknown benchmark "${name}"; choose from: ${Object.keys(BENCHES).join(', ')}, all`);
    process.exit(2);
  }
  if (!names.includes(name)) names.push(name);
}

for (const name of names) {
  console.log(`\n=== bench: ${name} ===`);
  // tsx runs the file as `npm run bench` always did (the load bench starts its own children the same way).
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, BENCHES[name])], { stdio: 'inherit' });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
