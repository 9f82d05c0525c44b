/**
 * Keeping `/ws` honest about who is still there, over real sockets against the built
 * server: the heartbeat drops a peer that stops answering pings (SPEC §4), and a reader
 * that stops reading is closed 1008 once 1 MiB waits for it (SPEC §4, issue 4 §7),
 * without the server losing a message: the client resumes with `since`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../helpers/server.js';
import { handshakeRequest, RawClient } from '../ws/helpers/raw-client.js';
import { OP, text } from '../ws/helpers/frames.js';
import { account, api, bearer, ChatClient } from './chat-client.js';

async function withServer(env: Record<string, string>, run: (server: RunningServer) => Promise<void>): Promise<void> {
  const server = await startServer({ env });
  try {
    await run(server);
  } finally {
    await server.stop();
  }
}

/** A chat socket over raw TCP: it answers nothing (no pong, no close) unless the test does. */
async function rawChat(server: RunningServer, token: string): Promise<RawClient> {
  const raw = await RawClient.open(server.port, handshakeRequest('/ws', bearer(token)));
  assert.equal(raw.answer?.status, 101, raw.answer?.body);
  await raw.framesAtLeast(1);
  assert.equal(JSON.parse(raw.frames[0]!.payload.toString()).type, 'welcome');
  return raw;
}

const events = (raw: RawClient) => raw.frames.filter((f) => f.opcode === OP.TEXT).map((f) => JSON.parse(f.payload.toString()));

test('SPEC §4 heartbeat: welcome carries the interval, and a peer that answers pings stays connected', async () => {
  await withServer({ HEARTBEAT_SECONDS: '1' }, async (server) => {
    const ann = await account(server, 'ann_beat');
    const client = await ChatClient.open(server, ann.token);
    assert.equal(client.welcome.heartbeatSeconds, 1);
    // The ws client answers every ping with a pong (RFC 6455 §5.5.2), so three pings in, it is still open.
    let pings = 0;
    await new Promise<void>((resolve) => client.ws.on('ping', () => ++pings === 3 && resolve()));
    assert.equal(client.ws.readyState, client.ws.OPEN);
    assert.equal((await client.call({ type: 'list_rooms' })).type, 'rooms_list');
    await client.close();
  });
});

test('SPEC §4 heartbeat: a peer that has not answered by the next ping is dropped, and its presence ends', async () => {
  await withServer({ HEARTBEAT_SECONDS: '1' }, async (server) => {
    const ann = await account(server, 'ann_dead');
    const bob = await account(server, 'bob_dead');
    const watcher = await ChatClient.open(server, bob.token);
    const silent = await rawChat(server, ann.token);
    await watcher.next((e) => e.type === 'presence' && e.username === 'ann_dead' && e.online);
    // The raw client never pongs: the server pings it, then cuts TCP at the next beat.
    await silent.untilClosed(5000);
    assert.ok(silent.frames.some((f) => f.opcode === OP.PING), 'the server pinged before giving up');
    assert.deepEqual(await watcher.next((e) => e.type === 'presence' && e.username === 'ann_dead'), { type: 'presence', username: 'ann_dead', online: false });
    // The watcher, which the ws client keeps answering, is untouched.
    assert.equal((await watcher.call({ type: 'list_rooms' })).type, 'rooms_list');
    await watcher.close();
  });
});

test('SPEC §4 slow consumer: a socket whose unsent data passes 1 MiB is closed 1008; it resumes with since and misses nothing', async () => {
  await withServer({ LOG_LEVEL: 'debug' }, async (server) => {
    const ann = await account(server, 'ann_slow');
    const bob = await account(server, 'bob_slow');
    assert.equal((await api(server, bob.token, 'POST', '/api/rooms', { name: 'slow' })).status, 201);
    const watcher = await ChatClient.open(server, bob.token);
    const reader = await rawChat(server, ann.token);
    reader.send(text(JSON.stringify({ type: 'join_room', room: 'slow', id: 'j' })));
    await reader.waitFor(() => events(reader).some((e) => e.type === 'joined_room'), 5000, 'joined_room');
    // Ann's client stops reading. Bob posts 1000-character messages over HTTP until the server gives up on her.
    reader.socket.pause();
    const cut = server.waitForLine((line) => line.includes('"slow_consumer"'), 30_000);
    let done = false;
    void cut.then(() => (done = true), () => (done = true));
    let posted = 0;
    const writer = async () => {
      while (!done) {
        const answer = await api(server, bob.token, 'POST', '/api/rooms/slow/messages', { text: `${posted} ${'x'.repeat(990)}` });
        assert.equal(answer.status, 201, answer.text);
        posted++;
      }
    };
    await Promise.all(Array.from({ length: 8 }, writer));
    const logged = JSON.parse(await cut);
    assert.equal(logged.closeCode, 1008);
    assert.equal(logged.user, ann.id);
    // The server tears the connection down; her presence ends while everyone else is served.
    await watcher.next((e) => e.type === 'presence' && e.username === 'ann_slow' && !e.online, 15_000);
    reader.socket.resume();
    await reader.untilClosed(15_000);
    // What reached her is an unbroken prefix of the room: seq 1, 2, … k, and less than was posted.
    const seqs = events(reader).filter((e) => e.type === 'new_message').map((e) => e.message.seq);
    assert.ok(seqs.length > 0 && seqs.length < posted, `${seqs.length} of ${posted} delivered before the cut`);
    assert.deepEqual(seqs, Array.from({ length: seqs.length }, (_, i) => i + 1));
    // Her client reconnects and asks for what came after the last seq it saw: it starts right there.
    const last = seqs.at(-1)!;
    const again = await ChatClient.open(server, ann.token);
    const history = await again.call({ type: 'join_room', room: 'slow', since: last });
    assert.equal(history.type, 'joined_room');
    const missed = await again.next('message_history');
    assert.equal(missed.messages[0].seq, last + 1);
    assert.equal(missed.complete, missed.messages.at(-1).seq === posted);
    const page = await api(server, ann.token, 'GET', `/api/rooms/slow/messages?since=${last}&limit=1`);
    assert.equal(page.json.lastSeq, posted, 'every acknowledged message is kept');
    assert.equal((await watcher.call({ type: 'list_rooms' })).type, 'rooms_list');
    await Promise.all([again.close(), watcher.close()]);
  });
});
