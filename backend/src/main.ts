import { ConfigError, configWarnings, loadConfig } from './config/index.ts';
import { createLogger } from './log.ts';
import { startServer, StartupError } from './server.ts';

/** `npm start`: run the server until SIGTERM/SIGINT, then shut down cleanly. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  for (const warning of configWarnings(config)) log.warn(warning);
  let server;
  try {
    server = await startServer(config, log);
  } catch (err) {
    const message = err instanceof StartupError ? err.message : String((err as Error)?.stack ?? err);
    log.fatal({ err }, 'server did not start');
    console.error(`\nInbox Chat did not start: ${message}\n`);
    process.exit(1);
  }
  log.info({ url: server.url }, 'Inbox Chat is running');
  console.log(`\n  Inbox Chat is running: open ${server.url}\n${mailNote(server.url, server.catcher !== undefined, config.devMailbox)}`);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      log.error('shutdown took too long; exiting');
      process.exit(1);
    }, 15_000);
    force.unref();
    server!.stop().then(
      () => process.exit(0),
      (err) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  // Dependency outages are handled where they happen (ops/redis.ts, errors.ts). A rejection
  // nobody handled is a bug whose state we cannot trust: log it and exit, as Node itself
  // would, so the supervisor starts a clean process instead of this one limping on.
  process.on('unhandledRejection', (err) => {
    log.fatal({ err }, 'unhandled rejection; exiting');
    process.exit(1);
  });
}

/** Where caught mail can be read; without SMTP_URL and without the dev mailbox, nobody gets a sign-in code. */
function mailNote(url: string, caught: boolean, devMailbox: boolean): string {
  if (!caught) return '';
  if (devMailbox) return `  Caught mail (dev mailbox): ${url}/dev/mail\n`;
  return '  Warning: no SMTP_URL, so emails (sign-in codes too) are caught and shown nowhere: set SMTP_URL\n';
}

void main();
