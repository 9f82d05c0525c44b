/**
 * SocketLink's WebSocket engine (RFC 6455). It knows nothing of chat, rooms or tokens.
 * See docs/websocket.md for the tour.
 */
export { checkUpgrade, computeAccept, plainRequestRefusal, rejectUpgrade, selectProtocol, acceptResponse, WEBSOCKET_GUID, type UpgradeCheck } from './handshake.js';
export { acceptUpgrade, type AcceptOptions } from './upgrade.js';
export { WebSocketConnection, ReadyState, DEFAULT_OPTIONS, type ConnectionOptions, type SendOptions } from './connection.js';
export { prepareFrame, encodeFrame, type PreparedFrame } from './sender.js';
export { Receiver, ReceiverState, type ReceiverOptions, type ReceiverHandlers } from './receiver.js';
export { CloseCode, CLOSE_CODES, describeCloseCode, isValidWireCloseCode, type CloseCodeInfo } from './close-codes.js';
export { WebSocketError, type WebSocketErrorCode } from './errors.js';
export { Opcode, isControl, opcodeName } from './opcodes.js';
export { formatFrame, frameRecord, type FrameInfo, type TraceFn, type TraceDirection } from './trace.js';
export { Utf8Validator, isValidUtf8 } from './utf8.js';
export { WebSocketServer, type WebSocketServerOptions, type Refusal } from './server.js';
