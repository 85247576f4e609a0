/**
 * The design: aligned records, y, X (sparse, column-compressed), the random terms' level maps and
 * x'x. It is built once from a validated spec and a table, then never changes; the sampler and REML
 * both read it, and its typed arrays can be moved to SharedArrayBuffers for workers.
 */
import { MixmcError } from '../errors.js';
import { checkResponse } from './response.js';
import { DEFAULT_R2 } from './defaults.js';
import { familyDesign, type FamilyDesign, type FamilySpec, readResponse, standIn } from './family.js';
import { columnIndex, isMissing, isNumericColumn, numericColumn, sortLevels, type Table } from '../io/csv.js';
import type { RunWarning } from '../types.js';
import { INTERCEPT, type Formula } from './formula.js';
import type { Arena } from '../linalg/arena.js';
import type { MarkerDesign } from './markers.js';
import { checkAliasing } from './aliasing.js';
import { coefficientValues, incidenceMsx, meanSquare } from './incidence.js';
import { crossProduct, fixedColumns, type VarInfo } from './fixedColumns.js';
import type { Covariance } from './covariance.js';

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
  /** The coefficients of each level: '(Intercept)' and slope covariates (formula order). */
  readonly coefs: readonly string[];
  /** Whether the coefficients are correlated (`|`) or independent (`||`). */
  readonly correlated: boolean;
  /** Coefficient values z[i·nc + c] of record i (1 for the intercept); undefined for a random intercept alone. */
  readonly z?: Float64Array;
  /** MSx of each coefficient's incidence columns (the default prior's rule); msx is the first. */
  readonly msxCoef: Float64Array;
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
  /** The data row (0-based) of each predicted record. */
  readonly rows: Int32Array;
  /** X rows, m × p row-major. */
  readonly x: Float64Array;
  /** level[k][i]: record i's level of random term k. */
  readonly level: readonly Int32Array[];
  /** z[k]: the coefficient values of random term k (m × nc), for terms with slopes. */
  readonly z: readonly (Float64Array | undefined)[];
}

/** The responses: one for a single-trait model, several for `cbind(…)`. */
export interface TraitsDesign {
  readonly names: readonly string[];
  readonly t: number;
  /** observed[s·n + i] = 1 when trait s of record i is observed; y holds NaN where it is not. */
  readonly observed: Uint8Array;
  /** Records with trait s observed. */
  readonly counts: Int32Array;
  /**
   * The scale of each trait that the default priors start from: the sample variance over its
   * observed records (a censored trait's bounds standing in for its censored values); for a
   * threshold trait 1/(1 − R²), so that the residual's prior mode is the liability's fixed residual variance 1.
   */
  readonly varY: Float64Array;
  /** Each trait's family over the records. */
  readonly families: readonly FamilyDesign[];
}

