import assert from 'node:assert/strict';
import { readSystemLine, systemLineText, type SystemLine } from './system-line.ts';

describe('system lines', () => {
  it('read back what they wrote', () => {
    const lines: SystemLine[] = [
      { kind: 'joined', address: 'alice@example.com' },
      { kind: 'added', address: 'bob@example.org' },
      { kind: 'ended' },
    ];
    for (const line of lines) assert.deepEqual(readSystemLine(systemLineText(line)), line);
    assert.equal(systemLineText(lines[0]!), 'alice@example.com joined');
  });

  it('a body they did not write is not a system line', () => {
    for (const body of ['Alice and Bob joined', 'someone was added later', 'The chat was ended', '']) {
      assert.equal(readSystemLine(body), null, body);
    }
  });
});
