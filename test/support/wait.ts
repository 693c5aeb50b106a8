/**
 * Waits until `check` returns something truthy and returns it, polling every `intervalMs`; fails
 * naming `what` once `timeoutMs` has passed. Tests wait on conditions like this, never on fixed
 * sleeps, and never without a deadline.
 */
export async function waitUntil<T>(
  what: string,
  check: () => Promise<T> | T,
  timeoutMs = 20_000,
  intervalMs = 25,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
