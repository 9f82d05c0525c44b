import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, readdirSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { createStaticHandler, resolveStaticPath } from '../../src/http/static.js';
import { ApiError } from '../../src/errors.js';
import { ROOT } from '../helpers/server.js';

const HASH = 'abcdef012345';
let root: string;
let server: Server;
let base: string;

before(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'sl-static-'));
  mkdirSync(path.join(root, 'assets', HASH), { recursive: true });
  writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(path.join(root, 'assets', HASH, 'app.js'), 'export {};\n');
  writeFileSync(path.join(root, 'assets', HASH, 'style.css'), 'body{}');
  writeFileSync(path.join(root, 'assets', 'loose.css'), 'p{}');
  writeFileSync(path.join(root, 'assets', HASH, 'notes.exe'), 'MZ');
  writeFileSync(path.join(root, 'secret.txt'), 'top secret');
  const handle = createStaticHandler({ root });
  server = createServer((req, res) => {
    handle(req, res, 'req-test').then(
      (served) => {
        if (!served) res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}');
      },
      (error: unknown) => {
        const status = error instanceof ApiError ? error.status : 500;
        res.writeHead(status, error instanceof ApiError ? { ...error.headers } : {}).end();
      },
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address() as { port: number };
  base = `http://127.0.0.1:${address.port}`;
});

after(() => {
  server.close();
  rmSync(root, { recursive: true, force: true });
});

test('static: / serves index.html as text/html, no-cache, with the SPEC §2 security headers', async () => {
  const response = await fetch(`${base}/`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.equal(response.headers.get('cache-control'), 'no-cache');
  assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(response.headers.get('referrer-policy'), 'no-referrer');
  assert.equal(response.headers.get('x-request-id'), 'req-test');
  const csp = response.headers.get('content-security-policy') ?? '';
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.equal(await response.text(), '<!doctype html><title>t</title>');
});

test('static: an asset in a content-hashed folder is immutable for a year, with its content type', async () => {
  const js = await fetch(`${base}/assets/${HASH}/app.js`);
  assert.equal(js.status, 200);
  assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.equal(js.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assert.equal(await js.text(), 'export {};\n');
  const css = await fetch(`${base}/assets/${HASH}/style.css`);
  assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
});

test('static: an asset outside a hashed folder is revalidated (no-cache), not immutable', async () => {
  const response = await fetch(`${base}/assets/loose.css`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('cache-control'), 'no-cache');
});

test('RFC 9110 §13.1.2: a matching If-None-Match answers 304 with no body', async () => {
  const first = await fetch(`${base}/`);
  const etag = first.headers.get('etag');
  assert.ok(etag);
  const second = await fetch(`${base}/`, { headers: { 'if-none-match': etag } });
  assert.equal(second.status, 304);
  assert.equal(await second.text(), '');
});

test('static: HEAD answers headers and length without a body', async () => {
  const response = await fetch(`${base}/assets/${HASH}/app.js`, { method: 'HEAD' });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-length'), '11');
  assert.equal(await response.text(), '');
});

test('SPEC §2: POST to a static path is 405 with allow: GET, HEAD', async () => {
  const response = await fetch(`${base}/`, { method: 'POST' });
  assert.equal(response.status, 405);
  assert.equal(response.headers.get('allow'), 'GET, HEAD');
});

test('static: missing files, other paths and unlisted extensions are left to the caller (404)', async () => {
  for (const url of [`/assets/${HASH}/nope.js`, '/api/anything', '/secret.txt', `/assets/${HASH}/notes.exe`, `/assets/${HASH}`]) {
    const response = await fetch(`${base}${url}`);
    assert.equal(response.status, 404, url);
  }
});

test('static: traversal in every spelling is refused before the file system is touched', () => {
  const attempts = [
    '/assets/../secret.txt',
    '/assets/%2e%2e/secret.txt',
    '/assets/%2E%2E/secret.txt',
    `/assets/${HASH}/..%2f..%2fsecret.txt`,
    `/assets/${HASH}/..%5c..%5csecret.txt`,
    '/assets/..\\secret.txt',
    '/assets/%00.js',
    '/assets//etc/passwd.txt',
    '/assets/./x.js',
    '/assets/%zz.js',
  ];
  for (const attempt of attempts) assert.equal(resolveStaticPath(root, attempt), null, attempt);
});

test('static: traversal over a raw socket (no client-side path normalisation) gets 404, never the file', async () => {
  const { connect } = await import('node:net');
  const socket = connect(Number(new URL(base).port), '127.0.0.1');
  socket.write('GET /assets/../secret.txt HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
  let reply = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (reply += chunk));
  await once(socket, 'end');
  assert.match(reply, /^HTTP\/1\.1 404/);
  assert.doesNotMatch(reply, /top secret/);
});

test('build: the built page has no inline script and every asset it names exists', { skip: !existsSync(path.join(ROOT, 'dist/public/index.html')) && 'run npm run build first' }, () => {
  const html = readFileSync(path.join(ROOT, 'dist/public/index.html'), 'utf8');
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
  assert.ok(scripts.length >= 1);
  for (const [, attributes, body] of scripts) {
    assert.match(attributes!, /\bsrc="\/assets\/[0-9a-f]{12}\/[\w.-]+\.js"/);
    assert.equal(body!.trim(), '', 'inline script would be blocked by the CSP');
  }
  assert.doesNotMatch(html, /\son[a-z]+=/i, 'no inline event handlers');
  for (const [, url] of html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)) {
    assert.ok(existsSync(path.join(ROOT, 'dist/public', url!)), `${url} is missing`);
  }
  const folders = readdirSync(path.join(ROOT, 'dist/public/assets'));
  assert.equal(folders.length, 1, 'one build, one hashed folder');
});

test('client source: user data never goes through innerHTML, outerHTML, insertAdjacentHTML or document.write', () => {
  const dir = path.join(ROOT, 'src/client');
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
    const source = readFileSync(path.join(dir, name), 'utf8');
    assert.doesNotMatch(source, /\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write/, name);
  }
});
