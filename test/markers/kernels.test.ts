/**
 * The two marker kernels give the same draws: every prior, fitted with the WebAssembly kernel in two
 * worker threads and with the JS kernel in-process, on genotypes with missing values, gives
 * bit-identical draws and effect moments; so every statistical test of the marker models holds for
 * both kernels. MIXMC_KERNEL overrides the spec's `kernel`, and the kernel used is reported.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fit } from '../../src/api/fit.js';
import { prepare } from '../../src/blocks/plan.js';
import type { FitResult, MarkerPriorName, RunSpec } from '../../src/types.js';
import { tempDir } from '../helpers/cli.js';
import { simulateMarkers, withMissing } from '../helpers/markers.js';

const dir = tempDir();
const sim = simulateMarkers(dir, 70, 45, 4, 0.5, 808);
const geno = withMissing(sim, join(dir, 'g.csv'), 0.03, 809);
const PRIORS: MarkerPriorName[] = ['BRR', 'BayesA', 'BayesB', 'BayesC', 'BayesCpi', 'BL', 'BayesR'];
const spec = (prior: MarkerPriorName, kernel: 'wasm' | 'js'): RunSpec => ({
  data: sim.rows.slice(0, 60),
  id: 'id',
  formula: 'y ~ 1',
  kernel,
  markers: { file: geno, prior },
  mcmc: { chains: 2, iterations: 120, burnin: 20, thin: 1, seed: 31 },
});

function identical(a: FitResult, b: FitResult): void {
  expect(a.params).toEqual(b.params);
  a.chains.forEach((c, k) => c.draws.forEach((d, j) => expect(Array.from(d), `chain ${k + 1} ${a.params[j]}`).toEqual(Array.from(b.chains[k].draws[j]))));
  expect(Array.from(a.effects.markerSets[0].effects.mean)).toEqual(Array.from(b.effects.markerSets[0].effects.mean));
  expect(Array.from(a.effects.gebv!.mean)).toEqual(Array.from(b.effects.gebv!.mean));
}

describe('wasm and JS kernels give the same draws', () => {
  for (const prior of PRIORS) {
    it(prior, async () => {
      const wasm = await fit(spec(prior, 'wasm'), { workers: 2 });
      const js = await fit(spec(prior, 'js'), { workers: 0 });
      expect(wasm.run.kernel).toBe('wasm');
      expect(js.run.kernel).toBe('js');
      identical(wasm, js);
    });
  }
});

describe('MIXMC_KERNEL', () => {
  afterEach(() => {
    delete process.env.MIXMC_KERNEL;
  });

  it("overrides the spec's kernel, and a bad value is a clear error", () => {
    process.env.MIXMC_KERNEL = 'js';
    expect(prepare(spec('BRR', 'wasm')).settings.kernel).toBe('js');
    process.env.MIXMC_KERNEL = 'gpu';
    expect(() => prepare(spec('BRR', 'wasm'))).toThrowError(/MIXMC_KERNEL must be auto, wasm or js \(got 'gpu'\)/);
  });

  it('a bad kernel in the spec names the choices', () => {
    expect(() => prepare({ ...spec('BRR', 'wasm'), kernel: 'fast' as 'wasm' })).toThrowError(/kernel must be one of "auto", "wasm", "js" \(got "fast"\)/);
  });
});
