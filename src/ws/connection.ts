/**
 * One WebSocket connection after the `101`: the receiver on the way in, the sender on the
 * way out, the closing handshake (RFC 6455 §7), heartbeats and backpressure.
 *
 * readyState, as in the WHATWG API:
 *
 *     OPEN ──close() / protocol error / slow consumer──▶ CLOSING ──TCP gone──▶ CLOSED
 *       │    (Close frame sent, waiting for the peer's)     │
 *       └──peer's Close frame: echo it (§5.5.1), end TCP (§7.1.1)┘
 *       └──terminate() / TCP lost──────────────────────────────────────────▶ CLOSED
 *
 * `close` is emitted exactly once, when the TCP connection is gone, with the code the peer
 * sent (1005 if its Close frame had none) or 1006 if no Close frame arrived (§7.1.5).
 */
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { CloseCode, isValidWireCloseCode } from './close-codes.js';
import { WebSocketError } from './errors.js';
import { FIN, MAX_CONTROL_PAYLOAD, Opcode } from './opcodes.js';
import { Receiver, type ReceiverHandlers } from './receiver.js';
import { encodeFrame, encodeTextFrame, headerSize, toBuffer, writeFrame, type PreparedFrame } from './sender.js';
import { TRACE_PAYLOAD_PREVIEW, type TraceFn } from './trace.js';

export enum ReadyState {
  CONNECTING = 0,
  OPEN = 1,
  CLOSING = 2,
  CLOSED = 3,
}

export interface ConnectionOptions {
  /** Largest message accepted, in bytes; a longer one closes with 1009. Default 1 MiB. */
  maxMessageSize?: number;
  /** Most frames per message; more closes with 1008. Default 1024. */
  maxFragments?: number;
  /** Unsent bytes beyond which the peer is a slow consumer: close 1008. Default 1 MiB. */
  maxBufferedAmount?: number;
  /** Ping every this many ms; a peer that has not answered by the next ping is dropped. 0 = off (default). */
  heartbeatIntervalMs?: number;
  /** After our Close frame, tear TCP down if the peer has not finished within this. Default 5000. */
  closeTimeoutMs?: number;
  /** Called with every frame in and out (trace mode). */
  trace?: TraceFn;
}

export const DEFAULT_OPTIONS = {
  maxMessageSize: 1024 * 1024,
  maxFragments: 1024,
  maxBufferedAmount: 1024 * 1024,
  heartbeatIntervalMs: 0,
  closeTimeoutMs: 5000,
} as const;

export interface SendOptions {
  /** Send as a binary message (default: binary for Buffers, text for strings). */
  binary?: boolean;
  /** Split the message into frames of at most this many payload bytes (§5.4). */
  fragmentSize?: number;
}

/** §5.5: a Close payload is at most 125 bytes: a 2-byte code and 123 bytes of reason. */
const MAX_CLOSE_REASON = MAX_CONTROL_PAYLOAD - 2;

export interface WebSocketConnectionEvents {
  message: [data: Buffer, isBinary: boolean];
  ping: [payload: Buffer];
  pong: [payload: Buffer];
  close: [code: number, reason: string];
  error: [error: WebSocketError];
}

/**
 * Memory: the socket's listeners are shared module-level functions that find their
 * connection through this symbol, instead of four closures per connection.
 */
const kConnection = Symbol('WebSocketConnection');
type Owned = Duplex & { [kConnection]: WebSocketConnection };

function socketOnData(this: Owned, chunk: Buffer): void {
  this[kConnection].receiveChunk(chunk);
}
function socketOnEnd(this: Owned): void {
  this[kConnection].peerEnded();
}
function socketOnClose(this: Owned): void {
  this[kConnection].socketClosed();
}
function socketOnError(this: Duplex): void {
  // A reset or EPIPE ends in 'close' too; the error itself needs no more handling here.
  this.destroy();
}

/**
 * Write batching (performance, not protocol). The first frame a connection writes in a
 * task goes straight to the kernel; if more follow in the same task (an echo burst for
 * one TCP chunk, broadcasts in a row) the socket is corked, and they leave together in
 * one writev when the task ends. One nextTick per task ends every connection's batch.
 */
