/**
 * The opening handshake, server side (RFC 6455 §4.2).
 *
 * `checkUpgrade` reads the client's request as the numbered steps of §4.2.1 and answers
 * with the first failed step's HTTP status; `acceptResponse` builds the §4.2.2 `101`
 * answer; `rejectUpgrade` writes any other answer on the raw socket (the application
 * uses it for 401/403/503 before `101`).
 *
 * No regular expression touches a header value except the anchored, linear key check;
 * lists are split on commas and tokens checked against a lookup table.
 */
import { createHash } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/** §1.3 / §4.2.2: the GUID appended to the key before hashing. */
export const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** §4.2.1 step 6: the only version this server speaks. */
export const WEBSOCKET_VERSION = '13';
/** §4.2.1 step 5: "a base64-encoded value that, when decoded, is 16 bytes in length". */
const KEY_BYTES = 16;
/**
 * 16 bytes in base64: 22 significant characters and `==`. Anchored and linear. Our policy,
 * stricter than "when decoded, is 16 bytes": only the canonical form, whose unused last
 * 4 bits are zero (RFC 4648 §3.5), hence `[AQgw]` before the padding. Every client
 * encodes 16 random bytes this way.
 */
const KEY_PATTERN = /^[A-Za-z0-9+/]{21}[AQgw]==$/;

export type UpgradeCheck =
  | { ok: true; key: string; protocols: string[] }
  | { ok: false; status: number; headers: Record<string, string>; message: string };

/**
 * RFC 9110 §5.6.2 `tchar`: the characters allowed in a token (subprotocol names, list
 * elements). A table lookup per character instead of a regular expression.
 */
const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") TCHAR[c.charCodeAt(0)] = 1;

export function isToken(value: string): boolean {
  if (value.length === 0) return false;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code >= 128 || TCHAR[code] === 0) return false;
  }
  return true;
}

/** Splits a comma-separated header list (RFC 9110 §5.6.1), trimming spaces and dropping empty elements. */
export function splitList(value: string | undefined): string[] {
  if (value === undefined) return [];
  const out: string[] = [];
  for (const part of value.split(',')) {
    const item = part.trim();
    if (item.length > 0) out.push(item);
  }
  return out;
}

function hasToken(value: string | undefined, token: string): boolean {
  return splitList(value).some((item) => item.toLowerCase() === token);
}

const fail = (status: number, message: string, headers: Record<string, string> = {}): UpgradeCheck => ({
  ok: false,
  status,
  headers,
  message,
});

/** A single header's value; Node joins repeated unknown headers with ", ". */
function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * RFC 6455 §4.2.1, "Reading the Client's Opening Handshake", step by step. The first
 * failed step decides the answer; §4.2.1 says such a request gets "an appropriate error
 * code (such as 400 Bad Request)".
 */
export function checkUpgrade(req: IncomingMessage): UpgradeCheck {
  // Step 1: "An HTTP/1.1 or higher GET request, including a Request-URI". Our policy: another
  // method is 405 with `Allow: GET` (RFC 9110 §15.5.6), more precise than §4.2.1's 400.
  if (req.method !== 'GET') return fail(405, 'the opening handshake must be a GET request', { Allow: 'GET' });
  if (req.httpVersionMajor < 1 || (req.httpVersionMajor === 1 && req.httpVersionMinor < 1)) {
    return fail(400, 'the opening handshake needs HTTP/1.1 or higher');
  }
  // Step 2: "A |Host| header field containing the server's authority."
  if (!header(req, 'host')) return fail(400, 'missing Host header');
  // Step 3: "An |Upgrade| header field containing the value "websocket", treated as an
  // ASCII case-insensitive value."
  const upgrade = header(req, 'upgrade');
  // Our policy: a request with no Upgrade at all is plain HTTP sent to a WebSocket
  // endpoint; RFC 9110 §15.5.22's 426 tells it which protocol to switch to.
  if (upgrade === undefined) {
    return fail(426, 'this endpoint speaks WebSocket only', { Upgrade: 'websocket', 'Sec-WebSocket-Version': WEBSOCKET_VERSION });
  }
  if (!hasToken(upgrade, 'websocket')) return fail(400, 'Upgrade header must contain "websocket"');
  // Step 4: "A |Connection| header field that includes the token "Upgrade", treated as an
  // ASCII case-insensitive value."
  if (!hasToken(header(req, 'connection'), 'upgrade')) return fail(400, 'Connection header must contain "Upgrade"');
  // Step 5: "A |Sec-WebSocket-Key| header field with a base64-encoded value that, when
  // decoded, is 16 bytes in length." (A repeated header arrives joined and fails here.)
  const key = header(req, 'sec-websocket-key');
  if (key === undefined || !KEY_PATTERN.test(key) || Buffer.from(key, 'base64').length !== KEY_BYTES) {
    return fail(400, 'Sec-WebSocket-Key must be base64 of 16 bytes');
  }
  // Step 6: "A |Sec-WebSocket-Version| header field, with a value of 13." §4.4: otherwise
  // answer with a |Sec-WebSocket-Version| header listing the versions we understand
  // (426 Upgrade Required, as §4.2.2 suggests). Our policy: a missing version is answered
  // the same way (§4.2.1 would allow a 400), so every client learns which version to send.
  if (header(req, 'sec-websocket-version') !== WEBSOCKET_VERSION) {
    return fail(426, 'unsupported WebSocket version; this server speaks 13', { 'Sec-WebSocket-Version': WEBSOCKET_VERSION });
  }
  // Step 7: "Optionally, an |Origin| header field" — checked by the application's hook.
  // Step 8: "Optionally, a |Sec-WebSocket-Protocol| header field, with a list of values
  // indicating which protocols the client would like to speak, ordered by preference."
  const protocols = splitList(header(req, 'sec-websocket-protocol'));
  if (!protocols.every(isToken)) return fail(400, 'Sec-WebSocket-Protocol must be a list of tokens');
  // Step 9: "Optionally, a |Sec-WebSocket-Extensions| header field" — we negotiate none,
  // so any offer is ignored and every RSV bit stays reserved (§9.1).
  return { ok: true, key, protocols };
}

