/**
 * The peers of the HTTP benchmark, each answering the same JSON as SocketLink:
 *   GET /api/health  → {"status":"ok","uptimeSeconds":n}
 *   GET /api/auth/me → {"user":{...}} after checking an HS256 Bearer token's signature
 *                      (createHmac + timingSafeEqual: the cryptographic core of what
 *                      SocketLink does; SocketLink also parses claims and asks its store)
 *
 * `bare-headers` is the bare handler answering through SocketLink's own `sendJson`
 * (src/http/response.ts), so it sends the same head: the security headers, a request id
 * and `cache-control: no-store`. Beside `bare`, it splits what SocketLink's health answer
 * costs into its header policy and its pipeline.
 *
 * `node --import tsx bench/http/peer.ts bare|bare-headers|express|fastify` prints
 * `listening on http://127.0.0.1:PORT/` like the real server. Only 127.0.0.1.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import { nextRequestId } from '../../src/http/request-id.js';
import { sendJson } from '../../src/http/response.js';

const SECRET = process.env.JWT_SECRET ?? 'bench-secret-bench-secret-bench-secret-0123';
const USER = { id: '00000000-0000-4000-8000-000000000000', username: 'bench_user', role: 'admin', createdAt: '2026-01-01T00:00:00.000Z' };
const health = () => ({ status: 'ok', uptimeSeconds: Math.floor(process.uptime()) });

function bearerIsValid(header: string | undefined): boolean {
  if (header === undefined || !header.startsWith('Bearer ')) return false;
  const token = header.slice(7);
  const lastDot = token.lastIndexOf('.');
  if (lastDot === -1) return false;
  const expected = createHmac('sha256', SECRET).update(token.slice(0, lastDot)).digest();
  const given = Buffer.from(token.slice(lastDot + 1), 'base64url');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const UNAUTHORIZED = { error: 'unauthorized', message: 'Authentication required' };
const kind = process.argv[2];

function announce(port: number) {
  process.stdout.write(`listening on http://127.0.0.1:${port}/\n`);
}

if (kind === 'bare' || kind === 'bare-headers') {
  const send = (res: ServerResponse, status: number, body: unknown) => {
    if (kind === 'bare-headers') return sendJson(res, nextRequestId(), status, body);
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.url === '/api/health') return send(res, 200, health());
    if (req.url === '/api/auth/me') return bearerIsValid(req.headers.authorization) ? send(res, 200, { user: USER }) : send(res, 401, UNAUTHORIZED);
    send(res, 404, { error: 'not_found', message: 'Not found' });
  });
  server.listen(0, '127.0.0.1', () => announce((server.address() as AddressInfo).port));
} else if (kind === 'express') {
  const app = express();
  app.get('/api/health', (_req, res) => {
    res.json(health());
  });
  app.get('/api/auth/me', (req, res) => {
    if (bearerIsValid(req.headers.authorization)) res.json({ user: USER });
    else res.status(401).json(UNAUTHORIZED);
  });
  const server = app.listen(0, '127.0.0.1', () => announce((server.address() as AddressInfo).port));
} else if (kind === 'fastify') {
  // Response schemas: Fastify's documented fast path (fast-json-stringify).
  const app = Fastify({ logger: false });
  app.get(
    '/api/health',
    { schema: { response: { 200: { type: 'object', properties: { status: { type: 'string' }, uptimeSeconds: { type: 'integer' } } } } } },
    async () => health(),
  );
  const userSchema = {
    type: 'object',
    properties: { id: { type: 'string' }, username: { type: 'string' }, role: { type: 'string' }, createdAt: { type: 'string' } },
  };
  const errorSchema = { type: 'object', properties: { error: { type: 'string' }, message: { type: 'string' } } };
  app.get('/api/auth/me', { schema: { response: { 200: { type: 'object', properties: { user: userSchema } }, 401: errorSchema } } }, async (req, reply) => {
    if (bearerIsValid(req.headers.authorization)) return { user: USER };
    reply.code(401);
    return UNAUTHORIZED;
  });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  announce(Number(new URL(address).port));
} else {
  process.stderr.write('usage: peer.ts bare|bare-headers|express|fastify\n');
  process.exit(2);
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => process.exit(0));
