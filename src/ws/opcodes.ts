/**
 * The bits of a WebSocket frame header, named once (RFC 6455 §5.2).
 *
 *      0                   1                   2                   3
 *      0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *     +-+-+-+-+-------+-+-------------+-------------------------------+
 *     |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
 *     |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
 *     |N|V|V|V|       |S|             |   (if payload len==126/127)   |
 *     | |1|2|3|       |K|             |                               |
 *     +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
 *     |     Extended payload length continued, if payload len == 127  |
 *     + - - - - - - - - - - - - - - - +-------------------------------+
 *     |                               |Masking-key, if MASK set to 1  |
 *     +-------------------------------+-------------------------------+
 *     | Masking-key (continued)       |          Payload Data         |
 *     +-------------------------------- - - - - - - - - - - - - - - - +
 */

/** First byte: FIN says "this is the final fragment of a message". */
export const FIN = 0x80;
/** First byte: RSV1, RSV2, RSV3 — "MUST be 0 unless an extension is negotiated". */
export const RSV1 = 0x40;
export const RSV2 = 0x20;
export const RSV3 = 0x10;
export const RSV_MASK = RSV1 | RSV2 | RSV3;
/** First byte: the low four bits are the opcode. */
export const OPCODE_MASK = 0x0f;
/** Second byte: MASK says a 4-byte masking key follows the length. */
export const MASK_BIT = 0x80;
/** Second byte: the low seven bits are the payload length, or 126 / 127 as escapes. */
export const LEN_MASK = 0x7f;

/** §5.2: a 7-bit length of 126 means "the next 2 bytes are the length". */
export const LEN_16_MARKER = 126;
/** §5.2: a 7-bit length of 127 means "the next 8 bytes are the length". */
export const LEN_64_MARKER = 127;
/** The largest length that fits in the 7-bit field itself. */
export const MAX_LEN_7 = 125;
/** The largest length that fits in the 16-bit extended field. */
export const MAX_LEN_16 = 0xffff;
/** §5.5: "All control frames MUST have a payload length of 125 bytes or less". */
export const MAX_CONTROL_PAYLOAD = 125;
/** Size of the masking key (§5.3). */
export const MASK_KEY_LENGTH = 4;

/** §5.2 / §11.8: the opcodes RFC 6455 defines. 0x3–0x7 and 0xB–0xF are reserved. */
export enum Opcode {
  Continuation = 0x0,
  Text = 0x1,
  Binary = 0x2,
  Close = 0x8,
  Ping = 0x9,
  Pong = 0xa,
}

/** §5.5: "Control frames are identified by opcodes where the most significant bit of the opcode is 1." */
export function isControl(opcode: number): boolean {
  return (opcode & 0x08) !== 0;
}

/** True for the six opcodes RFC 6455 defines; everything else is reserved (§5.2: fail the connection). */
export function isKnownOpcode(opcode: number): boolean {
  return (
    opcode === Opcode.Continuation ||
    opcode === Opcode.Text ||
    opcode === Opcode.Binary ||
    opcode === Opcode.Close ||
    opcode === Opcode.Ping ||
    opcode === Opcode.Pong
  );
}

/** The opcode's name for traces and error messages, e.g. `text`, `reserved-non-control(0x3)`. */
export function opcodeName(opcode: number): string {
  switch (opcode) {
    case Opcode.Continuation:
      return 'continuation';
    case Opcode.Text:
      return 'text';
    case Opcode.Binary:
      return 'binary';
    case Opcode.Close:
      return 'close';
    case Opcode.Ping:
      return 'ping';
    case Opcode.Pong:
      return 'pong';
    default:
      return `${isControl(opcode) ? 'reserved-control' : 'reserved-non-control'}(0x${opcode.toString(16)})`;
  }
}
