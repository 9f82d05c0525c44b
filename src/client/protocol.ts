/**
 * The shapes the client reads and writes: SPEC §2 (HTTP JSON) and §4 (the
 * WebSocket chat protocol, seen from the client's side). Types only, so the
 * file compiles to nothing and any module may import it.
 */

/**
 * The account, session, room and message shapes are the server's own (type-only imports, erased
 * at compile time: the browser never loads server code).
 */
export type { PublicUser as User, Tokens, PublicSession as Session } from '../auth/types.js';
export type { Room, Message } from '../chat/model.js';
import type { PublicUser as User } from '../auth/types.js';
import type { Room, Message } from '../chat/model.js';

/** SPEC §2 error body. */
export interface ErrorBody {
  error: string;
  message: string;
}

/** SPEC §4 client → server frames. */
export type ClientFrame =
  | { type: 'list_rooms'; id?: string }
  | { type: 'create_room'; id?: string; room: string }
  | { type: 'join_room'; id?: string; room: string; since?: number; epoch?: string }
  | { type: 'leave_room'; id?: string; room: string }
  | { type: 'send_message'; id?: string; room: string; text: string }
  | { type: 'typing'; id?: string; room: string }
  | { type: 'stop_typing'; id?: string; room: string }
  | { type: 'history'; id?: string; room: string; before: number; limit: number }
  | { type: 'auth'; id?: string; token: string };

/** SPEC §4 server → client frames. `replyTo` appears on direct answers (§7 rule 10). */
export type ServerFrame = { replyTo?: string } & (
  | { type: 'welcome'; user: User; rooms: Room[]; heartbeatSeconds: number }
  | { type: 'rooms_list'; rooms: Room[] }
  | { type: 'room_created'; room: Room }
  | { type: 'room_deleted'; room: string }
  | { type: 'joined_room'; room: string; users: string[] }
  | { type: 'message_history'; room: string; epoch: string; messages: Message[]; complete: boolean }
  | { type: 'user_joined' | 'user_left'; room: string; username: string; userCount: number }
  | { type: 'new_message'; message: Message }
  | { type: 'user_typing' | 'user_stop_typing'; room: string; username: string }
  | { type: 'presence'; username: string; online: boolean }
  | { type: 'token_expiring'; expiresAt: number }
  | { type: 'ack'; message?: Message; [field: string]: unknown }
  | { type: 'error'; code: string; message: string }
);
