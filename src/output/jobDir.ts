/**
 * The folder of a job made of many fits (cross-validation, simulation-based calibration): a
 * MARKER.json naming the job by a hash of its inputs and settings, and a PARTS/ folder with one
 * file per finished fit, so that a rerun of the same job does only the fits that are missing. A
 * folder that holds another job is refused unless forced (then its parts are cleared).
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { MixmcError } from '../errors.js';
import { fileSafe, writeFileAtomic } from './files.js';

/**
 * Claim `dir` for the job `key`, a `what` (e.g. 'cross-validation'), with its MARKER file (e.g.
 * 'cv.json') and its finished fits in `parts`/.
 * @throws MixmcError when the folder holds another job (unless `force`) or other files.
 */
export function claimJobDir(dir: string, job: { what: string; marker: string; parts: string }, key: string, force: boolean): void {
  const { what, marker, parts } = job;
  const file = join(dir, marker);
  if (existsSync(file)) {
    const before = (JSON.parse(readFileSync(file, 'utf8')) as { key?: string }).key;
    if (before !== key && !force)
      throw new MixmcError(`${dir} holds a ${what} of other inputs or settings; use another --out, or --force to replace it`, { file });
    if (before !== key || force) rmSync(join(dir, parts), { recursive: true, force: true });
  } else if (existsSync(dir) && readdirSync(dir).length > 0 && !force) {
    throw new MixmcError(`${dir} is not empty and holds no ${what}; use another --out`, { file: dir });
  }
  writeFileAtomic(file, `${JSON.stringify({ key })}\n`);
}

/** A finished part of a job (parsed JSON), or undefined when it is still to do. */
export function readJobPart<T>(dir: string, parts: string, name: string): T | undefined {
  const file = join(dir, parts, `${fileSafe(name)}.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as T) : undefined;
}

/** Keep a finished part of a job. */
export function writeJobPart(dir: string, parts: string, name: string, value: unknown): void {
  writeFileAtomic(join(dir, parts, `${fileSafe(name)}.json`), `${JSON.stringify(value)}\n`);
}
