/**
 * report(): the self-contained HTML report of a run directory (src/report/html.ts), finished,
 * interrupted or still being written — from run.json and the draws written so far.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readDraws } from '../io/draws.js';
import { varianceName } from '../model/names.js';
import { writeFileAtomic } from '../output/files.js';
import { readRunJson } from '../output/runDir.js';
import { buildReport } from '../report/html.js';
import { summarizeDraws } from '../run/summaries.js';
import type { Summary } from '../types.js';

export interface ReportOptions {
  /** Where to write (default DIR/report.html). */
  out?: string;
  /** Parameters (names or globs with *) that get figures. */
  vars?: readonly string[];
}

/**
 * Write the report of the run in `dir`.
 * @throws MixmcError when `dir` is not a run directory.
 */
export async function report(dir: string, opts: ReportOptions = {}): Promise<{ file: string; bytes: number; figures: number }> {
  const run = readRunJson(dir);
  const draws = readDraws([dir]);
  // a finished run's summary.json has everything (WAIC, prior shares, the data's warnings); otherwise the draws so far
  const file = join(dir, 'summary.json');
  const summary: Summary =
    run.status === 'finished' && existsSync(file)
      ? (JSON.parse(readFileSync(file, 'utf8')) as Summary)
      : summarizeDraws(draws, { geneticTerms: run.geneticTerms, heldFixed: Object.keys(run.fixedVariances).map(varianceName) }, 'trim');
  const { html, figures } = await buildReport({ run, summary, draws, vars: opts.vars });
  const out = resolve(opts.out ?? join(dir, 'report.html'));
  writeFileAtomic(out, html);
  return { file: out, bytes: statSync(out).size, figures };
}
