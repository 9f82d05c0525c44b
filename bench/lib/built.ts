/**
 * Loads a module from the build (dist/), typed by its source in src/: benchmarks measure the
 * JavaScript the server runs, while `tsc` still checks how they call it. Usage:
 *   const { Hs256Jwt } = await built<typeof import('../../src/auth/jwt.js')>('auth/jwt.js');
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './results.js';

export async function built<T>(modulePath: string): Promise<T> {
  return (await import(pathToFileURL(path.join(ROOT, 'dist', modulePath)).href)) as T;
}
