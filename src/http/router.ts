/**
 * A router over request paths with `:param` segments, generic over the handler
 * type so it knows nothing of requests, auth or chat.
 *
 * Matching algorithm (for a method M and a path P without its query):
 *  1. Look P up among the static patterns (no `:param`): one Map lookup, the fast
 *     path for routes such as `/api/health`.
 *  2. Otherwise split P on `/` and try each parameterised pattern with the same
 *     number of segments, in registration order; a literal segment must equal the
 *     raw segment exactly, a `:name` segment matches any non-empty segment.
 *  3. No pattern matched: `not_found` (404).
 *  4. A pattern matched but has no handler for M: `method_not_allowed` (405) with the
 *     methods it does have, for the `allow` header (RFC 9110 §15.5.6: the origin
 *     server MUST generate an Allow header field in a 405 response).
 *  5. Decode every parameter with `decodeURIComponent` (RFC 3986 §2.1). A malformed
 *     percent-encoding such as `%zz` or an invalid UTF-8 sequence is `bad_path` (400).
 *
 * HEAD: a pattern with a GET handler answers HEAD with it (RFC 9110 §9.3.2: the
 * server SHOULD send the same header fields as for GET); Node's ServerResponse drops
 * the body of a HEAD response by itself. (A streaming GET, such as SSE or a long poll,
 * thus holds a HEAD open as long as its GET.)
 */

export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

export type RouteMatch<H> =
  | { readonly kind: 'found'; readonly route: string; readonly handler: H; readonly params: Record<string, string> }
  | { readonly kind: 'not_found' }
  | { readonly kind: 'method_not_allowed'; readonly route: string; readonly allow: string }
  | { readonly kind: 'bad_path'; readonly route: string };

type Segment = { readonly literal: string } | { readonly param: string };

interface Pattern<H> {
  readonly route: string;
  readonly segments: readonly Segment[];
  readonly handlers: Map<string, H>;
}

const PARAM_PREFIX = ':';
const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export class Router<H> {
  readonly #static = new Map<string, Pattern<H>>();
  readonly #dynamic: Pattern<H>[] = [];
  readonly #byRoute = new Map<string, Pattern<H>>();

  /** Registers `handler` for `method` on `route`, e.g. `('DELETE', '/api/users/:id', h)`. */
  add(method: Exclude<Method, 'HEAD' | 'OPTIONS'>, route: string, handler: H): this {
    if (!route.startsWith('/')) throw new Error(`route must start with "/": ${route}`);
    let pattern = this.#byRoute.get(route);
    if (pattern === undefined) {
      const segments = route
        .slice(1)
        .split('/')
        .map((part): Segment => {
          if (!part.startsWith(PARAM_PREFIX)) return { literal: part };
          const name = part.slice(PARAM_PREFIX.length);
          if (!PARAM_NAME.test(name)) throw new Error(`bad parameter name in ${route}`);
          return { param: name };
        });
      pattern = { route, segments, handlers: new Map() };
      this.#byRoute.set(route, pattern);
      if (segments.every((s) => 'literal' in s)) this.#static.set(route, pattern);
      else this.#dynamic.push(pattern);
    }
    if (pattern.handlers.has(method)) throw new Error(`duplicate route ${method} ${route}`);
    pattern.handlers.set(method, handler);
    return this;
  }

  match(method: string, path: string): RouteMatch<H> {
    // Step 1: static patterns.
    const fixed = this.#static.get(path);
    if (fixed !== undefined) return this.#select(fixed, method, {});
    // Step 2: parameterised patterns.
    const parts = path.slice(1).split('/');
    for (const pattern of this.#dynamic) {
      const raw = matchSegments(pattern.segments, parts);
      if (raw === undefined) continue;
      // Step 5: decode only once we know which route it is, so a 405 or a
      // handler-less path does not pay for it.
      const params: Record<string, string> = {};
      for (const name of Object.keys(raw)) {
        try {
          params[name] = decodeURIComponent(raw[name]!);
        } catch {
          return { kind: 'bad_path', route: pattern.route };
        }
      }
      return this.#select(pattern, method, params);
    }
    // Step 3.
    return { kind: 'not_found' };
  }

  #select(pattern: Pattern<H>, method: string, params: Record<string, string>): RouteMatch<H> {
    const handler = pattern.handlers.get(method) ?? (method === 'HEAD' ? pattern.handlers.get('GET') : undefined);
    if (handler !== undefined) return { kind: 'found', route: pattern.route, handler, params };
    // Step 4.
    return { kind: 'method_not_allowed', route: pattern.route, allow: allowHeader(pattern.handlers.keys()) };
  }
}

/** The `allow` value: registered methods, HEAD beside GET, and OPTIONS (answered for every path). */
export function allowHeader(methods: Iterable<string>): string {
  const set = new Set(methods);
  if (set.has('GET')) set.add('HEAD');
  set.add('OPTIONS');
  return [...set].sort().join(', ');
}

/** Raw (still percent-encoded) parameter values, or undefined when the shapes differ. */
function matchSegments(segments: readonly Segment[], parts: readonly string[]): Record<string, string> | undefined {
  if (segments.length !== parts.length) return undefined;
  const raw: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    const part = parts[i]!;
    if ('literal' in segment) {
      if (segment.literal !== part) return undefined;
    } else {
      if (part.length === 0) return undefined;
      raw[segment.param] = part;
    }
  }
  return raw;
}

/**
 * Splits a request-target into path and query. RFC 9112 §3.2: origin-form
 * (`/path?query`) is the norm; absolute-form (`http://host/path`) MUST be accepted
 * by servers, so its scheme and authority are dropped here.
 */
export function splitTarget(target: string): { path: string; query: string } {
  let start = 0;
  if (target.charCodeAt(0) !== 0x2f /* '/' */) {
    const scheme = target.indexOf('://');
    if (scheme === -1) return { path: target, query: '' };
    const slash = target.indexOf('/', scheme + 3);
    if (slash === -1) return { path: '/', query: '' };
    start = slash;
  }
  const q = target.indexOf('?', start);
  const hash = target.indexOf('#', start);
  const end = hash === -1 ? target.length : hash;
  if (q === -1 || q > end) return { path: target.slice(start, end), query: '' };
  return { path: target.slice(start, q), query: target.slice(q + 1, end) };
}
