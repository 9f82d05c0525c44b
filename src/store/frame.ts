/**
 * Record framing for every file the durable store writes (journal, room message
 * files, snapshot):
 *
 *     +----------------+----------------+---------------------------+
 *     | length  u32 BE | crc32   u32 BE | payload (length bytes)    |
 *     +----------------+----------------+---------------------------+
 *
 * The CRC-32 (zlib's, IEEE 802.3 polynomial) covers the payload. Together the two
 * fields tell a reader where a record ends and whether all of it reached the disk:
 * a crash in the middle of a write leaves a record that is too short for its
 * length, or whose bytes do not match its CRC.
 */
import { crc32 } from 'node:zlib';

export const FRAME_HEADER_BYTES = 8;
/** A record larger than this is not one we wrote: treat the length as corrupt. */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;

/** Frames many payloads into one buffer, so a batch is one write(2). */
export function encodeFrames(payloads: readonly Buffer[]): Buffer {
  let total = 0;
  for (const payload of payloads) total += FRAME_HEADER_BYTES + payload.length;
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (const payload of payloads) {
    out.writeUInt32BE(payload.length, at);
    out.writeUInt32BE(crc32(payload), at + 4);
    payload.copy(out, at + FRAME_HEADER_BYTES);
    at += FRAME_HEADER_BYTES + payload.length;
  }
  return out;
}

export interface Frame {
  /** Byte offset of the frame's header in the scanned buffer (plus `baseOffset`). */
  readonly offset: number;
  readonly payload: Buffer;
}

export interface BadFrame {
  readonly offset: number;
  readonly reason: string;
  /**
   * True when the bad frame can only be the unfinished last write of a crash: it
   * runs past the end of the data with no whole frame after its header, or it is the
   * last frame, or only zero bytes (space the file system allocated but never filled)
   * follow it.
   */
  readonly torn: boolean;
}

export interface ScanResult {
  readonly frames: Frame[];
  /** Where the valid prefix ends: truncating here removes a torn tail. */
  readonly validEnd: number;
  readonly bad?: BadFrame;
}

/** Reads frames from the start of `data` until the end or the first bad frame. */
export function scanFrames(data: Buffer, baseOffset = 0): ScanResult {
  const frames: Frame[] = [];
  let at = 0;
  const stop = (reason: string, torn: boolean): ScanResult => ({
    frames,
    validEnd: baseOffset + at,
    bad: { offset: baseOffset + at, reason, torn: torn || onlyZeros(data, at) },
  });
  while (at < data.length) {
    // Step 1: the header must be whole.
    if (data.length - at < FRAME_HEADER_BYTES) return stop('incomplete header', true);
    const length = data.readUInt32BE(at);
    const expectedCrc = data.readUInt32BE(at + 4);
    // Step 2: the length must be plausible (we never write empty or giant records).
    if (length === 0 || length > MAX_RECORD_BYTES) return stop(`impossible length ${length}`, false);
    // Step 3: all of the payload must be there. A torn write is the last thing in the
    // file, so if a whole record still follows this header, its length was damaged.
    const end = at + FRAME_HEADER_BYTES + length;
    if (end > data.length) {
      const next = findWholeFrame(data, at + FRAME_HEADER_BYTES);
      if (next === -1) return stop('record runs past the end of the file', true);
      return stop(`length ${length} runs past the end of the file, yet a whole record follows at byte ${baseOffset + next}`, false);
    }
    // Step 4: and it must be what was written.
    const payload = data.subarray(at + FRAME_HEADER_BYTES, end);
    if (crc32(payload) !== expectedCrc) return stop('CRC-32 mismatch', end === data.length);
    frames.push({ offset: baseOffset + at, payload });
    at = end;
  }
  return { frames, validEnd: baseOffset + at };
}

/**
 * The offset of the first whole, CRC-valid frame at or after `from`, or -1. Cheap: our
 * payloads are JSON, which never holds the bytes 00-03 that begin a plausible length,
 * so almost every offset fails the length test before any CRC is computed.
 */
function findWholeFrame(data: Buffer, from: number): number {
  for (let at = from; at + FRAME_HEADER_BYTES < data.length; at++) {
    const length = data.readUInt32BE(at);
    const end = at + FRAME_HEADER_BYTES + length;
    if (length === 0 || length > MAX_RECORD_BYTES || end > data.length) continue;
    if (crc32(data.subarray(at + FRAME_HEADER_BYTES, end)) === data.readUInt32BE(at + 4)) return at;
  }
  return -1;
}

function onlyZeros(data: Buffer, from: number): boolean {
  for (let i = from; i < data.length; i++) if (data[i] !== 0) return false;
  return true;
}
