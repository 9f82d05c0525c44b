import { test } from 'node:test';
import assert from 'node:assert/strict';
import { corsHeaders, preflightHeaders } from '../../src/http/cors.js';
import { isSameOrigin, normalizeOrigin, OriginPolicy } from '../../src/http/origin.js';

const policy = new OriginPolicy(['https://app.example.com']);

test('RFC 6454 §5: same-origin compares scheme, host and port against the Host header', () => {
  assert.equal(isSameOrigin('http://127.0.0.1:3001', '127.0.0.1:3001'), true);
  assert.equal(isSameOrigin('https://chat.example.com', 'chat.example.com'), true);
  assert.equal(isSameOrigin('http://Chat.Example.com', 'chat.example.com:80'), true);
  assert.equal(isSameOrigin('http://127.0.0.1:3002', '127.0.0.1:3001'), false);
  assert.equal(isSameOrigin('http://evil.com', '127.0.0.1:3001'), false);
  assert.equal(isSameOrigin('null', '127.0.0.1:3001'), false);
  assert.equal(isSameOrigin('http://127.0.0.1:3001', undefined), false);
});

test('normalizeOrigin accepts bare origins and refuses paths, credentials and other schemes', () => {
  assert.equal(normalizeOrigin('https://App.Example.com:443/'), 'https://app.example.com');
  assert.equal(normalizeOrigin('http://localhost:5173'), 'http://localhost:5173');
  for (const bad of ['*', 'example.com', 'https://a.com/path', 'ftp://a.com', 'https://u:p@a.com', 'https://a.com?x']) {
    assert.equal(normalizeOrigin(bad), undefined, bad);
  }
});

test('a listed origin gets its own origin back with credentials and vary: origin', () => {
  assert.deepEqual(corsHeaders('https://app.example.com', 'api.example.com', policy), {
    'access-control-allow-origin': 'https://app.example.com',
    'access-control-allow-credentials': 'true',
    'access-control-expose-headers': 'x-request-id, retry-after',
    vary: 'origin',
  });
});

test('an unlisted origin gets no CORS headers on an actual request', () => {
  assert.deepEqual(corsHeaders('https://evil.example.com', 'api.example.com', policy), {});
  assert.deepEqual(corsHeaders(undefined, 'api.example.com', policy), {});
});

test('SPEC §7 rule 21: a preflight from a disallowed origin carries no access-control-* header', () => {
  const headers = preflightHeaders('https://evil.example.com', 'api.example.com', policy);
  assert.deepEqual(Object.keys(headers).filter((name) => name.startsWith('access-control-')), []);
});

test('a preflight from an allowed origin lists methods, headers and a max-age', () => {
  const headers = preflightHeaders('https://app.example.com', 'api.example.com', policy);
  assert.equal(headers['access-control-allow-origin'], 'https://app.example.com');
  assert.match(headers['access-control-allow-methods']!, /\bDELETE\b/);
  assert.match(headers['access-control-allow-headers']!, /\bauthorization\b/);
  assert.match(headers['access-control-allow-headers']!, /\bcontent-type\b/);
  assert.ok(Number(headers['access-control-max-age']) > 0);
});

test('OriginPolicy allows same-origin and listed origins, and nothing without an Origin', () => {
  assert.equal(policy.isAllowed('https://app.example.com', 'other:1'), true);
  assert.equal(policy.isAllowed('http://h:1', 'h:1'), true);
  assert.equal(policy.isAllowed('http://h:2', 'h:1'), false);
  assert.equal(policy.isAllowed(undefined, 'h:1'), false);
});
