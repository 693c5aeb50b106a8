/**
 * What every bench child answers over IPC: its memory after a full GC (the child runs with
 * --expose-gc) and its CPU time, so the bench can attribute cost to the server alone.
 */
export function answerProbes(stop: () => Promise<void>): void {
  process.on('message', (raw) => {
    const m = raw as { type: string; id?: number };
    if (m.type === 'memory') {
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      gc?.();
      const u = process.memoryUsage();
      process.send!({ type: 'memory', id: m.id, rss: u.rss, heapUsed: u.heapUsed, external: u.external, arrayBuffers: u.arrayBuffers, gc: !!gc });
    } else if (m.type === 'cpu') {
      const c = process.cpuUsage();
      process.send!({ type: 'cpu', id: m.id, user: c.user, system: c.system });
    } else if (m.type === 'stop') {
      stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    }
  });
  // The bench going away must not leave a server behind.
  process.on('disconnect', () => void stop().finally(() => process.exit(0)));
}
