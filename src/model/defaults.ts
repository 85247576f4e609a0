/**
 * Data-derived default hyper-parameters: the one place they are set (DESIGN.md principle 10). Every
 * default is reported with the rule and numbers behind it, and every one can be overridden in the
 * spec's `priors`.
 *
 * The rule is BGLR's (Pérez & de los Campos 2014, "Genome-wide regression and prediction with the
 * BGLR statistical package", section "Default rules for hyper-parameters"): with df = 5 and a prior
 * R² = 0.5 split evenly over the K variance terms other than the residual, the prior mode of each
 * variance equals its share of var(y):
 *   residual:      mode = var(y)·(1 − R²)                 → S0 = var(y)·(1 − R²)·(df + 2)
 *   term k:        mode = var(y)·(R²/K)/MSx_k             → S0 = var(y)·(R²/K)/MSx_k·(df + 2)
 * where MSx_k is the sum of the column variances of the term's incidence/covariate matrix. In mixmc's
 * parameterisation scale = S0/df.
 */
import type { PriorReport, VariancePrior } from '../types.js';

export const DEFAULT_DF = 5;
export const DEFAULT_R2 = 0.5;

/** A variance term other than the residual, as the default rule sees it. */
export interface VarianceTermInfo {
  term: string;
  /** Sum of column variances of the term's design (BGLR's MSx). */
  msx: number;
}

/**
 * Resolve every variance prior: the user's where given, the default rule otherwise.
 * @param varY sample variance of the response.
 * @param terms the non-residual variance terms, in model order.
 * @param totalTerms K, the number of terms sharing R² (more than terms.length when a marker term,
 *   whose prior resolves its own hyper-parameters, shares it).
 */
export function resolvePriors(varY: number, terms: readonly VarianceTermInfo[], user: Record<string, VariancePrior> = {}, totalTerms = terms.length): PriorReport[] {
  const df = DEFAULT_DF;
  const k = Math.max(1, totalTerms);
  const out: PriorReport[] = [];
  for (const t of terms) {
    const given = user[t.term];
    if (given) {
      out.push({ term: t.term, df: given.df, scale: given.scale, source: 'user' });
      continue;
    }
    const mode = (varY * (DEFAULT_R2 / k)) / t.msx;
    out.push({
      term: t.term,
      df,
      scale: (mode * (df + 2)) / df,
      source: 'default',
      rule: `df = ${df}; prior mode = var(y)·(R²/K)/MSx = ${fmtNum(varY)}·(${DEFAULT_R2}/${k})/${fmtNum(t.msx)} = ${fmtNum(mode)}; scale = mode·(df+2)/df`,
    });
  }
  const given = user.residual;
  if (given) {
    out.push({ term: 'residual', df: given.df, scale: given.scale, source: 'user' });
  } else {
    const mode = varY * (1 - DEFAULT_R2);
    out.push({
      term: 'residual',
      df,
      scale: (mode * (df + 2)) / df,
      source: 'default',
      rule: `df = ${df}; prior mode = var(y)·(1 − R²) = ${fmtNum(varY)}·${1 - DEFAULT_R2} = ${fmtNum(mode)}; scale = mode·(df+2)/df`,
    });
  }
  return out;
}

function fmtNum(x: number): string {
  return Number(x.toPrecision(6)).toString();
}

/**
 * BGLR's default scale for a marker variance: prior mode = var(y)·R²_share/MSx/probIn, i.e.
 * S0 = var(y)·R²/MSx·(df + 2)/probIn and scale = S0/df (probIn = 1 for priors without a mixture).
 * Returns the mixmc scale and the rule with its numbers.
 */
export function markerScale(varY: number, r2: number, msx: number, df: number, probIn = 1): { scale: number; mode: number; rule: string } {
  const mode = (varY * r2) / msx / probIn;
  return {
    scale: (mode * (df + 2)) / df,
    mode,
    rule: `df = ${df}; prior mode = var(y)·R²/MSx${probIn !== 1 ? '/(1 − π)' : ''} = ${fmtNum(varY)}·${fmtNum(r2)}/${fmtNum(msx)}${probIn !== 1 ? `/${fmtNum(probIn)}` : ''} = ${fmtNum(mode)}; scale = mode·(df+2)/df`,
  };
}
