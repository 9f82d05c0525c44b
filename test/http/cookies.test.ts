import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authCookies, clearedAuthCookies } from '../../src/app/auth-cookies.js';
import { getCookie, serializeCookie } from '../../src/http/cookies.js';

test('SPEC §2: login/refresh set sl_access and sl_refresh with exactly the listed attributes', () => {
  const [access, refresh] = authCookies('a.b.c', 'r_t-1', { accessTtlSeconds: 900, refreshTtlSeconds: 604800, secure: false });
  assert.equal(access, 'sl_access=a.b.c; HttpOnly; SameSite=Strict; Path=/; Max-Age=900');
  assert.equal(refresh, 'sl_refresh=r_t-1; HttpOnly; SameSite=Strict; Path=/api/auth; Max-Age=604800');
});

test('SPEC §2: COOKIE_SECURE=1 adds Secure to both cookies', () => {
  for (const line of authCookies('a', 'r', { accessTtlSeconds: 1, refreshTtlSeconds: 2, secure: true })) {
    assert.match(line, /; Secure$/);
  }
});

test('RFC 6265 §5.2.2: logout clears both cookies with Max-Age=0 on the same paths', () => {
  assert.deepEqual(clearedAuthCookies(false), [
    'sl_access=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0',
    'sl_refresh=; HttpOnly; SameSite=Strict; Path=/api/auth; Max-Age=0',
  ]);
});

test('RFC 6265 §4.1.1: a value with a character a cookie cannot carry is refused', () => {
  for (const bad of ['a;b', 'a b', 'a,b', 'a"b', 'a\\b', 'é']) {
    assert.throws(() => serializeCookie('x', bad, { path: '/', maxAgeSeconds: 1, secure: false }), bad);
  }
});

test('getCookie finds a cookie among others, trims spaces, unwraps quotes and takes the first', () => {
  const header = 'theme=dark; sl_access=tok.en.x ;sl_refresh="abc"; sl_access=second';
  assert.equal(getCookie(header, 'sl_access'), 'tok.en.x');
  assert.equal(getCookie(header, 'sl_refresh'), 'abc');
  assert.equal(getCookie(header, 'theme'), 'dark');
  assert.equal(getCookie(header, 'missing'), undefined);
  assert.equal(getCookie(undefined, 'sl_access'), undefined);
  assert.equal(getCookie('xsl_access=1', 'sl_access'), undefined, 'a name is matched whole, not as a suffix');
  assert.equal(getCookie('flag; sl_access=1', 'sl_access'), '1', 'a pair without = is skipped');
});
