/**
 * `content-type` checks without regular expressions over the attacker's header
 * (STYLE §9): a linear split on `;` and `=`.
 *
 * RFC 9110 §8.3.1: type and subtype are case-insensitive; parameter names are
 * case-insensitive; a parameter value may be a quoted-string.
 * RFC 8259 §8.1: JSON exchanged between systems MUST be encoded as UTF-8, so the
 * only `charset` we accept is `utf-8`, which clients commonly send. Our policy,
 * stricter than RFC 8259 §11 (a `charset` "really has no effect on compliant
 * recipients"): a declared other charset is 415, not silently read as UTF-8.
 */
const JSON_MEDIA_TYPE = 'application/json';
const UTF8 = 'utf-8';

export function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const parts = header.split(';');
  if (parts[0]!.trim().toLowerCase() !== JSON_MEDIA_TYPE) return false;
  for (let i = 1; i < parts.length; i++) {
    const param = parts[i]!;
    const eq = param.indexOf('=');
    if (eq === -1) {
      if (param.trim() === '') continue; // a stray `;` is harmless
      return false;
    }
    const name = param.slice(0, eq).trim().toLowerCase();
    let value = param.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (name === 'charset' && value.toLowerCase() !== UTF8) return false;
  }
  return true;
}
