/**
 * The pure diagnostic kernels over one parameter's draws, given as an array of chains (each a
 * Float64Array of equal length): DESIGN.md principle 8. They match the R package posterior 1.4
 * (Vehtari, Gelman, Simpson, Carpenter & Bürkner 2021) and coda 0.19 (Plummer et al. 2006), and never
 * throw on undefined cases: they return NaN as posterior returns NA. This module gathers them for the
 * public `diagnostics` namespace.
 */
export { hpdSorted, mad, mean, pooled, quantileSorted, sd, sorted, variance, type Chains } from './stats.js';
export { checkChains, isConstant, prepare, splitChains, zScale, type Prepared } from './ranks.js';
export { rhat, rhatBasic } from './rhat.js';
export { essBasic, essBasicUnsplit, essBulk, essQuantile, essTail, fftNextGoodSize } from './ess.js';
export { convergence, mcseMean, mcseQuantile, mcseSd } from './mcse.js';
export { effectiveSizeCoda, gelmanRubin, geweke, spectrum0Ar } from './coda.js';
