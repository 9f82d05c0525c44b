import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CloseCode, closeAction } from '../../src/client/close-policy.js';

test('SPEC §4: 4001 (token expired or session revoked) is answered by a refresh, not a blind reconnect', () => {
  assert.equal(closeAction(CloseCode.TOKEN_EXPIRED_OR_REVOKED), 'refresh');
});

test('SPEC §4: 4003 (account deleted) is never reconnected', () => {
  assert.equal(closeAction(CloseCode.ACCOUNT_DELETED), 'give_up');
});

test('RFC 6455 §7.4.1: server shutdown (1001), a dead TCP connection (1006) and internal errors (1011) are retried', () => {
  for (const code of [1001, 1006, 1011]) assert.equal(closeAction(code), 'retry', String(code));
});

test('RFC 6455 §7.4.1: protocol, payload, policy and size closes (1002, 1007, 1008, 1009) are retried with backoff', () => {
  for (const code of [1002, 1007, 1008, 1009]) assert.equal(closeAction(code), 'retry', String(code));
});

test('close policy: an unknown code is retried, never treated as final', () => {
  assert.equal(closeAction(4999), 'retry');
  assert.equal(closeAction(3000), 'retry');
});
