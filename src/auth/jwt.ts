/**
 * HS256 access tokens: JWS Compact Serialization (RFC 7515 §7.1) of a JWT claims set
 * (RFC 7519), following the JWT best current practices (RFC 8725).
 *
 * Verification is an allowlist. There is exactly one algorithm row below, the header must
 * mean exactly `{"alg":"HS256","typ":"JWT"}`, and no input picks the algorithm or the key:
 * `none` has no path through this file at all (RFC 8725 §3.1, §3.2).
 */
import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { ApiError, unauthorized } from '../errors.js';
import type { AccessClaims } from './types.js';
import { alphabetValue, encodeBase64url, isCanonicalBase64url } from './base64url.js';

/** The algorithm table, as data (RFC 7518 §3.1, §3.2). One row: nothing else is accepted. */
export const ALGORITHMS = {
  HS256: {
    /** RFC 7518 §3.2: HMAC with SHA-256. */
    hash: 'sha256',
    /** RFC 7518 §3.2: "A key of the same size as the hash output (for instance, 256 bits for HS256) or larger MUST be used". */
    minKeyBytes: 32,
    /** SHA-256 output, so the signature segment is BASE64URL of 32 octets: 43 characters. */
    signatureBytes: 32,
  },
} as const;
const ALG = ALGORITHMS.HS256;

/** SPEC §3: the only header we issue and accept. */
export const HEADER = { alg: 'HS256', typ: 'JWT' } as const;
/** Performance: the header every token we sign carries, encoded once. Most tokens match it byte for byte. */
export const ENCODED_HEADER = encodeBase64url(JSON.stringify(HEADER));

/** SPEC §3: tokens longer than this are rejected before any other work. */
export const MAX_TOKEN_LENGTH = 8 * 1024;
/** SPEC §3: clock skew tolerated on `exp` and `nbf` (RFC 7519 §4.1.4 allows "some small leeway"). */
export const CLOCK_SKEW_SECONDS = 30;
/** SPEC §3: the `iss` we issue and require. */
export const ISSUER = 'socketlink';

const DOT = 0x2e;
const ROLES: ReadonlySet<string> = new Set(['user', 'admin']);

export interface JwtOptions {
  /** HMAC key; at least `ALGORITHMS.HS256.minKeyBytes` bytes. */
  secret: Buffer;
  /** Epoch milliseconds; injectable so tests can move time. */
  clock?: () => number;
  skewSeconds?: number;
}

/** What `sign` needs; `iss` is always ours. */
export type ClaimsToSign = Omit<AccessClaims, 'iss'>;

const reject = (reason: string): ApiError => unauthorized(`Invalid token: ${reason}`);

export class Hs256Jwt {
  /** Performance: the key is imported once as a KeyObject rather than copied in on every HMAC. */
  readonly #key: KeyObject;
  readonly #clock: () => number;
  readonly #skew: number;

  constructor(options: JwtOptions) {
    if (options.secret.length < ALG.minKeyBytes) {
      throw new RangeError(`HS256 key must be at least ${ALG.minKeyBytes} bytes (RFC 7518 §3.2)`);
    }
    this.#key = createSecretKey(options.secret);
    this.#clock = options.clock ?? Date.now;
    this.#skew = options.skewSeconds ?? CLOCK_SKEW_SECONDS;
  }

