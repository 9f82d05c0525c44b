import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TypingTracker } from '../../src/chat/typing.js';
import { ManualClock } from './fakes.js';

const ann = { id: 'u-ann', username: 'ann' };

function tracker() {
  const clock = new ManualClock();
  const stops: string[] = [];
  const typing = new TypingTracker({ clock, onAutoStop: (room, _userId, username) => stops.push(`${room}:${username}`) });
  return { clock, stops, typing };
}

test('SPEC §4: typing is announced once; stop_typing is announced; nothing is left afterwards', () => {
  const { clock, typing } = tracker();
  assert.equal(typing.start('r', ann), true);
  assert.equal(typing.stop('r', ann.id), true);
  assert.equal(typing.stop('r', ann.id), false, 'a second stop is not announced');
  clock.advance(10_000);
  assert.equal(typing.size, 0);
  assert.equal(clock.pending, 0);
});

test('SPEC §4: after 5 s without typing the server stops it itself, exactly at 5 s', () => {
  const { clock, stops, typing } = tracker();
  typing.start('r', ann);
  clock.advance(4999);
  assert.deepEqual(stops, []);
  clock.advance(1);
  assert.deepEqual(stops, ['r:ann']);
});

test('SPEC §4: each typing frame re-arms the 5 s timer and is not re-announced', () => {
  const { clock, stops, typing } = tracker();
  assert.equal(typing.start('r', ann), true);
  for (let i = 0; i < 10; i++) {
    clock.advance(4000);
    assert.equal(typing.start('r', ann), false);
  }
  assert.deepEqual(stops, []);
  clock.advance(5000);
  assert.deepEqual(stops, ['r:ann']);
});

test('issue 4 §7: rapid typing/stop_typing cycles are throttled to about one announcement a second', () => {
  const { clock, typing } = tracker();
  let announced = 0;
  for (let i = 0; i < 100; i++) {
    if (typing.start('r', ann)) announced++;
    typing.stop('r', ann.id);
    clock.advance(10);
  }
  // 1 s of cycling: the burst of 3 plus at most one refill.
  assert.ok(announced >= 3 && announced <= 4, `announced ${announced}`);
});

test('an unannounced (throttled) spell ends silently, so others always see matched pairs', () => {
  const { clock, stops, typing } = tracker();
  for (let i = 0; i < 3; i++) {
    typing.start('r', ann);
    typing.stop('r', ann.id);
  }
  assert.equal(typing.start('r', ann), false);
  assert.equal(typing.stop('r', ann.id), false);
  assert.equal(typing.start('r', ann), false);
  clock.advance(5000);
  assert.deepEqual(stops, [], 'no auto-stop for a spell that was never announced');
});

test('forget owes a stop only for an announced spell, and cancels its timer', () => {
  const { clock, stops, typing } = tracker();
  typing.start('r', ann);
  assert.equal(typing.forget('r', ann.id), true);
  assert.equal(typing.size, 0);
  clock.advance(6000);
  assert.deepEqual(stops, []);
  assert.equal(typing.forget('r', ann.id), false);
});

test('typing is per room: two rooms, two independent spells', () => {
  const { clock, stops, typing } = tracker();
  typing.start('a', ann);
  clock.advance(3000);
  typing.start('b', ann);
  clock.advance(2000);
  assert.deepEqual(stops, ['a:ann']);
  clock.advance(3000);
  assert.deepEqual(stops, ['a:ann', 'b:ann']);
  typing.forgetRoom('a');
  clock.advance(5000);
  assert.equal(typing.size, 0);
});
