/**
 * `node dist/server.js`: the chat server (SPEC §1).
 *
 *  1. Read the configuration; a bad value is one line on stderr and exit 1.
 *  2. Open storage for DATA_DIR (a locked, corrupt or unusable directory is one line
 *     on stderr and exit 1) and build the app (src/app/create-app.ts).
 *  3. On SIGTERM or SIGINT run the shutdown sequence (src/app/lifecycle.ts) and exit 0,
 *     with a hard deadline inside SPEC §1's 5 s. Installed before listening: a signal
 *     sent the moment the listening line is out must already find its handler.
 *  4. Listen; the first stdout line is `listening on http://HOST:PORT/` with the real
 *     port; every later stdout line is a JSON log record. If listening fails, one line
 *     naming HOST or PORT, and exit 1.
 */
import { createApp } from './app/create-app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { keepNextTickFast } from './keep-next-tick-fast.js';
import { createLogger } from './log.js';
import { DataDirLockedError, openStore, StoreCorruptError } from './store/index.js';

/** SPEC §1 allows 5 s; stop a little before, whatever is still pending. */
const SHUTDOWN_DEADLINE_MS = 4_500;

const warn = (line: string) => process.stderr.write(`${line}\n`);
keepNextTickFast();

// Step 1.
let config: Config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  warn(`socketlink: invalid configuration: ${error.message}`);
  process.exit(1);
}
if (config.jwtSecretGenerated) {
  warn('warning: JWT_SECRET is not set; using a random key for this run only (tokens will not survive a restart)');
}

// Step 2.
const log = createLogger(config.logLevel);
// Until the listening line is out, stdout is reserved for it: storage warnings from
// recovery go to stderr; later ones become JSON log records.
let listening = false;
const storeLog = { warn: (message: string) => (listening ? log.warn(message, { component: 'store' }) : warn(`warning: ${message}`)) };
let store: Awaited<ReturnType<typeof openStore>>;
try {
  store = await openStore(config.dataDir, storeLog);
} catch (error) {
  // Locked, corrupt, or not a usable directory at all (EEXIST for a file, EACCES, EROFS...).
  const known = error instanceof DataDirLockedError || error instanceof StoreCorruptError;
  warn(`socketlink: DATA_DIR: ${known ? error.message : `cannot use ${config.dataDir}: ${(error as Error).message}`}`);
  process.exit(1);
}
const app = createApp({ config, log, store });

// Step 3.
let stopping = false;
const stop = (signal: NodeJS.Signals) => {
  // A second signal while shutting down changes nothing: the sequence is already bounded.
  if (stopping) return;
  stopping = true;
  const deadline = setTimeout(() => {
    log.error('shutdown deadline passed; exiting', { ms: SHUTDOWN_DEADLINE_MS });
    process.exit(1);
  }, SHUTDOWN_DEADLINE_MS);
  deadline.unref();
  app.shutdown(signal).then(
    () => process.exit(0),
    (error: unknown) => {
      log.error('shutdown failed', { error });
      process.exit(1);
    },
  );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

// Step 4.
try {
  const address = await app.listen();
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  process.stdout.write(`listening on http://${host}:${address.port}/\n`);
  listening = true;
} catch (error) {
  warn(`socketlink: ${listenErrorVariable(error)}: cannot listen on ${config.host}:${config.port}: ${(error as Error).message}`);
  process.exit(1);
}

/** Which variable to name when listening fails: the address cannot be had, or the port. */
function listenErrorVariable(error: unknown): 'HOST' | 'PORT' {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'EADDRINUSE' || code === 'EACCES' ? 'PORT' : 'HOST';
}
