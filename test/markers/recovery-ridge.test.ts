/** Recovery of a simulated truth by BRR and BayesCπ: see test/helpers/recovery.ts. */
import { recoverySuite } from '../helpers/recovery.js';

recoverySuite(['BRR', 'BayesCpi']);
