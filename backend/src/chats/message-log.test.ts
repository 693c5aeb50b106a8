import assert from 'node:assert/strict';
import { globSync, readFileSync } from 'node:fs';
import path from 'node:path';

const BACKEND = path.resolve(import.meta.dirname, '..');

/** A comparison with a retention value, in TypeScript or SQL: `retention === …`, `c.retention = 'ARCHIVED'`, `'EPHEMERAL'`. */
const RETENTION_BRANCH = /retention\s*(?:[!=]==?|=\s*')|'(?:ARCHIVED|EPHEMERAL)'/;

/** Retention files: the one chooser, and the tests of these rules. Everything else asks MessageLogs. */
const ALLOWED = new Set(['chats/message-log.ts', 'chats/message-log.test.ts']);

/** Where a rule's second copy would first show: the backend comparing retention outside the one chooser. */
describe('message logs: retention is decided in one place', () => {
  it('no backend module but chats/message-log.ts compares a chat retention', () => {
    const offenders: string[] = [];
    for (const file of globSync('**/*.ts', { cwd: BACKEND, exclude: (f) => f === 'generated' })) {
      if (ALLOWED.has(file)) continue;
      readFileSync(path.join(BACKEND, file), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (RETENTION_BRANCH.test(line)) offenders.push(`${file}:${i + 1}: ${line.trim()}`);
        });
    }
    assert.deepEqual(offenders, []);
  });

  it('the check sees the branches it forbids', () => {
    for (const branch of [
      "if (chat.retention === 'EPHEMERAL') {",
      "chat.retention !== 'ARCHIVED'",
      "JOIN chat c ON c.id = a.chat_id AND c.retention = 'ARCHIVED'",
      "CASE WHEN c.retention = 'EPHEMERAL' THEN",
    ]) {
      assert.match(branch, RETENTION_BRANCH);
    }
    assert.doesNotMatch('retention: input.retention,', RETENTION_BRANCH);
    assert.doesNotMatch('AND c.retention = ANY($2::"Retention"[])', RETENTION_BRANCH);
  });
});
