/**
 * Errors of the durable store. The two start-up errors are meant to be printed as
 * they are by the entry point, which then exits 1 (SPEC §1: a one-line message).
 */
import { overloaded, type ApiError } from '../errors.js';
import { errorCode } from './fs.js';

/** Another live process owns DATA_DIR (its pid is in the lock file). */
export class DataDirLockedError extends Error {
  readonly code = 'DATA_DIR_LOCKED';
  /** `host` only when the owner is another machine or container (its pid cannot be checked from here). */
  constructor(readonly pid: number, readonly host?: string) {
    super(
      host === undefined
        ? `DATA_DIR in use by pid ${pid}`
        : `DATA_DIR in use by pid ${pid} on host ${host} (remove its LOCK file if that host is gone)`,
    );
    this.name = 'DataDirLockedError';
  }
}

/** A record that is bad before the end of a file: refusing to start beats silently dropping data. */
export class StoreCorruptError extends Error {
  readonly code = 'STORE_CORRUPT';
  constructor(readonly file: string, readonly offset: number, reason: string) {
    super(`DATA_DIR is corrupt: ${file} at byte ${offset}: ${reason}; refusing to start`);
    this.name = 'StoreCorruptError';
  }
}

/** Seconds a client should wait before retrying a write the disk refused. */
const DISK_RETRY_AFTER_SECONDS = 1;

/**
 * What a write the disk refused becomes: 503 `overloaded`, never an ack. ENOSPC,
 * EIO, EDQUOT, EROFS all end here — the request may succeed later, when the disk does.
 */
export function diskUnavailable(cause: unknown): ApiError {
  const error = overloaded(DISK_RETRY_AFTER_SECONDS, `Storage unavailable (${errorCode(cause) ?? 'write failed'}), try again later`);
  (error as Error).cause = cause;
  return error;
}
