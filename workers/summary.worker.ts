/**
 * The summary worker: summarises one slice of a draw set's parameters (src/diagnostics/summary.ts).
 */
import { summarizeDrawSet } from '../src/diagnostics/summary.js';
import type { DrawSet, SummaryRow } from '../src/types.js';

export default function summarizeSlice({ draws, prob }: { draws: DrawSet; prob?: number }): SummaryRow[] {
  return summarizeDrawSet(draws, { prob });
}
