/**
 * File system failures (a read-only place, a full disk, a file where a folder should be) as user
 * errors that name the path and the cause.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MixmcError } from '../errors.js';

/** What the file system said, in words. */
const CAUSES: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exhausted',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'a path component is a file, not a directory',
  EISDIR: 'it is a directory',
  EEXIST: 'it already exists',
  ENOENT: 'no such file or directory',
  EMFILE: 'too many open files',
};

/** Whether an error is the environment's (full disk, read-only, …) rather than a bug. */
function isEnvironmentError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException)?.code;
  return typeof code === 'string' && code in CAUSES;
}

/** A file system error as a user error naming the path and the cause; other errors unchanged. */
export function environmentError(err: unknown, path: string, action: string): unknown {
  if (err instanceof MixmcError || !isEnvironmentError(err)) return err;
  const code = (err as NodeJS.ErrnoException).code!;
  return new MixmcError(`cannot ${action}: ${CAUSES[code]} (${code})`, { file: path });
}

/** Run `f`, turning a file system failure into a user error about `path`. */
export function onPath<T>(path: string, action: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    throw environmentError(err, path, action);
  }
}

/**
 * Create a folder and its parents. Node's recursive mkdir reports ENOENT when a parent cannot be
 * made for another reason (a read-only file system); the first missing folder is then made alone,
 * which fails with the true cause.
 */
export function makeDirectory(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    let first = dir;
    while (dirname(first) !== first && !existsSync(dirname(first))) first = dirname(first);
    mkdirSync(first);
    throw err;
  }
}
