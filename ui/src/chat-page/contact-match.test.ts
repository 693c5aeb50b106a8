import assert from 'node:assert/strict';
import { contactLabel, contactMatches } from './contact-match.ts';

describe('start-a-chat contact filter', () => {
  const roberto = { address: 'bob@example.org', displayName: 'Roberto Quintana' };
  const nameless = { address: 'cat.hidden@example.net', displayName: null };

  it('names a contact by display name with the address, or by the address alone', () => {
    assert.equal(contactLabel(roberto), 'Roberto Quintana (bob@example.org)');
    assert.equal(contactLabel(nameless), 'cat.hidden@example.net');
  });

  it('finds a contact by the start of a word of the name or the address, case and order aside', () => {
    for (const q of ['quin', 'ROB', 'quintana roberto', 'bob', 'example', 'roberto org', ''])
      assert.equal(contactMatches(roberto, q), true, q);
    for (const q of ['tana', 'alice', 'roberto alice', 'obert']) assert.equal(contactMatches(roberto, q), false, q);
    assert.equal(contactMatches(nameless, 'hidden'), true);
    assert.equal(contactMatches(nameless, 'quin'), false);
  });
});
