/**
 * Forges HS256 tokens for the token-rejection tests with node:crypto alone, so the
 * tests do not trust the signer they are testing.
 */
import { createHmac } from 'node:crypto';

export const TEST_SECRET = 'test-secret-test-secret-test-secret-0123456789';

export const b64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

export function decodePayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
}

export interface ForgeOptions {
  header?: Record<string, unknown>;
  secret?: string;
  hmac?: 'sha256' | 'sha512';
}

/** `header.payload.signature`, signed with HMAC over the encoded parts (RFC 7515 §5.1). */
export function forge(payload: Record<string, unknown>, options: ForgeOptions = {}): string {
  const header = b64url(JSON.stringify(options.header ?? { alg: 'HS256', typ: 'JWT' }));
  const body = b64url(JSON.stringify(payload));
  const signature = createHmac(options.hmac ?? 'sha256', options.secret ?? TEST_SECRET)
    .update(`${header}.${body}`)
    .digest('base64url');
  return `${header}.${body}.${signature}`;
}
