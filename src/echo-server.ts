/**
 * The bare echo server (SPEC §1): every message comes back as it came, text as text and
 * binary as binary, on any path, up to 16 MiB. For conformance suites, benchmarks, and —
 * with `--trace` — for watching RFC 6455 frames go by.
 *
 *     node dist/echo-server.js [--port N] [--host H] [--trace]
 *
 * `--port`/`--host` win over the PORT/HOST environment variables (defaults 9001, 127.0.0.1).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { portNumber } from './config.js';
import { keepNextTickFast } from './keep-next-tick-fast.js';
import { formatFrame, frameRecord, plainRequestRefusal, WebSocketServer, type TraceFn } from './ws/index.js';

/** SPEC §1: "max message 16 MiB". */
const MAX_MESSAGE_SIZE = 16 * 1024 * 1024;
/**
 * Conformance suites send 4 MiB in 64-byte fragments (65,536 frames); allow that, and
 * no more, so fragment bookkeeping stays bounded.
 */
const MAX_FRAGMENTS = 65536;
/** An echo peer may legitimately have a whole 16 MiB message in flight back to it. */
const MAX_BUFFERED_AMOUNT = 2 * MAX_MESSAGE_SIZE;
/** SPEC §1: exit within 5 s of SIGINT/SIGTERM. */
const SHUTDOWN_GRACE_MS = 3000;
const DEFAULT_PORT = 9001;

keepNextTickFast();

/** One line on stderr, exit 1 (SPEC §1's rule for bad configuration). */
function fail(message: string): never {
  process.stderr.write(`echo-server: ${message.replaceAll('\n', ' ')}\n`);
  process.exit(1);
}

function parsePort(value: string | undefined, name: string): number {
  try {
    return portNumber(value, name, DEFAULT_PORT);
  } catch (error) {
    return fail((error as Error).message);
  }
}

const { values } = (() => {
  try {
    return parseArgs({
      options: { port: { type: 'string' }, host: { type: 'string' }, trace: { type: 'boolean', default: false } },
      strict: true,
    });
  } catch (error) {
    return fail((error as Error).message);
  }
})();
const port = values.port !== undefined ? parsePort(values.port, '--port') : parsePort(process.env.PORT, 'PORT');
const host = values.host ?? (process.env.HOST || '127.0.0.1');

/** Every stdout line after the first is a JSON record (SPEC §1). */
const log = (record: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...record })}\n`);

let nextId = 0;
function tracer(id: number): TraceFn | undefined {
  if (!values.trace) return undefined;
  return (direction, frame) => log({ level: 'trace', msg: formatFrame(direction, frame), connection: id, ...frameRecord(direction, frame) });
}

/** A plain HTTP request gets the handshake's own verdict (426 for no Upgrade, 400 for a broken one). */
function onRequest(req: IncomingMessage, res: ServerResponse): void {
  const refusal = plainRequestRefusal(req);
  res.writeHead(refusal.status, { 'content-type': 'text/plain; charset=utf-8', ...refusal.headers });
  res.end(`${refusal.message}\n`);
}

const http = createServer(onRequest);
const limits = { maxMessageSize: MAX_MESSAGE_SIZE, maxFragments: MAX_FRAGMENTS, maxBufferedAmount: MAX_BUFFERED_AMOUNT };
const wss = new WebSocketServer(http, {
  connection: (req) => {
    if (!values.trace) return limits;
    const id = ++nextId;
    log({ level: 'trace', msg: `handshake ${req.method} ${req.url} HTTP/${req.httpVersion} → 101`, connection: id, headers: req.headers });
    return { ...limits, trace: tracer(id) };
  },
  // The echo server speaks any subprotocol: it selects the client's first choice.
  verify: (_req, protocols) => ({ protocol: protocols[0] }),
});

wss.on('connection', (connection) => {
  connection.on('message', (data, isBinary) => connection.send(data, { binary: isBinary }));
});

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  http.close();
  await wss.shutdown(SHUTDOWN_GRACE_MS);
  http.closeAllConnections();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());

http.on('error', (error) => fail(`cannot listen on ${host}:${port}: ${error.message}`));
http.listen(port, host, () => {
  const address = http.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  process.stdout.write(`listening on ws://${shown}:${address.port}/\n`);
});