enum Batch {
  Idle,
  /** One frame written directly this task. */
  Direct,
  /** More than one: the socket is corked until the task ends. */
  Corked,
}
const batched: WebSocketConnection[] = [];
function endBatches(): void {
  // flush() may write a Close frame (slow consumer), which joins this same list: index loop.
  for (let i = 0; i < batched.length; i++) batched[i]!.flush();
  batched.length = 0;
}

export class WebSocketConnection extends EventEmitter<WebSocketConnectionEvents> implements ReceiverHandlers {
  readonly protocol: string;
  private state = ReadyState.OPEN;
  private readonly socket: Duplex;
  private readonly receiver: Receiver;
  private readonly maxBufferedAmount: number;
  private readonly closeTimeoutMs: number;
  private readonly trace: TraceFn | undefined;
  private closeSent = false;
  private receivedCode: number | undefined;
  private receivedReason = '';
  private closeTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private awaitingPong = false;
  private batch = Batch.Idle;

  constructor(socket: Duplex, head: Buffer | undefined, options: ConnectionOptions = {}, protocol = '') {
    super();
    this.socket = socket;
    this.protocol = protocol;
    this.maxBufferedAmount = options.maxBufferedAmount ?? DEFAULT_OPTIONS.maxBufferedAmount;
    this.closeTimeoutMs = options.closeTimeoutMs ?? DEFAULT_OPTIONS.closeTimeoutMs;
    this.trace = options.trace;
    this.receiver = new Receiver(
      {
        maxMessageSize: options.maxMessageSize ?? DEFAULT_OPTIONS.maxMessageSize,
        maxFragments: options.maxFragments ?? DEFAULT_OPTIONS.maxFragments,
      },
      this,
    );
    if (this.trace) this.onFrame = (frame) => this.trace!('in', frame);
    const tcp = socket as Partial<Socket>;
    // No Nagle delay: a small frame goes out at once. No idle timeout left over from the
    // HTTP server: liveness is the heartbeat's job.
    tcp.setNoDelay?.(true);
    tcp.setTimeout?.(0);
    (socket as Owned)[kConnection] = this;
    socket.on('data', socketOnData);
    socket.on('close', socketOnClose);
    socket.on('end', socketOnEnd);
    socket.on('error', socketOnError);
    // The peer may have vanished while the application decided (e.g. during an async auth
    // check): 'close' already fired, so report it now, still exactly once.
    if (socket.destroyed) queueMicrotask(() => this.socketClosed());
    const heartbeat = options.heartbeatIntervalMs ?? DEFAULT_OPTIONS.heartbeatIntervalMs;
    if (heartbeat > 0) {
      this.heartbeatTimer = setInterval(() => this.heartbeat(), heartbeat);
      this.heartbeatTimer.unref();
    }
    // Node's `upgrade` event hands over any bytes read past the request's headers; after
    // the 101 they can only be frames.
    if (head && head.length > 0) queueMicrotask(() => this.receiveChunk(head));
  }

  get readyState(): ReadyState {
    return this.state;
  }

  /** Bytes handed to the socket that the kernel has not taken yet. */
  get bufferedAmount(): number {
    return this.socket.writableLength;
  }

  /**
   * Sends a text (string) or binary (Buffer) message, optionally split into fragments.
   * Bytes sent as text must be valid UTF-8 (§5.6): they are not checked here, since the
   * usual source is a string or a message the receiver already validated.
   */
  send(data: string | Uint8Array, options: SendOptions = {}): void {
    if (this.state !== ReadyState.OPEN) return;
    const binary = options.binary ?? typeof data !== 'string';
    const opcode = binary ? Opcode.Binary : Opcode.Text;
    const fragmentSize = options.fragmentSize ?? 0;
    if (fragmentSize <= 0 && typeof data === 'string' && !this.trace) {
      // Performance: a whole text message is encoded straight into its frame.
      const frame = encodeTextFrame(data);
      if (binary) frame[0] = FIN | Opcode.Binary; // the same UTF-8 bytes, sent as binary
      this.write(frame);
      return;
    }
    const payload = toBuffer(data);
    if (fragmentSize <= 0 || payload.length <= fragmentSize) {
      this.writeData(opcode, payload, true);
      return;
    }
    // §5.4: the first fragment carries the opcode, the rest are continuations; FIN on the last.
    for (let start = 0; start < payload.length; start += fragmentSize) {
      const end = Math.min(start + fragmentSize, payload.length);
      this.writeData(start === 0 ? opcode : Opcode.Continuation, payload.subarray(start, end), end === payload.length);
    }
  }

