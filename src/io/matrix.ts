/**
 * Relationship matrices given as CSV (e.g. BGLR's wheat A): a header `id,<id1>,<id2>,…`, then one
 * row per id, symmetric.
 */
import { MixmcError } from '../errors.js';
import { parseNumber, readTable } from './csv.js';

/** A square relationship matrix in CSV: a header `id,<id1>,<id2>,…`, then one row per id. */
export function readMatrix(file: string): { ids: string[]; k: Float64Array } {
  const t = readTable(file);
  const ids = t.rows.map((r) => r[0]);
  const n = ids.length;
  if (t.header.length !== n + 1)
    throw new MixmcError(`a relationship matrix needs as many columns as rows: ${n} rows but ${t.header.length - 1} value columns`, { file, line: 1 });
  const cols = t.header.slice(1);
  cols.forEach((c, j) => {
    if (c !== ids[j])
      throw new MixmcError(`column ${j + 2} is '${c}' but row ${j + 1} is '${ids[j]}': rows and columns must list the same ids in the same order`, {
        file,
        line: 1,
        column: j + 2,
      });
  });
  const k = new Float64Array(n * n);
  t.rows.forEach((r, i) => {
    for (let j = 0; j < n; j++) {
      const v = parseNumber(r[j + 1]);
      if (Number.isNaN(v)) throw new MixmcError(`'${r[j + 1]}' is not a number`, { file, line: t.lines[i], column: j + 2 });
      k[i * n + j] = v;
    }
  });
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      if (Math.abs(k[i * n + j] - k[j * n + i]) > 1e-8 * Math.max(1, Math.abs(k[i * n + j]))) {
        throw new MixmcError(`the matrix is not symmetric: [${ids[i]}, ${ids[j]}] = ${k[i * n + j]} but [${ids[j]}, ${ids[i]}] = ${k[j * n + i]}`, {
          file,
          line: t.lines[i],
          column: j + 2,
        });
      }
    }
  }
  return { ids, k };
}