export interface Design {
  readonly response: string;
  /** Records in the likelihood (with at least one trait observed). */
  readonly n: number;
  /** The responses, trait-major: y[s·n + i] is trait s of record i (NaN where missing). */
  readonly y: Float64Array;
  readonly traits: TraitsDesign;
  readonly ids: readonly string[];
  /** The data row (0-based) of each record. */
  readonly rows: Int32Array;
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

/**
 * Whether a design needs the multivariate blocks: several traits, or a random term with slopes or
 * several coefficients. A single trait with random intercepts keeps the scalar blocks (and their draws).
 */
export function isMultivariate(design: Design): boolean {
  return design.traits.t > 1 || design.random.some((r) => r.coefs.length > 1 || r.coefs[0] !== INTERCEPT);
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
  /** The family of each response (Gaussian when absent). */
  families?: Readonly<Record<string, FamilySpec>>;
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

  const responses = formula.responses;
  const t = responses.length;
  const responseColumns = responses.map((name) => readResponse(table, name, opts.families?.[name]));
  const allMissing = (r: number): boolean => responseColumns.every((c) => c.informative[r] === 0);
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
  for (const term of formula.fixed) for (const v of term.vars) describe(v, false);
  const groups = formula.random.map((r) => describe(r.group, true));
  const slopes = formula.random.map((r) =>
    r.coefs.map((c) => {
      if (c === INTERCEPT) return undefined;
      const v = describe(c, false);
      if (v.kind !== 'numeric') {
        throw new MixmcError(
          `a random slope needs a numeric covariate, but '${c}' of (… | ${r.group}) is a factor; use its levels as fixed effects or make a numeric column`,
          {
            file: table.file,
            column: c,
            term: r.group,
          },
        );
      }
      return v;
    }),
  );
  const slopeValues = slopes.map((sl) => sl.map((v) => v?.num));
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
    (allMissing(r) ? toPredict : observed).push(r);
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
  if (observed.length === 0) {
    throw new MixmcError(`no record has a non-missing response ${responses.map((r) => `'${r}'`).join(' or ')} and complete covariates`, { file: table.file });
  }

  // Factor levels come from the observed records, ordered as R's factor() orders them.
  const levelsOf = new Map<string, string[]>();
  for (const v of vars) {
    if (v.kind !== 'factor') continue;
    const isGroup = groups.includes(v);
    const rowsForLevels = isGroup ? observed.concat(toPredict) : observed;
    const levels = sortLevels(rowsForLevels.map((r) => v.labels![r]));
    const inFixed = formula.fixed.some((term) => term.vars.includes(v.name));
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
  const fixedFactorVars = vars.filter((v) => v.kind === 'factor' && formula.fixed.some((term) => term.vars.includes(v.name)));
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
  // y trait-major; each trait checked over its observed records
  const y = new Float64Array(n * t);
  const isObserved = new Uint8Array(n * t);
  const counts = new Int32Array(t);
  const traitVar = new Float64Array(t);
  const families: FamilyDesign[] = [];
  responseColumns.forEach((column, s) => {
    const values: number[] = [];
    observed.forEach((r, i) => {
      y[s * n + i] = column.values[r];
      if (column.informative[r]) {
        isObserved[s * n + i] = 1;
        values.push(Number.isNaN(column.values[r]) ? standIn(column.lower![r], column.upper![r]) : column.values[r]);
      }
    });
    counts[s] = values.length;
    if (values.length === 0) {
      throw new MixmcError(`the response '${responses[s]}' has no record among those used (each needs a value and complete covariates)`, {
        file: table.file,
        column: responses[s],
      });
    }
    const family = familyDesign(column, opts.families?.[responses[s]], responses[s], observed, table.file);
    families.push(family);
    const varY = checkResponse(Float64Array.from(values), p, responses[s], table.file);
    traitVar[s] = family.kind === 'threshold' ? 1 / (1 - DEFAULT_R2) : varY;
  });
  const varY = traitVar[0];

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
  const random: RandomDesign[] = groups.map((g, k) => {
    const levels = levelsOf.get(g.name)!;
    const cov = opts.covariance?.[g.name];
    const index = new Map(levels.map((l, j) => [l, j]));
    const level = Int32Array.from(observed, (r) => index.get(g.labels![r])!);
    const count = new Float64Array(levels.length);
    for (let i = 0; i < n; i++) count[level[i]]++;
    const { coefs, correlated } = formula.random[k];
    const z = coefficientValues(slopeValues[k], observed);
    const msxCoef = Float64Array.from(coefs, (_, c) =>
      cov ? cov.meanDiag * meanSquare(z, coefs.length, c, n) : incidenceMsx(level, levels.length, z, coefs.length, c),
    );
    return { term: g.name, coefs, correlated, z, msxCoef, levels, q: levels.length, level, count, msx: msxCoef[0], cov };
  });

  const m = predictRows.length;
  const xPred = new Float64Array(m * p);
  for (let i = 0; i < m; i++) for (let j = 0; j < p; j++) xPred[i * p + j] = columns[j].value(predictRows[i]);
  const levelPred = groups.map((g) => {
    const index = new Map(levelsOf.get(g.name)!.map((l, k) => [l, k]));
    return Int32Array.from(predictRows, (r) => index.get(g.labels![r])!);
  });
  const zPred = slopeValues.map((sl) => coefficientValues(sl, predictRows));
  const rowId = (r: number): string => (idCol >= 0 ? table.rows[r][idCol] : String(r + 1));

  return {
    response: formula.response,
    n,
    y,
    traits: { names: responses, t, observed: isObserved, counts, varY: traitVar, families },
    ids: observed.map(rowId),
    rows: Int32Array.from(observed),
    varY,
    fixed: { p, names, colPtr, rowIdx, vals, xtx, xtxChol },
    random,
    predict: { m, ids: predictRows.map(rowId), rows: Int32Array.from(predictRows), x: xPred, level: levelPred, z: zPred },
    warnings,
    markers: [],
  };
}
