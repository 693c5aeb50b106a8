/** Event lines the server stored in English are said through the catalogues; other bodies stay as stored. */
import assert from 'node:assert/strict';
import { IntlMessageFormat } from 'intl-messageformat';
import { callLineText } from '../../../protocol/call-line.ts';
import { systemLineText } from '../../../protocol/system-line.ts';
import { CATALOGUES } from '../i18n/catalogues.ts';
import { eventLineMessage } from './event-line.ts';

describe('event lines in the panel', () => {
  it('reads the server’s system lines back as messages', () => {
    const system = (body: string) => eventLineMessage({ kind: 'SYSTEM', body });
    assert.deepEqual(system(systemLineText({ kind: 'joined', address: 'ann@example.com' })), [
      'line.joined',
      { address: 'ann@example.com' },
    ]);
    assert.deepEqual(system(systemLineText({ kind: 'added', address: 'bo@example.org' })), ['line.added', { address: 'bo@example.org' }]);
    assert.deepEqual(system(systemLineText({ kind: 'ended' })), ['line.chatEnded']);
  });

  it('reads call lines back with the length and people formatted for the reader', () => {
    const call = (body: string) => eventLineMessage({ kind: 'CALL', body });
    assert.deepEqual(call(callLineText({ kind: 'missed', caller: 'ann@example.com' })), ['line.missedCall', { caller: 'ann@example.com' }]);
    assert.deepEqual(call(callLineText({ kind: 'ended', seconds: 125, people: ['ann@example.com', 'bo@example.org'] })), [
      'line.callEnded',
      { duration: '2 min 5 sec', people: 'ann@example.com and bo@example.org' },
    ]);
  });

  it('leaves a body it cannot read as stored (the caller shows the text)', () => {
    assert.equal(eventLineMessage({ kind: 'SYSTEM', body: 'Ann and Bo joined' }), null);
    assert.equal(eventLineMessage({ kind: 'CALL', body: 'Call me maybe' }), null);
    // A member's own text that happens to read like a system line is never reworded.
    assert.equal(eventLineMessage({ kind: 'TEXT', body: 'ann@example.com joined' }), null);
  });

  it('every language says the facts, not the English sentence', () => {
    for (const [lang, words] of Object.entries(CATALOGUES)) {
      const joined = String(new IntlMessageFormat(words['line.joined'], lang).format({ address: 'ann@example.com' }));
      assert.ok(joined.includes('ann@example.com'), lang);
      if (lang !== 'en') assert.notEqual(joined, 'ann@example.com joined', lang);
    }
  });
});
