import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Router, splitTarget } from '../../src/http/router.js';

const router = () =>
  new Router<string>()
    .add('GET', '/api/health', 'health')
    .add('GET', '/api/rooms/:name/messages', 'list')
    .add('POST', '/api/rooms/:name/messages', 'post')
    .add('DELETE', '/api/users/:id', 'delete-user');

test('a static route matches exactly, with no parameters', () => {
  const found = router().match('GET', '/api/health');
  assert.deepEqual(found, { kind: 'found', route: '/api/health', handler: 'health', params: {} });
});

test('a :param segment captures the decoded segment and reports the pattern as the route', () => {
  const found = router().match('POST', '/api/rooms/gen%20eral/messages');
  assert.deepEqual(found, { kind: 'found', route: '/api/rooms/:name/messages', handler: 'post', params: { name: 'gen eral' } });
});

test('RFC 3986 §2.1: %2F inside a parameter is data, not a separator', () => {
  const found = router().match('DELETE', '/api/users/a%2Fb');
  assert.equal(found.kind, 'found');
  assert.equal(found.kind === 'found' && found.params.id, 'a/b');
});

test('a malformed percent-encoding in a parameter is bad_path (400), not a crash', () => {
  for (const bad of ['%', '%zz', '%E0%A4%A', '%C3%28']) {
    assert.equal(router().match('DELETE', `/api/users/${bad}`).kind, 'bad_path', bad);
  }
});

test('an unknown path, a trailing slash, an empty parameter and an extra segment are not_found', () => {
  for (const path of ['/nope', '/api/health/', '/api/users/', '/api/users/1/x', '/']) {
    assert.equal(router().match('GET', path).kind, 'not_found', path);
  }
});

test('RFC 9110 §15.5.6: a known path with another method is 405 with every allowed method', () => {
  const found = router().match('PUT', '/api/rooms/x/messages');
  assert.deepEqual(found, { kind: 'method_not_allowed', route: '/api/rooms/:name/messages', allow: 'GET, HEAD, OPTIONS, POST' });
  const deleteOnly = router().match('GET', '/api/users/7');
  assert.equal(deleteOnly.kind === 'method_not_allowed' && deleteOnly.allow, 'DELETE, OPTIONS');
});

test('RFC 9110 §9.3.2: HEAD is answered by the GET handler', () => {
  const found = router().match('HEAD', '/api/health');
  assert.equal(found.kind === 'found' && found.handler, 'health');
});

test('registering the same method and route twice is refused', () => {
  assert.throws(() => router().add('GET', '/api/health', 'again'));
});

test('splitTarget separates path, query and fragment, and accepts absolute-form (RFC 9112 §3.2.2)', () => {
  assert.deepEqual(splitTarget('/a/b?x=1&y=2'), { path: '/a/b', query: 'x=1&y=2' });
  assert.deepEqual(splitTarget('/a#frag'), { path: '/a', query: '' });
  assert.deepEqual(splitTarget('http://example.com/api/health?z'), { path: '/api/health', query: 'z' });
  assert.deepEqual(splitTarget('http://example.com'), { path: '/', query: '' });
  assert.deepEqual(splitTarget('*'), { path: '*', query: '' });
});
