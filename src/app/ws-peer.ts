/**
 * A chat `ChatPeer` over one `WebSocketConnection`: the bridge between the chat
 * core's frames and the engine's prepared frames, and the place of the
 * slow-consumer priorities (issue 4 §7).
 */
import type { AccessClaims, PublicUser } from '../auth/types.js';
import type { OutgoingFrame } from '../chat/protocol.js';
import type { ChatPeer, Priority } from '../chat/service.js';
import { prepareFrame, ReadyState, type PreparedFrame, type WebSocketConnection } from '../ws/index.js';

/** SPEC §4: a slow consumer whose unsent data passes 1 MiB is closed 1008 (the engine does it). */
export const SLOW_CONSUMER_BYTES = 1024 * 1024;
/** Issue 4 §7: past half the bound, ephemeral events (typing, presence) are dropped; chat messages never. */
export const EPHEMERAL_DROP_BYTES = SLOW_CONSUMER_BYTES / 2;

/**
 * One wire frame per chat frame, whatever the number of recipients (performance:
 * a broadcast to N sockets encodes its header and payload once). Entries go when
 * the chat frame is garbage.
 */
const wireFrames = new WeakMap<OutgoingFrame, PreparedFrame>();

export function wireFrameOf(frame: OutgoingFrame): PreparedFrame {
  let wire = wireFrames.get(frame);
  if (!wire) wireFrames.set(frame, (wire = prepareFrame(frame.text)));
  return wire;
}

export class WsPeer implements ChatPeer {
  /** The token currently vouching for this socket; replaced by an `auth` frame. */
  claims: AccessClaims;
  /** Timers of the token lifecycle (see token-lifecycle.ts). */
  timers: { warn?: NodeJS.Timeout; expire?: NodeJS.Timeout } = {};
  /** Ephemeral events dropped because the socket was backed up. */
  dropped = 0;

  constructor(
    readonly id: string,
    readonly user: PublicUser,
    readonly connection: WebSocketConnection,
    claims: AccessClaims,
    private readonly onFrameOut: () => void,
  ) {
    this.claims = claims;
  }

  deliver(frame: OutgoingFrame, priority: Priority): void {
    if (this.connection.readyState !== ReadyState.OPEN) return;
    if (priority === 'ephemeral' && this.connection.bufferedAmount > EPHEMERAL_DROP_BYTES) {
      this.dropped++;
      return;
    }
    this.connection.sendPrepared(wireFrameOf(frame));
    this.onFrameOut();
  }

  close(code: number, reason: string): void {
    this.connection.close(code, reason);
  }
}
