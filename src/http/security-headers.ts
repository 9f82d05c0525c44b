/**
 * Security response headers, as data. SPEC §2 requires the three below on the browser
 * client's routes (`GET /`, `/assets/*`). API answers carry the two that protect a JSON
 * answer (OWASP REST Security Cheat Sheet, "Security Headers"); `referrer-policy` only
 * governs requests a document makes, and a JSON answer is never one.
 *
 * - `x-content-type-options: nosniff` stops a browser from guessing a type other
 *   than the declared `content-type` (Fetch standard, "X-Content-Type-Options"), so
 *   JSON is never read as HTML.
 * - `content-security-policy`: the API answers JSON, never a document, so it may
 *   load nothing and be framed by no one. (`base-uri` and `form-action` would constrain
 *   HTML that an API answer never is.) The client's routes use `CLIENT_CSP` instead.
 * - `referrer-policy: no-referrer` (client routes) keeps URLs, which may carry `?token=`,
 *   out of the `Referer` header of any request the client's page triggers.
 */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/**
 * For `GET /` and `/assets/*`: same-origin scripts, styles and sockets only.
 * `script-src 'self'` forbids inline script and `eval`; `connect-src 'self'`
 * covers fetch and, in current browsers (CSP Level 3), the same-origin socket.
 */
export const CLIENT_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
  "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** Set on every response, whatever its status. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'x-content-type-options': 'nosniff',
  'content-security-policy': API_CSP,
  // No `x-frame-options`: CSP's `frame-ancestors 'none'` supersedes it in every
  // current browser, and each header is bytes on every answer.
});

/** What the client's routes set on top of SECURITY_HEADERS (SPEC §2). */
export const CLIENT_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': CLIENT_CSP,
  'referrer-policy': 'no-referrer',
});
