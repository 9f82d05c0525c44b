/**
 * SPEC §1: logs never contain passwords or tokens — checked at the most verbose
 * level, where every request is logged with its headers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../helpers/server.js';
import { request } from './http-client.js';
import { account, ChatClient } from './chat-client.js';

test('SPEC §1: at LOG_LEVEL=trace no password, token, cookie or Authorization value reaches stdout', async () => {
  const server = await startServer({ env: { LOG_LEVEL: 'trace' } });
  const password = 'pa55word-that-must-not-leak';
  const credentials = { username: 'log_tester', password };
  try {
    assert.equal((await request(server.url, '/api/auth/register', { method: 'POST', body: credentials })).status, 201);
    const login = await request(server.url, '/api/auth/login', { method: 'POST', body: credentials });
    assert.equal(login.status, 200);
    const { accessToken, refreshToken } = login.json;
    const secrets = [password, accessToken, refreshToken];
    await request(server.url, '/api/auth/me', { headers: { authorization: `Bearer ${accessToken}` } });
    await request(server.url, `/api/auth/me?token=${accessToken}`, { headers: { cookie: `sl_access=${accessToken}; sl_refresh=${refreshToken}` } });
    const refresh = await request(server.url, '/api/auth/refresh', { method: 'POST', body: { refreshToken } });
    assert.equal(refresh.status, 200);
    secrets.push(refresh.json.accessToken, refresh.json.refreshToken);
    const last = await request(server.url, '/api/health');
    await server.waitForLine((line) => line.includes(String(last.headers['x-request-id'])));
    assert.ok(server.lines.length >= 6, 'every request was logged');
    const traced = server.lines.find((line) => line.includes('"authorization"'));
    assert.ok(traced, 'request headers are logged at trace');
    const output = server.lines.join('\n') + server.stderr();
    for (const secret of secrets) assert.ok(!output.includes(secret), `a secret leaked: ${secret.slice(0, 12)}…`);
  } finally {
    await server.stop();
  }
});

test('SPEC §1: at LOG_LEVEL=trace the chat server logs every frame in and out with its RFC 6455 §5.2 fields, and no token', async () => {
  const server = await startServer({ env: { LOG_LEVEL: 'trace' } });
  try {
    const ann = await account(server, 'trace_ann');
    const client = await ChatClient.open(server, undefined, { path: `/ws?token=${ann.token}` });
    const renewed = await client.call({ type: 'auth', token: ann.token });
    assert.notEqual(renewed.type, 'error', JSON.stringify(renewed));
    await client.close();
    const frame = (direction: string, opcodeName: string) => (line: string) => {
      const record = JSON.parse(line);
      return record.level === 'trace' && record.direction === direction && record.opcodeName === opcodeName;
    };
    // The client's frames are masked (RFC 6455 §5.3), the server's are not (§5.1).
    const textIn = JSON.parse(server.lines.find(frame('in', 'text')) ?? (await server.waitForLine(frame('in', 'text'))));
    assert.equal(textIn.MASK, 1);
    assert.match(textIn.maskingKey, /^[0-9a-f]{8}$/);
    assert.equal(textIn.FIN, 1);
    const textOut = JSON.parse(server.lines.find(frame('out', 'text')) ?? (await server.waitForLine(frame('out', 'text'))));
    assert.equal(textOut.MASK, 0);
    assert.equal(textOut.maskingKey, null);
    await (server.lines.find(frame('in', 'close')) ?? server.waitForLine(frame('in', 'close')));
    const output = server.lines.join('\n') + server.stderr();
    assert.ok(!output.includes(ann.token), 'the access token reached stdout');
    assert.ok(!output.includes(ann.token.split('.')[2]!), 'the token signature reached stdout');
  } finally {
    await server.stop();
  }
});
