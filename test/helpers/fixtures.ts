import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { columnIndex, numericColumn, readTable } from '../../src/io/csv.js';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

export function fixturePath(...parts: string[]): string {
  return join(FIXTURES, ...parts);
}

export function readJson<T = unknown>(...parts: string[]): T {
  return JSON.parse(readFileSync(fixturePath(...parts), 'utf8')) as T;
}

/** The golden diagnostics draws: variable -> chains (in chain order). */
export function goldenDraws(): Map<string, Float64Array[]> {
  const t = readTable(fixturePath('diagnostics', 'draws.csv'));
  const chain = numericColumn(t, columnIndex(t, 'chain'), 'chain');
  const nChains = Math.max(...chain);
  const out = new Map<string, Float64Array[]>();
  for (const name of t.header.slice(2)) {
    const col = numericColumn(t, columnIndex(t, name), name);
    const chains: Float64Array[] = [];
    for (let k = 1; k <= nChains; k++) chains.push(col.filter((_, i) => chain[i] === k));
    out.set(name, chains);
  }
  return out;
}
