/**
 * The design: aligned records, y, X (sparse, column-compressed), the random terms' level maps and
 * x'x. It is built once from a validated spec and a table, then never changes; the sampler and REML
 * both read it, and its typed arrays can be moved to SharedArrayBuffers for workers.
 */
import { MixmcError } from '../errors.js';
import { checkResponse } from './response.js';
import { columnIndex, isMissing, isNumericColumn, numericColumn, sortLevels, type Table } from '../io/csv.js';
import type { RunWarning } from '../types.js';
import type { Formula } from './formula.js';
import type { Arena } from '../linalg/arena.js';
import type { MarkerDesign } from './markers.js';
import { checkAliasing } from './aliasing.js';
import type { Covariance } from './covariance.js';
import { fixedName } from './names.js';

export interface FixedDesign {
  /** Number of columns of X. */
  readonly p: number;
  /** Parameter names, `b[...]` (DESIGN.md). */
  readonly names: readonly string[];
  /** X in compressed sparse column form: column j's rows are rowIdx[colPtr[j]..colPtr[j+1]). */
  readonly colPtr: Int32Array;
  readonly rowIdx: Int32Array;
  readonly vals: Float64Array;
  /** X'X, p × p row-major. */
  readonly xtx: Float64Array;
  /** The Cholesky factor L of X'X (lower, row-major). */
  readonly xtxChol: Float64Array;
}

export interface RandomDesign {
  /** The grouping variable, which names the term: `u[TERM:LEVEL]`, `var[TERM]`. */
  readonly term: string;
  readonly levels: readonly string[];
  readonly q: number;
  /** level[i] is the level of record i (observed records). */
  readonly level: Int32Array;
  /** Number of observed records per level (Z'Z's diagonal). */
  readonly count: Float64Array;
  /** Sum of the column variances of Z (BGLR's MSx), or the mean of diag(K) for a structured term. */
  readonly msx: number;
  /** A known covariance K (pedigree, relationship or genomic matrix); iid when undefined. */
  readonly cov?: Covariance;
}

/** Records whose response is missing: not in the likelihood, but their fitted values are predicted. */
export interface PredictDesign {
  readonly m: number;
  readonly ids: readonly string[];
  /** X rows, m × p row-major. */
  readonly x: Float64Array;
  /** level[k][i]: record i's level of random term k. */
  readonly level: readonly Int32Array[];
}

export interface Design {
  readonly response: string;
  /** Records in the likelihood. */
  readonly n: number;
  readonly y: Float64Array;
  readonly ids: readonly string[];
  /** Sample variance of y (denominator n − 1). */
  readonly varY: number;
  readonly fixed: FixedDesign;
  readonly random: readonly RandomDesign[];
  readonly predict: PredictDesign;
  /** Data problems the user should know about (dropped rows, …). */
  readonly warnings: readonly RunWarning[];
  /** The marker sets' genotypes of the records (empty without markers). */
  readonly markers: readonly MarkerDesign[];
  /** The shared memory of the marker sets' genotypes and of every chain's marker state (with markers only). */
  readonly arena?: Arena;
}

interface VarInfo {
  name: string;
  col: number;
  kind: 'numeric' | 'factor';
  num?: Float64Array;
  labels?: string[];
}

/** Options that change how columns are typed. */
export interface DesignOptions {
  /** Columns to treat as factors even when numeric. */
  factors?: readonly string[];
  /** The id column, if any. */
  id?: string;
  /**
   * Ids that records must have (the genotyped individuals). A record whose id is not in the set is
   * an error listing the first such ids, or is dropped with a warning when `dropOthers` is set.
   */
  requireIds?: { ids: ReadonlySet<string>; dropOthers: boolean; what: string; file: string };
  /** Random terms with a known covariance: their levels are those of K, in K's order. */
  covariance?: Readonly<Record<string, Covariance>>;
}

/**
 * Build the design of `formula` on `table`.
 * @throws MixmcError for unknown columns, a non-numeric response, one-level factors, no usable
 *   records, or aliased fixed-effect columns (named, with the columns they depend on).
 */
