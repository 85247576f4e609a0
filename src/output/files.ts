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

/**
 * A draws file in Stan-CSV form: '#' comment lines with metadata, one header line, then one row per
 * kept draw (first column: the iteration number).
 */
export function drawsCsv(meta: Record<string, string | number>, names: readonly string[], iterations: readonly number[], draws: readonly Float64Array[]): string {
  const lines: string[] = Object.entries(meta).map(([k, v]) => `# ${k} = ${v}`);
  lines.push(['iteration', ...names].map(csvField).join(','));
  for (let t = 0; t < iterations.length; t++) {
    const row = [String(iterations[t])];
    for (let j = 0; j < draws.length; j++) row.push(csvNumber(draws[j][t]));
    lines.push(row.join(','));
  }
  return lines.join('\n') + '\n';
}
