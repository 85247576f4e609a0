/**
 * Pedigrees: reading (id, sire, dam; 0, NA or - for unknown) and ordering parents before offspring.
 */
import { MixmcError } from '../errors.js';
import { readTable } from './csv.js';

export interface Pedigree {
  /** Animals, parents before offspring. */
  ids: string[];
  /** Index of the sire/dam in `ids`, or −1 when unknown. */
  sire: Int32Array;
  dam: Int32Array;
  /** The extra ids (record animals) that the file does not name at all, added as unrelated founders. */
  absent: string[];
}

const UNKNOWN = new Set(['', '0', 'NA', '-', '.']);

/**
 * Read a pedigree file (columns id, sire, dam: the first three, whatever their names). Parents that
 * are not listed as animals become founders; `extraIds` (animals with records but no pedigree line)
 * too. Parents listed after their offspring are reordered.
 * @throws MixmcError for a duplicate animal, an animal that is its own parent, a parent listed as
 *   both sire and dam, or a cycle (naming the animals).
 */
export function readPedigree(file: string, extraIds: Iterable<string> = []): Pedigree {
  const t = readTable(file);
  if (t.header.length < 3) throw new MixmcError('a pedigree needs three columns: id, sire, dam', { file, line: 1 });
  const rows = t.rows.map((r, k) => ({ id: r[0], sire: UNKNOWN.has(r[1]) ? undefined : r[1], dam: UNKNOWN.has(r[2]) ? undefined : r[2], line: t.lines[k] }));
  return buildPedigree(rows, extraIds, file);
}

export interface PedigreeRow {
  id: string;
  sire?: string;
  dam?: string;
  line?: number;
}

export function buildPedigree(rows: readonly PedigreeRow[], extraIds: Iterable<string> = [], file = 'pedigree'): Pedigree {
  const byId = new Map<string, PedigreeRow>();
  const asSire = new Set<string>();
  const asDam = new Set<string>();
  for (const r of rows) {
    if (UNKNOWN.has(r.id)) throw new MixmcError(`missing animal id`, { file, line: r.line });
    if (byId.has(r.id)) throw new MixmcError(`animal '${r.id}' is listed twice (also on line ${byId.get(r.id)!.line})`, { file, line: r.line });
    if (r.sire === r.id || r.dam === r.id) throw new MixmcError(`animal '${r.id}' is its own parent`, { file, line: r.line });
    if (r.sire !== undefined && r.sire === r.dam) throw new MixmcError(`animal '${r.sire}' is both sire and dam of '${r.id}'`, { file, line: r.line });
    byId.set(r.id, r);
    if (r.sire) asSire.add(r.sire);
    if (r.dam) asDam.add(r.dam);
  }
  for (const a of asSire) if (asDam.has(a)) throw new MixmcError(`animal '${a}' is listed both as a sire and as a dam`, { file });
  // parents and record animals without a line of their own are founders
  const all = new Map(byId);
  for (const r of rows) for (const p of [r.sire, r.dam]) if (p && !all.has(p)) all.set(p, { id: p });
  const absent: string[] = [];
  for (const id of extraIds) {
    if (all.has(id)) continue;
    all.set(id, { id });
    absent.push(id);
  }
  // order parents before offspring (depth-first; a back edge is a cycle)
  const order: string[] = [];
  const state = new Map<string, 1 | 2>();
  const visit = (id: string, path: string[]): void => {
    const s = state.get(id);
    if (s === 2) return;
    if (s === 1) {
      const cycle = path.slice(path.indexOf(id)).concat(id);
      throw new MixmcError(`the pedigree has a cycle: ${cycle.join(' → ')} (each is listed as a parent of the next)`, { file });
    }
    state.set(id, 1);
    const r = all.get(id)!;
    for (const p of [r.sire, r.dam]) if (p) visit(p, [...path, id]);
    state.set(id, 2);
    order.push(id);
  };
  for (const id of all.keys()) visit(id, []);
  const index = new Map(order.map((id, i) => [id, i]));
  const sire = Int32Array.from(order, (id) => (all.get(id)!.sire ? index.get(all.get(id)!.sire!)! : -1));
  const dam = Int32Array.from(order, (id) => (all.get(id)!.dam ? index.get(all.get(id)!.dam!)! : -1));
  return { ids: order, sire, dam, absent };
}
