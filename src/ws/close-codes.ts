/**
 * Close status codes (RFC 6455 §7.4, and the IANA registry's 1012–1014): what each
 * means and whether it may appear in a Close frame. The engine reads it to check the
 * codes it receives and sends. Codes an application defines (4000–4999) and what a
 * client does on each belong to that application: SocketLink's 4001/4003 live in
 * src/app, and the browser client's reconnect policy in src/client/close-policy.ts.
 */

/** Named codes. 1004, 1005, 1006 and 1015 are reserved and never sent in a Close frame. */
export const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  ProtocolError: 1002,
  UnsupportedData: 1003,
  Reserved: 1004,
  NoStatusReceived: 1005,
  Abnormal: 1006,
  InvalidPayload: 1007,
  PolicyViolation: 1008,
  MessageTooBig: 1009,
  MandatoryExtension: 1010,
  InternalError: 1011,
  ServiceRestart: 1012,
  TryAgainLater: 1013,
  BadGateway: 1014,
  TlsHandshake: 1015,
} as const;
export type CloseCode = number;

export interface CloseCodeInfo {
  readonly code: number;
  readonly name: string;
  /** The RFC 6455 §7.4.1 (or IANA registry) meaning. */
  readonly meaning: string;
  /** May this code appear in a Close frame? (§7.4.1, §7.4.2) */
  readonly onTheWire: boolean;
}

export const CLOSE_CODES: readonly CloseCodeInfo[] = [
  { code: 1000, name: 'Normal Closure', meaning: 'the purpose for which the connection was established has been fulfilled', onTheWire: true },
  { code: 1001, name: 'Going Away', meaning: 'an endpoint is going away, such as a server going down or a browser navigating away', onTheWire: true },
  { code: 1002, name: 'Protocol Error', meaning: 'the endpoint is terminating the connection due to a protocol error', onTheWire: true },
  { code: 1003, name: 'Unsupported Data', meaning: 'the endpoint received a type of data it cannot accept (e.g. binary for a text-only endpoint)', onTheWire: true },
  { code: 1004, name: 'Reserved', meaning: 'reserved; the meaning might be defined in the future', onTheWire: false },
  { code: 1005, name: 'No Status Received', meaning: 'reported locally when a Close frame carried no status code; MUST NOT be sent', onTheWire: false },
  { code: 1006, name: 'Abnormal Closure', meaning: 'reported locally when the connection closed without a Close frame; MUST NOT be sent', onTheWire: false },
  { code: 1007, name: 'Invalid Frame Payload Data', meaning: 'the endpoint received data inconsistent with the message type (e.g. non-UTF-8 in a text message)', onTheWire: true },
  { code: 1008, name: 'Policy Violation', meaning: 'the endpoint received a message that violates its policy (a generic code when no other fits)', onTheWire: true },
  { code: 1009, name: 'Message Too Big', meaning: 'the endpoint received a message too big for it to process', onTheWire: true },
  { code: 1010, name: 'Mandatory Extension', meaning: 'the client expected the server to negotiate an extension it did not', onTheWire: true },
  { code: 1011, name: 'Internal Error', meaning: 'the server met an unexpected condition that prevented it from fulfilling the request', onTheWire: true },
  { code: 1012, name: 'Service Restart', meaning: 'the service is restarting (IANA registry)', onTheWire: true },
  { code: 1013, name: 'Try Again Later', meaning: 'the service is overloaded; try again later (IANA registry)', onTheWire: true },
  { code: 1014, name: 'Bad Gateway', meaning: 'a gateway received an invalid response from the upstream server (IANA registry)', onTheWire: true },
  { code: 1015, name: 'TLS Handshake', meaning: 'reported locally when the TLS handshake failed; MUST NOT be sent', onTheWire: false },
];

const BY_CODE = new Map<number, CloseCodeInfo>(CLOSE_CODES.map((info) => [info.code, info]));

/** §7.4.2: 3000–3999 are registered with IANA by libraries and frameworks; 4000–4999 are private use. */
const REGISTERED_RANGE_START = 3000;
const PRIVATE_RANGE_END = 4999;

/** Describes any code, including unlisted ones in the 3000–4999 ranges. */
export function describeCloseCode(code: number): CloseCodeInfo {
  const known = BY_CODE.get(code);
  if (known) return known;
  if (code >= REGISTERED_RANGE_START && code <= PRIVATE_RANGE_END) {
    const privateUse = code >= 4000;
    return {
      code,
      name: privateUse ? 'Private Use' : 'Registered',
      meaning: privateUse ? 'defined by the application (§7.4.2: 4000–4999)' : 'registered by a library or framework (§7.4.2: 3000–3999)',
      onTheWire: true,
    };
  }
  return { code, name: 'Invalid', meaning: 'not a valid close code (§7.4.2: 0–999 unused, 1016–2999 reserved for the protocol, ≥ 5000 undefined)', onTheWire: false };
}

/**
 * May `code` appear in a Close frame? RFC 6455 §7.4.1–§7.4.2, with the IANA additions
 * 1012–1014: valid are 1000–1003, 1007–1014 and 3000–4999. Everything else (0–999,
 * 1004–1006, 1015, 1016–2999, ≥ 5000) received on the wire fails the connection with 1002.
 */
export function isValidWireCloseCode(code: number): boolean {
  if (code >= 1000 && code <= 1003) return true;
  if (code >= 1007 && code <= 1014) return true;
  return code >= REGISTERED_RANGE_START && code <= PRIVATE_RANGE_END;
}
