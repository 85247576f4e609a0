/**
 * The stored reference draws (cases.ts) are reproduced bit for bit. MIXMC_WRITE_REFERENCE=1 writes
 * them instead (only in the commit that changes the arithmetic on purpose, which says so).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fit } from '../../src/api/fit.js';
import type { EffectSummary, FitResult } from '../../src/types.js';
import { hashOf, REFERENCE_CASES, REFERENCE_DIR, type ReferenceRecord } from './cases.js';

const write = process.env.MIXMC_WRITE_REFERENCE === '1';

/** Every tracker of a fit in tracker order, under the names the reference files use. */
function trackers(res: FitResult): [string, EffectSummary][] {
  const e = res.effects;
  const out: [string, EffectSummary][] = e.random.map((r) => [`u[${r.term}]`, r]);
  for (const set of e.markerSets) {
    out.push(['snp', set.effects]);
    if (set.pip) out.push(['pip', set.pip]);
  }
  if (e.gebv) out.push(['gebv', e.gebv]);
  out.push(['fitted', e.fitted]);
  if (e.predicted) out.push(['predicted', e.predicted]);
  return out;
}

describe('reference draws are bit-identical', () => {
  for (const [name, spec] of Object.entries(REFERENCE_CASES)) {
    it(name, async () => {
      const res = await fit(spec, { workers: 0 });
      const got: ReferenceRecord = {
        params: [...res.params],
        chains: res.chains.map((c) => ({
          iterations: c.iterations,
          draws: c.draws.map((d) => Array.from(d)),
          ...(c.effects[0] ? { effects: hashOf(c.effects[0].values.subarray(0, c.effects[0].rows * c.effects[0].size)) } : {}),
        })),
        trackers: trackers(res).map(([name, e]) => ({
          name,
          labels: e.labels.length,
          mean: hashOf(e.mean),
          sd: hashOf(e.sd),
          first: Array.from(e.mean.subarray(0, 3)),
        })),
      };
      const file = join(REFERENCE_DIR, `${name}.json`);
      if (write) {
        mkdirSync(REFERENCE_DIR, { recursive: true });
        writeFileSync(file, `${JSON.stringify(got)}\n`);
        return;
      }
      expect(existsSync(file), `${file} (write it with MIXMC_WRITE_REFERENCE=1)`).toBe(true);
      const want = JSON.parse(readFileSync(file, 'utf8')) as ReferenceRecord;
      expect(got.params).toEqual(want.params);
      expect(got.chains.length).toBe(want.chains.length);
      got.chains.forEach((c, k) => {
        expect(c.iterations).toEqual(want.chains[k].iterations);
        c.draws.forEach((d, j) => expect(d, `chain ${k + 1}, ${got.params[j]}`).toEqual(want.chains[k].draws[j]));
        expect(c.effects).toEqual(want.chains[k].effects);
      });
      expect(got.trackers).toEqual(want.trackers);
    });
  }
});
