/**
 * UTF-8 validation for text messages and close reasons (RFC 6455 §8.1, RFC 3629 §4).
 *
 * §8.1: "When an endpoint is to interpret a byte stream as UTF-8 but finds that the byte
 * stream is not, in fact, a valid UTF-8 stream, that endpoint MUST _Fail the WebSocket
 * Connection_." And §5.6: "a particular text frame might include a partial UTF-8 sequence;
 * however, the whole message MUST contain valid UTF-8." A text message may arrive in many
 * fragments and each fragment in many TCP chunks, and a code point may be cut anywhere
 * (legally, at a fragment boundary). So the validator is incremental: it keeps
 * the state of an unfinished sequence between calls and fails on the first invalid byte,
 * long before the message is complete (Autobahn case family 6.4: "fail fast").
 *
 * Performance: Node 20's `buffer.isUtf8` (native, SIMD) validates whole buffers far faster
 * than a JavaScript loop. It cannot carry state across calls, so `write` uses it only for
 * the part of each chunk that starts and ends on a code point boundary and runs the byte
 * state machine on the few bytes around the cut. A close reason, always whole, goes
 * straight to `isUtf8` (see `isValidUtf8`).
 */
import { isUtf8 } from 'node:buffer';

/**
 * RFC 3629 §4, the well-formed byte sequences:
 *
 *     UTF8-1 = %x00-7F
 *     UTF8-2 = %xC2-DF UTF8-tail
 *     UTF8-3 = %xE0 %xA0-BF UTF8-tail / %xE1-EC 2( UTF8-tail ) /
 *              %xED %x80-9F UTF8-tail / %xEE-EF 2( UTF8-tail )
 *     UTF8-4 = %xF0 %x90-BF 2( UTF8-tail ) / %xF1-F3 3( UTF8-tail ) /
 *              %xF4 %x80-8F 2( UTF8-tail )
 *     UTF8-tail = %x80-BF
 *
 * The narrowed second-byte ranges are what reject overlong forms (E0 80..9F, F0 80..8F),
 * UTF-16 surrogates (ED A0..BF) and code points above U+10FFFF (F4 90..BF, F5..FF).
 * C0, C1 (overlong two-byte forms) and F5..FF never start a sequence.
 */
const TAIL_LOW = 0x80;
const TAIL_HIGH = 0xbf;

export class Utf8Validator {
  /** Continuation bytes still expected for the current sequence (0 = at a boundary). */
  private needed = 0;
  /** Allowed range for the next continuation byte. */
  private low = TAIL_LOW;
  private high = TAIL_HIGH;

  /** Forget any half-read sequence (start of a new message). */
  reset(): void {
    this.needed = 0;
    this.low = TAIL_LOW;
    this.high = TAIL_HIGH;
  }

  /**
   * Feeds the next bytes. Returns false as soon as they cannot be part of valid UTF-8
   * (the caller then fails the connection with 1007); a sequence cut at the end of
   * `bytes` is remembered and completed by the next call.
   */
  write(bytes: Uint8Array): boolean {
    let i = 0;
    const length = bytes.length;
    // 1. Finish a sequence left open by the previous call, byte by byte.
    while (this.needed > 0 && i < length) {
      if (!this.step(bytes[i]!)) return false;
      i++;
    }
    if (i === length) return true;
    // 2. Find where the last (possibly cut) sequence starts: at most 3 bytes back.
    let cut = length;
    for (let back = 1; back <= 3 && length - back >= i; back++) {
      const byte = bytes[length - back]!;
      if ((byte & 0xc0) !== 0x80) {
        // A lead byte (or ASCII). If its sequence is cut short, validate up to it natively.
        if (byte >= 0xc0 && sequenceLength(byte) > back) cut = length - back;
        break;
      }
    }
    // 3. Performance: the middle, which starts and ends on a boundary, natively.
    if (cut > i && !isUtf8(i === 0 && cut === length ? bytes : bytes.subarray(i, cut))) return false;
    // 4. The cut sequence's first bytes through the state machine, to carry them over.
    for (let j = cut; j < length; j++) if (!this.step(bytes[j]!)) return false;
    return true;
  }

  /**
   * Ends the message. §8.1 / RFC 3629: a sequence truncated at the end of the text is
   * invalid. Returns false in that case. Resets for the next message.
   */
  end(): boolean {
    const complete = this.needed === 0;
    this.reset();
    return complete;
  }

  /** One byte through the RFC 3629 state machine. */
  private step(byte: number): boolean {
    if (this.needed === 0) {
      if (byte < 0x80) return true; // UTF8-1
      if (byte >= 0xc2 && byte <= 0xdf) {
        this.needed = 1; // UTF8-2
      } else if (byte >= 0xe0 && byte <= 0xef) {
        this.needed = 2; // UTF8-3
        if (byte === 0xe0) this.low = 0xa0; // no overlong three-byte forms
        else if (byte === 0xed) this.high = 0x9f; // no surrogates U+D800..U+DFFF
      } else if (byte >= 0xf0 && byte <= 0xf4) {
        this.needed = 3; // UTF8-4
        if (byte === 0xf0) this.low = 0x90; // no overlong four-byte forms
        else if (byte === 0xf4) this.high = 0x8f; // nothing above U+10FFFF
      } else {
        return false; // 80..C1 (stray tail or overlong lead) and F5..FF
      }
      return true;
    }
    if (byte < this.low || byte > this.high) return false;
    this.low = TAIL_LOW;
    this.high = TAIL_HIGH;
    this.needed--;
    return true;
  }
}

/** Length of the sequence a lead byte announces (1 for ASCII and for invalid leads). */
function sequenceLength(lead: number): number {
  if (lead >= 0xf0) return 4;
  if (lead >= 0xe0) return 3;
  if (lead >= 0xc0) return 2;
  return 1;
}

/** Validates a complete buffer (a single-frame message or a close reason). */
export function isValidUtf8(bytes: Uint8Array): boolean {
  return isUtf8(bytes);
}
