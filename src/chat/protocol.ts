/**
 * The SocketLink chat protocol (SPEC §4): every event a client may send, every
 * event the server sends, and the validator that turns one text frame into a
 * typed client event or a protocol error.
 *
 * This file knows JSON and the rules of SPEC §2/§4/§7; it knows no socket. The
 * browser client may import the types from here.
 */
import { ApiError } from '../errors.js';
import type { Message, Room } from './model.js';

// --- limits (SPEC §2 "Validation", §4, §7 rules 1, 4, 5) ------------------------

/** SPEC §4: a request `id` is a string of at most 64 characters (code points, rule 5). */
export const MAX_REQUEST_ID_LENGTH = 64;
/** SPEC §2: message text is 1–1000 characters (Unicode code points, rule 5) after trimming. */
export const MAX_MESSAGE_CODE_POINTS = 1000;
/** SPEC §2: room name 1–32 characters of `[a-z0-9_-]`. Anchored and linear. */
const ROOM_NAME = /^[a-z0-9_-]{1,32}$/;
/** SPEC §2: `limit` is 1–100, default 50. The same bounds serve the WebSocket `history` request. */
export const MIN_PAGE_LIMIT = 1;
export const MAX_PAGE_LIMIT = 100;
export const DEFAULT_PAGE_LIMIT = 50;
/** Our bound on an `epoch` string: epochs we issue are far shorter; a longer one cannot match. */
const MAX_EPOCH_LENGTH = 128;
/** Our bound on a presented token (SPEC §3 rejects tokens over 8 KiB anyway). */
const MAX_TOKEN_LENGTH = 8192;

// --- client → server (SPEC §4 table "Client → server") ---------------------------

interface Request {
  /** Echoed as `replyTo` on the direct answer (SPEC §4). */
  id?: string;
}
export interface ListRoomsRequest extends Request { type: 'list_rooms' }
export interface CreateRoomRequest extends Request { type: 'create_room'; room: string }
export interface JoinRoomRequest extends Request { type: 'join_room'; room: string; since?: number; epoch?: string }
export interface LeaveRoomRequest extends Request { type: 'leave_room'; room: string }
export interface SendMessageRequest extends Request {
  type: 'send_message';
  room: string;
  /** Already trimmed (SPEC §7 rule 5: "message text is stored trimmed"). */
  text: string;
}
export interface TypingRequest extends Request { type: 'typing' | 'stop_typing'; room: string }
export interface HistoryRequest extends Request { type: 'history'; room: string; before?: number; limit: number }
export interface AuthRequest extends Request { type: 'auth'; token: string }

export type ClientEvent =
  | ListRoomsRequest
  | CreateRoomRequest
  | JoinRoomRequest
  | LeaveRoomRequest
  | SendMessageRequest
  | TypingRequest
  | HistoryRequest
  | AuthRequest;
export type ClientEventType = ClientEvent['type'];

// --- server → client (SPEC §4 table "Server → client") ---------------------------

export type ServerEvent =
  | { type: 'welcome'; user: { id: string; username: string; role: string; createdAt: string }; rooms: Room[]; heartbeatSeconds: number }
  | { type: 'rooms_list'; rooms: Room[]; replyTo?: string }
  /** SPEC §7 rule 9: here, and only here, `room` is a whole Room. */
  | { type: 'room_created'; room: Room; replyTo?: string }
  | { type: 'room_deleted'; room: string }
  | { type: 'joined_room'; room: string; users: string[]; replyTo?: string }
  | { type: 'message_history'; room: string; epoch: string; messages: Message[]; complete: boolean; replyTo?: string }
  | { type: 'user_joined' | 'user_left'; room: string; username: string; userCount: number }
  | { type: 'new_message'; message: Message }
  | { type: 'user_typing' | 'user_stop_typing'; room: string; username: string }
  | { type: 'presence'; username: string; online: boolean }
  /** SPEC §7 rule 14: epoch milliseconds. */
  | { type: 'token_expiring'; expiresAt: number }
  | { type: 'ack'; replyTo: string; [result: string]: unknown }
  | { type: 'error'; code: string; message: string; replyTo?: string };
export type ServerEventType = ServerEvent['type'];

/**
 * One server event serialized once. A broadcast builds one of these and hands the
 * same object to every recipient, so the transport can build one wire frame for N
 * sockets (e.g. keyed by this object in a WeakMap).
 */
export interface OutgoingFrame {
  readonly type: ServerEventType;
  readonly text: string;
}

export function encodeEvent(event: ServerEvent): OutgoingFrame {
  return Object.freeze({ type: event.type, text: JSON.stringify(event) });
}

// --- errors ------------------------------------------------------------------------

/**
 * A request the server refuses. It is an `ApiError` (status + stable code), so the
 * HTTP routes can reuse the same validators, and it remembers the request `id` when
 * one could be read, so the WebSocket `error` event can carry `replyTo`.
 */
export class ProtocolError extends ApiError {
  readonly replyTo: string | undefined;
  constructor(error: ApiError, replyTo: string | undefined) {
    super(error.status, error.code, error.message, { ...error.headers });
    this.name = 'ProtocolError';
    this.replyTo = replyTo;
  }
}

const bad = (message: string) => new ApiError(400, 'bad_request', message);

// --- field validators (shared with the HTTP routes) -------------------------------

/** SPEC §2: room name 1–32 characters of `[a-z0-9_-]`. */
export function validateRoomName(value: unknown): string | ApiError {
  if (typeof value !== 'string' || !ROOM_NAME.test(value)) {
    return bad('room must be 1-32 characters of a-z, 0-9, _ and -');
  }
  return value;
}

