import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, createSecretKey } from 'node:crypto';
import { ApiError } from '../../src/errors.js';
import { ENCODED_HEADER, Hs256Jwt, hs256, MAX_TOKEN_LENGTH } from '../../src/auth/jwt.js';

// RFC 7515 Appendix A.1, typed in from the RFC.
const RFC_HEADER = 'eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9';
const RFC_PAYLOAD = 'eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ';
const RFC_KEY = 'AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow';
const RFC_SIGNATURE = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';

const SECRET = Buffer.from('a-test-secret-of-at-least-32-bytes!!', 'utf8');
const NOW_MS = 1_700_000_000_000;
const NOW = NOW_MS / 1000;

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { sub: 'u1', name: 'alice', role: 'user', sid: 's1', jti: 'j1', iat: NOW, exp: NOW + 900, iss: 'socketlink', ...overrides };
}

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** Builds a token by hand, independently of the code under test. */
function forge(header: unknown, payload: unknown, key: Buffer = SECRET, hash = 'sha256'): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac(hash, key).update(input).digest('base64url')}`;
}

function jwt(clockMs = NOW_MS): Hs256Jwt {
  return new Hs256Jwt({ secret: SECRET, clock: () => clockMs });
}

function rejects(token: string, code: 'unauthorized' | 'token_expired', reason?: RegExp, clockMs = NOW_MS): void {
  assert.throws(
    () => jwt(clockMs).verify(token),
    (error: unknown) => {
      assert.ok(error instanceof ApiError);
      assert.equal(error.status, 401);
      assert.equal(error.code, code);
      if (reason) assert.match(error.message, reason);
      return true;
    },
  );
}

const HEADER = { alg: 'HS256', typ: 'JWT' };

test('RFC 7515 A.1: HS256 of the example signing input with the example key is the published signature', () => {
  const key = createSecretKey(Buffer.from(RFC_KEY, 'base64url'));
  assert.equal(hs256(key, `${RFC_HEADER}.${RFC_PAYLOAD}`).toString('base64url'), RFC_SIGNATURE);
});

test('RFC 7515 A.1: the example token passes header and signature checks and fails only on our iss rule', () => {
  const verifier = new Hs256Jwt({ secret: Buffer.from(RFC_KEY, 'base64url') });
  assert.throws(() => verifier.verify(`${RFC_HEADER}.${RFC_PAYLOAD}.${RFC_SIGNATURE}`), /wrong iss/);
  const tampered = RFC_SIGNATURE.slice(0, -1) + (RFC_SIGNATURE.endsWith('k') ? 'U' : 'k');
  assert.throws(() => verifier.verify(`${RFC_HEADER}.${RFC_PAYLOAD}.${tampered}`), /signature mismatch/);
});

test('SPEC §3: the header we sign is exactly {"alg":"HS256","typ":"JWT"}', () => {
  const token = jwt().sign(claims() as never);
  const [header] = token.split('.');
  assert.equal(Buffer.from(header!, 'base64url').toString(), '{"alg":"HS256","typ":"JWT"}');
  assert.equal(header, ENCODED_HEADER);
});

test('sign then verify round-trips the claims and adds iss', () => {
  const { iss: _iss, ...toSign } = claims();
  const verified = jwt().verify(jwt().sign(toSign as never));
  assert.deepEqual(verified, claims());
});

test('a hand-forged token with the right key verifies (independent encoder)', () => {
  assert.equal(jwt().verify(forge(HEADER, claims())).sub, 'u1');
});

test('RFC 7515 §4: the same header with other key order and spacing is accepted', () => {
  const input = `${b64('{ "typ" : "JWT", "alg" : "HS256" }')}.${b64(claims())}`;
  const token = `${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`;
  assert.equal(jwt().verify(token).sub, 'u1');
});

test('RFC 8725 §3.1: alg "none" with an empty signature is rejected', () => {
  rejects(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`, 'unauthorized');
});

test('RFC 8725 §3.1: alg "none" with a valid-looking signature is rejected', () => {
  rejects(forge({ alg: 'none', typ: 'JWT' }, claims()), 'unauthorized', /alg/);
});

test('RFC 8725 §2.1: HS512 is rejected even with the right key', () => {
  rejects(forge({ alg: 'HS512', typ: 'JWT' }, claims(), SECRET, 'sha512'), 'unauthorized', /alg|signature/);
});

test('SPEC §3: HS256 signed over an HS384 header is rejected for its alg', () => {
  rejects(forge({ alg: 'HS384', typ: 'JWT' }, claims()), 'unauthorized', /alg must be HS256/);
});

