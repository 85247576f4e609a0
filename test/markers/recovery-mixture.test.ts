/** Recovery of a simulated truth by BayesB and BayesC: see test/helpers/recovery.ts. */
import { recoverySuite } from '../helpers/recovery.js';

recoverySuite(['BayesB', 'BayesC']);
