/**
 * Prints where a V8 CPU profile (.cpuprofile, from BENCH_PROFILE) spent its time: the top
 * functions by self time, and by total time of the functions on the stack.
 * Usage: tsx bench/profile-summary.ts <file.cpuprofile> (TOP=30 to change the list length)
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
  children?: number[];
}

const file = process.argv[2];
if (!file) throw new Error('usage: profile-summary <file.cpuprofile>');
const top = Number(process.env.TOP ?? 30);
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[]; startTime: number; endTime: number };
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const total = profile.nodes.reduce((s, n) => s + n.hitCount, 0);
const label = (n: Node) => {
  const url = n.callFrame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/main\//, '');
  return `${n.callFrame.functionName || '(anonymous)'} ${url}:${n.callFrame.lineNumber + 1}`;
};
const self = new Map<string, number>();
const inclusive = new Map<string, number>();
for (const n of profile.nodes) {
  if (!n.hitCount) continue;
  self.set(label(n), (self.get(label(n)) ?? 0) + n.hitCount);
  const seen = new Set<string>();
  for (let id: number | undefined = n.id; id !== undefined; id = parent.get(id)) {
    const l = label(byId.get(id)!);
    if (seen.has(l)) continue;
    seen.add(l);
    inclusive.set(l, (inclusive.get(l) ?? 0) + n.hitCount);
  }
}
const show = (title: string, m: Map<string, number>) => {
  console.log(`\n${title} (of ${total} samples, ${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s)`);
  for (const [l, h] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`${((h / total) * 100).toFixed(1).padStart(6)}%  ${l}`);
};
show('self time', self);
show('total time', inclusive);

// Self time by package: where the cost lives (a library, our code, Node internals, the kernel via syscalls).
const byPackage = new Map<string, number>();
for (const n of profile.nodes) {
  if (!n.hitCount) continue;
  const url = n.callFrame.url;
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  const key = m
    ? m[1]!
    : /\/(backend|bench|protocol)\//.test(url)
      ? 'our code'
      : url.startsWith('node:')
        ? 'node internals'
        : `(${n.callFrame.functionName || 'native'})`;
  byPackage.set(key, (byPackage.get(key) ?? 0) + n.hitCount);
}
show('self time by package', byPackage);
