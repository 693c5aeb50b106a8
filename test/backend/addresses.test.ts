import assert from 'node:assert/strict';
import { normaliseAddress, normaliseAddresses } from '../../backend/src/identity/addresses.ts';
import { addressSchema } from '../../protocol/index.ts';

describe('addresses: one spelling per person', function () {
  it('trims, lower-cases and strips display names', () => {
    assert.equal(normaliseAddress('  Bob.Smith@Example.COM '), 'bob.smith@example.com');
    assert.equal(normaliseAddress('"Smith, Bob" <Bob@Example.com>'), 'bob@example.com');
    assert.deepEqual(normaliseAddresses(['A@x.io', 'a@X.io', ' ', 'b@x.io']), ['a@x.io', 'b@x.io']);
  });

  it('the protocol accepts bare and named addresses and refuses non-addresses', () => {
    assert.equal(addressSchema.parse('Bob <bob@example.com>'), 'bob@example.com');
    assert.equal(addressSchema.parse(' bob@example.com '), 'bob@example.com');
    for (const bad of ['bob', 'bob@', '@example.com', 'bob@example', 'a b@example.com', 'x'.repeat(300) + '@e.com']) {
      assert.equal(addressSchema.safeParse(bad).success, false, bad);
    }
  });
});
