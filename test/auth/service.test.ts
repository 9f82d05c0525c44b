import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, type ErrorCode } from '../../src/errors.js';
import { AuthService } from '../../src/auth/service.js';
import { HashPool } from '../../src/auth/hash-pool.js';
import { ScryptHasher, type PasswordHasher } from '../../src/auth/password.js';
import type { Store } from '../../src/store/types.js';
import { MemoryStore } from '../../src/store/memory.js';

const SECRET = Buffer.from('service-test-secret-32-bytes-long!!', 'utf8');
const ACCESS_TTL = 900;
const REFRESH_TTL = 604_800;
const CLIENT = { ip: '127.0.0.1', userAgent: 'test-agent' };
const PASSWORD = 'correct horse battery';

/** Counts verifications and the hashes they were given, over cheap scrypt parameters. */
class SpyHasher implements PasswordHasher {
  readonly inner = new ScryptHasher({ params: { ln: 8, r: 8, p: 1 } });
  readonly verified: string[] = [];
  get dummyHash() {
    return this.inner.dummyHash;
  }
  hash(password: string) {
    return this.inner.hash(password);
  }
  verify(password: string, phc: string) {
    this.verified.push(phc);
    return this.inner.verify(password, phc);
  }
}

function setup(options: { hasher?: PasswordHasher; store?: Store } = {}) {
  const clock = { now: 1_700_000_000_000 };
  const store = options.store ?? new MemoryStore({ now: () => clock.now });
  const hasher = options.hasher ?? new SpyHasher();
  const auth = new AuthService({ store, secret: SECRET, accessTtl: ACCESS_TTL, refreshTtl: REFRESH_TTL, clock: () => clock.now, hasher });
  const ended: Array<[string, string]> = [];
  const deleted: string[] = [];
  auth.on('sessionEnded', (sid, uid) => ended.push([sid, uid]));
  auth.on('userDeleted', (uid) => deleted.push(uid));
  return { auth, store, clock, hasher, ended, deleted };
}

function fails(status: number, code: ErrorCode) {
  return (error: unknown) => {
    assert.ok(error instanceof ApiError, String(error));
    assert.equal(error.status, status);
    assert.equal(error.code, code);
    return true;
  };
}

async function signedIn(auth: AuthService, username = 'alice') {
  await auth.register(username, PASSWORD);
  const tokens = await auth.login(username, PASSWORD, CLIENT);
  return { tokens, claims: await auth.verifyAccessToken(tokens.accessToken) };
}

test('SPEC §2: usernames are 3–20 characters of [A-Za-z0-9_-]', async () => {
  const { auth } = setup();
  for (const bad of ['ab', 'a'.repeat(21), 'has space', 'ünï', 'semi;colon', '', 42, null, undefined]) {
    await assert.rejects(auth.register(bad, PASSWORD), fails(400, 'bad_request'), String(bad));
  }
  for (const good of ['abc', 'A'.repeat(20), 'x_y-z9']) assert.equal((await auth.register(good, PASSWORD)).username, good);
});

test('SPEC §2: passwords are 8–1024 UTF-8 bytes and must be strings', async () => {
  const { auth } = setup();
  await assert.rejects(auth.register('shorty', '1234567'), fails(400, 'bad_request'));
  await assert.rejects(auth.register('longy', 'x'.repeat(1025)), fails(400, 'bad_request'));
  await assert.rejects(auth.register('typed', 12345678), fails(400, 'bad_request'));
  assert.equal((await auth.register('eight', '12345678')).username, 'eight');
});

test('SPEC §2: the first account is admin, later ones user; User shape', async () => {
  const { auth } = setup();
  const first = await auth.register('first', PASSWORD);
  const second = await auth.register('second', PASSWORD);
  assert.equal(first.role, 'admin');
  assert.equal(second.role, 'user');
  assert.deepEqual(Object.keys(first).sort(), ['createdAt', 'id', 'role', 'username']);
  assert.equal(new Date(first.createdAt).toISOString(), first.createdAt);
});

