/**
 * The real backend as a separate process for the bench: startServer() with the environment the
 * bench hands in (its own database, LOG_LEVEL=silent, raised rate limits).
 */
import { loadConfig } from '../backend/src/config/index.ts';
import { createLogger } from '../backend/src/log.ts';
import { startServer } from '../backend/src/server.ts';
import { answerProbes } from './lib/child-ipc.ts';

const config = loadConfig(process.env);
const server = await startServer(config, createLogger(config.logLevel));
let stopping: Promise<void> | null = null;
answerProbes(() => (stopping ??= server.stop()));
process.send!({ type: 'ready', url: server.url });
