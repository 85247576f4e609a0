/**
 * Derived quantities of a multivariate model, traced per draw (never from posterior means):
 *   cor[TERM](a,b) = Σ_ab/sqrt(Σ_aa Σ_bb) of every correlated term with several components, and of
 *   the residual with several traits;
 *   h2(TRAIT) = G_ss/(G_ss + R_ss) of the one pedigree or genomic term with random intercepts only,
 *   when there are no marker sets (whose genetic block traces its own).
 */
import { Stage, type Block } from '../../mcmc/block.js';
import type { ChainState } from '../../mcmc/state.js';
import type { Design } from '../../model/design.js';
import { INTERCEPT } from '../../model/formula.js';
import type { CovarianceSetting } from '../../model/matrixPriors.js';
import { correlationName, H2, ofTrait } from '../../model/names.js';

interface Correlation {
  /** Index of the matrix: a random term k ≥ 0, or −1 for the residual. */
  k: number;
  d: number;
  a: number;
  b: number;
}

function correlations(terms: readonly CovarianceSetting[], residual: CovarianceSetting): { names: string[]; list: Correlation[] } {
  const names: string[] = [];
  const list: Correlation[] = [];
  const add = (s: CovarianceSetting, k: number): void => {
    const d = s.components.length;
    if (!s.correlated || d < 2) return;
    for (let a = 0; a < d; a++) {
      for (let b = a + 1; b < d; b++) {
        names.push(correlationName(s.term, s.components, a, b));
        list.push({ k, d, a, b });
      }
    }
  };
  terms.forEach((s, k) => add(s, k));
  add(residual, -1);
  return { names, list };
}

/** The random term whose h2 per trait is derived: the one with a covariance and random intercepts only, without marker sets. */
function heritabilityTerm(design: Design): number | undefined {
  if (design.markers.length > 0) return undefined;
  const genetic = design.random.flatMap((r, k) => (r.cov ? [k] : []));
  if (genetic.length !== 1) return undefined;
  const r = design.random[genetic[0]];
  return r.coefs.length === 1 && r.coefs[0] === INTERCEPT ? genetic[0] : undefined;
}

/** The derived parameters of a multivariate design, in the order MultiDerivedBlock records them. */
export function multiDerivedParams(design: Design, terms: readonly CovarianceSetting[], residual: CovarianceSetting): string[] {
  const out = correlations(terms, residual).names;
  if (heritabilityTerm(design) !== undefined) for (const trait of design.traits.names) out.push(ofTrait(H2, trait, design.traits.t));
  return out;
}

export class MultiDerivedBlock implements Block {
  readonly stage = Stage.Derived;
  readonly params: readonly string[];
  private readonly list: Correlation[];
  private readonly h2Term: number | undefined;
  private readonly t: number;

  constructor(design: Design, terms: readonly CovarianceSetting[], residual: CovarianceSetting) {
    this.params = multiDerivedParams(design, terms, residual);
    this.list = correlations(terms, residual).list;
    this.h2Term = heritabilityTerm(design);
    this.t = design.traits.t;
  }

  init(): void {}

  update(): void {}

  record(state: ChainState, row: Float64Array, offset: number): void {
    const multi = state.multi!;
    let o = offset;
    for (const { k, d, a, b } of this.list) {
      const m = k < 0 ? multi.covE : multi.covU[k];
      row[o++] = m[a * d + b] / Math.sqrt(m[a * d + a] * m[b * d + b]);
    }
    if (this.h2Term !== undefined) {
      const g = multi.covU[this.h2Term];
      const t = this.t;
      for (let s = 0; s < t; s++) {
        const gs = g[s * t + s];
        row[o++] = gs / (gs + multi.covE[s * t + s]);
      }
    }
  }
}
