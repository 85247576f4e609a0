/**
 * Writing run outputs: every file is written to a temporary name beside its target and renamed
 * into place, so a reader never sees a half-written file.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export function writeFileAtomic(path: string, content: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, content);
  renameSync(tmp, path);
}

/** A CSV field, quoted when it holds a separator, quote or newline. */
export function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A number as the shortest decimal that round-trips; NaN as NA. */
export function csvNumber(x: number): string {
  return Number.isNaN(x) ? 'NA' : String(x);
}
