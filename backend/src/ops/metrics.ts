import client from 'prom-client';

/** Prometheus metrics for this process; /metrics serves them. */
export function createMetrics() {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequests: new client.Counter({
      name: 'inbox_chat_http_requests_total',
      help: 'HTTP requests by method, route and status',
      labelNames: ['method', 'route', 'status'] as const,
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
    mailSent: new client.Counter({
      name: 'inbox_chat_mail_sent_total',
      help: 'Emails handed to the SMTP server, by outcome (sent, failed)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
