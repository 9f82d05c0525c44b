/**
 * Rendering of the signed-in screen's lists. Each function owns one element and
 * rebuilds it from state; every piece of user data goes in as text (dom.ts).
 */
import { el, localDateTime, localTime } from './dom.js';
import type { AddResult } from './history.js';
import type { Message, Session } from './protocol.js';

/** `Rooms`: one button per room, named exactly by the room's name (SPEC §6). */
export function renderRooms(list: HTMLUListElement, names: readonly string[], active: string | null): void {
  // Rebuilding would drop keyboard focus from the button the user is on; note it and put it back.
  const focused = list.contains(document.activeElement) ? (document.activeElement as HTMLElement).dataset['room'] : undefined;
  list.replaceChildren(
    ...names.map((name) => {
      const attributes: Record<string, string> = { type: 'button', 'data-room': name };
      if (name === active) attributes['aria-current'] = 'true';
      return el('li', {}, el('button', attributes, name));
    }),
  );
  if (focused !== undefined) list.querySelector<HTMLButtonElement>(`button[data-room="${CSS.escape(focused)}"]`)?.focus();
}

/** One entry of the message log: sender, local time, text. */
function messageElement(message: Message): HTMLElement {
  const when = new Date(message.timestamp);
  return el(
    'div',
    { class: 'message', 'data-seq': String(message.seq) },
    el('span', { class: 'sender' }, message.sender),
    el('time', { datetime: Number.isNaN(when.getTime()) ? '' : when.toISOString() }, localTime(message.timestamp)),
    el('p', { class: 'text' }, message.text),
  );
}

/** The `role="log"` element, mirroring one room's RoomHistory. */
export class LogView {
  readonly #log: HTMLElement;
  constructor(log: HTMLElement) {
    this.#log = log;
  }

  /** Shows a whole history (room switch, epoch change), scrolled to the newest. */
  show(messages: readonly Message[]): void {
    this.#log.replaceChildren(...messages.map(messageElement));
    this.#scrollToNewest();
  }

  /** Mirrors one `RoomHistory.add` that inserted. */
  add(message: Message, result: AddResult): void {
    if (result.kind === 'duplicate') return;
    const element = messageElement(message);
    if (result.beforeSeq === null) {
      // The newest message stays in view (issue 6 point 2).
      this.#log.append(element);
      this.#scrollToNewest();
      return;
    }
    const before = this.#log.querySelector(`[data-seq="${result.beforeSeq}"]`);
    this.#log.insertBefore(element, before);
  }

  /**
   * Before prepending older messages: returns a function that, called after,
   * scrolls by the height they added, so the message being read stays put.
   */
  holdScroll(): () => void {
    const fromBottom = this.#log.scrollHeight - this.#log.scrollTop;
    return () => {
      this.#log.scrollTop = this.#log.scrollHeight - fromBottom;
    };
  }

  #scrollToNewest(): void {
    this.#log.scrollTop = this.#log.scrollHeight;
  }
}

/** `NAME is typing…`, one line per typist so each reads as the sentence SPEC §6 names. */
export function renderTyping(container: HTMLElement, names: Iterable<string>): void {
  container.replaceChildren(...[...names].sort().map((name) => el('p', {}, `${name} is typing…`)));
}

/** `Online`: the usernames with an open socket (SPEC §7 rule 12). */
export function renderOnline(list: HTMLUListElement, names: Iterable<string>): void {
  list.replaceChildren(...[...names].sort((a, b) => a.localeCompare(b)).map((name) => el('li', {}, name)));
}

/** `Devices`: each session's user agent and last use; `Sign out` for every other device. */
export function renderDevices(list: HTMLUListElement, sessions: readonly Session[], signOut: (id: string) => void): void {
  list.replaceChildren(
    ...sessions.map((session) =>
      el(
        'li',
        { 'data-session': session.id },
        el('span', { class: 'ua' }, session.userAgent || 'Unknown browser'),
        el('span', { class: 'meta' }, `Last used ${localDateTime(session.lastUsedAt)}`),
        session.current ? el('strong', {}, ' (this device)') : null,
        session.current ? null : signOutButton(session.id, signOut),
      ),
    ),
  );
}

function signOutButton(id: string, signOut: (id: string) => void): HTMLButtonElement {
  const button = el('button', { type: 'button' }, 'Sign out');
  button.addEventListener('click', () => signOut(id));
  return button;
}
