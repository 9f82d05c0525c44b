/**
 * JWT sign/verify throughput: SocketLink's hand-written HS256 (dist/auth/jwt.js) against
 * jose (a CryptoKey, its fastest documented HMAC key form) and jsonwebtoken (a KeyObject),
 * with a bare createHmac + timingSafeEqual loop as the floor. All in one process, one run,
 * interleaved short rounds so that load from other processes hits every case alike; each
 * figure is the median over rounds, each ratio the median of per-round ratios.
 * Bounded: ROUNDS × CASES × 2 × SLICE_MS (about 13 s).
 *
 * Writes bench/results/jwt.md.
 */
import { createHmac, createSecretKey, timingSafeEqual, webcrypto } from 'node:crypto';
import * as jose from 'jose';
import jsonwebtoken from 'jsonwebtoken';
import { built } from '../lib/built.js';
import { pick, writeResults } from '../lib/results.js';
import { median } from '../lib/stats.js';

// The built module, as the server runs it.
const { Hs256Jwt } = await built<typeof import('../../src/auth/jwt.js')>('auth/jwt.js');

const ROUNDS = pick(9, 3);
const SLICE_MS = pick(150, 50);
const MAX_OPS_PER_SLICE = 2_000_000;

const secret = Buffer.from('bench-secret-bench-secret-bench-secret!!', 'utf8');
const nowSeconds = Math.floor(Date.now() / 1000);
const claims = { sub: '6c1c1f8e-2d8a-4f7e-9a65-2f1d8c3b1a90', name: 'alice', role: 'user', sid: 'bT1x5mYg3XKc0d2VbQw9Zg', jti: 'Zq2x9T0b1rL7yPmd3sVkAg', iat: nowSeconds, exp: nowSeconds + 900 } as const;

const ours = new Hs256Jwt({ secret });
const token = ours.sign(claims);
const keyObject = createSecretKey(secret);
const cryptoKey = await webcrypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
const joseHeader = { alg: 'HS256', typ: 'JWT' };

// Sanity: every implementation accepts the token the others verify.
ours.verify(token);
await jose.jwtVerify(token, cryptoKey, { algorithms: ['HS256'], issuer: 'socketlink' });
jsonwebtoken.verify(token, keyObject, { algorithms: ['HS256'], issuer: 'socketlink' });

// Distinct tokens, more than the verifier's claims cache holds, so every verify parses its payload.
const FRESH = 5000;
const fresh = Array.from({ length: FRESH }, (_, i) => ours.sign({ ...claims, jti: `jti-${i}` }));
let freshIndex = 0;
const freshVerifier = new Hs256Jwt({ secret });

const dot = token.lastIndexOf('.');
const signingInput = token.slice(0, dot);
const signature = token.slice(dot + 1);

type Op = () => unknown;
type AsyncOp = () => Promise<unknown>;

const cases: Array<{ name: string; sign: Op | AsyncOp; verify: Op | AsyncOp; async: boolean }> = [
  {
    name: 'SocketLink',
    async: false,
    sign: () => ours.sign(claims),
    verify: () => ours.verify(token),
  },
  {
    name: 'SocketLink, a different token each time (no cache hits)',
    async: false,
    sign: () => ours.sign({ ...claims, jti: `jti-${freshIndex++ % FRESH}` }),
    verify: () => freshVerifier.verify(fresh[freshIndex++ % FRESH]!),
  },
  {
    name: 'jose (CryptoKey)',
    async: true,
    sign: () => new jose.SignJWT({ ...claims, iss: 'socketlink' }).setProtectedHeader(joseHeader).sign(cryptoKey),
    verify: () => jose.jwtVerify(token, cryptoKey, { algorithms: ['HS256'], issuer: 'socketlink' }),
  },
  {
    name: 'jsonwebtoken (KeyObject)',
    async: false,
    sign: () => jsonwebtoken.sign({ ...claims, iss: 'socketlink' }, keyObject, { algorithm: 'HS256', noTimestamp: true }),
    verify: () => jsonwebtoken.verify(token, keyObject, { algorithms: ['HS256'], issuer: 'socketlink' }),
  },
  {
    name: 'floor: createHmac + timingSafeEqual',
    async: false,
    sign: () => createHmac('sha256', keyObject).update(signingInput).digest('base64url'),
    verify: () => timingSafeEqual(Buffer.from(signature, 'base64url'), createHmac('sha256', keyObject).update(signingInput).digest()),
  },
];

