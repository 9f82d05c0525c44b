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
import { BoundedMap } from './bounded-map.js';
import { encodeBase64url, hasCanonicalEnd, isCanonicalBase64url } from './base64url.js';

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

/**
 * RFC 7515 §7.1 compact serialization of an HS256 JWS, in base64url (RFC 4648 §5): three
 * non-empty segments, the last one 43 characters (32 octets). Anchored, no nested
 * quantifiers: linear time on any input.
 */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/;
/** BASE64URL of `signatureBytes` octets, unpadded. */
const SIGNATURE_CHARS = Math.ceil((ALG.signatureBytes * 4) / 3);
/** How many verified tokens' claims `verify` remembers (performance only; see there). */
const CLAIMS_CACHE_SIZE = 4096;
const ROLES: ReadonlySet<string> = new Set(['user', 'admin']);

export interface JwtOptions {
  /** HMAC key; at least `ALGORITHMS.HS256.minKeyBytes` bytes. */
  secret: Buffer;
  /** Epoch milliseconds; injectable so tests can move time. */
  clock?: () => number;
  skewSeconds?: number;
}

/** A token that passed every check, and its typed claims. */
interface VerifiedToken {
  readonly token: string;
  readonly claims: AccessClaims;
}

/** What `sign` needs; `iss` is always ours. */
export type ClaimsToSign = Omit<AccessClaims, 'iss'>;

const reject = (reason: string): ApiError => unauthorized(`Invalid token: ${reason}`);

