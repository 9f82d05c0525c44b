/**
 * Trace mode for learners: every frame with its RFC 6455 §5.2 field names.
 *
 *     in  FIN=1 RSV1=0 RSV2=0 RSV3=0 opcode=0x1(text) MASK=1 len=5 key=37fa213d payload=48 65 6c 6c 6f
 */
import { opcodeName } from './opcodes.js';

/** How many payload bytes a trace shows. */
export const TRACE_PAYLOAD_PREVIEW = 16;

/** One frame as §5.2 describes it. `payload` holds the first bytes only, already unmasked. */
export interface FrameInfo {
  fin: boolean;
  rsv1: boolean;
  rsv2: boolean;
  rsv3: boolean;
  opcode: number;
  masked: boolean;
  payloadLength: number;
  /** The 4-byte masking key (§5.3) when MASK is set. */
  maskingKey: Buffer | undefined;
  /** At most TRACE_PAYLOAD_PREVIEW bytes of unmasked payload. */
  payload: Buffer;
}

export type TraceDirection = 'in' | 'out';
export type TraceFn = (direction: TraceDirection, frame: FrameInfo) => void;

const bit = (value: boolean) => (value ? 1 : 0);

/** The frame as a JSON-friendly record with the RFC's field names. */
export function frameRecord(direction: TraceDirection, frame: FrameInfo): Record<string, unknown> {
  return {
    direction,
    FIN: bit(frame.fin),
    RSV1: bit(frame.rsv1),
    RSV2: bit(frame.rsv2),
    RSV3: bit(frame.rsv3),
    opcode: `0x${frame.opcode.toString(16)}`,
    opcodeName: opcodeName(frame.opcode),
    MASK: bit(frame.masked),
    payloadLength: frame.payloadLength,
    maskingKey: frame.maskingKey ? frame.maskingKey.toString('hex') : null,
    payloadHead: frame.payload.toString('hex'),
  };
}

/** The frame on one human-readable line. */
export function formatFrame(direction: TraceDirection, frame: FrameInfo): string {
  const fields = [
    direction === 'in' ? 'in ' : 'out',
    `FIN=${bit(frame.fin)}`,
    `RSV1=${bit(frame.rsv1)}`,
    `RSV2=${bit(frame.rsv2)}`,
    `RSV3=${bit(frame.rsv3)}`,
    `opcode=0x${frame.opcode.toString(16)}(${opcodeName(frame.opcode)})`,
    `MASK=${bit(frame.masked)}`,
    `len=${frame.payloadLength}`,
  ];
  if (frame.maskingKey) fields.push(`key=${frame.maskingKey.toString('hex')}`);
  if (frame.payload.length > 0) {
    const more = frame.payloadLength > frame.payload.length ? ' …' : '';
    fields.push(`payload=${[...frame.payload].map((b) => b.toString(16).padStart(2, '0')).join(' ')}${more}`);
  }
  return fields.join(' ');
}
