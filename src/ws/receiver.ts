/**
 * The frame receiver (RFC 6455 §5.2–§5.5): an explicit, resumable state machine fed TCP
 * chunks of any size, down to one byte at a time.
 *
 *     READ_HEADER ──len 0..125─────────────┬──MASK=1──▶ READ_MASK ──▶ READ_PAYLOAD ──▶ READ_HEADER
 *          │ len 126 ──▶ READ_LENGTH_16 ───┤                                ▲    │
 *          │ len 127 ──▶ READ_LENGTH_64 ───┴──MASK=0 (client side)──────────┘    └─ close frame ──▶ CLOSED
 *
 *     any state ──a check fails (§7.1.7)──▶ CLOSED
 *
 * Memory discipline ("views, not copies"):
 * - unread input is a list of chunks plus an offset into the first; header fields are read
 *   in place and copied only when a field spans two chunks (at most 8 bytes);
 * - a payload is collected as views of the chunks it arrived in, unmasked in place, and
 *   joined once when it spans chunks; fragments are joined once, at FIN;
 * - because the payload is consumed as it arrives, the chunk list never holds more than a
 *   header's worth of bytes, and a payload arriving as many tiny chunks is moved into one
 *   buffer after MAX_PAYLOAD_PIECES pieces, so neither list can grow without bound. That
 *   buffer doubles as bytes arrive, up to the announced length: it never holds more than
 *   twice what was received, so announcing 16 MiB and trickling bytes reserves nothing.
 * Every limit is checked the moment a length is known, before a payload byte is kept.
 */
import { CloseCode, isValidWireCloseCode } from './close-codes.js';
import { WebSocketError } from './errors.js';
import { applyMask } from './mask.js';
import {
  FIN,
  isControl,
  isKnownOpcode,
  LEN_16_MARKER,
  LEN_64_MARKER,
  LEN_MASK,
  MASK_BIT,
  MASK_KEY_LENGTH,
  MAX_CONTROL_PAYLOAD,
  Opcode,
  opcodeName,
  OPCODE_MASK,
  RSV1,
  RSV2,
  RSV3,
  RSV_MASK,
} from './opcodes.js';
import { TRACE_PAYLOAD_PREVIEW, type FrameInfo } from './trace.js';
import { isValidUtf8, Utf8Validator } from './utf8.js';

export enum ReceiverState {
  READ_HEADER = 'READ_HEADER',
  READ_LENGTH_16 = 'READ_LENGTH_16',
  READ_LENGTH_64 = 'READ_LENGTH_64',
  READ_MASK = 'READ_MASK',
  READ_PAYLOAD = 'READ_PAYLOAD',
  /**
   * After a Close frame (§1.4: "a peer discards any further data received") or a failure
   * (§7.1.7: an endpoint "MUST NOT continue to attempt to process data"): nothing more is read.
   */
  CLOSED = 'CLOSED',
}

export interface ReceiverOptions {
  /** Largest message (sum of its fragments' payloads) accepted; beyond it, close 1009. */
  maxMessageSize: number;
  /** Most frames one message may be split into; beyond it, close 1008. */
  maxFragments: number;
  /**
   * §5.1: "The server MUST close the connection upon receiving a frame that is not masked"
   * and "a client MUST close a connection if it detects a masked frame". True (the default)
   * for a server-side receiver.
   */
  expectMasked?: boolean;
}

export interface ReceiverHandlers {
  onMessage(data: Buffer, isBinary: boolean): void;
  onPing(payload: Buffer): void;
  onPong(payload: Buffer): void;
  /** A valid Close frame arrived; `code` is 1005 when it carried none (§7.1.5). */
  onClose(code: number, reason: string): void;
  /** The connection must be failed with `error.closeCode` (§7.1.7). */
  onError(error: WebSocketError): void;
  /** Every complete frame, for trace mode. */
  onFrame?: (frame: FrameInfo) => void;
}

/** After this many pieces, a payload still arriving is gathered into one buffer instead. */
export const MAX_PAYLOAD_PIECES = 64;
/** The gathering buffer's first size, at least (it then doubles). */
const MIN_GATHER_BYTES = 4096;
const CLOSE_CODE_LENGTH = 2;
const EMPTY = Buffer.alloc(0);