test('RFC 7515 §4.1.11: a crit header is rejected', () => {
  rejects(forge({ alg: 'HS256', typ: 'JWT', crit: ['exp'] }, claims()), 'unauthorized', /crit/);
});

test('SPEC §3: an extra header parameter (kid) is rejected', () => {
  rejects(forge({ alg: 'HS256', typ: 'JWT', kid: 'k1' }, claims()), 'unauthorized', /unsupported header/);
});

test('SPEC §3: a missing or wrong typ is rejected', () => {
  rejects(forge({ alg: 'HS256' }, claims()), 'unauthorized', /typ/);
  rejects(forge({ alg: 'HS256', typ: 'JOSE' }, claims()), 'unauthorized', /typ/);
});

test('SPEC §3: a header that is not a JSON object is rejected', () => {
  rejects(forge('["HS256"]', claims()), 'unauthorized', /header is not a JSON object/);
  rejects(forge('{"alg":', claims()), 'unauthorized', /header is not a JSON object/);
});

test('RFC 7515 §5.2: a tampered payload fails the signature check', () => {
  const [h, , s] = forge(HEADER, claims()).split('.');
  rejects(`${h}.${b64(claims({ role: 'admin' }))}.${s}`, 'unauthorized', /signature mismatch/);
});

test('RFC 7515 §5.2: a token signed with another key is rejected', () => {
  rejects(forge(HEADER, claims(), Buffer.alloc(32, 7)), 'unauthorized', /signature mismatch/);
});

test('RFC 7515 §7.1: two or four segments are rejected', () => {
  const token = forge(HEADER, claims());
  rejects(token.split('.').slice(0, 2).join('.'), 'unauthorized', /three segments/);
  rejects(`${token}.AAAA`, 'unauthorized', /three segments/);
  rejects('', 'unauthorized');
});

test('SPEC §3: a token longer than 8 KiB is rejected before anything else', () => {
  const big = forge(HEADER, claims({ pad: 'x'.repeat(MAX_TOKEN_LENGTH) }));
  rejects(big, 'unauthorized', /8 KiB/);
  // The length check comes first: even garbage is refused for its length.
  rejects('!'.repeat(MAX_TOKEN_LENGTH + 1), 'unauthorized', /8 KiB/);
});

test('SPEC §7 rule 18: a padded signature segment is rejected', () => {
  rejects(`${forge(HEADER, claims())}=`, 'unauthorized', /base64url/);
});

test('SPEC §7 rule 18: a padded payload segment is rejected', () => {
  // Pick claims whose payload length is not a multiple of 3, so padding would exist.
  let payload = claims();
  for (let i = 0; b64(payload).length % 4 === 0; i++) payload = claims({ x: 'y'.repeat(i) });
  const padded = Buffer.from(JSON.stringify(payload)).toString('base64');
  assert.match(padded, /=$/);
  const input = `${ENCODED_HEADER}.${padded.replace(/\+/g, '-').replace(/\//g, '_')}`;
  rejects(`${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`, 'unauthorized', /base64url/);
});

test('SPEC §7 rule 18: standard-alphabet + and / are rejected', () => {
  const [h, p, s] = forge(HEADER, claims()).split('.');
  rejects(`${h}.${p}.${s!.replace(/-/g, '+').replace(/_/g, '/').slice(0, 42)}/`, 'unauthorized', /base64url/);
});

test('SPEC §7 rule 18: a signature with non-zero unused trailing bits is rejected', () => {
  const token = forge(HEADER, claims());
  const last = token.at(-1)!;
  // The 43rd character of a 32-byte value carries 4 data bits and 2 spare bits: flip a spare one.
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const twin = alphabet[alphabet.indexOf(last) ^ 1]!;
  assert.deepEqual(Buffer.from(token.slice(0, -1) + twin, 'base64url'), Buffer.from(token, 'base64url'));
  rejects(token.slice(0, -1) + twin, 'unauthorized', /base64url/);
});

test('SPEC §7 rule 18: a non-canonical header spelling is rejected', () => {
  // Same bytes, padded header: decodes identically under a lenient decoder.
  const input = `${ENCODED_HEADER}==.${b64(claims())}`;
  rejects(`${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`, 'unauthorized');
});

test('SPEC §3: exp is required', () => {
  const { exp: _exp, ...noExp } = claims();
  rejects(forge(HEADER, noExp), 'unauthorized', /exp/);
});

test('SPEC §7 rule 2: expired beyond the 30 s skew is token_expired', () => {
  rejects(forge(HEADER, claims({ exp: NOW - 31 })), 'token_expired');
});

