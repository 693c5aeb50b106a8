import assert from 'node:assert/strict';
import { globSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

interface Tier {
  spec: string[];
  ignore: string[];
}
const { tiers } = createRequire(import.meta.url)('./tiers/tiers.cjs') as { tiers: Record<'unit' | 'integration' | 'e2e', Tier> };
const ROOT = path.resolve(import.meta.dirname, '..');

/** The files mocha runs for a tier: its spec globs minus its ignore globs. */
function filesOf(tier: Tier): Set<string> {
  const files = new Set<string>();
  for (const pattern of tier.spec) {
    for (const f of globSync(pattern, { cwd: ROOT })) {
      if (!tier.ignore.some((ignored) => path.matchesGlob(f, ignored))) files.add(f);
    }
  }
  return files;
}

describe('test tiers: npm test runs every test file exactly once', function () {
  it('each test file (outside the fault suite) is in exactly one of unit, integration, e2e', () => {
    const all = globSync('**/*.test.ts', { cwd: ROOT, exclude: (f) => f === 'node_modules' || f === 'dist' || f === 'test/faults' });
    assert.ok(all.length > 40, `found the test files (${all.length})`);
    const byTier = Object.entries(tiers).map(([name, tier]) => [name, filesOf(tier)] as const);
    const problems: string[] = [];
    for (const file of all) {
      const owners = byTier.filter(([, files]) => files.has(file)).map(([name]) => name);
      if (owners.length !== 1) problems.push(`${file}: ${owners.length ? owners.join(' and ') : 'no tier'}`);
    }
    assert.deepEqual(problems, []);
  });
});
