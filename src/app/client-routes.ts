/**
 * The browser client's routes (SPEC §2: `GET /` and `/assets/*`), served from
 * `dist/public/`, which `scripts/build-client.mjs` fills.
 */
import { fileURLToPath } from 'node:url';
import { ApiError } from '../errors.js';
import type { Handler } from '../http/context.js';
import type { Router } from '../http/router.js';
import { CLIENT_HEADERS } from '../http/security-headers.js';
import { createStaticHandler } from '../http/static.js';

/** `dist/public/`, beside this module's `dist/app/`. */
export const CLIENT_ROOT = fileURLToPath(new URL('../public/', import.meta.url));

export function addClientRoutes(router: Router<Handler>, root = CLIENT_ROOT): void {
  const serve = createStaticHandler({ root });
  const handler: Handler = async (ctx) => {
    if (!(await serve(ctx.req, ctx.res, ctx.id))) throw noSuchFile();
  };
  router.add('GET', '/', handler);
  // The build's only asset shape: /assets/<content hash>/<file>.
  router.add('GET', '/assets/:version/:file', handler);
  router.add('GET', '/assets/:file', () => {
    throw noSuchFile();
  });
}

/** SPEC §2 gives `/assets/*` the client's `referrer-policy`: its 404s carry it too. */
function noSuchFile(): ApiError {
  return new ApiError(404, 'not_found', 'No such file', { 'referrer-policy': CLIENT_HEADERS['referrer-policy']! });
}
