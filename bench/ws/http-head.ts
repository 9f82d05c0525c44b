/**
 * The one piece of HTTP both ends of the WebSocket benchmark need: wait for a whole message
 * head (RFC 9112 §2.1: it ends at the first empty line, CRLF CRLF), then hand over the head and
 * any bytes that came after it, and stop listening so the caller can attach its frame reader.
 */
import type { Socket } from 'node:net';

const HEAD_END = '\r\n\r\n';

export function onHttpHead(socket: Socket, done: (head: string, rest: Buffer) => void): void {
  let head = '';
  const onData = (chunk: Buffer) => {
    head += chunk.toString('latin1');
    const end = head.indexOf(HEAD_END);
    if (end < 0) return;
    socket.off('data', onData);
    done(head.slice(0, end), Buffer.from(head.slice(end + HEAD_END.length), 'latin1'));
  };
  socket.on('data', onData);
}
