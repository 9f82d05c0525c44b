/**
 * A WebSocket protocol failure: it knows the close code the connection is failed
 * with (RFC 6455 §7.1.7, §7.4.1) and a stable machine code for logs and tests.
 * Parsers report these through a callback and stop; they never throw past their boundary.
 */
import type { CloseCode } from './close-codes.js';

export type WebSocketErrorCode =
  | 'unmasked_frame'
  | 'masked_server_frame'
  | 'reserved_bits'
  | 'reserved_opcode'
  | 'unexpected_continuation'
  | 'expected_continuation'
  | 'control_frame_too_long'
  | 'fragmented_control_frame'
  | 'length_high_bit'
  | 'message_too_big'
  | 'too_many_fragments'
  | 'invalid_utf8'
  | 'invalid_close_payload'
  | 'invalid_close_code'
  | 'slow_consumer';

export class WebSocketError extends Error {
  readonly code: WebSocketErrorCode;
  readonly closeCode: CloseCode;

  constructor(code: WebSocketErrorCode, closeCode: CloseCode, message: string) {
    super(message);
    this.name = 'WebSocketError';
    this.code = code;
    this.closeCode = closeCode;
  }
}
