/**
 * JSON-lines logging on stdout (SPEC §1): one object per line,
 * `{"time":ISO,"level":"info","msg":"...", ...fields}`, filtered at LOG_LEVEL.
 *
 * Logs never contain a password or a token (SPEC §1). Redaction is by data, not by
 * the caller's memory:
 *  - a field named password, token, refreshToken, accessToken, authorization,
 *    cookie or set-cookie (any case, any depth) is replaced by "[redacted]";
 *  - in every string, a `token=` query parameter (or `refreshToken=`, any name
 *    ending in "token"), a `Bearer <credential>` and
 *    anything shaped like a compact JWS (three base64url parts, the first starting
 *    `eyJ`) are replaced too, so a URL or an error message cannot smuggle one in.
 */

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const SEVERITY: Record<LogLevel, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50 };

export const REDACTED = '[redacted]';
const SECRET_FIELDS: ReadonlySet<string> = new Set([
  'password',
  'token',
  'refreshtoken',
  'accesstoken',
  'authorization',
  'cookie',
  'set-cookie',
  'jwt_secret',
  'secret',
]);
// Linear, anchored-by-literal patterns (STYLE §9): no nested quantifiers.
/** `token=`, and any parameter whose name ends in "token" (`refreshToken=`, `access_token=`). */
const TOKEN_PARAM = /(^|[?&;\s])([\w-]*token)=[^&#\s"]*/gi;
const BEARER = /(bearer\s+)[^\s",]+/gi;
const JWS = /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g;
const MAX_DEPTH = 8;

export function redactString(text: string): string {
  return text.replace(TOKEN_PARAM, `$1$2=${REDACTED}`).replace(BEARER, `$1${REDACTED}`).replace(JWS, REDACTED);
}

/** A copy of `value` with every secret removed (see the module comment). */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactString(value);
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_DEPTH) return '[truncated]';
  if (value instanceof Error) return { name: value.name, message: redactString(value.message), stack: value.stack ? redactString(value.stack) : undefined };
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = SECRET_FIELDS.has(key.toLowerCase()) ? REDACTED : redact(item, depth + 1);
  }
  return out;
}

export type LogFields = Record<string, unknown>;

export interface Logger {
  readonly level: LogLevel;
  enabled(level: LogLevel): boolean;
  trace(msg: string, fields?: LogFields): void;
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` (e.g. `{ reqId }`) to every line. */
  child(fields: LogFields): Logger;
}

export type LogSink = (line: string) => void;

const stdoutSink: LogSink = (line) => {
  process.stdout.write(line);
};

export function isLogLevel(text: string): text is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(text);
}

export function createLogger(level: LogLevel, sink: LogSink = stdoutSink, bound: LogFields = {}): Logger {
  const threshold = SEVERITY[level];
  const write = (lineLevel: LogLevel, msg: string, fields?: LogFields) => {
    if (SEVERITY[lineLevel] < threshold) return;
    const record = redact({ ...bound, ...fields }) as LogFields;
    sink(JSON.stringify({ time: new Date().toISOString(), level: lineLevel, msg: redactString(msg), ...record }) + '\n');
  };
  return {
    level,
    enabled: (lineLevel) => SEVERITY[lineLevel] >= threshold,
    trace: (msg, fields) => write('trace', msg, fields),
    debug: (msg, fields) => write('debug', msg, fields),
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
    child: (fields) => createLogger(level, sink, { ...bound, ...fields }),
  };
}
