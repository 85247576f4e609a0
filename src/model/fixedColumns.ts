/**
 * The columns of the fixed-effect design X from typed variables (R's model.matrix coding), and X'X.
 */
import type { Formula } from './formula.js';
import { fixedName } from './names.js';

/** A variable of the formula as the data types it: a numeric covariate or a factor's labels. */
export interface VarInfo {
  name: string;
  col: number;
  kind: 'numeric' | 'factor';
  num?: Float64Array;
  labels?: string[];
}

interface Column {
  name: string;
  value: (row: number) => number;
}

/**
 * The columns of X, R-style: intercept first, then each term in order. A factor in a term is coded
 * by treatment contrasts (the first level dropped) when the term without that factor is also in the
 * model (the intercept counts as the empty term), and by indicators of all its levels otherwise —
 * the rule R's model.matrix applies, so that the columns match lme4's.
 */
export function fixedColumns(formula: Formula, info: Map<string, VarInfo>, levelsOf: Map<string, string[]>): Column[] {
  const cols: Column[] = [];
  if (formula.intercept) cols.push({ name: fixedName('(Intercept)'), value: () => 1 });
  const termKeys = new Set(formula.fixed.map((t) => [...t.vars].sort().join(':')));
  const hasMargin = (vars: readonly string[], drop: string): boolean => {
    const rest = vars.filter((v) => v !== drop);
    return rest.length === 0 ? formula.intercept : termKeys.has([...rest].sort().join(':'));
  };
  for (const term of formula.fixed) {
    // Each variable contributes a list of (label, value(row)) factors; the term's columns are the
    // products over all variables, the first variable varying fastest (as in R).
    let parts: { label: string; value: (r: number) => number }[] = [{ label: '', value: () => 1 }];
    for (const vname of term.vars) {
      const v = info.get(vname)!;
      let own: { label: string; value: (r: number) => number }[];
      if (v.kind === 'numeric') {
        const num = v.num!;
        own = [{ label: vname, value: (r) => num[r] }];
      } else {
        const levels = levelsOf.get(vname)!;
        const used = hasMargin(term.vars, vname) ? levels.slice(1) : levels;
        const labels = v.labels!;
        own = used.map((lev) => ({ label: `${vname}:${lev}`, value: (r: number) => (labels[r] === lev ? 1 : 0) }));
      }
      const next: typeof parts = [];
      for (const o of own) {
        for (const pp of parts) {
          const pv = pp.value;
          const ov = o.value;
          next.push({ label: pp.label === '' ? o.label : `${pp.label}:${o.label}`, value: (r) => pv(r) * ov(r) });
        }
      }
      parts = next;
    }
    for (const pp of parts) cols.push({ name: fixedName(pp.label), value: pp.value });
  }
  return cols;
}

export function crossProduct(p: number, colPtr: Int32Array, rowIdx: Int32Array, vals: Float64Array, n: number): Float64Array {
  const dense = new Float64Array(n);
  const xtx = new Float64Array(p * p);
  for (let j = 0; j < p; j++) {
    dense.fill(0);
    for (let k = colPtr[j]; k < colPtr[j + 1]; k++) dense[rowIdx[k]] = vals[k];
    for (let i = 0; i <= j; i++) {
      let s = 0;
      for (let k = colPtr[i]; k < colPtr[i + 1]; k++) s += vals[k] * dense[rowIdx[k]];
      xtx[i * p + j] = s;
      xtx[j * p + i] = s;
    }
  }
  return xtx;
}
