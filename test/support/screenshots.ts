import { mkdirSync } from 'node:fs';
import path from 'node:path';

/**
 * Where a test's screenshot goes. The README's pictures live in docs/screenshots and are
 * refreshed on purpose with `UPDATE_SCREENSHOTS=1 npm test`; ordinary runs write to
 * test-results/screenshots so running the suite never changes tracked files.
 */
export function screenshotDir(): string {
  const root = path.resolve(import.meta.dirname, '../..');
  const dir = process.env.UPDATE_SCREENSHOTS === '1' ? path.join(root, 'docs/screenshots') : path.join(root, 'test-results/screenshots');
  mkdirSync(dir, { recursive: true });
  return dir;
}
