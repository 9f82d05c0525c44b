/**
 * What the client does when its socket closes, by close code: one table from
 * each code's meaning (RFC 6455 §7.4.1, SPEC §4) to an action.
 *
 * - `retry`: back off with jitter and reconnect (the cause is transient or unknown);
 * - `refresh`: the token expired or the session was revoked — refresh, and
 *   reconnect only if the refresh is granted;
 * - `give_up`: never reconnect; the account is gone.
 *
 * Pure, unit-tested in test/client/close-policy.test.ts.
 */

export type CloseAction = 'retry' | 'refresh' | 'give_up';

/** Close codes with a meaning to this client. */
export const CloseCode = {
  /** RFC 6455 §7.4.1: normal closure. Sent by us on log out. */
  NORMAL: 1000,
  /** RFC 6455 §7.4.1: going away — SPEC §1: the server is shutting down. */
  GOING_AWAY: 1001,
  /** RFC 6455 §7.4.1: protocol error. */
  PROTOCOL_ERROR: 1002,
  /** RFC 6455 §7.1.5: reserved, never sent; the browser reports it when the TCP connection just died. */
  ABNORMAL: 1006,
  /** RFC 6455 §7.4.1: invalid UTF-8 in a text message. */
  INVALID_PAYLOAD: 1007,
  /** RFC 6455 §7.4.1: policy violation — SPEC §4: flooding, or a slow consumer. */
  POLICY: 1008,
  /** RFC 6455 §7.4.1: message too big — SPEC §4: over 64 KiB. */
  TOO_BIG: 1009,
  /** RFC 6455 §7.4.1: the server hit an unexpected condition. */
  INTERNAL: 1011,
  /** SPEC §4: token expired or session revoked. */
  TOKEN_EXPIRED_OR_REVOKED: 4001,
  /** SPEC §4: account deleted. */
  ACCOUNT_DELETED: 4003,
} as const;

const ACTIONS: ReadonlyMap<number, CloseAction> = new Map<number, CloseAction>([
  // A server restart or a lost network: the classic reconnect case.
  [CloseCode.GOING_AWAY, 'retry'],
  [CloseCode.ABNORMAL, 'retry'],
  [CloseCode.INTERNAL, 'retry'],
  // Our fault (a bug, a flood, an oversize message): a fresh connection starts clean,
  // and the backoff keeps a misbehaving client from hammering the server.
  [CloseCode.PROTOCOL_ERROR, 'retry'],
  [CloseCode.INVALID_PAYLOAD, 'retry'],
  [CloseCode.POLICY, 'retry'],
  [CloseCode.TOO_BIG, 'retry'],
  // The server ended a healthy connection without saying why: come back, politely.
  [CloseCode.NORMAL, 'retry'],
  [CloseCode.TOKEN_EXPIRED_OR_REVOKED, 'refresh'],
  [CloseCode.ACCOUNT_DELETED, 'give_up'],
]);

/** The action for a close code; codes not in the table are retried with backoff. */
export function closeAction(code: number): CloseAction {
  return ACTIONS.get(code) ?? 'retry';
}
