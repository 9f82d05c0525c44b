/**
 * History paging over the Store (SPEC §2 messages route, §4 `join_room`/`history`,
 * §7 rules 6 and 7). Every query fetches one message more than it returns: that
 * extra one is how we know whether `complete` is true without a second query.
 */
import type { MessageRecord, RoomRecord, Store } from '../store/types.js';
import { toMessage, type Message } from './model.js';

/** SPEC §4: `join_room` without `since` returns the last 50. */
export const JOIN_LATEST_COUNT = 50;
/** SPEC §4, §7 rule 7: `join_room` with `since` returns at most the oldest 500 missed. */
export const JOIN_CATCH_UP_MAX = 500;

export interface HistoryPage {
  messages: Message[];
  /** SPEC §7 rule 7: false whenever older or further missed messages exist beyond these. */
  complete: boolean;
}

/**
 * The `message_history` answer to `join_room` (SPEC §4, §7 rule 7):
 * 1. with `since` and the room's current `epoch` (or no `epoch` at all: rule 7 asks
 *    for catch-up on `since` alone): the oldest 500 after `since`; incomplete if
 *    more follow, or if the first one is not `since + 1` (the store no longer holds
 *    what the client missed);
 * 2. otherwise the latest 50, incomplete if older exist; and when a `since` came
 *    with another epoch, the history the client knew is gone, so always incomplete.
 */
export async function joinHistory(store: Store, room: RoomRecord, since?: number, epoch?: string): Promise<HistoryPage> {
  // Step 1.
  if (since !== undefined && (epoch === undefined || epoch === room.epoch)) {
    const found = await store.messagesAfter(room.name, since, JOIN_CATCH_UP_MAX + 1);
    const more = found.length > JOIN_CATCH_UP_MAX;
    const page = more ? found.slice(0, JOIN_CATCH_UP_MAX) : found;
    const gap = page.length > 0 ? page[0]!.seq !== since + 1 : room.lastSeq > since;
    return { messages: page.map(toMessage), complete: !more && !gap };
  }
  // Step 2.
  const latest = await latestBefore(store, room.name, Infinity, JOIN_LATEST_COUNT);
  if (since !== undefined) latest.complete = false;
  return latest;
}

/** The `history` request and `?before=`: the last `limit` before `before`, oldest first. */
export async function latestBefore(store: Store, room: string, before: number, limit: number): Promise<HistoryPage> {
  const found = await store.messagesBefore(room, before, limit + 1);
  const more = found.length > limit;
  return { messages: (more ? found.slice(1) : found).map(toMessage), complete: !more };
}

/** SPEC §2 `GET /api/rooms/:name/messages` query, already validated. */
export interface MessageQuery {
  since?: number;
  before?: number;
  limit: number;
}

/**
 * SPEC §7 rule 6: with `since`, the oldest `limit` after it (catch-up paging);
 * with `before`, the last `limit` before it; with neither, the latest `limit`.
 */
export async function pageMessages(store: Store, room: string, query: MessageQuery): Promise<Message[]> {
  let records: MessageRecord[];
  if (query.since !== undefined) {
    records = await store.messagesAfter(room, query.since, query.limit);
    // Both given: the catch-up page, cut at `before` (our choice; SPEC §2 is silent).
    if (query.before !== undefined) records = records.filter((record) => record.seq < query.before!);
  } else {
    records = await store.messagesBefore(room, query.before ?? Infinity, query.limit);
  }
  return records.map(toMessage);
}