  /** RFC 7515 §5.1 message signature creation, compact serialization (§7.1). */
  sign(claims: ClaimsToSign): string {
    // Step 1–2: the payload and BASE64URL(payload).
    const payload = encodeBase64url(JSON.stringify({ ...claims, iss: ISSUER }));
    // Step 3–4: the protected header and BASE64URL(UTF8(header)), precomputed.
    // Step 5: the signature over ASCII(BASE64URL(header) || '.' || BASE64URL(payload)).
    const signingInput = `${ENCODED_HEADER}.${payload}`;
    const signature = encodeBase64url(hs256(this.#key, signingInput));
    // Step 6–7: the compact serialization.
    return `${signingInput}.${signature}`;
  }

  /**
   * RFC 7519 §7.2 validating a JWT, with the JWS steps of RFC 7515 §5.2 in their place.
   * Throws 401 `token_expired` past `exp` + skew (SPEC §7 rule 2) and 401 `unauthorized`
   * for every other failure, with a message naming the failed step.
   */
  verify(token: string): AccessClaims {
    // Our policy, before any other work (SPEC §3): a bound on what an attacker makes us parse.
    if (token.length > MAX_TOKEN_LENGTH) throw reject('longer than 8 KiB');

    // Step 1 (RFC 7519 §7.2): "Verify that the JWT contains at least one period".
    // RFC 7515 §7.1: a compact JWS is exactly three segments, so exactly two periods.
    // One pass finds the periods and checks the alphabet of every segment (SPEC §7 rule 18).
    let firstDot = -1;
    let secondDot = -1;
    for (let i = 0; i < token.length; i++) {
      const c = token.charCodeAt(i);
      if (c === DOT) {
        if (firstDot < 0) firstDot = i;
        else if (secondDot < 0) secondDot = i;
        else throw reject('more than three segments');
      } else if (alphabetValue(c) < 0) {
        throw reject('not base64url');
      }
    }
    if (secondDot < 0) throw reject('not three segments');

    // Step 2–5: the JOSE header. Step 3 decodes it "following the restriction that no line
    // breaks, whitespace, or other additional characters have been used"; step 5 accepts only
    // parameters "understood and supported". We support exactly `alg` = HS256 and `typ` = JWT,
    // so `none`, every other `alg`, `jku`/`jwk`/`kid` and any `crit` (RFC 7515 §4.1.11) fail here.
    const encodedHeader = token.slice(0, firstDot);
    // Performance: the header we issue is compared as a string; only others are decoded.
    if (encodedHeader !== ENCODED_HEADER) checkHeader(encodedHeader);

    // Step 6: it is a JWS (it has no `enc`). Step 7, RFC 7515 §5.2 step 7–8: the signature.
    if (!isCanonicalBase64url(token, firstDot + 1, secondDot)) throw reject('payload is not canonical base64url');
    const encodedSignature = token.slice(secondDot + 1);
    // SHA-256 gives 32 octets: 43 canonical characters, nothing else can be right.
    if (encodedSignature.length !== 43 || !isCanonicalBase64url(encodedSignature)) throw reject('signature is not 32 bytes of canonical base64url');
    const expected = hs256(this.#key, token.slice(0, secondDot));
    // RFC 7515 §10.7 / RFC 8725 §3.1: compare MACs in constant time.
    if (!timingSafeEqual(Buffer.from(encodedSignature, 'base64url'), expected)) throw reject('signature mismatch');

    // Step 8: a nested JWT (`cty` = JWT) cannot occur, the header had no `cty`.
    // Step 9–10: the payload is UTF-8 JSON of an object: the claims set.
    const claims = parseJsonObject(Buffer.from(token.slice(firstDot + 1, secondDot), 'base64url').toString('utf8'));
    if (claims === undefined) throw reject('payload is not a JSON object');
    return this.#checkClaims(claims);
  }

  /** RFC 7519 §4.1 registered claims and the SPEC §3 private ones, each of its type. */
  #checkClaims(c: Record<string, unknown>): AccessClaims {
    // RFC 7519 §4.1.1 `iss`; SPEC §7 rule 17: it must be ours.
    if (c.iss !== ISSUER) throw reject('wrong iss');
    // RFC 7519 §4.1.2 `sub`, §4.1.7 `jti` are strings; SPEC §3 `name`, `sid` too.
    if (typeof c.sub !== 'string' || typeof c.name !== 'string' || typeof c.sid !== 'string' || typeof c.jti !== 'string') {
      throw reject('sub, name, sid and jti must be strings');
    }
    if (typeof c.role !== 'string' || !ROLES.has(c.role)) throw reject('role must be user or admin');
    // RFC 7519 §4.1.6 `iat` is a NumericDate: a JSON number.
    if (!isNumericDate(c.iat)) throw reject('iat must be a number');
    // SPEC §3: `exp` is required (RFC 7519 leaves it optional).
    if (!isNumericDate(c.exp)) throw reject('exp must be a number');
    if (c.nbf !== undefined && !isNumericDate(c.nbf)) throw reject('nbf must be a number');

    const now = this.#clock() / 1000;
    // RFC 7519 §4.1.4: "the current date/time MUST be before the expiration date/time".
    if (now >= c.exp + this.#skew) throw new ApiError(401, 'token_expired', 'Access token expired');
    // RFC 7519 §4.1.5: "the current date/time MUST be after or equal to the not-before date/time".
    if (c.nbf !== undefined && now < (c.nbf as number) - this.#skew) throw reject('not valid yet (nbf)');
    return c as unknown as AccessClaims;
  }
}

/** RFC 7515 §5.1 step 5 / RFC 7518 §3.2: the HS256 MAC of the ASCII signing input. */
export function hs256(key: KeyObject, signingInput: string): Buffer {
  return createHmac(ALG.hash, key).update(signingInput, 'latin1').digest();
}

/**
 * RFC 7519 §7.2 steps 3–5 for a header that is not byte-for-byte ours: canonical
 * base64url, a JSON object, and exactly `alg` = HS256 and `typ` = JWT — a different key
 * order or spacing is still the same header, anything more or less is not.
 */
function checkHeader(encoded: string): void {
  if (!isCanonicalBase64url(encoded)) throw reject('header is not canonical base64url');
  const header = parseJsonObject(Buffer.from(encoded, 'base64url').toString('utf8'));
  if (header === undefined) throw reject('header is not a JSON object');
  if ('crit' in header) throw reject('crit header not supported');
  if (header.alg !== HEADER.alg) throw reject('alg must be HS256');
  if (header.typ !== HEADER.typ) throw reject('typ must be JWT');
  if (Object.keys(header).length !== 2) throw reject('unsupported header parameter');
}

function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** A JSON object, or undefined for invalid JSON, arrays and primitives. */
function parseJsonObject(text: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