export function buildDesign(table: Table, formula: Formula, opts: DesignOptions = {}): Design {
  const forced = new Set(opts.factors ?? []);
  const warnings: RunWarning[] = [];
  const nRows = table.rows.length;

  const yCol = columnIndex(table, formula.response, formula.response);
  const yAll = numericColumn(table, yCol, `the response '${formula.response}'`);
  const idCol = opts.id !== undefined ? columnIndex(table, opts.id, 'id') : -1;

  // Type every variable the formula uses.
  const info = new Map<string, VarInfo>();
  const describe = (name: string, asFactor: boolean): VarInfo => {
    const got = info.get(name);
    if (got) return got;
    const col = columnIndex(table, name);
    const numeric = !asFactor && !forced.has(name) && isNumericColumn(table, col);
    const v: VarInfo = numeric
      ? { name, col, kind: 'numeric', num: numericColumn(table, col, name) }
      : { name, col, kind: 'factor', labels: table.rows.map((r) => r[col]) };
    info.set(name, v);
    return v;
  };
  for (const t of formula.fixed) for (const v of t.vars) describe(v, false);
  const groups = formula.random.map((r) => describe(r.group, true));
  for (const g of groups) {
    if (g.kind !== 'factor') {
      // A grouping variable is always a set of labels, even when they look like numbers.
      g.kind = 'factor';
      g.labels = table.rows.map((r) => r[g.col]);
      delete g.num;
    }
  }

  // Rows with a missing covariate, factor or group are dropped; rows with a missing response are kept
  // for prediction only.
  const vars = [...info.values()];
  const isMissingAt = (v: VarInfo, r: number): boolean => (v.kind === 'numeric' ? Number.isNaN(v.num![r]) : isMissing(v.labels![r]));
  const observed: number[] = [];
  const toPredict: number[] = [];
  let droppedMissing = 0;
  const unmatched: number[] = [];
  const req = opts.requireIds;
  if (req && idCol < 0) throw new MixmcError(`the spec needs 'id', the column that links records to the ${req.what}`, { term: 'id' });
  for (let r = 0; r < nRows; r++) {
    if (vars.some((v) => isMissingAt(v, r))) {
      droppedMissing++;
      continue;
    }
    if (req && !req.ids.has(table.rows[r][idCol])) {
      unmatched.push(r);
      continue;
    }
    (Number.isNaN(yAll[r]) ? toPredict : observed).push(r);
  }
  if (droppedMissing > 0) {
    warnings.push({
      subject: 'data',
      severity: 1,
      message: `${droppedMissing} row(s) of ${table.file} dropped because a covariate, factor or grouping variable is missing`,
    });
  }
  if (req && unmatched.length > 0) {
    const first = unmatched
      .slice(0, 10)
      .map((r) => `'${table.rows[r][idCol]}' (line ${table.lines[r]})`)
      .join(', ');
    if (!req.dropOthers) {
      throw new MixmcError(
        `${unmatched.length} record(s) have no ${req.what} in ${req.file}: ${first}${unmatched.length > 10 ? ', …' : ''}. Set "dropUngenotyped": true to leave them out`,
        { file: table.file, column: opts.id },
      );
    }
    warnings.push({ subject: 'data', severity: 1, message: `${unmatched.length} record(s) without ${req.what} dropped (dropUngenotyped): ${first}` });
  }
  if (observed.length === 0) throw new MixmcError(`no record has a non-missing response '${formula.response}' and complete covariates`, { file: table.file });

  // Factor levels come from the observed records, ordered as R's factor() orders them.
  const levelsOf = new Map<string, string[]>();
  for (const v of vars) {
    if (v.kind !== 'factor') continue;
    const isGroup = groups.includes(v);
    const rowsForLevels = isGroup ? observed.concat(toPredict) : observed;
    const levels = sortLevels(rowsForLevels.map((r) => v.labels![r]));
    const inFixed = formula.fixed.some((t) => t.vars.includes(v.name));
    if (levels.length < 2 && (inFixed || isGroup)) {
      throw new MixmcError(`factor '${v.name}' has only one level ('${levels[0]}') among the records used; a factor needs at least two`, {
        file: table.file,
        column: v.name,
        term: v.name,
      });
    }
    levelsOf.set(v.name, levels);
  }

  // Predicted records whose fixed-factor level was never observed cannot be predicted.
  const fixedFactorVars = vars.filter((v) => v.kind === 'factor' && formula.fixed.some((t) => t.vars.includes(v.name)));
  const predictRows = toPredict.filter((r) => fixedFactorVars.every((v) => levelsOf.get(v.name)!.includes(v.labels![r])));
  if (predictRows.length < toPredict.length) {
    warnings.push({
      subject: 'data',
      severity: 1,
      message: `${toPredict.length - predictRows.length} record(s) with a missing response are not predicted: a fixed-factor level of theirs has no observed record`,
    });
  }

  const columns = fixedColumns(formula, info, levelsOf);
  const n = observed.length;
  const p = columns.length;
  const y = Float64Array.from(observed, (r) => yAll[r]);
  const varY = checkResponse(y, p, formula.response, table.file);

  // X in CSC form.
  const colPtr = new Int32Array(p + 1);
  const rowList: number[] = [];
  const valList: number[] = [];
  for (let j = 0; j < p; j++) {
    for (let i = 0; i < n; i++) {
      const x = columns[j].value(observed[i]);
      if (x !== 0) {
        rowList.push(i);
        valList.push(x);
      }
    }
    colPtr[j + 1] = rowList.length;
  }
  const rowIdx = Int32Array.from(rowList);
  const vals = Float64Array.from(valList);
  const names = columns.map((c) => c.name);
  const xtx = crossProduct(p, colPtr, rowIdx, vals, n);
  for (let j = 0; j < p; j++) {
    if (!Number.isFinite(xtx[j * p + j])) {
      throw new MixmcError(`the fixed-effect column '${names[j]}' has values so large that its sum of squares overflows; rescale it`, {
        file: table.file,
        term: names[j],
      });
    }
  }
  const xtxChol = Float64Array.from(xtx);
  checkAliasing(xtx, xtxChol, p, names, table.file);

  for (const g of groups) {
    const cov = opts.covariance?.[g.name];
    if (cov) levelsOf.set(g.name, cov.levels);
    if (cov?.absent && cov.absent.length > 0) {
      const first = cov.absent.slice(0, 5).map((id) => `'${id}'`);
      warnings.push({
        subject: g.name,
        severity: 4,
        message: `${cov.absent.length} animal(s) with records are not in the pedigree ${cov.file} (${first.join(', ')}${cov.absent.length > 5 ? ', …' : ''}): they are treated as unrelated founders; check that the ids match`,
      });
    }
  }
  const random: RandomDesign[] = groups.map((g) => {
    const levels = levelsOf.get(g.name)!;
    const cov = opts.covariance?.[g.name];
    const index = new Map(levels.map((l, k) => [l, k]));
    const level = Int32Array.from(observed, (r) => index.get(g.labels![r])!);
    const count = new Float64Array(levels.length);
    for (let i = 0; i < n; i++) count[level[i]]++;
    // Σ_j var(z_j) with the n − 1 denominator: var(z_j) = (n_j − n_j²/n)/(n − 1).
    let msx = 0;
    for (let j = 0; j < levels.length; j++) msx += (count[j] - (count[j] * count[j]) / n) / Math.max(1, n - 1);
    return { term: g.name, levels, q: levels.length, level, count, msx: cov ? cov.meanDiag : msx, cov };
  });

  const m = predictRows.length;
  const xPred = new Float64Array(m * p);
  for (let i = 0; i < m; i++) for (let j = 0; j < p; j++) xPred[i * p + j] = columns[j].value(predictRows[i]);
  const levelPred = groups.map((g) => {
    const index = new Map(levelsOf.get(g.name)!.map((l, k) => [l, k]));
    return Int32Array.from(predictRows, (r) => index.get(g.labels![r])!);
  });
  const rowId = (r: number): string => (idCol >= 0 ? table.rows[r][idCol] : String(r + 1));

  return {
    response: formula.response,
    n,
    y,
    ids: observed.map(rowId),
    varY,
    fixed: { p, names, colPtr, rowIdx, vals, xtx, xtxChol },
    random,
    predict: { m, ids: predictRows.map(rowId), x: xPred, level: levelPred },
    warnings,
    markers: [],
  };
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
function fixedColumns(formula: Formula, info: Map<string, VarInfo>, levelsOf: Map<string, string[]>): Column[] {
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

function crossProduct(p: number, colPtr: Int32Array, rowIdx: Int32Array, vals: Float64Array, n: number): Float64Array {
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