export class Receiver {
  private stateValue = ReceiverState.READ_HEADER;
  private readonly maxMessageSize: number;
  private readonly maxFragments: number;
  private readonly expectMasked: boolean;
  private readonly handlers: ReceiverHandlers;

  // Unread input: chunks[0] is read from `offset`; `buffered` counts unread bytes.
  private chunks: Buffer[] = [];
  private offset = 0;
  private buffered = 0;

  // The frame being read (§5.2 fields).
  private fin = false;
  private rsv = 0;
  private opcode = 0;
  private masked = false;
  private payloadLength = 0;
  /** A view of the 4 key bytes in the input (no per-connection buffer). */
  private maskKey: Buffer = EMPTY;
  private payloadRead = 0;
  /** A header was read and its frame not yet completed: trace shows it even if it is refused. */
  private inFrame = false;
  private pieces: Buffer[] = [];
  private gathered: Buffer | undefined;

  // The message being assembled from fragments (§5.4). 0 = no message open.
  private messageOpcode = 0;
  private messageLength = 0;
  private fragmentCount = 0;
  private fragments: Buffer[] = [];
  /** Created on the first text message (memory: idle connections carry none). */
  private utf8Validator: Utf8Validator | undefined;

  constructor(options: ReceiverOptions, handlers: ReceiverHandlers) {
    this.maxMessageSize = options.maxMessageSize;
    this.maxFragments = options.maxFragments;
    this.expectMasked = options.expectMasked ?? true;
    this.handlers = handlers;
  }

  private get utf8(): Utf8Validator {
    return (this.utf8Validator ??= new Utf8Validator());
  }

  get state(): ReceiverState {
    return this.stateValue;
  }

