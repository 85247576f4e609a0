/**
 * Priors of the variances of a multivariate model (several traits, or random terms with several
 * coefficients): every random term and the residual has a d × d covariance matrix Σ with
 *   Σ ~ Inverse-Wishart(ν, ν·S)        (correlated components; ν > d − 1)
 *   Σ_cc ~ Scaled-Inv-χ²(ν, S_cc)       (each component of an uncorrelated `||` term; Σ diagonal)
 * so that d = 1 is the scalar prior. The default follows the single-trait rule on the diagonal and
 * is 0 off it (src/model/defaults.ts): df = d + 4 (5 for d = 1), and the prior mode of component c of
 * trait s is var(y_s)·(R²/K)/MSx_c for a random term and var(y_s)·(1 − R²) for the residual, with
 * the inverse-Wishart's mode ν·S/(ν + d + 1), i.e. S_cc = mode·(ν + d + 1)/ν.
 */
import { MixmcError } from '../errors.js';
import { choleskyInPlace } from '../linalg/dense.js';
import type { MatrixPrior, MatrixPriorReport, VariancePrior } from '../types.js';
import { DEFAULT_R2, fmtNum } from './defaults.js';
import type { Design } from './design.js';
import { componentLabels, RESIDUAL } from './names.js';

/** What a chain needs of one covariance matrix: its prior, or the value it is held at. */
export interface CovarianceSetting {
  term: string;
  /** Component labels (traits, coefficients, or TRAIT:COEF). */
  components: string[];
  /** Whether the components are correlated (an inverse-Wishart) or independent (`||`). */
  correlated: boolean;
  df: number;
  /** S, d × d row-major: the inverse-Wishart's scale matrix is df·S. */
  scale: number[];
  /** Held at this d × d matrix (row-major) instead of drawn. */
  fixed?: number[];
}

export type Given = VariancePrior | MatrixPrior;

/**
 * The scalar priors and fixed variances of a single-trait model with random intercepts.
 * @throws MixmcError naming a term given a matrix.
 */
export function scalarVariances(
  priors: Record<string, Given>,
  fixed: Record<string, number | number[][]>,
): { priors: Record<string, VariancePrior>; fixed: Record<string, number> } {
  for (const [term, p] of Object.entries(priors)) {
    if (typeof p.scale !== 'number') {
      throw new MixmcError(`a matrix prior is for a term with several components (traits or coefficients); '${term}' has one: give {"df": ν, "scale": s²}`, {
        term: `priors.${term}`,
      });
    }
  }
  for (const [term, v] of Object.entries(fixed)) {
    if (typeof v !== 'number') throw new MixmcError(`'${term}' has one component: fix its variance with a number`, { term: `fixedVariances.${term}` });
  }
  return { priors: priors as Record<string, VariancePrior>, fixed: fixed as Record<string, number> };
}

/** A square matrix given as rows, row-major, checked for its size and symmetry. */
function squareMatrix(m: number[][], d: number, where: string): number[] {
  if (m.length !== d || m.some((row) => !Array.isArray(row) || row.length !== d)) throw new MixmcError(`must be a ${d} × ${d} matrix`, { term: where });
  const out = m.flat();
  for (let a = 0; a < d; a++) {
    for (let b = 0; b < a; b++) {
      if (Math.abs(out[a * d + b] - out[b * d + a]) > 1e-12 * Math.max(Math.abs(out[a * d + b]), Math.abs(out[b * d + a]), 1e-300)) {
        throw new MixmcError(`must be symmetric (row ${a + 1}, column ${b + 1} differs from row ${b + 1}, column ${a + 1})`, { term: where });
      }
    }
  }
  return out;
}

function checkPositiveDefinite(m: number[], d: number, where: string, what: string): void {
  const l = Float64Array.from(m);
  if (choleskyInPlace(l, d) >= 0)
    throw new MixmcError(`${what} is not positive definite; give a matrix with positive eigenvalues (e.g. a diagonal one)`, { term: where });
}

/** A user's prior of a d-component term, checked. */
function userPrior(given: Given, term: string, components: string[], correlated: boolean): { df: number; scale: number[] } {
  const d = components.length;
  const where = `priors.${term}`;
  let scale: number[];
  if (typeof given.scale === 'number') {
    // one component (a single trait's residual beside a random slope): the scalar prior it is
    if (d !== 1)
      throw new MixmcError(
        `'${term}' has ${d} components (${components.join(', ')}): give "scale" as a ${d} × ${d} matrix${correlated ? '' : ' or a list of the d variances'}`,
        { term: `${where}.scale` },
      );
    scale = [given.scale];
  } else if (given.scale.every((x) => typeof x === 'number')) {
    const v = given.scale as number[];
    if (correlated) throw new MixmcError(`'${term}' has correlated components: give "scale" as a ${d} × ${d} matrix`, { term: `${where}.scale` });
    if (v.length !== d) throw new MixmcError(`must list ${d} variances (${components.join(', ')})`, { term: `${where}.scale` });
    scale = new Array(d * d).fill(0);
    v.forEach((x, c) => (scale[c * d + c] = x));
  } else {
    scale = squareMatrix(given.scale as number[][], d, `${where}.scale`);
    if (!correlated)
      for (let a = 0; a < d; a++)
        for (let b = 0; b < d; b++)
          if (a !== b && scale[a * d + b] !== 0) throw new MixmcError(`'${term}' is uncorrelated (||): its scale must be diagonal`, { term: `${where}.scale` });
  }
  if (correlated && !(given.df > d - 1)) {
    throw new MixmcError(`df must be greater than d − 1 = ${d - 1} for an inverse-Wishart prior on ${d} components (got ${given.df})`, { term: `${where}.df` });
  }
  checkPositiveDefinite(scale, d, `${where}.scale`, 'the prior scale');
  return { df: given.df, scale };
}

