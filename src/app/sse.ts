/**
 * `GET /api/rooms/:name/events`: a room as Server-Sent Events (SPEC §2; the
 * format is the WHATWG HTML "Server-sent events" section).
 *
 * Each message is one event, `id:` its seq, `event: message`, `data:` the Message
 * JSON (one line: JSON.stringify never emits a raw newline). A client that
 * reconnects sends `Last-Event-ID` and gets every message after that seq first.
 * A comment line every 15 s keeps proxies from timing the stream out.
 */
import type { Message } from '../chat/model.js';
import type { ChatService } from '../chat/service.js';
import { notFound } from '../errors.js';
import type { RequestContext } from '../http/context.js';
import { writeHead } from '../http/response.js';
import type { Logger } from '../log.js';
import type { Authenticator } from './authenticate.js';
import type { ConnectionCount } from './connection-count.js';
import { SLOW_CONSUMER_BYTES } from './ws-peer.js';

/** SPEC §2: "a comment line every 15 s". */
export const SSE_KEEPALIVE_MS = 15_000;
/** Catch-up after `Last-Event-ID` is read in pages of this many messages. */
const REPLAY_PAGE = 100;
/** Last-Event-ID as we issue it: a seq in decimal digits. Anything else is ignored (a fresh start). */
const SEQ_ID = /^\d{1,15}$/;

/** One encoding per message, shared by every stream (performance: N streams, one JSON.stringify). */
const encoded = new WeakMap<Message, string>();
export function sseEvent(message: Message): string {
  let text = encoded.get(message);
  if (text === undefined) encoded.set(message, (text = `id: ${message.seq}\nevent: message\ndata: ${JSON.stringify(message)}\n\n`));
  return text;
}

export interface SseDeps {
  readonly chat: ChatService;
  readonly authenticate: Authenticator;
  readonly count: ConnectionCount;
  readonly log: Logger;
}

export class SseStreams {
  private readonly open = new Set<() => void>();

  constructor(private readonly deps: SseDeps) {}

  /**
   * The route handler:
   * 1. authenticate; the room must exist (404); the connection cap holds (503);
   * 2. answer 200 `text/event-stream` and subscribe to the room, holding live
   *    messages aside;
   * 3. with a numeric `Last-Event-ID`, replay every message after it, page by page (all of
   *    them if the id is beyond the room's history: it belonged to an earlier one);
   * 4. release the held messages newer than the replay, then go live;
   * 5. until the client leaves, the room is deleted, the client falls more than
   *    1 MiB behind (it reconnects with Last-Event-ID) or the server stops.
   */
  readonly handle = async (ctx: RequestContext): Promise<void> => {
    const { chat, authenticate, count, log } = this.deps;
    // Step 1.
    await authenticate(ctx);
    const room = ctx.params['name']!;
    if (!(await chat.getRoom(room))) throw notFound(`No room named ${room}`);
    count.check();
    const lastEventId = ctx.header('last-event-id')?.trim();
    let lastSent = lastEventId !== undefined && SEQ_ID.test(lastEventId) ? Number(lastEventId) : undefined;
    // Step 2.
    const { res } = ctx;
    writeHead(res, 200, ctx.id, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      // Our choice: tell buffering proxies (nginx) to pass events through at once.
      'x-accel-buffering': 'no',
    });
    res.write(': connected\n\n');
    const release = count.add('sse');
    let held: Message[] | undefined = [];
    const write = (message: Message) => {
      if (lastSent !== undefined && message.seq <= lastSent) return;
      lastSent = message.seq;
      res.write(sseEvent(message));
      // Step 5: a reader this far behind is cut loose; it resumes with Last-Event-ID.
      if (res.writableLength > SLOW_CONSUMER_BYTES) end();
    };
    const unsubscribe = chat.subscribe(room, {
      message: (message) => (held ? held.push(message) : write(message)),
      roomDeleted: () => end(),
    });
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), SSE_KEEPALIVE_MS);
    keepAlive.unref();
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      clearInterval(keepAlive);
      unsubscribe();
      release();
      this.open.delete(end);
      if (!res.writableEnded) res.end();
    };
    this.open.add(end);
    res.once('close', end);
    try {
      // Step 3.
      if (lastSent !== undefined) {
        for (;;) {
          const { messages, lastSeq } = await chat.readMessages(room, { since: lastSent, limit: REPLAY_PAGE });
          if (ended) return;
          // An id above the room's last seq is from an earlier history of this room (deleted
          // and re-created, or an in-memory server restarted): SSE has no epoch, so replay
          // this history from its start rather than skip its first messages.
          if (lastSeq < lastSent) {
            lastSent = 0;
            continue;
          }
          for (const message of messages) write(message);
          if (messages.length < REPLAY_PAGE) break;
        }
      }
      // Step 4.
      const pending = held;
      held = undefined;
      for (const message of pending) write(message);
    } catch (error) {
      // Headers are out: a failure can only end the stream; the client will resume.
      log.warn('sse replay failed', { error });
      end();
    }
  };

  /** Shutdown: end every stream. */
  closeAll(): void {
    for (const end of [...this.open]) end();
  }

  get size(): number {
    return this.open.size;
  }
}
