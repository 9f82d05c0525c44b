import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config.js';
import { refusedStart, startServer } from '../helpers/server.js';

const SECRET = 'x'.repeat(32);

function rejects(env: Record<string, string>, variable: string) {
  assert.throws(
    () => loadConfig(env),
    (error: unknown) => error instanceof ConfigError && error.variable === variable && error.message.startsWith(`${variable}:`),
    JSON.stringify(env),
  );
}

test('SPEC §1 defaults: port 3001 on 127.0.0.1, TTLs 900/604800, ./data, info, 10000 connections', () => {
  const config = loadConfig({ JWT_SECRET: SECRET });
  assert.equal(config.port, 3001);
  assert.equal(config.host, '127.0.0.1');
  assert.equal(config.accessTokenTtlSeconds, 900);
  assert.equal(config.refreshTokenTtlSeconds, 604800);
  assert.equal(config.dataDir, './data');
  assert.equal(config.logLevel, 'info');
  assert.equal(config.maxConnections, 10000);
  assert.equal(config.heartbeatSeconds, 30);
  assert.equal(config.cookieSecure, false);
  assert.deepEqual(config.corsOrigins, []);
  assert.equal(config.redisUrl, undefined);
});

test('every variable is parsed', () => {
  const config = loadConfig({
    PORT: '0',
    HOST: '::1',
    JWT_SECRET: SECRET,
    ACCESS_TOKEN_TTL: '60',
    REFRESH_TOKEN_TTL: '3600',
    DATA_DIR: ':memory:',
    COOKIE_SECURE: '1',
    CORS_ORIGINS: 'https://a.example.com, http://localhost:5173/',
    REDIS_URL: 'redis://127.0.0.1:6379/2',
    MAX_CONNECTIONS: '5',
    HEARTBEAT_SECONDS: '2',
    LOG_LEVEL: 'TRACE',
  });
  assert.equal(config.port, 0);
  assert.equal(config.host, '::1');
  assert.equal(config.jwtSecret.toString('utf8'), SECRET);
  assert.equal(config.accessTokenTtlSeconds, 60);
  assert.equal(config.refreshTokenTtlSeconds, 3600);
  assert.equal(config.dataDir, ':memory:');
  assert.equal(config.cookieSecure, true);
  assert.deepEqual(config.corsOrigins, ['https://a.example.com', 'http://localhost:5173']);
  assert.equal(config.redisUrl, 'redis://127.0.0.1:6379/2');
  assert.equal(config.maxConnections, 5);
  assert.equal(config.heartbeatSeconds, 2);
  assert.equal(config.logLevel, 'trace');
});

test('a bad value is a ConfigError naming its variable', () => {
  rejects({ JWT_SECRET: SECRET, PORT: '65536' }, 'PORT');
  rejects({ JWT_SECRET: SECRET, PORT: '-1' }, 'PORT');
  rejects({ JWT_SECRET: SECRET, PORT: '80a' }, 'PORT');
  rejects({ JWT_SECRET: SECRET, PORT: '1e3' }, 'PORT');
  rejects({ JWT_SECRET: SECRET, HOST: 'not a host' }, 'HOST');
  rejects({ JWT_SECRET: SECRET, ACCESS_TOKEN_TTL: '0' }, 'ACCESS_TOKEN_TTL');
  rejects({ JWT_SECRET: SECRET, REFRESH_TOKEN_TTL: '1.5' }, 'REFRESH_TOKEN_TTL');
  rejects({ JWT_SECRET: SECRET, COOKIE_SECURE: 'yes' }, 'COOKIE_SECURE');
  rejects({ JWT_SECRET: SECRET, CORS_ORIGINS: 'https://ok.com,*' }, 'CORS_ORIGINS');
  rejects({ JWT_SECRET: SECRET, CORS_ORIGINS: 'https://a.com/path' }, 'CORS_ORIGINS');
  rejects({ JWT_SECRET: SECRET, REDIS_URL: 'http://x:1' }, 'REDIS_URL');
  rejects({ JWT_SECRET: SECRET, MAX_CONNECTIONS: '0' }, 'MAX_CONNECTIONS');
  rejects({ JWT_SECRET: SECRET, LOG_LEVEL: 'verbose' }, 'LOG_LEVEL');
  rejects({ JWT_SECRET: SECRET, HEARTBEAT_SECONDS: '0' }, 'HEARTBEAT_SECONDS');
  rejects({ JWT_SECRET: SECRET, HEARTBEAT_SECONDS: '3601' }, 'HEARTBEAT_SECONDS');
});

test('SPEC §1: JWT_SECRET must be at least 32 bytes, counted in UTF-8', () => {
  rejects({ JWT_SECRET: 'x'.repeat(31) }, 'JWT_SECRET');
  // 16 two-byte characters are 32 bytes.
  assert.equal(loadConfig({ JWT_SECRET: 'é'.repeat(16) }).jwtSecret.length, 32);
  rejects({ JWT_SECRET: 'é'.repeat(15) + 'x' }, 'JWT_SECRET');
});

test('SPEC §1: JWT_SECRET is required with NODE_ENV=production, else random per start', () => {
  rejects({ NODE_ENV: 'production' }, 'JWT_SECRET');
  const a = loadConfig({});
  const b = loadConfig({});
  assert.equal(a.jwtSecretGenerated, true);
  assert.ok(a.jwtSecret.length >= 32);
  assert.notDeepEqual(a.jwtSecret, b.jwtSecret);
});

test('SPEC §1: the built server exits 1 with one stderr line naming the bad variable', async () => {
  // Values that pass parsing but fail later: a DATA_DIR that is a file, an address this
  // machine does not have (TEST-NET-2, RFC 5737). A taken port: the test below.
  const dir = await mkdtemp(path.join(tmpdir(), 'socketlink-config-'));
  const file = path.join(dir, 'not-a-directory');
  await writeFile(file, '');
  try {
    for (const [name, value] of [
      ['PORT', 'abc'],
      ['LOG_LEVEL', 'loud'],
      ['JWT_SECRET', 'short'],
      ['DATA_DIR', file],
      ['HOST', '198.51.100.1'],
    ] as const) {
      assert.match(refusedStart({ JWT_SECRET: SECRET, [name]: value }), new RegExp(`\\b${name}\\b`), `${name}=${value}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('SPEC §1: without JWT_SECRET the server warns on stderr and still prints the listening line first', async () => {
  const server = await startServer({ env: { JWT_SECRET: undefined } });
  assert.ok(server.port > 0);
  assert.equal(await server.stop(), 0);
  assert.match(server.stderr(), /JWT_SECRET/);
});

test('SPEC §1: JWT_SECRET missing with NODE_ENV=production exits 1', () => {
  assert.match(refusedStart({ NODE_ENV: 'production', JWT_SECRET: '' }), /JWT_SECRET/);
});

test('a port already in use exits 1 with one line on stderr naming PORT', async () => {
  const first = await startServer();
  try {
    const line = refusedStart({ PORT: String(first.port), HOST: '127.0.0.1', JWT_SECRET: SECRET });
    assert.match(line, /\bPORT: cannot listen on 127\.0\.0\.1:\d+/);
  } finally {
    await first.stop();
  }
});
