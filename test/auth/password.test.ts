import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scryptSync } from 'node:crypto';
import { ApiError } from '../../src/errors.js';
import { HashPool } from '../../src/auth/hash-pool.js';
import { normalizePassword, parsePhc, requireValidPassword, ScryptHasher } from '../../src/auth/password.js';

/** Cheap parameters for tests; the format and code path are the same. */
const FAST = { ln: 10, r: 8, p: 1 };

test('SPEC §3: the default hash is a PHC string with ln=17, r=8, p=1, 16-byte salt, 32-byte key', async () => {
  const hasher = new ScryptHasher({ pool: new HashPool({ concurrency: 1 }) });
  const phc = await hasher.hash('correct horse');
  assert.match(phc, /^\$scrypt\$ln=17,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
  const [, , , salt, hash] = phc.split('$');
  // Independent check with the same parameters computed synchronously by Node.
  const expected = scryptSync('correct horse', Buffer.from(salt!, 'base64'), 32, { N: 2 ** 17, r: 8, p: 1, maxmem: 256 * 1024 * 1024 });
  assert.equal(expected.toString('base64').replace(/=+$/, ''), hash);
});

test('verify accepts the right password and rejects a wrong one', async () => {
  const hasher = new ScryptHasher({ params: FAST });
  const phc = await hasher.hash('hunter2hunter2');
  assert.equal(await hasher.verify('hunter2hunter2', phc), true);
  assert.equal(await hasher.verify('hunter2hunter3', phc), false);
});

test('SPEC §3: verification re-hashes with the parameters stored in the hash', async () => {
  const old = await new ScryptHasher({ params: { ln: 9, r: 4, p: 1 } }).hash('password-one');
  assert.match(old, /^\$scrypt\$ln=9,r=4,p=1\$/);
  assert.equal(await new ScryptHasher({ params: FAST }).verify('password-one', old), true);
});

test('the dummy hash is well-formed and matches no password', async () => {
  const hasher = new ScryptHasher({ params: FAST });
  assert.ok(parsePhc(hasher.dummyHash));
  assert.equal(await hasher.verify('anything-at-all', hasher.dummyHash), false);
});

test('malformed or out-of-bounds PHC strings never verify', async () => {
  const hasher = new ScryptHasher({ params: FAST });
  const good = await hasher.hash('password-two');
  assert.equal(parsePhc(good.replace('ln=10', 'ln=40')), undefined);
  assert.equal(parsePhc(good.replace('$scrypt$', '$argon2id$')), undefined);
  assert.equal(await hasher.verify('password-two', `${good}=`), false);
});

test('SPEC §3: passwords are NFKC-normalized, so compatibility forms match', async () => {
  const hasher = new ScryptHasher({ params: FAST });
  const phc = await hasher.hash(normalizePassword('ﬁnal-password')!);
  assert.equal(await hasher.verify(normalizePassword('final-password')!, phc), true);
  // Composed and decomposed é are one password.
  assert.equal(normalizePassword('caf\u00e9-latte'), normalizePassword('cafe\u0301-latte'));
});

test('SPEC §2: password length is 8–1024 UTF-8 bytes', () => {
  assert.equal(normalizePassword('1234567'), undefined);
  assert.equal(normalizePassword('12345678'), '12345678');
  assert.equal(normalizePassword('x'.repeat(1024))?.length, 1024);
  assert.equal(normalizePassword('x'.repeat(1025)), undefined);
  // Bytes, not characters: two 4-byte emoji are 8 bytes.
  assert.equal(normalizePassword('😀😀'), '😀😀');
  assert.equal(normalizePassword('ééé'), undefined); // 6 bytes
  assert.throws(() => requireValidPassword(12345678), (e: unknown) => e instanceof ApiError && e.code === 'bad_request');
  assert.throws(() => requireValidPassword('short'), (e: unknown) => e instanceof ApiError && e.status === 400);
});

test('hash pool: never runs more than K jobs at once', async () => {
  const pool = new HashPool({ concurrency: 2, maxQueue: 10 });
  let running = 0;
  let peak = 0;
  const job = async () => {
    running++;
    peak = Math.max(peak, running);
    await new Promise((resolve) => setImmediate(resolve));
    running--;
  };
  await Promise.all(Array.from({ length: 8 }, () => pool.run(job)));
  assert.equal(peak, 2);
  assert.equal(pool.running, 0);
});

test('hash pool: past the bounded queue, 503 overloaded with retry-after', async () => {
  const pool = new HashPool({ concurrency: 1, maxQueue: 2 });
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const accepted = [pool.run(() => gate), pool.run(() => gate), pool.run(() => gate)];
  await assert.rejects(pool.run(() => gate), (error: unknown) => {
    assert.ok(error instanceof ApiError);
    assert.equal(error.status, 503);
    assert.equal(error.code, 'overloaded');
    assert.match(error.headers['retry-after']!, /^[1-9]\d*$/);
    return true;
  });
  assert.equal(pool.queued, 2);
  release();
  await Promise.all(accepted);
  assert.equal(pool.running, 0);
});

test('hash pool: a failing job frees its slot', async () => {
  const pool = new HashPool({ concurrency: 1, maxQueue: 1 });
  await assert.rejects(pool.run(() => Promise.reject(new Error('boom'))), /boom/);
  assert.equal(await pool.run(async () => 7), 7);
});