test('SPEC §3: expired but inside the 30 s skew is accepted', () => {
  assert.equal(jwt().verify(forge(HEADER, claims({ exp: NOW - 29 }))).sub, 'u1');
});

test('RFC 7519 §4.1.4: exp is honoured against the injected clock', () => {
  const token = jwt().sign({ ...claims(), exp: NOW + 10 } as never);
  assert.equal(jwt(NOW_MS + 39_000).verify(token).sub, 'u1');
  rejects(token, 'token_expired', undefined, NOW_MS + 40_000);
});

test('RFC 7519 §4.1.5: nbf beyond the skew in the future is rejected; inside it, accepted', () => {
  rejects(forge(HEADER, claims({ nbf: NOW + 31 })), 'unauthorized', /nbf/);
  assert.equal(jwt().verify(forge(HEADER, claims({ nbf: NOW + 29 }))).sub, 'u1');
});

test('SPEC §7 rule 17: iss must be socketlink', () => {
  rejects(forge(HEADER, claims({ iss: 'someone-else' })), 'unauthorized', /iss/);
  const { iss: _iss, ...noIss } = claims();
  rejects(forge(HEADER, noIss), 'unauthorized', /iss/);
});

test('SPEC §3: claims of the wrong type are rejected', () => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ sub: 42 }, /strings/],
    [{ name: null }, /strings/],
    [{ sid: ['s1'] }, /strings/],
    [{ jti: undefined }, /strings/],
    [{ role: 'root' }, /role/],
    [{ role: 1 }, /role/],
    [{ iat: '1700000000' }, /iat/],
    [{ exp: String(NOW + 900) }, /exp/],
    [{ nbf: 'now' }, /nbf/],
  ];
  for (const [override, reason] of cases) rejects(forge(HEADER, claims(override)), 'unauthorized', reason);
});

test('SPEC §3: a payload that is not a JSON object is rejected', () => {
  rejects(forge(HEADER, '[1,2]'), 'unauthorized', /payload is not a JSON object/);
  rejects(forge(HEADER, 'not json'), 'unauthorized', /payload is not a JSON object/);
});

test('RFC 7518 §3.2: a key shorter than 32 bytes is refused at construction', () => {
  assert.throws(() => new Hs256Jwt({ secret: Buffer.alloc(31) }), RangeError);
  assert.doesNotThrow(() => new Hs256Jwt({ secret: Buffer.alloc(32) }));
});

test('RFC 7519 §4.1.4: the same verifier re-checks exp on every call for a token it has seen', () => {
  const clock = { now: NOW_MS };
  const verifier = new Hs256Jwt({ secret: SECRET, clock: () => clock.now });
  const token = forge(HEADER, claims({ exp: NOW + 10 }));
  assert.equal(verifier.verify(token).sub, 'u1');
  clock.now += 40_000;
  assert.throws(() => verifier.verify(token), (e: unknown) => e instanceof ApiError && e.code === 'token_expired');
});

test('a token seen once still fails when its signature is altered', () => {
  const verifier = jwt();
  const token = forge(HEADER, claims());
  verifier.verify(token);
  const [h, p] = token.split('.');
  assert.throws(() => verifier.verify(`${h}.${p}.${forge(HEADER, claims(), Buffer.alloc(32, 1)).split('.')[2]}`), /signature mismatch/);
});

test('SPEC §7 rule 18: a re-spelled copy of a verified token (a character above U+00FF, same MAC bytes) is rejected, cached or not', () => {
  const verifier = jwt();
  const token = forge(HEADER, claims());
  verifier.verify(token);
  // The HMAC input is encoded one byte per character: U+0165 becomes 0x65, like 'e'.
  const at = token.indexOf('.') + 1;
  const variant = `${token.slice(0, at)}${String.fromCharCode(0x100 + token.charCodeAt(at))}${token.slice(at + 1)}`;
  assert.throws(() => verifier.verify(variant), (error: unknown) => error instanceof ApiError && error.code === 'unauthorized');
  assert.throws(() => jwt().verify(variant), (error: unknown) => error instanceof ApiError && error.code === 'unauthorized');
  assert.equal(verifier.verify(token).sub, 'u1');
});

test('verified claims are frozen, so a cached copy cannot be altered by a caller', () => {
  const verified = jwt().verify(forge(HEADER, claims()));
  assert.throws(() => {
    (verified as { role: string }).role = 'admin';
  }, TypeError);
});

test('RFC 7515 §4: with a duplicate alg, the lexically last one counts (none after HS256 is rejected)', () => {
  rejects(forge('{"alg":"HS256","typ":"JWT","alg":"none"}', claims()), 'unauthorized', /alg must be HS256/);
});
