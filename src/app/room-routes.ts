/**
 * The rooms and messages routes of SPEC §2, over the same `ChatService` the
 * WebSocket side uses, so a message sent by any path reaches every path.
 *
 * | route | answer |
 * | --- | --- |
 * | `GET /api/rooms` | 200 `{rooms}` |
 * | `POST /api/rooms` `{name}` | 201 `{room}`; 409 `room_exists` |
 * | `DELETE /api/rooms/:name` | 204; 403 unless creator or admin |
 * | `GET /api/rooms/:name/messages` | 200 `{messages, lastSeq}`; `wait` makes it a long poll |
 * | `POST /api/rooms/:name/messages` `{text}` | 201 `{message}` |
 */
import type { AccessClaims } from '../auth/types.js';
import type { ChatActor } from '../chat/model.js';
import type { ChatService } from '../chat/service.js';
import { badRequest } from '../errors.js';
import type { Handler, RequestContext } from '../http/context.js';
import type { Router } from '../http/router.js';
import type { Authenticator } from './authenticate.js';
import { parseMessageQuery } from './message-query.js';

export interface RoomRoutesDeps {
  readonly chat: ChatService;
  readonly authenticate: Authenticator;
  readonly polls: LongPolls;
}

export const actorOf = (claims: AccessClaims): ChatActor => ({ id: claims.sub, username: claims.name, role: claims.role });

/** Pending long polls, so shutdown can answer them all at once. */
export class LongPolls {
  private readonly pending = new Set<AbortController>();

  /** An abort signal for one poll: fired when its client hangs up or the server stops. */
  begin(ctx: RequestContext): { signal: AbortSignal; end(): void } {
    const controller = new AbortController();
    this.pending.add(controller);
    const onClose = () => controller.abort();
    ctx.res.once('close', onClose);
    return {
      signal: controller.signal,
      end: () => {
        ctx.res.off('close', onClose);
        this.pending.delete(controller);
      },
    };
  }

  abortAll(): void {
    for (const controller of this.pending) controller.abort();
  }

  get size(): number {
    return this.pending.size;
  }
}

async function requireBody(ctx: RequestContext): Promise<Record<string, unknown>> {
  const body = await ctx.readJson();
  if (body === undefined) throw badRequest('A JSON body is required');
  return body;
}

export function addRoomRoutes(router: Router<Handler>, deps: RoomRoutesDeps): void {
  const { chat, authenticate, polls } = deps;

  router.add('GET', '/api/rooms', async (ctx) => {
    await authenticate(ctx);
    ctx.json(200, { rooms: await chat.listRooms() });
  });

  router.add('POST', '/api/rooms', async (ctx) => {
    const claims = await authenticate(ctx);
    const body = await requireBody(ctx);
    ctx.json(201, { room: await chat.createRoom(actorOf(claims), body['name']) });
  });

  router.add('DELETE', '/api/rooms/:name', async (ctx) => {
    const claims = await authenticate(ctx);
    await chat.deleteRoom(actorOf(claims), ctx.params['name']!);
    ctx.noContent();
  });

  router.add('GET', '/api/rooms/:name/messages', async (ctx) => {
    await authenticate(ctx);
    // SPEC §7 rule 4: the query is checked before anything waits.
    const { query, waitMs } = parseMessageQuery(ctx.query);
    if (waitMs === 0) {
      ctx.json(200, await chat.readMessages(ctx.params['name']!, query));
      return;
    }
    const poll = polls.begin(ctx);
    try {
      const answer = await chat.readMessages(ctx.params['name']!, query, waitMs, poll.signal);
      if (!ctx.res.destroyed) ctx.json(200, answer);
    } finally {
      poll.end();
    }
  });

  router.add('POST', '/api/rooms/:name/messages', async (ctx) => {
    const claims = await authenticate(ctx);
    const body = await requireBody(ctx);
    ctx.json(201, { message: await chat.postMessage(actorOf(claims), ctx.params['name']!, body['text']) });
  });
}
