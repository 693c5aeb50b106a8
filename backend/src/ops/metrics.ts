import client from 'prom-client';

/** What the job queue holds, per queue (shared by every node: they all read one `job` table). */
export interface JobCounts {
  queue: string;
  /** Due now and not yet finished: the backlog. */
  due: number;
  /** Scheduled later (a batch window) or waiting out a retry backoff. */
  scheduled: number;
  /** Waiting for a retry after a failed attempt. */
  retrying: number;
  /** Given up for good (kept 30 days for inspection). */
  failed: number;
}

export interface MetricsSources {
  /** Read at each scrape; a failing read leaves the job gauges empty rather than failing /metrics. */
  jobCounts?: () => Promise<JobCounts[]>;
}

/** Latency buckets in seconds, from a fast local commit (1 ms) to a request that hangs (10 s). */
const SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Prometheus metrics for this process; /metrics serves them. */
export function createMetrics(sources: MetricsSources = {}) {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const jobStates = ['due', 'scheduled', 'retrying', 'failed'] as const;
  return {
    registry,
    httpRequests: new client.Counter({
      name: 'inbox_chat_http_requests_total',
      help: 'HTTP requests by method, route and status',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    }),
    httpSeconds: new client.Histogram({
      name: 'inbox_chat_http_request_duration_seconds',
      help: 'HTTP request latency, until the response is sent, by method, route and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: SECONDS,
      registers: [registry],
    }),
    socketsConnected: new client.Gauge({
      name: 'inbox_chat_sockets_connected',
      help: 'Socket.IO connections open on this process',
      registers: [registry],
    }),
    socketEvents: new client.Counter({
      name: 'inbox_chat_socket_events_total',
      help: 'Socket events handled, by event and outcome',
      labelNames: ['event', 'outcome'] as const,
      registers: [registry],
    }),
    socketAckSeconds: new client.Histogram({
      name: 'inbox_chat_socket_ack_duration_seconds',
      help: 'Time from a socket event arriving to its ack (for message:send: until the message committed), by event and outcome',
      labelNames: ['event', 'outcome'] as const,
      buckets: SECONDS,
      registers: [registry],
    }),
    messagesCommitted: new client.Counter({
      name: 'inbox_chat_messages_committed_total',
      help: 'Messages committed to the database',
      registers: [registry],
    }),
    commitBatchSize: new client.Histogram({
      name: 'inbox_chat_commit_batch_size',
      help: 'Messages per group commit',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
      registers: [registry],
    }),
    commitSeconds: new client.Histogram({
      name: 'inbox_chat_message_commit_duration_seconds',
      help: 'Duration of one group commit of messages (its transaction, round trips included)',
      buckets: SECONDS,
      registers: [registry],
    }),
    mailSent: new client.Counter({
      name: 'inbox_chat_mail_sent_total',
      help: 'Emails handed to the SMTP server, by outcome (sent, failed)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    jobs: new client.Gauge({
      name: 'inbox_chat_jobs',
      help: 'Durable jobs (emails) by queue and state: due = backlog, retrying = failed attempts waiting, failed = given up (30 days); the same on every node',
      labelNames: ['queue', 'state'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        if (!sources.jobCounts) return;
        const counts = await sources.jobCounts().catch(() => []);
        for (const c of counts) for (const state of jobStates) this.set({ queue: c.queue, state }, c[state]);
      },
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** Seconds since `start` (a performance.now() reading), for the histograms above. */
export function secondsSince(start: number): number {
  return (performance.now() - start) / 1000;
}
