import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SerialByKey } from '../../src/auth/serial-by-key.js';

/** A promise the test settles by hand. */
function gate() {
  let open!: () => void;
  let fail!: (error: Error) => void;
  const promise = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

test('tasks with one key run one after another, even when the first fails', async () => {
  const serial = new SerialByKey();
  const events: string[] = [];
  const first = gate();
  const a = serial.run('k', async () => {
    events.push('a start');
    await first.promise;
    events.push('a end');
  });
  const b = serial.run('k', async () => {
    events.push('b start');
    return 'b';
  });
  await Promise.resolve();
  assert.deepEqual(events, ['a start']);
  first.fail(new Error('boom'));
  await assert.rejects(a, /boom/);
  assert.equal(await b, 'b');
  assert.deepEqual(events, ['a start', 'b start']);
});

test('tasks with different keys do not wait for each other', async () => {
  const serial = new SerialByKey();
  const held = gate();
  const slow = serial.run('x', () => held.promise);
  assert.equal(await serial.run('y', async () => 'y'), 'y');
  held.open();
  await slow;
});

test('a key is forgotten once its last task settles, so memory follows tasks in flight', async () => {
  const serial = new SerialByKey();
  await Promise.all([serial.run('a', async () => 1), serial.run('b', async () => 2), serial.run('a', async () => 3)]);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(serial.size, 0);
});