  /** Writes a frame built once by `prepareFrame` (broadcast: the same bytes to many sockets). */
  sendPrepared(frame: PreparedFrame): void {
    if (this.state !== ReadyState.OPEN) return;
    if (this.trace) this.traceOut(frame.opcode, frame.bytes.subarray(headerSize(frame.payloadLength)), true);
    this.write(frame.bytes);
  }

  /** §5.5.2: a Ping with up to 125 bytes of application data. */
  ping(payload: string | Uint8Array = Buffer.alloc(0)): void {
    if (this.state !== ReadyState.OPEN) return;
    const bytes = toBuffer(payload);
    if (bytes.length > MAX_CONTROL_PAYLOAD) throw new RangeError('a ping payload is at most 125 bytes (RFC 6455 §5.5)');
    this.writeControl(Opcode.Ping, bytes);
  }

  /**
   * Starts the closing handshake (§7.1.2): sends a Close frame and waits for the peer's,
   * tearing TCP down after `closeTimeoutMs` if it does not come.
   */
  close(code: number = CloseCode.Normal, reason = ''): void {
    if (this.state !== ReadyState.OPEN) return;
    // §7.4.1: 1004 is reserved and 1005, 1006, 1015 "MUST NOT be set as a status code in a
    // Close control frame"; §7.4.2: 0–999 and 1016–2999 are not ours to send.
    if (!isValidWireCloseCode(code)) throw new RangeError(`close code ${code} may not be sent (RFC 6455 §7.4)`);
    const reasonBytes = Buffer.from(reason, 'utf8');
    if (reasonBytes.length > MAX_CLOSE_REASON) throw new RangeError('a close reason is at most 123 bytes (RFC 6455 §5.5)');
    this.sendClose(code, reasonBytes);
    this.startCloseTimer();
  }

  /** Drops the TCP connection at once, without a closing handshake. */
  terminate(): void {
    this.receiver.stop();
    if (this.state !== ReadyState.CLOSED) this.state = ReadyState.CLOSING;
    this.socket.destroy();
  }

  // ── incoming ────────────────────────────────────────────────────────────────

  /** @internal The socket's 'data' listener. */
  receiveChunk(chunk: Buffer): void {
    this.receiver.write(chunk);
  }

  // ReceiverHandlers: called by the receiver, not by applications.

  /** @internal A complete message. */
  onMessage(data: Buffer, isBinary: boolean): void {
    this.emit('message', data, isBinary);
  }

  /** @internal Trace hook, set only in trace mode. */
  onFrame: ReceiverHandlers['onFrame'] = undefined;

  /**
   * @internal §5.5.2: "Upon receipt of a Ping frame, an endpoint MUST send a Pong frame in
   * response, unless it already received a Close frame", with the same data. The receiver
   * reads nothing after a Close, so every ping that gets here is answered, even while our
   * own Close is on its way (only data frames must not follow it, §5.5.1).
   */
  onPing(payload: Buffer): void {
    this.writeControl(Opcode.Pong, payload);
    this.emit('ping', payload);
  }

  /** @internal §5.5.3: "A Pong frame MAY be sent unsolicited"; it proves the peer alive and needs no answer. */
  onPong(payload: Buffer): void {
    this.awaitingPong = false;
    this.emit('pong', payload);
  }

  /** @internal §5.5.1 / §7.1.5: the peer's Close frame. */
  onClose(code: number, reason: string): void {
    this.receivedCode = code;
    this.receivedReason = reason;
    if (!this.closeSent) {
      // §5.5.1: "If an endpoint receives a Close frame and did not previously send a Close
      // frame, the endpoint MUST send a Close frame in response" ... "(When sending a Close
      // frame in response, the endpoint typically echos the status code it received.)" A
      // Close without a code is answered without one.
      this.sendClose(code === CloseCode.NoStatusReceived ? undefined : code, Buffer.alloc(0));
    }
    // §7.1.1: "the underlying TCP connection, in most normal cases, SHOULD be closed first
    // by the server" — end our side now; the close timer covers a peer that never closes its side.
    this.socket.end();
    this.startCloseTimer();
  }

