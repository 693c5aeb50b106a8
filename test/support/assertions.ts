import assert from 'node:assert/strict';

/** Awaits a promise that must reject with an instance of `type`, and returns that error. */
export async function rejection<E extends Error>(p: Promise<unknown>, type: new (...args: never[]) => E): Promise<E> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof type, `expected ${type.name}, got ${String(err)}`);
    return err;
  }
  assert.fail(`expected a ${type.name}`);
}
