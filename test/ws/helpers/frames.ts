/**
 * Test-side frame codec, written from RFC 6455 §5.2 independently of src/ws: builds the
 * frames a client sends (masked, or deliberately broken) and parses what a server sends.
 * The benchmark load generator (bench/ws/load.ts) frames its messages with it too.
 */
import { randomBytes } from 'node:crypto';

export const OP = { CONT: 0x0, TEXT: 0x1, BINARY: 0x2, CLOSE: 0x8, PING: 0x9, PONG: 0xa } as const;

export interface ClientFrameSpec {
  opcode: number;
  payload?: Buffer | string;
  fin?: boolean;
  /** RSV bits as a 3-bit number (RSV1 = 4, RSV2 = 2, RSV3 = 1). */
  rsv?: number;
  /** Default true: clients mask (§5.1). */
  mask?: boolean;
  key?: Buffer;
  /** Force a length form: 7, 16 or 64 bits (non-minimal encodings included). */
  lengthForm?: 7 | 16 | 64;
  /** Claim this payload length instead of the real one (for limit tests). */
  claimedLength?: number | bigint;
}

export function clientFrame(spec: ClientFrameSpec): Buffer {
  const payload = typeof spec.payload === 'string' ? Buffer.from(spec.payload, 'utf8') : (spec.payload ?? Buffer.alloc(0));
  const claimed = spec.claimedLength ?? payload.length;
  const mask = spec.mask ?? true;
  const form = spec.lengthForm ?? (Number(claimed) <= 125 ? 7 : Number(claimed) <= 0xffff ? 16 : 64);
  const parts: Buffer[] = [];
  const b0 = ((spec.fin ?? true) ? 0x80 : 0) | ((spec.rsv ?? 0) << 4) | spec.opcode;
  const maskBit = mask ? 0x80 : 0;
  if (form === 7) {
    parts.push(Buffer.from([b0, maskBit | Number(claimed)]));
  } else if (form === 16) {
    const h = Buffer.alloc(4);
    h[0] = b0;
    h[1] = maskBit | 126;
    h.writeUInt16BE(Number(claimed), 2);
    parts.push(h);
  } else {
    const h = Buffer.alloc(10);
    h[0] = b0;
    h[1] = maskBit | 127;
    h.writeBigUInt64BE(BigInt(claimed), 2);
    parts.push(h);
  }
  if (mask) {
    const key = spec.key ?? randomBytes(4);
    parts.push(key);
    const masked = Buffer.alloc(payload.length);
    for (let i = 0; i < payload.length; i++) masked[i] = payload[i]! ^ key[i % 4]!;
    parts.push(masked);
  } else {
    parts.push(payload);
  }
  return Buffer.concat(parts);
}

export const text = (payload: string | Buffer, extra: Partial<ClientFrameSpec> = {}) => clientFrame({ opcode: OP.TEXT, payload, ...extra });
export const binary = (payload: Buffer, extra: Partial<ClientFrameSpec> = {}) => clientFrame({ opcode: OP.BINARY, payload, ...extra });
export const cont = (payload: string | Buffer, extra: Partial<ClientFrameSpec> = {}) => clientFrame({ opcode: OP.CONT, payload, ...extra });
export const ping = (payload: string | Buffer = '', extra: Partial<ClientFrameSpec> = {}) => clientFrame({ opcode: OP.PING, payload, ...extra });
export const pong = (payload: string | Buffer = '', extra: Partial<ClientFrameSpec> = {}) => clientFrame({ opcode: OP.PONG, payload, ...extra });

/** A Close frame with a code (and reason), or with an empty body when `code` is undefined. */
export function closeFrame(code?: number, reason: string | Buffer = ''): Buffer {
  if (code === undefined) return clientFrame({ opcode: OP.CLOSE });
  const r = typeof reason === 'string' ? Buffer.from(reason) : reason;
  const body = Buffer.alloc(2 + r.length);
  body.writeUInt16BE(code, 0);
  r.copy(body, 2);
  return clientFrame({ opcode: OP.CLOSE, payload: body });
}

/** A message split into fragments of `size` bytes: first frame with the opcode, continuations after. */
export function fragmented(opcode: number, payload: Buffer, size: number): Buffer[] {
  const frames: Buffer[] = [];
  for (let start = 0; start < payload.length || start === 0; start += size) {
    const end = Math.min(start + size, payload.length);
    frames.push(clientFrame({ opcode: start === 0 ? opcode : OP.CONT, payload: payload.subarray(start, end), fin: end === payload.length }));
    if (payload.length === 0) break;
  }
  return frames;
}

export interface ServerFrame {
  fin: boolean;
  rsv: number;
  opcode: number;
  masked: boolean;
  payload: Buffer;
}

/**
 * The frame starting at `at`: its header size (masking key included) and payload length,
 * or undefined while `buffer` does not hold all of it.
 */
export function frameExtent(buffer: Buffer, at: number): { header: number; length: number } | undefined {
  if (buffer.length - at < 2) return undefined;
  const b1 = buffer[at + 1]!;
  let length = b1 & 0x7f;
  let header = 2;
  if (length === 126) {
    if (buffer.length - at < 4) return undefined;
    length = buffer.readUInt16BE(at + 2);
    header = 4;
  } else if (length === 127) {
    if (buffer.length - at < 10) return undefined;
    length = Number(buffer.readBigUInt64BE(at + 2));
    header = 10;
  }
  if (b1 & 0x80) header += 4;
  return buffer.length - at < header + length ? undefined : { header, length };
}

/** Parses as many complete server frames as `buffer` holds; returns them and the unread rest. */
export function parseFrames(buffer: Buffer): { frames: ServerFrame[]; rest: Buffer } {
  const frames: ServerFrame[] = [];
  let at = 0;
  for (let extent = frameExtent(buffer, at); extent !== undefined; extent = frameExtent(buffer, at)) {
    const { header, length } = extent;
    const b0 = buffer[at]!;
    frames.push({
      fin: (b0 & 0x80) !== 0,
      rsv: (b0 >> 4) & 7,
      opcode: b0 & 0x0f,
      masked: (buffer[at + 1]! & 0x80) !== 0,
      payload: Buffer.from(buffer.subarray(at + header, at + header + length)),
    });
    at += header + length;
  }
  return { frames, rest: buffer.subarray(at) };
}
