/**
 * Building server frames (RFC 6455 §5.2). A server never masks (§5.1: "A server MUST NOT
 * mask any frames that it sends to the client"), so a frame is a 2-, 4- or 10-byte header
 * followed by the payload as is.
 */
import type { Duplex } from 'node:stream';
import {
  FIN,
  LEN_16_MARKER,
  LEN_64_MARKER,
  MAX_LEN_16,
  MAX_LEN_7,
  Opcode,
} from './opcodes.js';

/** Header size for a payload of `length` bytes: the 7-bit, 16-bit or 64-bit length form. */
export function headerSize(length: number): number {
  if (length <= MAX_LEN_7) return 2;
  if (length <= MAX_LEN_16) return 4;
  return 10;
}

/**
 * Writes a frame header into `target` at `offset` and returns the header size.
 * §5.2: "the minimal number of bytes MUST be used to encode the length".
 */
export function writeHeader(target: Buffer, offset: number, opcode: number, length: number, fin: boolean): number {
  target[offset] = (fin ? FIN : 0) | opcode;
  if (length <= MAX_LEN_7) {
    target[offset + 1] = length; // MASK bit 0: servers do not mask
    return 2;
  }
  if (length <= MAX_LEN_16) {
    target[offset + 1] = LEN_16_MARKER;
    target.writeUInt16BE(length, offset + 2);
    return 4;
  }
  target[offset + 1] = LEN_64_MARKER;
  // §5.2: the 64-bit length's most significant bit MUST be 0; Buffer lengths are < 2^53.
  target.writeUInt32BE(Math.floor(length / 2 ** 32), offset + 2);
  target.writeUInt32BE(length >>> 0, offset + 6);
  return 10;
}

/** A complete frame in one buffer: header and payload. */
export function encodeFrame(opcode: number, payload: Uint8Array, fin = true): Buffer {
  const size = headerSize(payload.length);
  const frame = Buffer.allocUnsafe(size + payload.length);
  writeHeader(frame, 0, opcode, payload.length, fin);
  frame.set(payload, size);
  return frame;
}

/** A text frame straight from a string: one allocation, the string encoded in place. */
export function encodeTextFrame(text: string, length = Buffer.byteLength(text)): Buffer {
  const size = headerSize(length);
  const frame = Buffer.allocUnsafe(size + length);
  writeHeader(frame, 0, Opcode.Text, length, true);
  frame.write(text, size, 'utf8');
  return frame;
}

/**
 * A frame built once, to be written to many sockets (broadcast): the same bytes go to
 * every client, so the header and payload are assembled a single time.
 */
export interface PreparedFrame {
  readonly bytes: Buffer;
  readonly opcode: number;
  readonly payloadLength: number;
}

/** Bytes prepared as text must be valid UTF-8 (§5.6); they are not checked here. */
export function prepareFrame(data: string | Uint8Array, binary = typeof data !== 'string'): PreparedFrame {
  const opcode = binary ? Opcode.Binary : Opcode.Text;
  if (typeof data === 'string') {
    const payloadLength = Buffer.byteLength(data);
    const bytes = encodeTextFrame(data, payloadLength);
    bytes[0] = FIN | opcode; // a string sent as binary keeps its UTF-8 bytes
    return { bytes, opcode, payloadLength };
  }
  return { bytes: encodeFrame(opcode, data), opcode, payloadLength: data.length };
}

export function toBuffer(data: string | Uint8Array): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Performance: below this size header and payload are copied into one buffer and written
 * once; above it they are written separately under `cork()` so the payload is not copied.
 */
export const COPY_THRESHOLD = 1024;

/** Writes one frame to `socket`. */
export function writeFrame(socket: Duplex, opcode: number, payload: Buffer, fin: boolean): void {
  if (payload.length < COPY_THRESHOLD) {
    socket.write(encodeFrame(opcode, payload, fin));
    return;
  }
  const header = Buffer.allocUnsafe(headerSize(payload.length));
  writeHeader(header, 0, opcode, payload.length, fin);
  socket.cork();
  socket.write(header);
  socket.write(payload);
  socket.uncork();
}
