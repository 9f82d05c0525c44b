/**
 * The request pipeline in-process: what a bug looks like from outside (500
 * `internal`, no stack, logged with the request id) and how ApiErrors render.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError } from '../../src/errors.js';
import type { Handler } from '../../src/http/context.js';
import { MetricsRegistry } from '../../src/http/metrics.js';
import { OriginPolicy } from '../../src/http/origin.js';
import { Router } from '../../src/http/router.js';
import { createHttpMetrics, createHttpServer, createRequestListener } from '../../src/http/server.js';
import { createLogger } from '../../src/log.js';
import { request } from '../app/http-client.js';

const logLines: string[] = [];
let server: Server;
let url: string;
const registry = new MetricsRegistry();

before(async () => {
  const router = new Router<Handler>()
    .add('GET', '/sync-bug', () => {
      throw new TypeError('secret internals at /srv/app.js:12');
    })
    .add('GET', '/async-bug', async () => {
      await Promise.resolve();
      throw new Error('async internals');
    })
    .add('GET', '/teapot', () => {
      throw new ApiError(429, 'rate_limited', 'Slow down', { 'retry-after': '7' });
    })
    .add('GET', '/items/:id', (ctx) => ctx.json(200, { id: ctx.params.id, q: ctx.query.get('q') }));
  const listener = createRequestListener({
    router,
    log: createLogger('info', (line) => logLines.push(line)),
    metrics: createHttpMetrics(registry),
    origins: new OriginPolicy([]),
  });
  server = createHttpServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

for (const path of ['/sync-bug', '/async-bug']) {
  test(`SPEC §2: a bug (${path}) is 500 internal, logged with the request id, with no stack in the answer`, async () => {
    const answer = await request(url, path);
    assert.equal(answer.status, 500);
    assert.deepEqual(answer.json, { error: 'internal', message: 'Internal server error' });
    assert.doesNotMatch(answer.text, /internals|at \//);
    const id = answer.headers['x-request-id'];
    const line = logLines.find((l) => l.includes(String(id)));
    assert.ok(line, 'the error is logged with the request id');
    const record = JSON.parse(line);
    assert.equal(record.level, 'error');
    assert.match(record.error.stack, /internals/);
  });
}

test('an ApiError renders status, code, message and its headers', async () => {
  const answer = await request(url, '/teapot');
  assert.equal(answer.status, 429);
  assert.deepEqual(answer.json, { error: 'rate_limited', message: 'Slow down' });
  assert.equal(answer.headers['retry-after'], '7');
});

test('path parameters arrive decoded and the query parsed', async () => {
  const answer = await request(url, '/items/a%20b?q=x%26y');
  assert.deepEqual(answer.json, { id: 'a b', q: 'x&y' });
});

test('each answer is counted under its route pattern and status', async () => {
  await request(url, '/items/1');
  await request(url, '/items/2');
  const text = registry.render();
  assert.match(text, /^socketlink_http_requests_total\{route="\/items\/:id",status="200"\} [2-9]\d*$/m);
  assert.match(text, /^socketlink_http_requests_total\{route="\/sync-bug",status="500"\} 1$/m);
  // An answer written after the handler returned is counted when it is over, too.
  assert.match(text, /^socketlink_http_requests_total\{route="\/async-bug",status="500"\} 1$/m);
});