export class Hs256Jwt {
  /** Performance: the key is imported once as a KeyObject rather than copied in on every HMAC. */
  readonly #key: KeyObject;
  readonly #clock: () => number;
  readonly #skew: number;
  /** Scratch space for the presented signature's 32 octets. */
  readonly #presented = Buffer.alloc(ALG.signatureBytes);
  /** Verified signature segment → the token and its typed claims; bounded, the least recently used go first. */
  readonly #claimsCache = new BoundedMap<string, VerifiedToken>(CLAIMS_CACHE_SIZE);

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
    // Step 6: BASE64URL(signature). (Step 7 is for the JSON serialization.) Step 8: the
    // compact serialization.
    return `${signingInput}.${signature}`;
  }

  /**
   * RFC 7519 §7.2 validating a JWT, with the JWS steps of RFC 7515 §5.2 in their place.
   * Throws 401 `token_expired` past `exp` + skew (SPEC §7 rule 2) and 401 `unauthorized`
   * for every other failure, with a message naming the failed step.
   */
  verify(token: string): AccessClaims {
    if (typeof token !== 'string') throw reject('not a string');
    // Our policy, before any other work (SPEC §3): a bound on what an attacker makes us parse.
    if (token.length > MAX_TOKEN_LENGTH) throw reject('longer than 8 KiB');
    // Step 1 (RFC 7519 §7.2): "Verify that the JWT contains at least one period"; RFC 7515 §7.1:
    // the signing input ends at the last one, the signature segment follows it.
    const firstDot = token.indexOf('.');
    const secondDot = token.lastIndexOf('.');

    // Performance: the steps run in an order that lets a token seen before skip most of them.
    // (a) Non-empty header and payload, and a signature segment of exactly 43 characters of
    //     canonical base64url (32 octets, SPEC §7 rule 18) before it is decoded: Node's decoder
    //     is lenient (see base64url.ts). Exactly three segments is checked in (d).
    const signatureReady =
      firstDot > 0 && secondDot > firstDot + 1 && token.length - secondDot - 1 === SIGNATURE_CHARS && isCanonicalBase64url(token, secondDot + 1);
    if (!signatureReady) {
      checkStructure(token, firstDot, secondDot);
      throw reject('signature is not 32 bytes of canonical base64url');
    }
    // (b) RFC 7515 §5.2 step 8: validate the MAC over the signing input, compared "in a
    //     constant-time manner to thwart timing attacks" (RFC 7518 §3.2; RFC 7515 §10.9). The
    //     header does not choose the algorithm (RFC 8725 §3.1), so computing the MAC before
    //     reading the header lets no input pick anything.
    const expected = hs256(this.#key, token.slice(0, secondDot));
    const encodedSignature = token.slice(secondDot + 1);
    // Decoded into a buffer allocated once (verify is synchronous, so it is never shared).
    this.#presented.write(encodedSignature, 'base64url');
    const macMatches = timingSafeEqual(this.#presented, expected);
    // (c) A client presents the same token on every request for its whole life, so the typed
    //     claims of a verified token are memoized, keyed by its signature segment. A hit
    //     counts only for the very same string, which passed every check below when the
    //     entry was made. (Not merely the same MAC: the MAC covers bytes, and a string with
    //     characters above U+00FF can encode to the same bytes while failing the checks.)
    //     The time-dependent checks run on every call.
    const cached = macMatches ? this.#claimsCache.get(encodedSignature) : undefined;
    if (cached !== undefined && cached.token === token) return this.#checkTimes(cached.claims);
    // (d) Everything else, in full, for a new token (or to name why a forged one fails).
    checkStructure(token, firstDot, secondDot);
    if (!macMatches) throw reject('signature mismatch');
    // Step 8: a nested JWT (`cty` = JWT) cannot occur, the header had no `cty`.
    // Step 9–10: the payload is UTF-8 JSON of an object: the claims set, each claim of its type.
    const claims = typedClaims(Buffer.from(token.slice(firstDot + 1, secondDot), 'base64url').toString('utf8'));
    this.#claimsCache.set(encodedSignature, { token, claims });
    return this.#checkTimes(claims);
  }

  /** RFC 7519 §4.1.4 `exp` and §4.1.5 `nbf` against the clock, with the skew. */
  #checkTimes(claims: AccessClaims): AccessClaims {
    const now = this.#clock() / 1000;
    // RFC 7519 §4.1.4: "the current date/time MUST be before the expiration date/time".
    if (now >= claims.exp + this.#skew) throw new ApiError(401, 'token_expired', 'Access token expired');
    // RFC 7519 §4.1.5: "the current date/time MUST be after or equal to the not-before date/time".
    if (claims.nbf !== undefined && now < claims.nbf - this.#skew) throw reject('not valid yet (nbf)');
    return claims;
  }
}

/**
 * RFC 7519 §7.2 steps 1–5 on the token's text: it throws, naming the first failure.
 * RFC 7515 §7.1: a compact JWS is exactly three segments, so exactly two periods, and
 * SPEC §7 rule 18: each segment is canonical base64url. Performance: one anchored, linear
 * regular expression checks the shape and the alphabet natively; only when it fails do we
 * look closer, to name the reason.
 */
function checkStructure(token: string, firstDot: number, secondDot: number): void {
  if (!COMPACT_JWS.test(token)) throw reject(diagnoseShape(token));
  // Step 2–5: the JOSE header. Step 3 decodes it "following the restriction that no line
  // breaks, whitespace, or other additional characters have been used"; step 5 accepts only
  // parameters "understood and supported". We support exactly `alg` = HS256 and `typ` = JWT,
  // so `none`, every other `alg`, `jku`/`jwk`/`kid` and any `crit` (RFC 7515 §4.1.11) fail here.
  // Performance: the header we issue is compared as a string; only others are decoded.
  if (firstDot !== ENCODED_HEADER.length || !token.startsWith(ENCODED_HEADER)) {
    checkHeader(token.slice(0, firstDot));
  }
  // SPEC §7 rule 18: no non-zero unused bits at the end of the payload or the signature.
  if (!hasCanonicalEnd(token, firstDot + 1, secondDot)) throw reject('payload is not canonical base64url');
  if (!hasCanonicalEnd(token, secondDot + 1)) throw reject('signature is not canonical base64url');
}

/**
 * RFC 7519 §4.1 registered claims and the SPEC §3 private ones, each of its type.
 * Returns frozen claims: the same object may be handed to many callers.
 */
function typedClaims(json: string): AccessClaims {
  const c = parseJsonObject(json);
  if (c === undefined) throw reject('payload is not a JSON object');
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
  return Object.freeze(c) as unknown as AccessClaims;
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
  // RFC 7515 §4: with duplicate names, "use a JSON parser that returns only the lexically last
  // duplicate member name" — which JSON.parse does.
  const header = parseJsonObject(Buffer.from(encoded, 'base64url').toString('utf8'));
  if (header === undefined) throw reject('header is not a JSON object');
  if ('crit' in header) throw reject('crit header not supported');
  if (header.alg !== HEADER.alg) throw reject('alg must be HS256');
  if (header.typ !== HEADER.typ) throw reject('typ must be JWT');
  if (Object.keys(header).length !== 2) throw reject('unsupported header parameter');
}

/** Why a token failed the `COMPACT_JWS` shape: only computed for rejected tokens. */
function diagnoseShape(token: string): string {
  const segments = token.split('.');
  if (segments.length !== 3) return 'not three segments';
  if (!segments.every((segment) => isCanonicalBase64url(segment))) return 'not canonical base64url';
  return 'signature is not 32 bytes of canonical base64url';
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