  /** Feeds the next bytes from the TCP stream. */
  write(chunk: Buffer): void {
    if (this.stateValue === ReceiverState.CLOSED || chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    this.run();
  }

  /** Stops reading for good and drops everything buffered (the connection is gone). */
  stop(): void {
    this.stateValue = ReceiverState.CLOSED;
    this.chunks = [];
    this.buffered = 0;
    this.pieces = [];
    this.fragments = [];
    this.gathered = undefined;
  }

  /** Runs the state machine until it needs more bytes or stops. */
  private run(): void {
    for (;;) {
      switch (this.stateValue) {
        case ReceiverState.READ_HEADER:
          if (this.buffered < 2) return;
          this.readHeader();
          break;
        case ReceiverState.READ_LENGTH_16:
          if (this.buffered < 2) return;
          this.readLength16();
          break;
        case ReceiverState.READ_LENGTH_64:
          if (this.buffered < 8) return;
          this.readLength64();
          break;
        case ReceiverState.READ_MASK:
          if (this.buffered < MASK_KEY_LENGTH) return;
          this.maskKey = this.take(MASK_KEY_LENGTH);
          this.stateValue = ReceiverState.READ_PAYLOAD;
          break;
        case ReceiverState.READ_PAYLOAD:
          if (!this.readPayload()) return;
          break;
        case ReceiverState.CLOSED:
          return;
      }
    }
  }

  /** READ_HEADER: the first two bytes (§5.2), and every check they allow. */
  private readHeader(): void {
    const b0 = this.takeByte();
    const b1 = this.takeByte();
    this.fin = (b0 & FIN) !== 0;
    this.rsv = b0 & RSV_MASK;
    this.opcode = b0 & OPCODE_MASK;
    this.masked = (b1 & MASK_BIT) !== 0;
    const length7 = b1 & LEN_MASK;
    this.payloadLength = length7; // 126/127 until the extended length is read
    this.maskKey = EMPTY;
    this.inFrame = true;

    // §5.2: RSV1-3 "MUST be 0 unless an extension is negotiated that defines meanings for
    // non-zero values. If a nonzero value is received and none of the negotiated extensions
    // defines the meaning of such a nonzero value, the receiving endpoint MUST _Fail the
    // WebSocket Connection_". We negotiate none.
    if (this.rsv !== 0) return this.fail('reserved_bits', CloseCode.ProtocolError, `reserved bits set (0x${this.rsv.toString(16)}) without a negotiated extension`);
    // §5.2: "If an unknown opcode is received, the receiving endpoint MUST _Fail the WebSocket Connection_."
    if (!isKnownOpcode(this.opcode)) return this.fail('reserved_opcode', CloseCode.ProtocolError, `reserved opcode ${opcodeName(this.opcode)}`);
    if (isControl(this.opcode)) {
      // §5.5: "All control frames MUST have a payload length of 125 bytes or less and MUST NOT be fragmented."
      if (!this.fin) return this.fail('fragmented_control_frame', CloseCode.ProtocolError, `fragmented ${opcodeName(this.opcode)} frame`);
      if (length7 > MAX_CONTROL_PAYLOAD) return this.fail('control_frame_too_long', CloseCode.ProtocolError, `${opcodeName(this.opcode)} frame longer than 125 bytes`);
    } else if (this.opcode === Opcode.Continuation) {
      // §5.4: a continuation frame only continues a message that was started.
      if (this.messageOpcode === 0) return this.fail('unexpected_continuation', CloseCode.ProtocolError, 'continuation frame without a message to continue');
    } else if (this.messageOpcode !== 0) {
      // §5.4: "The fragments of one message MUST NOT be interleaved between the fragments of
      // another message unless an extension has been negotiated that can interpret the
      // interleaving." We negotiate none: a new text/binary frame inside an open message fails.
      return this.fail('expected_continuation', CloseCode.ProtocolError, `${opcodeName(this.opcode)} frame inside a fragmented message`);
    }
    // §5.1: "The server MUST close the connection upon receiving a frame that is not masked"
    // (and a client must fail on a masked one).
    if (this.masked !== this.expectMasked) {
      return this.masked
        ? this.fail('masked_server_frame', CloseCode.ProtocolError, 'masked frame from a server')
        : this.fail('unmasked_frame', CloseCode.ProtocolError, 'unmasked frame from a client');
    }

    if (length7 === LEN_16_MARKER) {
      this.stateValue = ReceiverState.READ_LENGTH_16;
    } else if (length7 === LEN_64_MARKER) {
      this.stateValue = ReceiverState.READ_LENGTH_64;
    } else {
      this.lengthKnown();
    }
  }

  /** READ_LENGTH_16: §5.2 "If 126, the following 2 bytes interpreted as a 16-bit unsigned integer are the payload length." */
  private readLength16(): void {
    this.payloadLength = (this.takeByte() << 8) | this.takeByte(); // network byte order
    // Our policy: a non-minimal length encoding (§5.2 "the minimal number of bytes MUST be
    // used") is a sender's obligation; like most receivers we accept it.
    this.lengthKnown();
  }

  /** READ_LENGTH_64: §5.2 "If 127, the following 8 bytes interpreted as a 64-bit unsigned integer (the most significant bit MUST be 0)". */
  private readLength64(): void {
    const bytes = this.take(8);
    const high = bytes.readUInt32BE(0);
    if (high >= 0x80000000) return this.fail('length_high_bit', CloseCode.ProtocolError, '64-bit payload length with its most significant bit set');
    // Exact below 2^53; anything larger is far past every size limit anyway.
    this.payloadLength = high * 2 ** 32 + bytes.readUInt32BE(4);
    this.lengthKnown();
  }

  /** The payload length is known: enforce the limits now, before a byte of payload is kept. */
  private lengthKnown(): void {
    if (!isControl(this.opcode)) {
      this.fragmentCount = this.opcode === Opcode.Continuation ? this.fragmentCount + 1 : 1;
      // Our policy (not in the RFC): a message split into too many frames is refused, so a
      // stream of tiny fragments cannot pile up per-fragment bookkeeping.
      if (this.fragmentCount > this.maxFragments) {
        return this.fail('too_many_fragments', CloseCode.PolicyViolation, `message split into more than ${this.maxFragments} fragments`);
      }
      // §7.4.1 1009: "a message that is too big for it to process".
      if (this.messageLength + this.payloadLength > this.maxMessageSize) {
        return this.fail('message_too_big', CloseCode.MessageTooBig, `message larger than ${this.maxMessageSize} bytes`);
      }
      if (this.opcode !== Opcode.Continuation) this.messageOpcode = this.opcode;
    }
    this.payloadRead = 0;
    this.stateValue = this.masked ? ReceiverState.READ_MASK : ReceiverState.READ_PAYLOAD;
  }

  /**
   * READ_PAYLOAD: takes whatever payload bytes have arrived, unmasks and (for text)
   * validates them at once — so invalid UTF-8 fails fast — and completes the frame when
   * all are in. Returns false when it needs more input.
   */
  private readPayload(): boolean {
    const validate = !isControl(this.opcode) && this.messageOpcode === Opcode.Text;
    while (this.payloadRead < this.payloadLength) {
      if (this.buffered === 0) return false;
      const first = this.chunks[0]!;
      const count = Math.min(first.length - this.offset, this.payloadLength - this.payloadRead);
      const piece = first.subarray(this.offset, this.offset + count);
      this.advance(count);
      // §5.3: unmask in place; the key index continues where the previous piece stopped.
      if (this.masked) applyMask(piece, this.maskKey, this.payloadRead & 3);
      // §8.1: "MUST _Fail the WebSocket Connection_" on invalid UTF-8 in a text message.
      if (validate && !this.utf8.write(piece)) {
        this.fail('invalid_utf8', CloseCode.InvalidPayload, 'invalid UTF-8 in a text message', piece);
        return true;
      }
      this.keepPiece(piece);
      this.payloadRead += count;
    }
    const payload = this.collectPayload();
    this.stateValue = ReceiverState.READ_HEADER;
    this.frameComplete(payload);
    return true;
  }

  /** Keeps a piece of the payload; `payloadRead` is where it starts. */
  private keepPiece(piece: Buffer): void {
    if (this.gathered === undefined) {
      this.pieces.push(piece);
      if (this.pieces.length <= MAX_PAYLOAD_PIECES) return;
      // Many tiny chunks: copy them into one buffer from now on.
      const kept = this.pieces;
      this.pieces = [];
      const received = this.payloadRead + piece.length;
      this.gathered = Buffer.allocUnsafe(Math.min(this.payloadLength, Math.max(MIN_GATHER_BYTES, 2 * received)));
      let at = 0;
      for (const bytes of kept) {
        this.gathered.set(bytes, at);
        at += bytes.length;
      }
      return;
    }
    const needed = this.payloadRead + piece.length;
    if (needed > this.gathered.length) {
      // Doubling keeps the copies to O(n) in all, and the buffer within 2× what arrived.
      const grown = Buffer.allocUnsafe(Math.min(this.payloadLength, Math.max(needed, 2 * this.gathered.length)));
      grown.set(this.gathered.subarray(0, this.payloadRead));
      this.gathered = grown;
    }
    this.gathered.set(piece, this.payloadRead);
  }

  private collectPayload(): Buffer {
    const gathered = this.gathered;
    const pieces = this.pieces;
    this.gathered = undefined;
    if (gathered) return gathered;
    if (pieces.length === 0) return EMPTY;
    this.pieces = [];
    if (pieces.length === 1) return pieces[0]!;
    return Buffer.concat(pieces, this.payloadLength);
  }

  private frameComplete(payload: Buffer): void {
    this.inFrame = false;
    if (this.handlers.onFrame) this.handlers.onFrame(this.frameInfo(payload));
    switch (this.opcode) {
      case Opcode.Close:
        return this.closeFrame(payload);
      case Opcode.Ping:
        return this.handlers.onPing(payload);
      case Opcode.Pong:
        return this.handlers.onPong(payload);
      default:
        return this.dataFrame(payload);
    }
  }

  /** §5.4: fragments are kept until FIN, then joined once. */
  private dataFrame(payload: Buffer): void {
    this.messageLength += payload.length;
    if (!this.fin) {
      // A small fragment may be a view into a much larger chunk; keep a copy instead so
      // retained fragments never pin big buffers (memory, not correctness).
      this.fragments.push(payload.buffer.byteLength > payload.length * 4 ? Buffer.from(payload) : payload);
      return;
    }
    const isBinary = this.messageOpcode === Opcode.Binary;
    let data = payload;
    if (this.fragments.length > 0) {
      this.fragments.push(payload);
      data = Buffer.concat(this.fragments, this.messageLength);
    }
    this.fragments = [];
    this.messageOpcode = 0;
    this.messageLength = 0;
    this.fragmentCount = 0;
    // §8.1 / RFC 3629: a text message ending inside a code point is invalid.
    if (!isBinary && !this.utf8.end()) return this.fail('invalid_utf8', CloseCode.InvalidPayload, 'text message ends inside a UTF-8 sequence');
    this.handlers.onMessage(data, isBinary);
  }

  /** §5.5.1 and §7.1.5: the Close frame's optional status code and UTF-8 reason. */
  private closeFrame(payload: Buffer): void {
    // §1.4: after a Close frame "a peer discards any further data received".
    this.stop();
    if (payload.length === 0) return this.handlers.onClose(CloseCode.NoStatusReceived, '');
    // §5.5.1: "If there is a body, the first two bytes of the body MUST be a 2-byte unsigned
    // integer" — so a 1-byte body is malformed.
    if (payload.length < CLOSE_CODE_LENGTH) return this.fail('invalid_close_payload', CloseCode.ProtocolError, 'close frame with a 1-byte payload');
    const code = payload.readUInt16BE(0);
    // §7.4.1–§7.4.2 (with IANA's 1012–1014): only 1000–1003, 1007–1014 and 3000–4999;
    // 1004–1006 and 1015 are reserved, 0–999 unused, 1016–2999 kept for the protocol.
    if (!isValidWireCloseCode(code)) return this.fail('invalid_close_code', CloseCode.ProtocolError, `invalid close code ${code}`);
    const reason = payload.subarray(CLOSE_CODE_LENGTH);
    // §5.5.1: after the code the body "MAY contain UTF-8-encoded data"; §8.1: invalid
    // UTF-8 fails the connection.
    if (!isValidUtf8(reason)) return this.fail('invalid_utf8', CloseCode.InvalidPayload, 'invalid UTF-8 in the close reason');
    this.handlers.onClose(code, reason.toString('utf8'));
  }

  private frameInfo(payload: Buffer): FrameInfo {
    return {
      fin: this.fin,
      rsv1: (this.rsv & RSV1) !== 0,
      rsv2: (this.rsv & RSV2) !== 0,
      rsv3: (this.rsv & RSV3) !== 0,
      opcode: this.opcode,
      masked: this.masked,
      payloadLength: this.payloadLength,
      maskingKey: this.maskKey.length > 0 ? Buffer.from(this.maskKey) : undefined,
      payload: Buffer.from(payload.subarray(0, TRACE_PAYLOAD_PREVIEW)),
    };
  }

  /** `payload`: the refused frame's payload so far, for trace mode. */
  private fail(code: ConstructorParameters<typeof WebSocketError>[0], closeCode: number, message: string, payload?: Buffer): void {
    // Trace mode shows the refused frame too: the learner sees what broke the rule.
    if (this.inFrame && this.handlers.onFrame) this.handlers.onFrame(this.frameInfo(this.pieces[0] ?? this.gathered ?? payload ?? EMPTY));
    this.inFrame = false;
    this.stop();
    this.handlers.onError(new WebSocketError(code, closeCode, message));
  }

  /** The next unread byte. Performance: the 1- and 2-byte header fields are read this way, with no view. */
  private takeByte(): number {
    const byte = this.chunks[0]![this.offset]!;
    this.advance(1);
    return byte;
  }

  /**
   * Returns the next `count` unread bytes: a view when they lie in one chunk, otherwise
   * a copy (only the masking key and the 64-bit length, at most 8 bytes, are read this way).
   */
  private take(count: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length - this.offset >= count) {
      const view = first.subarray(this.offset, this.offset + count);
      this.advance(count);
      return view;
    }
    const out = Buffer.allocUnsafe(count);
    let filled = 0;
    while (filled < count) {
      const chunk = this.chunks[0]!;
      const n = Math.min(chunk.length - this.offset, count - filled);
      chunk.copy(out, filled, this.offset, this.offset + n);
      filled += n;
      this.advance(n);
    }
    return out;
  }

  /** Marks `count` bytes of the first chunk as read. */
  private advance(count: number): void {
    this.offset += count;
    this.buffered -= count;
    if (this.offset === this.chunks[0]!.length) {
      this.chunks.shift();
      this.offset = 0;
    }
  }
}
