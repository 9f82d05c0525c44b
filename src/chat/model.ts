/**
 * The public shapes of SPEC §2 that chat serves over every transport, and the
 * conversions from the store's records. Plain data: safe to JSON.stringify as is.
 */
import type { MessageRecord, Role, RoomRecord } from '../store/types.js';

/** SPEC §2 `Room`. `members` counts distinct users with a socket joined now (§7 rule 8). */
export interface Room {
  name: string;
  createdBy: string;
  /** ISO-8601. */
  createdAt: string;
  members: number;
  epoch: string;
}

/** SPEC §2 `Message`. `seq` counts up by one per room from 1; `timestamp` is epoch ms. */
export interface Message {
  id: string;
  room: string;
  seq: number;
  text: string;
  sender: string;
  senderId: string;
  timestamp: number;
}

/** Who acts through HTTP (from verified token claims): enough to post and to delete rooms. */
export interface ChatActor {
  readonly id: string;
  readonly username: string;
  readonly role: Role;
}

export function toRoom(record: RoomRecord, members: number): Room {
  return {
    name: record.name,
    createdBy: record.createdBy,
    createdAt: new Date(record.createdAt).toISOString(),
    members,
    epoch: record.epoch,
  };
}

/** Copies only the contract's fields, so nothing a store adds leaks onto the wire. */
export function toMessage(record: MessageRecord): Message {
  return {
    id: record.id,
    room: record.room,
    seq: record.seq,
    text: record.text,
    sender: record.sender,
    senderId: record.senderId,
    timestamp: record.timestamp,
  };
}