/**
 * SPEC §2 and §7 rules 1 and 5: message text is trimmed, then must hold 1–1000
 * Unicode code points; over 1000 is `message_too_long`, empty is `bad_request`.
 */
export function validateMessageText(value: unknown): string | ApiError {
  if (typeof value !== 'string') return bad('text must be a string');
  const text = value.trim();
  if (text.length === 0) return bad('text must not be empty');
  if (hasMoreCodePointsThan(text, MAX_MESSAGE_CODE_POINTS)) {
    return new ApiError(400, 'message_too_long', `text must be at most ${MAX_MESSAGE_CODE_POINTS} characters`);
  }
  return text;
}

/** SPEC §7 rule 5: "characters" are Unicode code points, not UTF-16 units. */
function hasMoreCodePointsThan(text: string, max: number): boolean {
  return countCodePointsUpTo(text, max + 1) > max;
}

/**
 * Counts code points, stopping early at `cap`.
 * Speed only: a UTF-16 length ≤ cap already proves the count ≤ cap, and a length
 * over 2 × cap proves it > cap, so most texts are never walked.
 */
function countCodePointsUpTo(text: string, cap: number): number {
  if (text.length < cap) return text.length;
  if (text.length >= 2 * cap) return cap;
  let count = 0;
  for (let i = 0; i < text.length && count < cap; i++) {
    const unit = text.charCodeAt(i);
    // A high surrogate followed by a low one is one code point (two UTF-16 units).
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}

/** SPEC §7 rule 4: `since`, `before`, `limit`, `wait` must be integers in their range. */
export function integerInRange(value: unknown, min: number, max: number, name: string): number | ApiError {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    return bad(`${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

// --- the frame validator ----------------------------------------------------------

/** Fields of a parsed frame; only own properties are read, so `__proto__` keys are inert. */
type Fields = Record<string, unknown>;

const field = (object: Fields, key: string): unknown => (Object.hasOwn(object, key) ? object[key] : undefined);

/** An optional integer field: undefined when absent, else checked against its range (rule 4). */
function optionalInteger(object: Fields, key: string, min: number, max: number): number | undefined | ApiError {
  const value = field(object, key);
  return value === undefined ? undefined : integerInRange(value, min, max, key);
}

/**
 * Parses one client text frame (SPEC §4):
 * 1. it must be JSON, and the JSON an object (not an array, not null);
 * 2. `id`, when present, must be a string of at most 64 characters — read first so
 *    every later error can carry `replyTo`;
 * 3. `type` must be one of the client event types;
 * 4. each field of that type is checked; unknown extra fields are ignored.
 * Every failure is `bad_request`, except text over 1000 code points (rule 1).
 */
export function parseClientEvent(text: string): ClientEvent | ProtocolError {
  // Step 1.
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return new ProtocolError(bad('frame is not JSON'), undefined);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return new ProtocolError(bad('frame must be a JSON object'), undefined);
  }
  const object = parsed as Fields;
  // Step 2.
  const rawId = field(object, 'id');
  let id: string | undefined;
  if (rawId !== undefined) {
    if (typeof rawId !== 'string' || hasMoreCodePointsThan(rawId, MAX_REQUEST_ID_LENGTH)) {
      return new ProtocolError(bad(`id must be a string of at most ${MAX_REQUEST_ID_LENGTH} characters`), undefined);
    }
    id = rawId;
  }
  // Steps 3 and 4.
  const result = parseFields(object);
  if (result instanceof ApiError) return new ProtocolError(result, id);
  if (id !== undefined) result.id = id;
  return result;
}

function parseFields(object: Fields): ClientEvent | ApiError {
  const type = field(object, 'type');
  switch (type) {
    case 'list_rooms':
      return { type };
    case 'create_room':
    case 'leave_room':
    case 'typing':
    case 'stop_typing': {
      const room = validateRoomName(field(object, 'room'));
      if (room instanceof ApiError) return room;
      return { type, room };
    }
    case 'join_room': {
      const room = validateRoomName(field(object, 'room'));
      if (room instanceof ApiError) return room;
      const event: JoinRoomRequest = { type, room };
      const since = optionalInteger(object, 'since', 0, Number.MAX_SAFE_INTEGER);
      if (since instanceof ApiError) return since;
      if (since !== undefined) event.since = since;
      const epoch = field(object, 'epoch');
      if (epoch !== undefined) {
        if (typeof epoch !== 'string' || epoch.length > MAX_EPOCH_LENGTH) return bad('epoch must be a string');
        event.epoch = epoch;
      }
      return event;
    }
    case 'send_message': {
      const room = validateRoomName(field(object, 'room'));
      if (room instanceof ApiError) return room;
      const text = validateMessageText(field(object, 'text'));
      if (text instanceof ApiError) return text;
      return { type, room, text };
    }
    case 'history': {
      const room = validateRoomName(field(object, 'room'));
      if (room instanceof ApiError) return room;
      const event: HistoryRequest = { type, room, limit: DEFAULT_PAGE_LIMIT };
      const before = optionalInteger(object, 'before', 1, Number.MAX_SAFE_INTEGER);
      if (before instanceof ApiError) return before;
      if (before !== undefined) event.before = before;
      const limit = optionalInteger(object, 'limit', MIN_PAGE_LIMIT, MAX_PAGE_LIMIT);
      if (limit instanceof ApiError) return limit;
      if (limit !== undefined) event.limit = limit;
      return event;
    }
    case 'auth': {
      const token = field(object, 'token');
      if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
        return bad('token must be a non-empty string');
      }
      return { type, token };
    }
    default:
      return bad(typeof type === 'string' ? `unknown type: ${type.slice(0, 64)}` : 'type must be a string');
  }
}
