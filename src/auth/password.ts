/**
 * Password hashing with scrypt (RFC 7914), stored as a PHC string (SPEC §3):
 *
 *     $scrypt$ln=17,r=8,p=1$<salt>$<hash>
 *
 * `ln` is log2(N). Salt and hash are standard base64 without padding, as the PHC string
 * format specifies ("B64": RFC 4648 §4 alphabet, `=` omitted) — not base64url.
 *
 * scrypt is memory-hard by design: each hash needs 128 · N · r bytes, 128 MiB at
 * N = 2^17, r = 8. It runs on libuv's thread pool (async `crypto.scrypt`), so the event
 * loop stays free, but an unbounded login storm would still exhaust memory. Hence the
 * `HashPool` (hash-pool.ts): at most K hashes at once, a bounded queue, then 503.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { badRequest } from '../errors.js';
import { HashPool } from './hash-pool.js';

/** SPEC §3 / OWASP: N = 2^17, r = 8, p = 1, 16-byte salt, 32-byte key. */
export interface ScryptParams {
  /** log2 of the CPU/memory cost N (RFC 7914 §2). */
  readonly ln: number;
  /** Block size r. */
  readonly r: number;
  /** Parallelization p. */
  readonly p: number;
}
export const DEFAULT_PARAMS: ScryptParams = { ln: 17, r: 8, p: 1 };
export const SALT_BYTES = 16;
export const KEY_BYTES = 32;

/**
 * SPEC §2: a password is 8–1024 bytes of UTF-8. Our choice: the bytes are counted after
 * NFKC normalization, since the normalized form is what is hashed (issue 2: "normalized
 * and their length checked before hashing").
 */
export const MIN_PASSWORD_BYTES = 8;
export const MAX_PASSWORD_BYTES = 1024;

/**
 * Bounds on parameters read back from a stored hash, so a corrupted record cannot make us
 * allocate without limit; they leave room to raise the defaults later. (At the bounds,
 * ln = 20 and r = 32, one hash would need 4 GiB: `maxmem` is derived from the record too, so
 * these bounds are the only guard.)
 */
const MAX_LN = 20;
const MAX_R = 32;
const MAX_P = 16;

/**
 * Memory for one scrypt: V is N blocks of 128·r bytes (RFC 7914 §5, scryptROMix) and B is
 * p of them (§6); the `+ 2` is the working space OpenSSL counts, whose `maxmem` check Node's
 * `crypto.scrypt` applies.
 */
export function scryptMemoryBytes({ ln, r, p }: ScryptParams): number {
  return 128 * r * ((1 << ln) + p + 2);
}

/**
 * Step 1 of every password operation: NFKC normalization (so "ﬁ" and "fi", or a composed and a
 * decomposed "é", are the same password on every keyboard), then the length rule.
 * Returns the normalized password or `undefined` when it breaks the length rule.
 */
export function normalizePassword(password: string): string | undefined {
  const normalized = password.normalize('NFKC');
  const bytes = Buffer.byteLength(normalized, 'utf8');
  return bytes >= MIN_PASSWORD_BYTES && bytes <= MAX_PASSWORD_BYTES ? normalized : undefined;
}

/** For registration: a password that breaks the rule is a 400. */
export function requireValidPassword(password: unknown): string {
  if (typeof password !== 'string') throw badRequest('password must be a string');
  const normalized = normalizePassword(password);
  if (normalized === undefined) {
    throw badRequest(`password must be ${MIN_PASSWORD_BYTES}–${MAX_PASSWORD_BYTES} bytes of UTF-8`);
  }
  return normalized;
}

/** What the auth service needs from a hasher; tests inject cheap parameters. */
export interface PasswordHasher {
  /** PHC string of an already normalized password. 503 `overloaded` when the queue is full. */
  hash(password: string): Promise<string>;
  /** Re-hashes with the parameters stored in `phc` and compares in constant time. */
  verify(password: string, phc: string): Promise<boolean>;
  /** A well-formed PHC string that no password matches, costing what a real one costs. */
  readonly dummyHash: string;
}

export interface ScryptHasherOptions {
  params?: ScryptParams;
  pool?: HashPool;
}

interface ParsedPhc {
  params: ScryptParams;
  salt: Buffer;
  hash: Buffer;
}

export class ScryptHasher implements PasswordHasher {
  readonly params: ScryptParams;
  readonly pool: HashPool;
  readonly dummyHash: string;

  constructor(options: ScryptHasherOptions = {}) {
    this.params = options.params ?? DEFAULT_PARAMS;
    this.pool = options.pool ?? new HashPool();
    // A random salt and random "hash": verifying against it does the full scrypt work and
    // never matches, so an unknown user costs what a wrong password costs (SPEC §2 login).
    this.dummyHash = formatPhc(this.params, randomBytes(SALT_BYTES), randomBytes(KEY_BYTES));
  }

  async hash(password: string): Promise<string> {
    const salt = randomBytes(SALT_BYTES);
    const key = await this.pool.run(() => scryptAsync(password, salt, KEY_BYTES, this.params));
    return formatPhc(this.params, salt, key);
  }

  async verify(password: string, phc: string): Promise<boolean> {
    const parsed = parsePhc(phc);
    if (parsed === undefined) return false;
    // SPEC §3: re-hash with the stored parameters, so they can be raised later.
    const key = await this.pool.run(() => scryptAsync(password, parsed.salt, parsed.hash.length, parsed.params));
    return timingSafeEqual(key, parsed.hash);
  }
}

function scryptAsync(password: string, salt: Buffer, keyLength: number, params: ScryptParams): Promise<Buffer> {
  const options: ScryptOptions = {
    N: 2 ** params.ln,
    r: params.r,
    p: params.p,
    // Node's default maxmem is 32 MiB; N = 2^17, r = 8 needs 128 MiB and a little more.
    maxmem: scryptMemoryBytes(params) + 1024 * 1024,
  };
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** PHC "B64": standard base64 with the padding removed. */
const toB64 = (data: Buffer): string => data.toString('base64').replace(/=+$/, '');

export function formatPhc({ ln, r, p }: ScryptParams, salt: Buffer, hash: Buffer): string {
  return `$scrypt$ln=${ln},r=${r},p=${p}$${toB64(salt)}$${toB64(hash)}`;
}

const PHC_PATTERN = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{16,88})\$([A-Za-z0-9+/]{16,88})$/;

/** Parses our PHC strings; undefined for anything else or out-of-bounds parameters. */
export function parsePhc(phc: string): ParsedPhc | undefined {
  const match = PHC_PATTERN.exec(phc);
  if (match === null) return undefined;
  const [, ln, r, p, salt, hash] = match as unknown as [string, string, string, string, string, string];
  const params = { ln: Number(ln), r: Number(r), p: Number(p) };
  if (params.ln < 1 || params.ln > MAX_LN || params.r < 1 || params.r > MAX_R || params.p < 1 || params.p > MAX_P) return undefined;
  return { params, salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') };
}
