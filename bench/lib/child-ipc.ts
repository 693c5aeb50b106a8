import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
/**
 * What every bench child answers over IPC: its memory after a full GC (the child runs with
 * --expose-gc) and its CPU time, so the bench can attribute cost to the server alone.
 */
export function answerProbes(stop: () => Promise<void>): void {
  let session: Session | null = null;
  process.on('message', (raw) => {
    const m = raw as { type: string; id?: number; file?: string };
    if (m.type === 'profile-start') {
      // Profiles one scenario's steady state, not start-up and connection set-up.
      session = new Session();
      session.connect();
      session.post('Profiler.enable', () =>
        session!.post('Profiler.setSamplingInterval', { interval: 500 }, () =>
          session!.post('Profiler.start', () => process.send!({ type: 'profile-start' })),
        ),
      );
      return;
    }
    if (m.type === 'profile-stop') {
      session?.post('Profiler.stop', (err, result) => {
        if (!err) writeFileSync(m.file!, JSON.stringify(result.profile));
        session?.disconnect();
        session = null;
        process.send!({ type: 'profile-stop', error: err?.message });
      });
      return;
    }
    if (m.type === 'memory') {
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      // V8 hands freed pages back a little after a full GC; give it a moment, then collect again.
      setTimeout(() => {
        gc?.();
        gc?.();
        const u = process.memoryUsage();
        process.send!({
          type: 'memory',
          id: m.id,
          rss: u.rss,
          heapUsed: u.heapUsed,
          heapTotal: u.heapTotal,
          external: u.external,
          arrayBuffers: u.arrayBuffers,
          gc: !!gc,
        });
      }, 1000);
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