test('SPEC §2: usernames are unique ignoring case (409 username_taken)', async () => {
  const { auth } = setup();
  await auth.register('Alice', PASSWORD);
  await assert.rejects(auth.register('aLICE', PASSWORD), fails(409, 'username_taken'));
});

test('SPEC §7 rule 19: register creates no session', async () => {
  const { auth, store } = setup();
  const user = await auth.register('alice', PASSWORD);
  assert.deepEqual(await store.listSessions(user.id), []);
});

test('SPEC §2: login returns Tokens and its access token verifies with the SPEC §3 claims', async () => {
  const { auth, clock } = setup();
  const { tokens, claims } = await signedIn(auth);
  assert.equal(tokens.tokenType, 'Bearer');
  assert.equal(tokens.expiresIn, ACCESS_TTL);
  assert.equal(tokens.user.username, 'alice');
  assert.equal(claims.sub, tokens.user.id);
  assert.equal(claims.name, 'alice');
  assert.equal(claims.role, 'admin');
  assert.equal(claims.iss, 'socketlink');
  assert.equal(claims.exp - claims.iat, ACCESS_TTL);
  assert.equal(claims.iat, Math.floor(clock.now / 1000));
  // SPEC §3: the refresh token carries at least 256 random bits.
  assert.ok(Buffer.from(tokens.refreshToken.split('.')[1]!, 'base64url').length >= 32);
});

test('SPEC §3: refresh tokens are stored only as a hash', async () => {
  const { auth, store } = setup();
  const { tokens, claims } = await signedIn(auth);
  const session = await store.getSession(claims.sid);
  assert.ok(session);
  assert.ok(!JSON.stringify(session).includes(tokens.refreshToken.split('.')[1]!));
});

test('SPEC §2: login is invalid_credentials for unknown user and wrong password alike, both after one scrypt', async () => {
  const hasher = new SpyHasher();
  const { auth } = setup({ hasher });
  await auth.register('alice', PASSWORD);
  await assert.rejects(auth.login('alice', 'wrong password', CLIENT), fails(401, 'invalid_credentials'));
  await assert.rejects(auth.login('nobody', PASSWORD, CLIENT), fails(401, 'invalid_credentials'));
  assert.equal(hasher.verified.length, 2);
  assert.equal(hasher.verified[1], hasher.dummyHash);
});

test('SPEC §2: login finds the user ignoring case', async () => {
  const { auth } = setup();
  await auth.register('Alice', PASSWORD);
  assert.equal((await auth.login('aLiCe', PASSWORD, CLIENT)).user.username, 'Alice');
});

test('SPEC §7 rule 20: the 6th attempt in the window is 429 even with the right password', async () => {
  const { auth } = setup();
  await auth.register('alice', PASSWORD);
  for (let i = 0; i < 5; i++) await assert.rejects(auth.login('alice', 'wrong password', CLIENT), fails(401, 'invalid_credentials'));
  await assert.rejects(auth.login('alice', PASSWORD, CLIENT), fails(429, 'rate_limited'));
  // Another IP is a different key.
  assert.ok(await auth.login('alice', PASSWORD, { ...CLIENT, ip: '10.9.9.9' }));
});

test('SPEC §7 rule 20: a success clears the failure count', async () => {
  const { auth } = setup();
  await auth.register('alice', PASSWORD);
  for (let i = 0; i < 4; i++) await assert.rejects(auth.login('alice', 'wrong password', CLIENT));
  await auth.login('alice', PASSWORD, CLIENT);
  for (let i = 0; i < 5; i++) await assert.rejects(auth.login('alice', 'wrong password', CLIENT), fails(401, 'invalid_credentials'));
});

test('SPEC §2: login with non-string fields is 400', async () => {
  const { auth } = setup();
  await assert.rejects(auth.login({}, PASSWORD, CLIENT), fails(400, 'bad_request'));
  await assert.rejects(auth.login('alice', ['x'], CLIENT), fails(400, 'bad_request'));
});

