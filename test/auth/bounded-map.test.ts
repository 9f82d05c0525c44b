import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BoundedMap } from '../../src/auth/bounded-map.js';

test('never holds more than maxEntries', () => {
  const map = new BoundedMap<number, number>(10);
  for (let i = 0; i < 1000; i++) {
    map.set(i, i);
    assert.ok(map.size <= 10);
  }
  assert.equal(map.get(999), 999);
  assert.equal(map.get(0), undefined);
});

test('a key read since the last rotation survives the next one', () => {
  const map = new BoundedMap<string, number>(4);
  map.set('hot', 1);
  map.set('a', 2);
  // Rotation 1 happens on the next new key; `hot` moves to `previous`.
  map.set('b', 3);
  assert.equal(map.get('hot'), 1); // promoted back into `current`
  map.set('c', 4); // rotation 2 drops what was only in `previous`: `a`
  assert.equal(map.get('a'), undefined);
  assert.equal(map.get('hot'), 1);
});

test('overwriting and deleting keep one entry per key', () => {
  const map = new BoundedMap<string, number>(4);
  map.set('k', 1);
  map.set('x', 1);
  map.set('y', 1); // rotation: k and x now in `previous`
  map.set('k', 2);
  assert.equal(map.size, 3);
  assert.equal(map.get('k'), 2);
  map.delete('k');
  assert.equal(map.get('k'), undefined);
  assert.equal(map.size, 2);
});

test('onRotate is told about rotations by size and by call', () => {
  let rotations = 0;
  const map = new BoundedMap<number, number>(4, () => rotations++);
  for (let i = 0; i < 3; i++) map.set(i, i);
  assert.equal(rotations, 1);
  map.rotate();
  assert.equal(rotations, 2);
});
