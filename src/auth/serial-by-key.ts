/**
 * Runs async tasks that share a key one after another, and tasks with
 * different keys freely. Refresh uses it per session: rotation is
 * read-check-write over an async store, and two refreshes interleaved between
 * the read and the write would both see the same current token and both
 * rotate. Serialized, the second sees the first's rotation and counts as reuse.
 *
 * Memory is bounded by the keys with a task in flight: a key's entry is
 * deleted when its last task settles.
 */
export class SerialByKey {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    // Start after the previous task settles, whether it succeeded or not.
    const result = previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }

  /** Keys with a task queued or running (for tests). */
  get size(): number {
    return this.#tails.size;
  }
}
