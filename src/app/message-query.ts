/**
 * The query of `GET /api/rooms/:name/messages` (SPEC §2, §7 rule 4): `since`,
 * `before`, `limit` and `wait` must each be an integer in its range, else 400.
 */
import type { MessageQuery } from '../chat/history.js';
import { DEFAULT_PAGE_LIMIT, integerInRange, MAX_PAGE_LIMIT, MIN_PAGE_LIMIT } from '../chat/protocol.js';
import { ApiError, badRequest } from '../errors.js';

/** SPEC §2: `wait` is 0–30 seconds. */
export const MAX_WAIT_SECONDS = 30;
/**
 * Plain decimal digits, anchored and linear: no sign, no exponent, no fraction. At most 16,
 * the length of Number.MAX_SAFE_INTEGER, so every safe integer gets through to
 * `integerInRange`, which refuses the unsafe 16-digit ones (the same range as over WebSocket).
 */
const DIGITS = /^\d{1,16}$/;

export interface ParsedMessageQuery {
  query: MessageQuery;
  waitMs: number;
}

export function parseMessageQuery(params: URLSearchParams): ParsedMessageQuery {
  const read = (name: string, min: number, max: number): number | undefined => {
    const text = params.get(name);
    if (text === null) return undefined;
    if (!DIGITS.test(text)) throw badRequest(`${name} must be an integer from ${min} to ${max}`);
    const value = integerInRange(Number(text), min, max, name);
    if (value instanceof ApiError) throw value;
    return value;
  };
  const query: MessageQuery = { limit: read('limit', MIN_PAGE_LIMIT, MAX_PAGE_LIMIT) ?? DEFAULT_PAGE_LIMIT };
  const since = read('since', 0, Number.MAX_SAFE_INTEGER);
  if (since !== undefined) query.since = since;
  const before = read('before', 1, Number.MAX_SAFE_INTEGER);
  if (before !== undefined) query.before = before;
  const wait = read('wait', 0, MAX_WAIT_SECONDS) ?? 0;
  return { query, waitMs: wait * 1000 };
}
