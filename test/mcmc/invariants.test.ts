/**
 * Driver contract and invariants: e = y − fitted after every sweep, the same seed gives identical
 * draws, chains are distinct streams, burn-in and thinning keep the documented iterations, and an
 * abort stops the chain.
 */
import { describe, expect, it } from 'vitest';
import { fit } from '../../src/api/fit.js';
import { prepare } from '../../src/blocks/plan.js';
import { buildSampler } from '../../src/blocks/sampler.js';
import { runChain } from '../../src/mcmc/runChain.js';
import { chainRng } from '../../src/rng/rng.js';
import { normal } from '../../src/rng/dist.js';
import type { DrawSink } from '../../src/mcmc/sink.js';
import type { DataRow } from '../../src/types.js';
import { residualInvariant } from '../helpers/residual.js';

function simulated(n = 300): DataRow[] {
  const rng = chainRng(5, 0);
  const herd = Array.from({ length: 12 }, () => 2 * normal(rng));
  const sire = Array.from({ length: 30 }, () => normal(rng));
  return Array.from({ length: n }, (_, i) => {
    const h = i % 12;
    const s = (i * 7) % 30;
    const sex = i % 2 === 0 ? 'F' : 'M';
    const age = 20 + (i % 10);
    const y = 50 + (sex === 'M' ? 3 : 0) + 0.4 * age + herd[h] + sire[s] + 2 * normal(rng);
    return { id: `a${i}`, y: i % 25 === 0 ? null : y, sex, age, herd: `h${h}`, sire: `s${s}` };
  });
}

const spec = { data: simulated(), id: 'id', formula: 'y ~ 1 + sex + age + (1|herd) + (1|sire)' };

describe('sampler invariants', () => {
  it('e = y − fitted after every sweep (1e-9 relative)', async () => {
    const { worst, sweeps } = await residualInvariant(spec, { chains: 2, iterations: 300, burnin: 50 });
    expect(sweeps).toBe(600);
    expect(worst).toBeLessThan(1e-9);
  });

  it('the same seed gives bit-identical draws; another chain or seed gives other draws', async () => {
    const a = await fit(spec, { chains: 2, iterations: 200, burnin: 20, thin: 2, seed: 42 });
    const b = await fit(spec, { chains: 2, iterations: 200, burnin: 20, thin: 2, seed: 42 });
    const c = await fit(spec, { chains: 1, iterations: 200, burnin: 20, thin: 2, seed: 43 });
    for (let k = 0; k < 2; k++) a.chains[k].draws.forEach((d, j) => expect(Buffer.from(d.buffer).equals(Buffer.from(b.chains[k].draws[j].buffer))).toBe(true));
    expect(a.chains[0].draws[0]).not.toEqual(a.chains[1].draws[0]);
    expect(a.chains[0].draws[0]).not.toEqual(c.chains[0].draws[0]);
  });

  it('keeps iterations burnin + thin·k, and missing responses are predicted', async () => {
    const res = await fit(spec, { chains: 1, iterations: 100, burnin: 10, thin: 3 });
    expect(res.chains[0].iterations).toEqual(Array.from({ length: 30 }, (_, k) => 13 + 3 * k));
    const predicted = res.effects.predicted!;
    expect(predicted.labels).toEqual(['a0', 'a25', 'a50', 'a75', 'a100', 'a125', 'a150', 'a175', 'a200', 'a225', 'a250', 'a275']);
    expect(predicted.mean.every(Number.isFinite)).toBe(true);
    expect(res.run.records).toBe(288);
  });

  it('an aborted chain stops at once and reports it', () => {
    const model = prepare(spec);
    const sampler = buildSampler(model.design, model.settings);
    const ac = new AbortController();
    let rows = 0;
    const sink: DrawSink = { header: () => undefined, row: () => void rows++, end: () => undefined };
    const out = runChain(sampler, chainRng(1, 0), { iterations: 1000, burnin: 0, thin: 1 }, sink, {
      afterSweep: (_s, it) => {
        if (it === 37) ac.abort();
      },
      signal: ac.signal,
    });
    expect(out.interrupted).toBe(true);
    expect(out.iteration).toBe(37);
    expect(rows).toBe(37);
  });
});
