/**
 * The only way the client builds DOM. Text goes in through `textContent`
 * (via `text` children) and never through `innerHTML`, so a message like
 * `<img src=x onerror=alert(1)>` stays the characters it is (issue 6 point 4).
 */

type Child = Node | string | null | undefined | false;

/** Creates `<tag>` with attributes and children; string children become text nodes. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return element;
}

/** The element with this id, of the expected kind; a missing one is a bug in index.html. */
export function byId<T extends HTMLElement>(id: string, kind: new () => T): T {
  const element = document.getElementById(id);
  if (!(element instanceof kind)) throw new Error(`index.html lacks #${id} as ${kind.name}`);
  return element;
}

/** Local wall-clock time of an epoch-ms timestamp, e.g. `14:03`. */
export function localTime(timestamp: number): string {
  return new Date(timestamp).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

/** Local date and time, for "last used" of a device. */
export function localDateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
