import assert from 'node:assert/strict';
import { callLineText, callSeconds, readCallLine, type CallLine } from './call-line.ts';

describe('call lines', () => {
  it('read back what they wrote', () => {
    const lines: CallLine[] = [
      { kind: 'missed', caller: 'alice@example.com' },
      { kind: 'ended', seconds: 45, people: ['alice@example.com'] },
      { kind: 'ended', seconds: 125, people: ['alice@example.com', 'bob@example.com'] },
    ];
    for (const line of lines) assert.deepEqual(readCallLine(callLineText(line)), line);
    assert.equal(callLineText(lines[2]!), 'Call ended after 2 min 5 s; in the call: alice@example.com, bob@example.com');
  });

  it('a body they did not write is not a call line', () => {
    assert.equal(readCallLine('Call me maybe'), null);
  });

  it('a call that connected lasted at least a second', () => {
    assert.equal(callSeconds(10), 1);
    assert.equal(callSeconds(61_400), 61);
  });
});
