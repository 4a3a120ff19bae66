/**
 * Entry point: `npm run server` (root) or `npm start --prefix server`. Options: `--config <file.json>`.
 * Prints `OSTAL_VISIO_URL=<url>` on stdout once listening (tests read it; with port 0 it carries the chosen
 * port). Logs go to stderr. SIGTERM/SIGINT: peers get `serverShutdown`, workers close, exit code 0.
 */
import { ConfigError, loadConfig } from './config.js';
import { errorText, log, setLogLevel } from './log.js';
import { startServer } from './server.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.argv.slice(2), process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`Configuration du serveur de visio\u00a0: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  setLogLevel(config.logLevel);
  if (!config.requireToken) log('warn', 'no_token_required', { note: 'anyone with a link can open a room' });
  const server = await startServer(config);
  process.stdout.write(`OSTAL_VISIO_URL=${server.url}\n`);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log('info', 'signal', { signal });
    const force = setTimeout(() => {
      log('error', 'shutdown_timeout');
      process.exit(1);
    }, 10_000);
    force.unref();
    server.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log('error', 'shutdown_failed', { error: errorText(error) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  log('error', 'startup_failed', { error: errorText(error) });
  process.stderr.write(`Le serveur de visio n’a pas pu démarrer\u00a0: ${errorText(error)}\n`);
  process.exit(1);
});
