/**
 * Request ids: one per request, echoed in the `x-request-id` response header and
 * written on every log line about that request, so an operator can find the log
 * of the 500 a user reports.
 *
 * Why not `randomUUID()` per request: uniqueness only has to hold within a log
 * stream, and a random per-process prefix plus a counter is unique across restarts
 * with high probability (32 random bits) and costs nothing on the hot path
 * (performance trick, not a security property: request ids are not secrets).
 *
 * We do not adopt a client-supplied `x-request-id`: it would let a caller forge
 * log correlation, and an unchecked header value in a log line is an injection risk.
 */
import { randomBytes } from 'node:crypto';

const PROCESS_PREFIX = randomBytes(4).toString('hex');
let counter = 0;

export function nextRequestId(): string {
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return `${PROCESS_PREFIX}-${counter.toString(36)}`;
}
