/**
 * Static files for the browser client (SPEC §2: `GET /` and `/assets/*`).
 *
 * What it guarantees:
 * - Only `/` (the page) and files under `/assets/` are served, and only from
 *   the public root: a path that decodes to `..`, a backslash, a NUL or an
 *   encoded `/` is refused before it touches the file system, and the resolved
 *   path is checked to lie inside the root anyway (defence in depth).
 * - Content types come from an allowlist of extensions; anything else is not served,
 *   and `x-content-type-options: nosniff` stops the browser from guessing.
 * - Caching: the build puts assets under a folder named by their content hash
 *   (scripts/build-client.mjs), so those URLs never change meaning and are
 *   `immutable` for a year (RFC 8246); the page itself is `no-cache` (RFC 9111
 *   §5.2.2.4: store, but revalidate each time), so a new build is seen at once.
 *   Weak ETags (RFC 9110 §8.8.3) make that revalidation a 304.
 * - SPEC §2 security headers and the request id: `nosniff` as on every answer, plus
 *   `CLIENT_HEADERS`: the client's CSP, which forbids inline script, and
 *   `referrer-policy: no-referrer`.
 *
 * Knows nothing of chat or auth: it maps a URL path to a file.
 */
import { stat, readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { ApiError } from '../errors.js';
import { writeHead } from './response.js';
import { CLIENT_HEADERS } from './security-headers.js';

/** By extension: what we serve and as what. Not listed means not served. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** A year: the longest max-age caches are asked to honour. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';
/** The folder name scripts/build-client.mjs gives a build's assets: hex digits of a SHA-256. */
const HASHED_FOLDER = /^[0-9a-f]{8,64}$/;
const PAGE = 'index.html';
const ASSETS_PREFIX = '/assets/';

export interface StaticOptions {
  /** The folder holding index.html and assets/, e.g. `dist/public`. */
  readonly root: string;
}

/** What a URL path maps to, or null when this handler does not serve it. */
export interface StaticTarget {
  readonly file: string;
  readonly contentType: string;
  readonly cacheControl: string;
}

/**
 * Maps the path part of a request target to a file under `root`, or null.
 * Pure (no file system), so traversal attempts are unit-tested directly.
 */
export function resolveStaticPath(root: string, urlPath: string): StaticTarget | null {
  // Step 1: the page.
  if (urlPath === '/' || urlPath === `/${PAGE}`) {
    return { file: path.join(root, PAGE), contentType: CONTENT_TYPES['.html']!, cacheControl: REVALIDATE };
  }
  // Step 2: only /assets/… beyond that.
  if (!urlPath.startsWith(ASSETS_PREFIX)) return null;
  // Step 3: decode each segment on its own (RFC 3986 §2.4: decode after splitting,
  // so an encoded `%2F` cannot forge a separator) and refuse the dangerous ones.
  const segments: string[] = [];
  for (const raw of urlPath.slice(ASSETS_PREFIX.length).split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return null; // malformed percent-encoding
    }
    if (segment === '' || segment === '.' || segment === '..') return null;
    if (segment.includes('/') || segment.includes('\\') || segment.includes('\0')) return null;
    segments.push(segment);
  }
  if (segments.length === 0) return null;
  // Step 4: resolve and confirm the result is still inside the assets folder.
  const assetsRoot = path.resolve(root, 'assets');
  const file = path.resolve(assetsRoot, ...segments);
  if (!file.startsWith(assetsRoot + path.sep)) return null;
  // Step 5: an allowlisted extension.
  const contentType = CONTENT_TYPES[path.extname(file).toLowerCase()];
  if (contentType === undefined) return null;
  // Step 6: hashed folder → immutable; anything else is revalidated.
  const cacheControl = segments.length > 1 && HASHED_FOLDER.test(segments[0]!) ? IMMUTABLE : REVALIDATE;
  return { file, contentType, cacheControl };
}

/**
 * Returns a handler that serves the client and answers true, or answers false
 * (having written nothing) when the request is not for a static file — the
 * caller then goes on to its own routes or its JSON 404. A static path with a
 * method other than GET or HEAD throws 405 `method_not_allowed` with `allow`
 * (SPEC §2), for the caller's error handler to render.
 */
export function createStaticHandler(
  options: StaticOptions,
): (req: IncomingMessage, res: ServerResponse, requestId: string) => Promise<boolean> {
  const root = path.resolve(options.root);
  return async (req, res, requestId) => {
    const urlPath = (req.url ?? '/').split('?', 1)[0]!;
    const target = resolveStaticPath(root, urlPath);
    if (target === null) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      throw new ApiError(405, 'method_not_allowed', `${req.method} is not allowed here`, { allow: 'GET, HEAD' });
    }
    let info;
    try {
      info = await stat(target.file);
    } catch {
      return false;
    }
    if (!info.isFile()) return false;
    // RFC 9110 §8.8.3: a weak validator from size and modification time.
    const etag = `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
    const headers: Record<string, string> = {
      ...CLIENT_HEADERS,
      'content-type': target.contentType,
      'cache-control': target.cacheControl,
      etag,
      'last-modified': info.mtime.toUTCString(),
    };
    // RFC 9110 §13.1.2: If-None-Match matching (weak comparison) answers 304 without a body.
    if (ifNoneMatchHits(req.headers['if-none-match'], etag)) {
      writeHead(res, 304, requestId, headers);
      res.end();
      return true;
    }
    if (req.method === 'HEAD') {
      writeHead(res, 200, requestId, { ...headers, 'content-length': String(info.size) });
      res.end();
      return true;
    }
    // Read whole: client files are small. Length from the bytes read, not the earlier stat.
    const body = await readFile(target.file);
    writeHead(res, 200, requestId, { ...headers, 'content-length': String(body.length) });
    res.end(body);
    return true;
  };
}

/** RFC 9110 §13.1.2: `*`, or a list in which some tag weakly equals ours. */
function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(etag));
}
