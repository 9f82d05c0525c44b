/**
 * SPEC §7 rule 3: a JSON body with a `__proto__`, `constructor` or `prototype` key at
 * any depth is 400. `JSON.parse` itself defines `__proto__` as an own property (it
 * does not set the prototype), but the object is then dangerous to anyone who later
 * merges or copies it (`Object.assign`, spread into a class, lodash-style deep merge):
 * that is prototype pollution. Rejecting such keys at the edge keeps every later
 * layer safe without each one having to remember.
 */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * True when any object at any depth of `value` has a forbidden own key.
 * Iterative (an explicit stack), so a body nested thousands deep cannot overflow
 * the call stack: at 16 KiB a body can nest about 8000 levels.
 */
export function hasForbiddenKey(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item !== 'object' || item === null) continue;
    if (Array.isArray(item)) {
      for (const element of item) stack.push(element);
      continue;
    }
    for (const key of Object.keys(item)) {
      if (FORBIDDEN_KEYS.has(key)) return true;
      stack.push((item as Record<string, unknown>)[key]);
    }
  }
  return false;
}
