/**
 * Recovery of a simulated truth by BayesA, the Bayesian LASSO and BayesR where the likelihood
 * identifies h² (n = 2,000 > p = 400); why not at the p = 4n: see test/helpers/recovery.ts.
 */
import { recoverySuite } from '../helpers/recovery.js';

recoverySuite(['BayesA', 'BL', 'BayesR'], { n: 2000, p: 400 });