test('SPEC §2: a full hash queue is 503 overloaded', async () => {
  const pool = new HashPool({ concurrency: 1, maxQueue: 0 });
  const { auth } = setup({ hasher: new ScryptHasher({ params: { ln: 8, r: 8, p: 1 }, pool }) });
  const results = await Promise.allSettled([auth.register('one', PASSWORD), auth.register('two', PASSWORD)]);
  assert.equal(results[0].status, 'fulfilled');
  assert.equal(results[1].status, 'rejected');
  fails(503, 'overloaded')((results[1] as PromiseRejectedResult).reason);
});

test('SPEC §2: refresh rotates; the old refresh token stops working', async () => {
  const { auth, clock } = setup();
  const { tokens } = await signedIn(auth);
  clock.now += 1000;
  const next = await auth.refresh(tokens.refreshToken, CLIENT);
  assert.notEqual(next.refreshToken, tokens.refreshToken);
  assert.equal((await auth.verifyAccessToken(next.accessToken)).sub, tokens.user.id);
  const third = await auth.refresh(next.refreshToken, CLIENT);
  assert.ok(third.accessToken);
});

test('SPEC §2: presenting a rotated-out refresh token revokes the whole session', async () => {
  const { auth, ended } = setup();
  const { tokens, claims } = await signedIn(auth);
  const next = await auth.refresh(tokens.refreshToken, CLIENT);
  await assert.rejects(auth.refresh(tokens.refreshToken, CLIENT), fails(401, 'unauthorized'));
  // The thief's use killed the legitimate holder's tokens too.
  await assert.rejects(auth.refresh(next.refreshToken, CLIENT), fails(401, 'unauthorized'));
  await assert.rejects(auth.verifyAccessToken(next.accessToken), fails(401, 'unauthorized'));
  assert.deepEqual(ended, [[claims.sid, claims.sub]]);
});

test('refresh: two concurrent refreshes with one token are one use and one reuse, never two sessions\' worth of tokens', async () => {
  const { auth, ended } = setup();
  const { tokens, claims } = await signedIn(auth);
  const results = await Promise.allSettled([auth.refresh(tokens.refreshToken, CLIENT), auth.refresh(tokens.refreshToken, CLIENT)]);
  assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
  const rejected = results.find((r) => r.status === 'rejected')!;
  assert.ok(fails(401, 'unauthorized')(rejected.reason));
  // The second presentation was a reuse: the session, and with it the winner's tokens, ended.
  const winner = (results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<Awaited<ReturnType<AuthService['refresh']>>>).value;
  await assert.rejects(auth.refresh(winner.refreshToken, CLIENT), fails(401, 'unauthorized'));
  assert.deepEqual(ended, [[claims.sid, claims.sub]]);
});

test('refresh: a guessed secret for a real session id is 401 and ends nothing', async () => {
  const { auth, ended } = setup();
  const { tokens } = await signedIn(auth);
  const [sid] = tokens.refreshToken.split('.');
  await assert.rejects(auth.refresh(`${sid}.${Buffer.alloc(32).toString('base64url')}`, CLIENT), fails(401, 'unauthorized'));
  assert.ok(await auth.refresh(tokens.refreshToken, CLIENT));
  assert.deepEqual(ended, []);
});

test('refresh: garbage, wrong types and expired sessions are rejected', async () => {
  const { auth, clock } = setup();
  const { tokens } = await signedIn(auth);
  await assert.rejects(auth.refresh('not-a-token', CLIENT), fails(401, 'unauthorized'));
  await assert.rejects(auth.refresh(123, CLIENT), fails(400, 'bad_request'));
  clock.now += REFRESH_TTL * 1000;
  await assert.rejects(auth.refresh(tokens.refreshToken, CLIENT), fails(401, 'unauthorized'));
});

