/**
 * The one error type that crosses layers. Every failure the API can report knows
 * its HTTP status and its stable `error` code (SPEC §2), so the HTTP layer can
 * render it and the chat layer can turn it into a WebSocket `error` event
 * without a lookup table in between.
 */
export type ErrorCode =
  | 'bad_request'
  | 'unauthorized'
  | 'invalid_credentials'
  | 'token_expired'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'username_taken'
  | 'room_exists'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'message_too_long'
  | 'not_in_room'
  | 'internal'
  | 'overloaded';

export class ApiError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  /** Extra response headers, e.g. `retry-after` on 429/503 or `allow` on 405. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, code: ErrorCode, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

/** Shorthands for the errors every layer raises. */
export const badRequest = (message: string) => new ApiError(400, 'bad_request', message);
export const unauthorized = (message = 'Authentication required') => new ApiError(401, 'unauthorized', message);
export const forbidden = (message = 'Not allowed') => new ApiError(403, 'forbidden', message);
export const notFound = (message = 'Not found') => new ApiError(404, 'not_found', message);
export const rateLimited = (retryAfterSeconds: number, message = 'Too many requests') =>
  new ApiError(429, 'rate_limited', message, { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) });
export const overloaded = (retryAfterSeconds: number, message = 'Server overloaded, try again later') =>
  new ApiError(503, 'overloaded', message, { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) });