function fixedMatrix(v: number | number[][], term: string, components: string[]): number[] {
  const d = components.length;
  const where = `fixedVariances.${term}`;
  if (typeof v === 'number') {
    if (d === 1) return [v];
    throw new MixmcError(`'${term}' has ${d} components (${components.join(', ')}): fix it with a ${d} × ${d} matrix`, { term: where });
  }
  const m = squareMatrix(v, d, where);
  checkPositiveDefinite(m, d, where, 'the fixed covariance matrix');
  return m;
}

/** A covariance setting and its report: the user's prior or fixed value, or the default rule with `modes` on the diagonal. */
export function covarianceSetting(
  term: string,
  components: string[],
  correlated: boolean,
  modes: number[],
  ruleOf: (c: number) => string,
  given: Given | undefined,
  fixedValue: number | number[][] | undefined,
): { setting: CovarianceSetting; report: MatrixPriorReport } {
  const d = components.length;
  const rows = (m: number[]): number[][] => Array.from({ length: d }, (_, a) => m.slice(a * d, a * d + d));
  const fixed = fixedValue === undefined ? undefined : fixedMatrix(fixedValue, term, components);
  if (given) {
    const p = userPrior(given, term, components, correlated);
    return {
      setting: { term, components, correlated, df: p.df, scale: p.scale, fixed },
      report: { term, components, correlated, df: p.df, scale: rows(p.scale), source: 'user', ...(fixed ? { fixed: rows(fixed) } : {}) },
    };
  }
  const df = correlated ? d + 4 : 5;
  const k = correlated ? d : 1;
  const scale = new Array(d * d).fill(0);
  modes.forEach((mode, c) => (scale[c * d + c] = (mode * (df + k + 1)) / df));
  const rule = `df = ${correlated ? `d + 4 = ${df}` : df}; ${components.map((_, c) => ruleOf(c)).join('; ')}; S_cc = mode·(df + ${k} + 1)/df${components.length > 1 ? ', 0 off the diagonal' : ''}`;
  return {
    setting: { term, components, correlated, df, scale, fixed },
    report: { term, components, correlated, df, scale: rows(scale), source: 'default', rule, ...(fixed ? { fixed: rows(fixed) } : {}) },
  };
}

/**
 * The covariance settings of every random term (design order) and of the residual, with their reports.
 * @param totalTerms K, the number of terms sharing R² (marker sets count too).
 */
export function resolveCovariancePriors(
  design: Design,
  priors: Record<string, Given>,
  fixed: Record<string, number | number[][]>,
  totalTerms: number,
): { terms: CovarianceSetting[]; residual: CovarianceSetting; reports: MatrixPriorReport[] } {
  const traits = design.traits.names;
  const varY = design.traits.varY;
  const k = Math.max(1, totalTerms);
  const reports: MatrixPriorReport[] = [];
  const terms = design.random.map((r) => {
    const components = componentLabels(traits, r.coefs);
    const nc = r.coefs.length;
    const modes = components.map((_, c) => (varY[Math.floor(c / nc)] * (DEFAULT_R2 / k)) / r.msxCoef[c % nc]);
    const ruleOf = (c: number): string =>
      `mode(${components[c]}) = var(${traits[Math.floor(c / nc)]})·(R²/K)/MSx = ${fmtNum(varY[Math.floor(c / nc)])}·(${DEFAULT_R2}/${k})/${fmtNum(r.msxCoef[c % nc])} = ${fmtNum(modes[c])}`;
    const out = covarianceSetting(r.term, components, r.correlated, modes, ruleOf, priors[r.term], fixed[r.term]);
    reports.push(out.report);
    return out.setting;
  });
  const modes = traits.map((_, s) => varY[s] * (1 - DEFAULT_R2));
  const ruleOf = (s: number): string => `mode(${traits[s]}) = var(${traits[s]})·(1 − R²) = ${fmtNum(varY[s])}·${1 - DEFAULT_R2} = ${fmtNum(modes[s])}`;
  const residual = covarianceSetting(RESIDUAL, [...traits], true, modes, ruleOf, priors[RESIDUAL], fixed[RESIDUAL]);
  reports.push(residual.report);
  return { terms, residual: residual.setting, reports };
}
