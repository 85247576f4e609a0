/** The update of π, the prior probability of a zero marker effect, shared by BayesB, BayesC and BayesCπ. */
import { beta } from '../../rng/dist.js';
import type { UniformSource } from '../../rng/rng.js';

/** π | δ ~ Beta(a + #out, b + #in) (Habier et al. 2011, BMC Bioinformatics 12:186). */
export function drawPi(delta: Float64Array, a: number, bPrior: number, rng: UniformSource): number {
  let nIn = 0;
  for (let j = 0; j < delta.length; j++) nIn += delta[j];
  return beta(rng, a + delta.length - nIn, bPrior + nIn);
}