/** §4.2.2 step 5.4: base64(SHA-1(key + GUID)). */
export function computeAccept(key: string): string {
  return createHash('sha1').update(key + WEBSOCKET_GUID).digest('base64');
}

/** Picks the first of the client's offered protocols (its order is its preference) that we support. */
export function selectProtocol(offered: readonly string[], supported: readonly string[]): string | undefined {
  return offered.find((protocol) => supported.includes(protocol));
}

/** Header values we write must not smuggle a CR or LF into the response. */
function assertHeaderSafe(name: string, value: string): void {
  if (!isToken(name) || value.includes('\r') || value.includes('\n')) throw new TypeError(`invalid response header ${name}`);
}

function headerLines(headers: Record<string, string>): string {
  let out = '';
  for (const [name, value] of Object.entries(headers)) {
    assertHeaderSafe(name, value);
    out += `${name}: ${value}\r\n`;
  }
  return out;
}

/**
 * §4.2.2 step 5: the server's `101 Switching Protocols` answer, with `Upgrade`,
 * `Connection`, `Sec-WebSocket-Accept` and, if one was selected, `Sec-WebSocket-Protocol`.
 */
export function acceptResponse(key: string, protocol?: string, extraHeaders: Record<string, string> = {}): string {
  const headers: Record<string, string> = {
    Upgrade: 'websocket', // step 5.2
    Connection: 'Upgrade', // step 5.3
    'Sec-WebSocket-Accept': computeAccept(key), // step 5.4
  };
  if (protocol !== undefined) headers['Sec-WebSocket-Protocol'] = protocol; // step 5.5
  // Step 5.1, the status line. Extras go first: the handshake's own fields are not theirs to replace.
  return `HTTP/1.1 101 Switching Protocols\r\n${headerLines({ ...extraHeaders, ...headers })}\r\n`;
}

/**
 * The answer to a plain HTTP request (one node:http did not hand over as an upgrade)
 * sent to a WebSocket endpoint: 426 when it asked for no upgrade at all, else the
 * handshake step it broke.
 */
export function plainRequestRefusal(req: IncomingMessage): Extract<UpgradeCheck, { ok: false }> {
  const check = checkUpgrade(req);
  return check.ok ? { ok: false, status: 400, headers: {}, message: 'Connection header must contain "Upgrade"' } : check;
}

/** How long a refused client may keep its half of the connection open. */
const REJECT_LINGER_MS = 2000;

/**
 * Answers the upgrade request with a complete HTTP/1.1 response (no `101`) and closes the
 * connection: `Connection: close`, a `Content-Length`, and the body as given.
 */
export function rejectUpgrade(socket: Duplex, status: number, headers: Record<string, string>, body: string): void {
  if (socket.destroyed || !socket.writable) return;
  const bytes = Buffer.from(body, 'utf8');
  const all: Record<string, string> = { Connection: 'close', ...headers, 'Content-Length': String(bytes.length) };
  if (!Object.keys(all).some((name) => name.toLowerCase() === 'content-type')) all['Content-Type'] = 'text/plain; charset=utf-8';
  const head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n${headerLines(all)}\r\n`;
  socket.end(Buffer.concat([Buffer.from(head, 'latin1'), bytes]));
  // The client should close once it has read the answer; one that lingers is cut off.
  // (Destroying at once could turn unread request bytes into a TCP RST that loses the answer.)
  socket.once('finish', () => setTimeout(() => socket.destroy(), REJECT_LINGER_MS).unref());
}
