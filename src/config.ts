/**
 * Configuration (SPEC §1): every environment variable parsed and validated once,
 * at start. A bad value throws a `ConfigError` whose message names the variable;
 * the entry point prints it as one line on stderr and exits 1.
 */
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { normalizeOrigin } from './http/origin.js';
import { isLogLevel, type LogLevel } from './log.js';

export interface Config {
  readonly port: number;
  readonly host: string;
  /** The HMAC key: the UTF-8 bytes of JWT_SECRET (SPEC §1), at least 32 bytes. */
  readonly jwtSecret: Buffer;
  /** True when JWT_SECRET was unset and a random per-start key is in use. */
  readonly jwtSecretGenerated: boolean;
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  /** A directory, or `:memory:` to keep nothing on disk. */
  readonly dataDir: string;
  readonly cookieSecure: boolean;
  /** Normalized origins (`scheme://host[:port]`). */
  readonly corsOrigins: readonly string[];
  readonly redisUrl: string | undefined;
  readonly maxConnections: number;
  /** Seconds between the server's pings on `/ws`; a peer silent for two of them is dropped (SPEC §4). */
  readonly heartbeatSeconds: number;
  readonly logLevel: LogLevel;
  readonly production: boolean;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    reason: string,
  ) {
    super(`${variable}: ${reason}`);
    this.name = 'ConfigError';
  }
}

/** SPEC §1 / §3, RFC 7518 §3.2: an HS256 key must be at least as long as the hash output. */
export const MIN_JWT_SECRET_BYTES = 32;
const MAX_PORT = 65_535;
/** Upper bound for a TTL: ten years, so arithmetic on it stays far from overflow. */
const MAX_TTL_SECONDS = 10 * 365 * 24 * 3600;
const MAX_CONNECTIONS_LIMIT = 10_000_000;
const MAX_HEARTBEAT_SECONDS = 3600;

export const DEFAULTS = {
  PORT: 3001,
  HOST: '127.0.0.1',
  ACCESS_TOKEN_TTL: 900,
  REFRESH_TOKEN_TTL: 604_800,
  DATA_DIR: './data',
  MAX_CONNECTIONS: 10_000,
  HEARTBEAT_SECONDS: 30,
  LOG_LEVEL: 'info' as LogLevel,
} as const;

type Env = Readonly<Record<string, string | undefined>>;

/** Unset and empty both mean "use the default". */
function value(env: Env, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
}

/** A decimal integer within [min, max]; no signs, exponents, hex or fractions. */
function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = value(env, name);
  if (raw === undefined) return fallback;
  if (!/^[0-9]{1,10}$/.test(raw)) throw new ConfigError(name, `must be a whole number from ${min} to ${max}, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(name, `must be a whole number from ${min} to ${max}, got "${raw}"`);
  return n;
}

/** A port as PORT takes it (decimal 0–65535), for entry points that read one from elsewhere. */
export function portNumber(raw: string | undefined, name: string, fallback: number): number {
  return integer({ [name]: raw }, name, fallback, 0, MAX_PORT);
}

/** RFC 1123 host names or an IP literal (v6 without brackets, as `listen` takes it). */
function host(env: Env): string {
  const raw = value(env, 'HOST') ?? DEFAULTS.HOST;
  const hostname = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
  if (isIP(raw) === 0 && !hostname.test(raw)) throw new ConfigError('HOST', `must be an IP address or a host name, got "${raw}"`);
  return raw;
}

function jwtSecret(env: Env, production: boolean): { key: Buffer; generated: boolean } {
  const raw = env.JWT_SECRET;
  if (raw === undefined || raw === '') {
    if (production) throw new ConfigError('JWT_SECRET', 'is required when NODE_ENV=production');
    // 32 random bytes as base64url: 43 characters, whose UTF-8 bytes are the key.
    return { key: Buffer.from(randomBytes(32).toString('base64url'), 'utf8'), generated: true };
  }
  const key = Buffer.from(raw, 'utf8');
  if (key.length < MIN_JWT_SECRET_BYTES) {
    throw new ConfigError('JWT_SECRET', `must be at least ${MIN_JWT_SECRET_BYTES} bytes, got ${key.length}`);
  }
  return { key, generated: false };
}

function cookieSecure(env: Env): boolean {
  const raw = value(env, 'COOKIE_SECURE');
  if (raw === undefined || raw === '0') return false;
  if (raw === '1') return true;
  throw new ConfigError('COOKIE_SECURE', `must be 1 or 0 (or unset), got "${raw}"`);
}

function corsOrigins(env: Env): string[] {
  const raw = value(env, 'CORS_ORIGINS');
  if (raw === undefined) return [];
  const origins: string[] = [];
  for (const part of raw.split(',')) {
    const item = part.trim();
    if (item === '') continue;
    const origin = normalizeOrigin(item);
    if (origin === undefined) throw new ConfigError('CORS_ORIGINS', `"${item}" is not an origin like https://chat.example.com`);
    origins.push(origin);
  }
  return origins;
}

function redisUrl(env: Env): string | undefined {
  const raw = value(env, 'REDIS_URL');
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('REDIS_URL', 'must look like redis://host:port[/db]');
  }
  const db = url.pathname === '' || url.pathname === '/' ? '0' : url.pathname.slice(1);
  if (url.protocol !== 'redis:' || url.hostname === '' || !/^[0-9]{1,2}$/.test(db)) {
    throw new ConfigError('REDIS_URL', 'must look like redis://host:port[/db]');
  }
  return raw;
}

function logLevel(env: Env): LogLevel {
  const raw = value(env, 'LOG_LEVEL');
  if (raw === undefined) return DEFAULTS.LOG_LEVEL;
  const lower = raw.toLowerCase();
  if (!isLogLevel(lower)) throw new ConfigError('LOG_LEVEL', `must be one of trace, debug, info, warn, error, got "${raw}"`);
  return lower;
}

/**
 * Parses and validates SPEC §1's variables, plus one of ours: HEARTBEAT_SECONDS, SPEC §4's
 * 30 s ping interval made tunable (as Socket.IO's `pingInterval` and Centrifugo's
 * `ping_interval` are). Throws `ConfigError` naming the first bad one.
 */
export function loadConfig(env: Env = process.env): Config {
  const production = env.NODE_ENV === 'production';
  const secret = jwtSecret(env, production);
  return {
    port: integer(env, 'PORT', DEFAULTS.PORT, 0, MAX_PORT),
    host: host(env),
    jwtSecret: secret.key,
    jwtSecretGenerated: secret.generated,
    accessTokenTtlSeconds: integer(env, 'ACCESS_TOKEN_TTL', DEFAULTS.ACCESS_TOKEN_TTL, 1, MAX_TTL_SECONDS),
    refreshTokenTtlSeconds: integer(env, 'REFRESH_TOKEN_TTL', DEFAULTS.REFRESH_TOKEN_TTL, 1, MAX_TTL_SECONDS),
    dataDir: value(env, 'DATA_DIR') ?? DEFAULTS.DATA_DIR,
    cookieSecure: cookieSecure(env),
    corsOrigins: corsOrigins(env),
    redisUrl: redisUrl(env),
    maxConnections: integer(env, 'MAX_CONNECTIONS', DEFAULTS.MAX_CONNECTIONS, 1, MAX_CONNECTIONS_LIMIT),
    heartbeatSeconds: integer(env, 'HEARTBEAT_SECONDS', DEFAULTS.HEARTBEAT_SECONDS, 1, MAX_HEARTBEAT_SECONDS),
    logLevel: logLevel(env),
    production,
  };
}
