/**
 * One benchmark server, in its own process (forked by run.ts with IPC, pinned to a core):
 *   node --expose-gc --import tsx bench/ws/server.ts ours|ws|sio|raw
 * `ours` is SocketLink's engine (from dist/), `ws` the ws package, `sio` Socket.IO on its
 * WebSocket transport only (Engine.IO v4 framing over ws, the way most Node chat apps ship),
 * `raw` a node:net echo of the same bytes after a fixed handshake (the ceiling: no parsing); its
 * broadcast writes one hand-built frame to every socket.
 * IPC commands: usage (CPU, RSS, heap after GC), broadcast (one message to every socket).
 */
import { createServer } from 'node:http';
import { createServer as createNetServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { WebSocketServer as WsServer, type WebSocket } from 'ws';
import { Server as SocketIoServer } from 'socket.io';
import { built } from '../lib/built.js';
import { onHttpHead } from './http-head.js';
import type { WebSocketConnection } from '../../src/ws/index.js';

const { prepareFrame, WebSocketServer } = await built<typeof import('../../src/ws/index.js')>('ws/index.js');

const impl = process.argv[2] as 'ours' | 'ws' | 'sio' | 'raw';
/** Socket.IO's heartbeat would put ping frames among the counted ones; no phase lasts this long. */
const SOCKET_IO_PING_MS = 600_000;
/** The Socket.IO event name both directions use (a one-letter name keeps its framing small). */
const SOCKET_IO_EVENT = 'm';
const send = (message: unknown) => process.send!(message);

let broadcast: (payload: string) => void = () => {};
let count = () => 0;
let port = 0;

if (impl === 'ours') {
  const http = createServer();
  const wss = new WebSocketServer(http, { connection: { maxMessageSize: 16 * 1024 * 1024 } });
  wss.on('connection', (c: WebSocketConnection) => c.on('message', (data, isBinary) => c.send(data, { binary: isBinary })));
  // The frame is built once and the same bytes written to every socket.
  broadcast = (payload) => {
    const frame = prepareFrame(payload);
    for (const c of wss.connections) c.sendPrepared(frame);
  };
  count = () => wss.connections.size;
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  port = (http.address() as AddressInfo).port;
} else if (impl === 'ws') {
  const http = createServer();
  const wss = new WsServer({ server: http, perMessageDeflate: false, maxPayload: 16 * 1024 * 1024 });
  wss.on('connection', (ws: WebSocket) => ws.on('message', (data, isBinary) => ws.send(data as Buffer, { binary: isBinary })));
  // The usual way with ws: send() per client (each call builds its own frame).
  broadcast = (payload) => {
    for (const client of wss.clients) client.send(payload);
  };
  count = () => wss.clients.size;
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  port = (http.address() as AddressInfo).port;
} else if (impl === 'sio') {
  const http = createServer();
  const io = new SocketIoServer(http, {
    transports: ['websocket'],
    serveClient: false,
    perMessageDeflate: false,
    maxHttpBufferSize: 16 * 1024 * 1024,
    pingInterval: SOCKET_IO_PING_MS,
    pingTimeout: SOCKET_IO_PING_MS,
  });
  io.on('connection', (socket) => socket.on(SOCKET_IO_EVENT, (data: unknown) => socket.emit(SOCKET_IO_EVENT, data)));
  // Socket.IO's own broadcast: the packet is encoded once by the adapter, then written per client.
  broadcast = (payload) => io.emit(SOCKET_IO_EVENT, payload);
  count = () => io.engine.clientsCount;
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  port = (http.address() as AddressInfo).port;
} else {
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    onHttpHead(socket, (head, rest) => {
      const key = /sec-websocket-key: *(\S+)/i.exec(head)?.[1] ?? '';
      const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
      if (rest.length) socket.write(rest);
      socket.on('data', (data: Buffer) => socket.write(data)); // the same bytes straight back
    });
  });
  // The fan-out ceiling: one unmasked text frame (RFC 6455 §5.2, 7-bit length) built by hand
  // once, and written to every socket as it is; no engine, no bookkeeping.
  broadcast = (payload) => {
    const body = Buffer.from(payload);
    if (body.length > 125) throw new RangeError('the raw broadcast uses the 7-bit length form');
    const frame = Buffer.concat([Buffer.from([0x81, body.length]), body]);
    for (const socket of sockets) socket.write(frame);
  };
  count = () => sockets.size;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
}

process.on('message', async (message: { cmd: string; payload?: string; rounds?: number; spread?: boolean }) => {
  if (message.cmd === 'usage') {
    (globalThis as { gc?: () => void }).gc?.();
    const memory = process.memoryUsage();
    send({ type: 'usage', cpu: process.cpuUsage(), rss: memory.rss, heapUsed: memory.heapUsed, connections: count() });
  } else if (message.cmd === 'broadcast') {
    // spread: one broadcast per event-loop turn (no write batching across broadcasts).
    let ms = 0;
    for (let r = 0; r < (message.rounds ?? 1); r++) {
      if (message.spread && r > 0) await new Promise((resolve) => setImmediate(resolve));
      const start = performance.now();
      broadcast(message.payload!);
      ms += performance.now() - start;
    }
    send({ type: 'broadcast-sent', ms });
  } else if (message.cmd === 'exit') {
    process.exit(0);
  }
});
send({ type: 'ready', port });

// Never outlive the orchestrator (a crashed run must not leave servers behind).
process.on('disconnect', () => process.exit(0));