  /** @internal §7.1.7 "_Fail the WebSocket Connection_": send the error's close code, then close TCP. */
  onError(error: WebSocketError): void {
    if (!this.closeSent) this.sendClose(error.closeCode, Buffer.alloc(0));
    this.socket.end();
    this.startCloseTimer();
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  /** @internal The peer closed its side of TCP. */
  peerEnded(): void {
    // The peer closed its side. If the closing handshake is done (or never started), we are done too.
    this.receiver.stop();
    this.socket.end();
  }

  /** @internal The TCP connection is gone. */
  socketClosed(): void {
    if (this.state === ReadyState.CLOSED) return;
    this.state = ReadyState.CLOSED;
    this.receiver.stop();
    clearTimeout(this.closeTimer);
    clearInterval(this.heartbeatTimer);
    // §7.1.5: the code is the one in the peer's Close frame; §7.1.5 / §7.4.1 1006 when none arrived.
    this.emit('close', this.receivedCode ?? CloseCode.Abnormal, this.receivedReason);
  }

  private heartbeat(): void {
    if (this.state !== ReadyState.OPEN) return;
    // Dead-peer detection: the previous ping is still unanswered.
    if (this.awaitingPong) {
      this.terminate();
      return;
    }
    this.awaitingPong = true;
    this.writeControl(Opcode.Ping, Buffer.alloc(0));
  }

  // ── outgoing ────────────────────────────────────────────────────────────────

  private sendClose(code: number | undefined, reason: Buffer): void {
    this.closeSent = true;
    this.state = ReadyState.CLOSING;
    let payload = Buffer.alloc(0);
    if (code !== undefined) {
      payload = Buffer.allocUnsafe(2 + reason.length);
      payload.writeUInt16BE(code, 0);
      reason.copy(payload, 2);
    }
    this.writeControl(Opcode.Close, payload);
  }

  private startCloseTimer(): void {
    if (this.closeTimer || this.state === ReadyState.CLOSED) return;
    this.closeTimer = setTimeout(() => this.socket.destroy(), this.closeTimeoutMs);
    this.closeTimer.unref();
  }

  private writeControl(opcode: number, payload: Buffer): void {
    if (this.socket.destroyed || !this.socket.writable) return;
    if (this.trace) this.traceOut(opcode, payload, true);
    this.write(encodeFrame(opcode, payload, true));
  }

  private writeData(opcode: number, payload: Buffer, fin: boolean): void {
    if (this.trace) this.traceOut(opcode, payload, fin);
    this.startBatch();
    writeFrame(this.socket, opcode, payload, fin);
  }

  private write(bytes: Buffer): void {
    this.startBatch();
    this.socket.write(bytes);
  }

  /** Called before each frame is written: see Batch. nextTick runs before any I/O, so no latency is added. */
  private startBatch(): void {
    if (this.batch === Batch.Corked) return;
    if (this.batch === Batch.Direct) {
      this.batch = Batch.Corked;
      this.socket.cork();
      return;
    }
    this.batch = Batch.Direct;
    if (batched.push(this) === 1) process.nextTick(endBatches);
  }

  /** @internal Ends a write batch: the bytes go to the kernel; what it cannot take yet stays buffered. */
  flush(): void {
    if (this.batch === Batch.Corked) this.socket.uncork();
    this.batch = Batch.Idle;
    this.checkBackpressure();
  }

  /**
   * Slow-consumer policy (ours, not the RFC's), checked after each write batch is handed
   * to the kernel, so it counts only what the peer has not taken: when unsent data passes
   * `maxBufferedAmount`, stop sending and close with 1008, so one stuck reader cannot grow
   * the server's memory. The Close frame queues behind the backlog; if the peer never
   * drains it, the close timer tears TCP down.
   */
  private checkBackpressure(): void {
    if (this.socket.writableLength <= this.maxBufferedAmount || this.state !== ReadyState.OPEN) return;
    this.onError(new WebSocketError('slow_consumer', CloseCode.PolicyViolation, `more than ${this.maxBufferedAmount} bytes waiting to be sent`));
  }

  private traceOut(opcode: number, payload: Buffer, fin: boolean): void {
    this.trace!('out', {
      fin,
      rsv1: false,
      rsv2: false,
      rsv3: false,
      opcode,
      masked: false,
      payloadLength: payload.length,
      maskingKey: undefined,
      payload: Buffer.from(payload.subarray(0, TRACE_PAYLOAD_PREVIEW)),
    });
  }
}
