import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TYPING_IDLE_MS, TYPING_THROTTLE_MS, TypingNotifier, type TypingClock, type TypingSignal } from '../../src/client/typing.js';

/** A hand-driven clock: time moves only when the test says so. */
class FakeClock implements TypingClock {
  time = 0;
  #timers = new Map<number, { at: number; fn: () => void }>();
  #next = 1;
  now() {
    return this.time;
  }
  setTimeout(fn: () => void, ms: number) {
    const id = this.#next++;
    this.#timers.set(id, { at: this.time + ms, fn });
    return id;
  }
  clearTimeout(handle: unknown) {
    this.#timers.delete(handle as number);
  }
  advance(ms: number) {
    const end = this.time + ms;
    for (;;) {
      const due = [...this.#timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (due === undefined) break;
      this.#timers.delete(due[0]);
      this.time = due[1].at;
      due[1].fn();
    }
    this.time = end;
  }
}

function setup() {
  const clock = new FakeClock();
  const sent: Array<[number, TypingSignal]> = [];
  const notifier = new TypingNotifier((signal) => sent.push([clock.time, signal]), clock);
  return { clock, sent, notifier };
}

test('typing: the first keystroke announces typing at once', () => {
  const { notifier, sent } = setup();
  notifier.keystroke();
  assert.deepEqual(sent, [[0, 'typing']]);
});

test('typing: continuous keystrokes send typing at most once per 2 s', () => {
  const { notifier, sent, clock } = setup();
  for (let t = 0; t <= 5000; t += 100) {
    clock.advance(t - clock.time);
    notifier.keystroke();
  }
  const typingTimes = sent.filter(([, s]) => s === 'typing').map(([t]) => t);
  assert.deepEqual(typingTimes, [0, TYPING_THROTTLE_MS, 2 * TYPING_THROTTLE_MS]);
  assert.equal(sent.some(([, s]) => s === 'stop_typing'), false, 'no stop while keys keep coming');
});

test('typing: 2 s without a key sends stop_typing once', () => {
  const { notifier, sent, clock } = setup();
  notifier.keystroke();
  clock.advance(TYPING_IDLE_MS - 1);
  assert.equal(sent.length, 1);
  clock.advance(1);
  assert.deepEqual(sent, [[0, 'typing'], [TYPING_IDLE_MS, 'stop_typing']]);
  clock.advance(10_000);
  assert.equal(sent.length, 2);
});

test('typing: sending stops at once, and the idle timer then sends nothing more', () => {
  const { notifier, sent, clock } = setup();
  notifier.keystroke();
  clock.advance(300);
  notifier.stop();
  assert.deepEqual(sent, [[0, 'typing'], [300, 'stop_typing']]);
  clock.advance(5000);
  assert.equal(sent.length, 2);
});

test('typing: stop without a prior typing sends nothing', () => {
  const { notifier, sent } = setup();
  notifier.stop();
  assert.deepEqual(sent, []);
});

test('typing: after reset (new connection) the next keystroke announces again', () => {
  const { notifier, sent, clock } = setup();
  notifier.keystroke();
  notifier.reset();
  clock.advance(100);
  notifier.keystroke();
  assert.deepEqual(sent, [[0, 'typing'], [100, 'typing']]);
});
