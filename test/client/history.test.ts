import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RoomHistory } from '../../src/client/history.js';
import type { Message } from '../../src/client/protocol.js';

function message(seq: number, text = `m${seq}`): Message {
  return { id: `id${seq}`, room: 'general', seq, text, sender: 'alice', senderId: 'u1', timestamp: 1_700_000_000_000 + seq };
}

test('history: a message arriving twice (live, then in a rejoin replay) is held once', () => {
  const history = new RoomHistory();
  history.setEpoch('e1');
  assert.deepEqual(history.add(message(1)), { kind: 'inserted', beforeSeq: null });
  assert.deepEqual(history.add(message(1)), { kind: 'duplicate' });
  assert.equal(history.messages.length, 1);
});

test('history: lastSeq is the highest seq held, the `since` of the next rejoin', () => {
  const history = new RoomHistory();
  assert.equal(history.lastSeq, 0);
  history.add(message(3));
  history.add(message(1));
  assert.equal(history.lastSeq, 3);
});

test('history: an older message is inserted before the first newer one', () => {
  const history = new RoomHistory();
  history.add(message(1));
  history.add(message(4));
  assert.deepEqual(history.add(message(2)), { kind: 'inserted', beforeSeq: 4 });
  assert.deepEqual(history.messages.map((m) => m.seq), [1, 2, 4]);
});

test('history: a new epoch drops the old messages, whose seqs no longer mean anything', () => {
  const history = new RoomHistory();
  assert.equal(history.setEpoch('e1'), false, 'the first epoch is adopted, not a reset');
  history.add(message(1));
  history.add(message(2));
  assert.equal(history.setEpoch('e1'), false);
  assert.equal(history.messages.length, 2);
  assert.equal(history.setEpoch('e2'), true);
  assert.equal(history.messages.length, 0);
  assert.equal(history.has(1), false);
  assert.deepEqual(history.add(message(1, 'after restart')), { kind: 'inserted', beforeSeq: null });
});

test('history: a seq beyond lastSeq + 1 is a gap to fetch; the next seq and an empty history are not', () => {
  const history = new RoomHistory();
  assert.equal(history.isGapBefore(9), false);
  history.add(message(7));
  assert.equal(history.isGapBefore(8), false);
  assert.equal(history.isGapBefore(9), true);
});

test('history property: any interleaving of live messages and overlapping replays ends sorted, each seq once', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: 60 }), { maxLength: 200 }), (seqs) => {
      const history = new RoomHistory();
      for (const seq of seqs) history.add(message(seq));
      const held = history.messages.map((m) => m.seq);
      const expected = [...new Set(seqs)].sort((a, b) => a - b);
      assert.deepEqual(held, expected);
    }),
  );
});

test('history: seqs start at 1, so a history starting above 1 has older pages and one starting at 1 has none', () => {
  const history = new RoomHistory();
  assert.equal(history.hasOlder, false);
  history.add(message(11));
  assert.equal(history.firstSeq, 11);
  assert.equal(history.hasOlder, true);
  history.add(message(1));
  assert.equal(history.hasOlder, false);
});
