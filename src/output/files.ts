/**
 * Writing run outputs: every file is written to a temporary name beside its target and renamed
 * into place, so a reader never sees a half-written file, and a failed write leaves no temporary
 * file; a file system failure is a user error naming the file and the cause.
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { environmentError, makeDirectory } from './environment.js';

export function writeFileAtomic(path: string, content: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    makeDirectory(dirname(path));
    writeFileSync(tmp, content);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw environmentError(err, path, 'write');
  }
}

/** A label as a file name: characters other than letters, digits, '.', '_' and '-' become '_'. */
export function fileSafe(label: string): string {
  return label.replace(/[^A-Za-z0-9._-]/g, '_');
}

/** A CSV field, quoted when it holds a separator, quote or newline. */
export function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A number as the shortest decimal that round-trips (draws and checkpoints: exact); NaN as NA. */
export function csvNumber(x: number): string {
  return Number.isNaN(x) ? 'NA' : String(x);
}

/** A number for a result table: at most 10 significant digits; NaN as NA, ±Infinity as Inf/-Inf. */
export function csvValue(x: number): string {
  if (Number.isNaN(x)) return 'NA';
  if (!Number.isFinite(x)) return x > 0 ? 'Inf' : '-Inf';
  return String(Number(x.toPrecision(10)));
}
