/**
 * The JSON request body reader (SPEC §2, §7 rules 3 and 5).
 *
 * Algorithm, for one request:
 *  1. Has the request a body? RFC 9112 §6: a body "is signaled by a Content-Length or
 *     Transfer-Encoding header field". Our choice (SPEC §7 rule 5): a length of zero
 *     counts as none. None: `undefined`.
 *  2. A body that is not `application/json`: 415 `unsupported_media_type` (only now,
 *     so a bodiless POST such as logout needs no `content-type`, rule 5).
 *  3. A declared `content-length` over the limit: 413 at once, before a byte is read.
 *  4. Read chunks while counting. The moment the count passes the limit (a lying or
 *     absent `content-length`, chunked encoding): stop keeping them, 413. Never more
 *     than `limit` bytes are held.
 *  5. Decode as UTF-8, strictly (RFC 8259 §8.1): an invalid sequence is 400.
 *  6. `JSON.parse`; a syntax error is 400 `bad_request`.
 *  7. The top level must be an object (not an array, string, number or null): 400.
 *  8. No `__proto__`/`constructor`/`prototype` key at any depth (rule 3): 400.
 *
 * After a 413 the rest of the body is read and thrown away (Node's own handling of a
 * body nobody consumed), not cut off: closing while the client is still sending makes
 * our kernel answer its next segments with a reset, and a reset can destroy the 413
 * before the client reads it (RFC 9112 §9.6). The server's `requestTimeout` bounds how
 * long a client may keep sending.
 */
import type { IncomingMessage } from 'node:http';
import { ApiError, badRequest } from '../errors.js';
import { hasForbiddenKey } from './json-safety.js';
import { isJsonContentType } from './media-type.js';

/** SPEC §2: a body of exactly 16384 bytes is accepted, 16385 is 413 (rule 5). */
export const MAX_BODY_BYTES = 16 * 1024;

const payloadTooLarge = (limit: number) => new ApiError(413, 'payload_too_large', `Request body is over ${limit} bytes`);

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Step 1. */
export function hasBody(req: IncomingMessage): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = req.headers['content-length'];
  return length !== undefined && Number(length) > 0;
}

/**
 * Steps 1–3, which need only the headers: false when there is no body; throws 415
 * or 413. The pipeline runs this for every request, so a route that never reads its
 * body (logout, DELETE) still refuses a non-JSON or oversize one.
 */
export function checkBodyHeaders(req: IncomingMessage, limit = MAX_BODY_BYTES): boolean {
  // Step 1.
  if (!hasBody(req)) return false;
  // Step 2.
  if (!isJsonContentType(req.headers['content-type'])) {
    throw new ApiError(415, 'unsupported_media_type', 'Request body must be application/json');
  }
  // Step 3. Node's parser has already rejected a non-numeric content-length.
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) throw payloadTooLarge(limit);
  return true;
}

/**
 * Reads and validates a JSON object body. Resolves `undefined` when the request has
 * no body (the route decides whether that is allowed).
 */
export async function readJsonBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Record<string, unknown> | undefined> {
  // Steps 1–3.
  if (!checkBodyHeaders(req, limit)) return undefined;
  // Step 4.
  const bytes = await readLimited(req, limit);
  // Step 5.
  let text: string;
  try {
    text = STRICT_UTF8.decode(bytes);
  } catch {
    throw badRequest('Request body is not valid UTF-8');
  }
  // Step 6.
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badRequest('Request body is not valid JSON');
  }
  // Step 7.
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest('Request body must be a JSON object');
  }
  // Step 8.
  if (hasForbiddenKey(value)) throw badRequest('Request body contains a forbidden key');
  return value as Record<string, unknown>;
}

/** Step 4: collects at most `limit` bytes, rejecting with 413 past it. */
function readLimited(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        // Keep reading, but keep nothing (see the module comment).
        req.resume();
        reject(payloadTooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    // 'close' before 'end': the client went away mid-body.
    const onClose = () => {
      if (req.complete) return;
      cleanup();
      reject(badRequest('Request body was cut short'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}
