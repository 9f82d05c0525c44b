/**
 * The load generator, in its own process (pinned to the other core): raw node:net clients
 * that do the handshake, then send pre-built masked frames and count the frames coming back.
 * Reports its own CPU time so a saturated generator is visible.
 *
 * Protocol `sio` speaks just enough Engine.IO v4 / Socket.IO v5 over the same raw frames to be
 * a Socket.IO client on the WebSocket transport: connect to /socket.io/?EIO=4&transport=websocket,
 * read the open packet (`0{...}`), send the namespace connect (`40`), read its ack (`40{...}`),
 * then send events `42["m","<size bytes>"]`. The application payload is the same size as for
 * the plain WebSocket servers; Socket.IO's framing adds 10 bytes to each message.
 */
import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { percentile } from '../lib/stats.js';
import { onHttpHead } from './http-head.js';
import { frameExtent, text } from '../../test/ws/helpers/frames.js';

interface Client {
  socket: Socket;
  sentAt: number[];
  leftover: Buffer | undefined;
  onFrame: () => void;
}

type Protocol = 'ws' | 'sio';
const send = (message: unknown) => process.send!(message);
const SOCKET_IO_PATH = '/socket.io/?EIO=4&transport=websocket';
/** Engine.IO "message" (4) + Socket.IO "connect" (0) to the default namespace. */
const SOCKET_IO_CONNECT = '40';
/** Frames the server sends before the socket is usable: the Engine.IO open packet and the connect ack. */
const SOCKET_IO_HANDSHAKE_FRAMES = 2;
const LATENCY_CAPACITY = 4_000_000;
const latencies = new Float64Array(LATENCY_CAPACITY);
let latencyCount = 0;
let clients: Client[] = [];
let received = 0;

/** The echo message: `size` bytes of application payload, in Socket.IO's event framing for `sio`. */
const echoFrame = (size: number, protocol: Protocol) => text(protocol === 'sio' ? `42["m","${'a'.repeat(size)}"]` : 'a'.repeat(size));

/** Counts complete frames (masked or not) in the stream without copying payloads. */
function consume(client: Client, chunk: Buffer): void {
  let data = chunk;
  if (client.leftover) {
    data = Buffer.concat([client.leftover, chunk]);
    client.leftover = undefined;
  }
  let at = 0;
  for (let extent = frameExtent(data, at); extent !== undefined; extent = frameExtent(data, at)) {
    at += extent.header + extent.length;
    client.onFrame();
  }
  if (at < data.length) client.leftover = Buffer.from(data.subarray(at));
}

async function open(port: number, n: number, onFrame: (c: Client) => void, protocol: Protocol = 'ws'): Promise<Client[]> {
  const opened: Client[] = [];
  const BATCH = 200;
  for (let start = 0; start < n; start += BATCH) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(BATCH, n - start) }, () =>
        new Promise<Client>((resolve, reject) => {
          const socket = connect({ port, host: '127.0.0.1' });
          socket.setNoDelay(true);
          socket.on('error', reject);
          const client: Client = { socket, sentAt: [], leftover: undefined, onFrame: () => onFrame(client) };
          onHttpHead(socket, (head, rest) => {
            if (!head.startsWith('HTTP/1.1 101')) return reject(new Error(head.split('\r\n')[0]));
            if (protocol === 'sio') {
              // Socket.IO: the open packet, then our namespace connect, then its ack.
              let seen = 0;
              client.onFrame = () => {
                if (++seen === 1) socket.write(text(SOCKET_IO_CONNECT));
                if (seen === SOCKET_IO_HANDSHAKE_FRAMES) {
                  client.onFrame = () => onFrame(client);
                  resolve(client);
                }
              };
            }
            socket.on('data', (data: Buffer) => consume(client, data));
            if (rest.length) consume(client, rest);
            if (protocol === 'ws') resolve(client);
          });
          socket.write(
            `GET ${protocol === 'sio' ? SOCKET_IO_PATH : '/'} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
          );
        }),
      ),
    );
    opened.push(...batch);
  }
  return opened;
}

function closeAll(): void {
  for (const c of clients) c.socket.destroy();
  clients = [];
}


interface EchoCommand {
  cmd: 'echo';
  port: number;
  conns: number;
  size: number;
  inflight: number;
  warmupMs: number;
  durationMs: number;
  /** Fixed offered load in messages/s (open loop) instead of a closed loop. */
  rate?: number;
  protocol?: Protocol;
}

async function echo(command: EchoCommand): Promise<void> {
  const frame = echoFrame(command.size, command.protocol ?? 'ws');
  let measuring = false;
  received = 0;
  latencyCount = 0;
  clients = await open(command.port, command.conns, (client) => {
    const sentAt = client.sentAt.shift()!;
    if (measuring) {
      received++;
      if (latencyCount < LATENCY_CAPACITY) latencies[latencyCount++] = performance.now() - sentAt;
    }
    if (command.rate === undefined) {
      client.sentAt.push(performance.now());
      client.socket.write(frame);
    }
  }, command.protocol);
  let pacer: NodeJS.Timeout | undefined;
  if (command.rate === undefined) {
    for (const client of clients)
      for (let i = 0; i < command.inflight; i++) {
        client.sentAt.push(performance.now());
        client.socket.write(frame);
      }
  } else {
    // Open loop: every 10 ms, rate/100 messages spread round-robin over the connections.
    const perTick = command.rate / 100;
    let next = 0;
    let owed = 0;
    pacer = setInterval(() => {
      owed += perTick;
      for (; owed >= 1; owed--) {
        const client = clients[next++ % clients.length]!;
        client.sentAt.push(performance.now());
        client.socket.write(frame);
      }
    }, 10);
  }
  await new Promise((resolve) => setTimeout(resolve, command.warmupMs));
  measuring = true;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  send({ type: 'measuring' });
  await new Promise((resolve) => setTimeout(resolve, command.durationMs));
  measuring = false;
  const elapsed = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  clearInterval(pacer);
  const sorted = latencies.slice(0, latencyCount).sort();
  send({
    type: 'echo-result',
    messages: received,
    perSecond: (received * 1000) / elapsed,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    generatorCpuPercent: ((cpu.user + cpu.system) / 1000 / elapsed) * 100,
  });
  closeAll();
}

process.on('message', async (message: { cmd: string; port?: number; conns?: number; expect?: number; protocol?: Protocol } & Partial<EchoCommand>) => {
  try {
    if (message.cmd === 'echo') await echo(message as EchoCommand);
    else if (message.cmd === 'idle') {
      clients = await open(message.port!, message.conns!, () => {}, message.protocol);
      send({ type: 'idle-ready' });
    } else if (message.cmd === 'fanout') {
      received = 0;
      const expect = message.expect!;
      let cpuStart = process.cpuUsage();
      clients = await open(message.port!, message.conns!, () => {
        if (++received === expect) send({ type: 'fanout-done', at: performance.timeOrigin + performance.now(), generatorCpu: process.cpuUsage(cpuStart) });
      }, message.protocol);
      cpuStart = process.cpuUsage();
      send({ type: 'fanout-ready' });
    } else if (message.cmd === 'close') {
      closeAll();
      send({ type: 'closed' });
    } else if (message.cmd === 'exit') process.exit(0);
  } catch (error) {
    send({ type: 'error', message: (error as Error).message });
  }
});
send({ type: 'ready' });

// Never outlive the orchestrator (a crashed run must not leave servers behind).
process.on('disconnect', () => process.exit(0));