async function opsPerSecond(op: Op | AsyncOp, isAsync: boolean): Promise<number> {
  const start = performance.now();
  const deadline = start + SLICE_MS;
  let ops = 0;
  while (ops < MAX_OPS_PER_SLICE) {
    // Check the clock every 256 ops, so the timer is not what we measure.
    for (let i = 0; i < 256; i++) {
      if (isAsync) await (op as AsyncOp)();
      else op();
    }
    ops += 256;
    if (performance.now() >= deadline) break;
  }
  return (ops * 1000) / (performance.now() - start);
}

const samples = new Map<string, { sign: number[]; verify: number[] }>();
for (const c of cases) samples.set(c.name, { sign: [], verify: [] });
for (let round = 0; round < ROUNDS; round++) {
  for (const c of cases) {
    const s = samples.get(c.name)!;
    s.sign.push(await opsPerSecond(c.sign, c.async));
    s.verify.push(await opsPerSecond(c.verify, c.async));
  }
}

/** Median over rounds of (a / b), both measured in the same round. */
const ratio = (a: number[], b: number[]) => median(a.map((v, i) => v / b[i]!));
const elementMax = (a: number[], b: number[]) => a.map((v, i) => Math.max(v, b[i]!));

const best = new Map<string, { sign: number; verify: number }>();
for (const [name, s] of samples) best.set(name, { sign: median(s.sign), verify: median(s.verify) });
const S = (name: string) => samples.get(name)!;
const usS = S('SocketLink');
const noCacheS = S('SocketLink, a different token each time (no cache hits)');
const floorS = S('floor: createHmac + timingSafeEqual');
const peerVerify = elementMax(S('jose (CryptoKey)').verify, S('jsonwebtoken (KeyObject)').verify);
const peerSign = elementMax(S('jose (CryptoKey)').sign, S('jsonwebtoken (KeyObject)').sign);
const us = best.get('SocketLink')!;

const k = (n: number) => `${(n / 1000).toFixed(1)}k`;
const x = (n: number) => `${n.toFixed(2)}×`;
const lines = [
  '# JWT HS256 sign and verify',
  '',
  `Node ${process.version}, ${ROUNDS} interleaved rounds of ${SLICE_MS} ms per case; ops/s are medians over rounds, ratios medians of per-round ratios. Same token (${token.length} chars) for every verifier; verifiers pin HS256 and check \`iss\`.`,
  '',
  '| implementation | sign ops/s | verify ops/s | verify vs SocketLink (median ops/s) |',
  '| --- | ---: | ---: | ---: |',
  ...cases.map((c) => {
    const b = best.get(c.name)!;
    return `| ${c.name} | ${k(b.sign)} | ${k(b.verify)} | ${x(b.verify / us.verify)} |`;
  }),
  '',
  `- verify: SocketLink / faster peer = **${x(ratio(usS.verify, peerVerify))}** (goal ≥ 2×); SocketLink / floor = **${x(ratio(usS.verify, floorS.verify))}** (goal ≥ 0.8×)`,
  `- verify without claims-cache hits: / faster peer = ${x(ratio(noCacheS.verify, peerVerify))}; / floor = ${x(ratio(noCacheS.verify, floorS.verify))}`,
  `- sign: SocketLink / faster peer = ${x(ratio(usS.sign, peerSign))}; SocketLink / floor = ${x(ratio(usS.sign, floorS.sign))}`,
  '',
  'The floor only computes and compares the MAC; SocketLink also checks the 8 KiB cap, canonical base64url,',
  'the header and every claim type, `iss`, `exp` and `nbf`. SocketLink memoizes the typed claims of a token',
  'whose MAC it has just verified (a client sends the same token for its whole life); the second row defeats that.',
  '',
];
const chart = {
  title: 'JWT HS256 sign and verify (ops/s, higher is better)',
  subtitle: `median of ${ROUNDS} interleaved rounds; ratios to SocketLink in the same run; shared machine`,
  unit: 'ops/s',
  ratioTo: 'SocketLink',
  bars: (['verify', 'sign'] as const).flatMap((op) =>
    cases.map((c) => ({ group: op, label: c.name.replace(', a different token each time (no cache hits)', ', no cache'), value: best.get(c.name)![op], highlight: c.name.startsWith('SocketLink') })),
  ),
};
console.log(lines.join('\n'));
console.log(`wrote ${writeResults('jwt', lines.join('\n'), [chart]).join(', ')}`);