test('SPEC §2: logout ends the session and revokes the access token until it expires', async () => {
  const { auth, store, ended } = setup();
  const { tokens, claims } = await signedIn(auth);
  await auth.logout(claims);
  await assert.rejects(auth.verifyAccessToken(tokens.accessToken), fails(401, 'unauthorized'));
  await assert.rejects(auth.refresh(tokens.refreshToken, CLIENT), fails(401, 'unauthorized'));
  assert.equal(await store.isTokenRevoked(claims.jti), true);
  assert.deepEqual(ended, [[claims.sid, claims.sub]]);
});

test('SPEC §3: an access token past exp + 30 s is token_expired', async () => {
  const { auth, clock } = setup();
  const { tokens } = await signedIn(auth);
  clock.now += (ACCESS_TTL + 29) * 1000;
  assert.ok(await auth.verifyAccessToken(tokens.accessToken));
  clock.now += 2000;
  await assert.rejects(auth.verifyAccessToken(tokens.accessToken), fails(401, 'token_expired'));
});

test('SPEC §7 rule 17: a sid that is not a live session of sub is rejected', async () => {
  const { auth } = setup();
  const alice = await signedIn(auth, 'alice');
  const bob = await signedIn(auth, 'bob');
  await auth.endSession(bob.claims, bob.claims.sid);
  await assert.rejects(auth.verifyAccessToken(bob.tokens.accessToken), fails(401, 'unauthorized'));
  assert.ok(await auth.verifyAccessToken(alice.tokens.accessToken));
});

test('SPEC §2: sessions list marks the current device', async () => {
  const { auth } = setup();
  const { claims } = await signedIn(auth);
  await auth.login('alice', PASSWORD, { ip: '10.0.0.2', userAgent: 'phone' });
  const sessions = await auth.listSessions(claims);
  assert.equal(sessions.length, 2);
  assert.deepEqual(sessions.map((s) => s.current).sort(), [false, true]);
  const current = sessions.find((s) => s.current)!;
  assert.equal(current.id, claims.sid);
  assert.deepEqual(Object.keys(current).sort(), ['createdAt', 'current', 'id', 'ip', 'lastUsedAt', 'userAgent']);
  assert.equal(sessions.find((s) => !s.current)!.userAgent, 'phone');
});

test('SPEC §2: ending another user\'s session is 404; ending your own other device works', async () => {
  const { auth, ended } = setup();
  const alice = await signedIn(auth, 'alice');
  const bob = await signedIn(auth, 'bob');
  await assert.rejects(auth.endSession(alice.claims, bob.claims.sid), fails(404, 'not_found'));
  await assert.rejects(auth.endSession(alice.claims, 'no-such-session'), fails(404, 'not_found'));
  const phone = await auth.login('alice', PASSWORD, CLIENT);
  const phoneClaims = await auth.verifyAccessToken(phone.accessToken);
  await auth.endSession(alice.claims, phoneClaims.sid);
  await assert.rejects(auth.verifyAccessToken(phone.accessToken), fails(401, 'unauthorized'));
  assert.deepEqual(ended, [[phoneClaims.sid, alice.claims.sub]]);
});

test('SPEC §2: DELETE user is admin only (403), 404 for unknown, and ends the user\'s tokens', async () => {
  const { auth, deleted } = setup();
  const admin = await signedIn(auth, 'admin');
  const bob = await signedIn(auth, 'bob');
  await assert.rejects(auth.deleteUser(bob.claims, admin.claims.sub), fails(403, 'forbidden'));
  await assert.rejects(auth.deleteUser(admin.claims, 'no-such-user'), fails(404, 'not_found'));
  await auth.deleteUser(admin.claims, bob.claims.sub);
  assert.deepEqual(deleted, [bob.claims.sub]);
  await assert.rejects(auth.verifyAccessToken(bob.tokens.accessToken), fails(401, 'unauthorized'));
  await assert.rejects(auth.refresh(bob.tokens.refreshToken, CLIENT), fails(401, 'unauthorized'));
  assert.deepEqual((await auth.listUsers()).map((u) => u.username), ['admin']);
});

test('SPEC §2: me returns the User', async () => {
  const { auth } = setup();
  const { claims, tokens } = await signedIn(auth);
  assert.deepEqual(await auth.me(claims), tokens.user);
});
