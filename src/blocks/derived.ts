/**
 * Derived quantities, traced per draw like any parameter so that they are in the draws files (where
 * posterior's subset_draws finds them) and summarised draw by draw, never from plug-in posterior
 * means (Sorensen & Gianola 2002, Likelihood, Bayesian and MCMC Methods in Quantitative Genetics,
 * §16: the posterior of a function of the parameters is that of the function of each draw):
 *   prop[T]  = σ²_T / σ²_P and ratio[T] = σ²_T / σ²_e for every random term T, where
 *              σ²_P = σ²_e + var[genetic] + Σ_T σ²_T (in that order of summation);
 *   h2       = σ²_A / (σ²_A + σ²_e) of the one pedigree or genomic term, when no marker set traces h2;
 *   h2[observed] of a binary trait, from the liability's h² (the marker sets' or the term's) by
 *              Dempster & Lerner (1950): h²_obs = h² · z²/(p(1 − p)), p the incidence of the
 *              second category among the records and z = φ(Φ⁻¹(1 − p)) the normal ordinate at the
 *              threshold.
 * diagnostics/derived.ts computes the same quantities for draws written without them.
 */
import { Stage, type Block } from '../mcmc/block.js';
import type { ChainState } from '../mcmc/state.js';
import type { Design } from '../model/design.js';
import { H2, H2_OBSERVED, propName, ratioName } from '../model/names.js';
import { qnorm } from '../numbers.js';
import type { GeneticBlock } from './genetic.js';
import { latentFamily } from './liability.js';

/** The derived parameters of a design, in the order DerivedBlock records them. */
export function derivedParams(design: Design): string[] {
  const out = design.random.flatMap((r) => [propName(r.term), ratioName(r.term)]);
  if (heritabilityTerm(design) !== undefined) out.push(H2);
  if (observedScale(design) !== undefined) out.push(H2_OBSERVED);
  return out;
}

/** z²/(p(1 − p)) of a binary trait with an h² (Dempster & Lerner 1950), else undefined. */
function observedScale(design: Design): number | undefined {
  const family = latentFamily(design);
  if (family?.kind !== 'threshold' || family.family !== 'binary') return undefined;
  if (design.markers.length === 0 && heritabilityTerm(design) === undefined) return undefined;
  const p = family.counts[1] / (family.counts[0] + family.counts[1]);
  const t = qnorm(1 - p);
  const z = Math.exp(-0.5 * t * t) / Math.sqrt(2 * Math.PI);
  return (z * z) / (p * (1 - p));
}

/** The random term whose h2 is derived: the one with a pedigree or genomic covariance, when there are no marker sets. */
function heritabilityTerm(design: Design): number | undefined {
  if (design.markers.length > 0) return undefined;
  const genetic = design.random.flatMap((r, k) => (r.cov ? [k] : []));
  return genetic.length === 1 ? genetic[0] : undefined;
}

export class DerivedBlock implements Block {
  readonly stage = Stage.Derived;
  readonly params: readonly string[];
  private readonly h2Term: number | undefined;
  private readonly observedScale: number | undefined;

  /** @param genetic the marker sets' genetic block (its var[genetic] of the draw counts in σ²_P). */
  constructor(
    design: Design,
    private readonly genetic?: GeneticBlock,
  ) {
    this.params = derivedParams(design);
    this.h2Term = heritabilityTerm(design);
    this.observedScale = observedScale(design);
  }

  init(): void {}

  update(): void {}

  record(state: ChainState, row: Float64Array, offset: number): void {
    const varE = state.varE[0];
    const varU = state.varU;
    let total = varE;
    if (this.genetic) total += this.genetic.varGenetic;
    for (let k = 0; k < varU.length; k++) total += varU[k];
    let o = offset;
    for (let k = 0; k < varU.length; k++) {
      row[o++] = varU[k] / total;
      row[o++] = varU[k] / varE;
    }
    let h2 = Number.NaN;
    if (this.h2Term !== undefined) {
      const a = varU[this.h2Term];
      h2 = a / (a + varE);
      row[o++] = h2;
    } else if (this.genetic) {
      h2 = this.genetic.varGenetic / (this.genetic.varGenetic + varE);
    }
    if (this.observedScale !== undefined) row[o] = h2 * this.observedScale;
  }
}
