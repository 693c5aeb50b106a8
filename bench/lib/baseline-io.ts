import type { ServerOptions } from 'socket.io';

/**
 * The Socket.IO options of both baselines (the bare broadcast server and the persist-first one),
 * in one place so the two are measured on the same transport: websocket with polling, no
 * compression, a 64 KB packet cap.
 */
export const BASELINE_IO_OPTIONS: Partial<ServerOptions> = {
  transports: ['websocket', 'polling'],
  perMessageDeflate: false,
  httpCompression: false,
  maxHttpBufferSize: 64 * 1024,
  pingInterval: 25_000,
  pingTimeout: 20_000,
};
