/** The update of π, the prior probability of a zero marker effect, and its prior draw, shared by BayesB, BayesC and BayesCπ. */
import { beta } from '../../rng/dist.js';
import type { PiSetting } from '../../model/defaults.js';
import type { UniformSource } from '../../rng/rng.js';

/** π | δ ~ Beta(a + #out, b + #in) (Habier et al. 2011, BMC Bioinformatics 12:186). */
export function drawPi(delta: Float64Array, a: number, bPrior: number, rng: UniformSource): number {
  let nIn = 0;
  for (let j = 0; j < delta.length; j++) nIn += delta[j];
  return beta(rng, a + delta.length - nIn, bPrior + nIn);
}

/**
 * π from its prior Beta(a, b) when estimated (else its value), then δ_j ~ Bernoulli(1 − π)
 * (simulation-based calibration). Mutates: delta. Returns π.
 */
export function inclusionFromPrior(setting: PiSetting, delta: Float64Array, rng: UniformSource): number {
  const pi = setting.estimate ? beta(rng, setting.a, setting.b) : setting.pi;
  for (let j = 0; j < delta.length; j++) delta[j] = rng.uniform() < pi ? 0 : 1;
  return pi;
}
