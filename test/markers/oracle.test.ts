/**
 * Exact oracles for marker models with the variances fixed: BRR is then SNP-BLUP (ridge regression),
 * and the posterior of (b, β) is Gaussian with mean = MME solution and covariance σ²e·LHS⁻¹.
 * Tolerances: 4·MCSE (mcse_mean for means, mcse_sd for SDs), computed from the draws.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fit } from '../../src/api/fit.js';
import { prepare } from '../../src/blocks/plan.js';
import { mcseMean, mcseSd, mean, pooled, sd } from '../../src/diagnostics/kernels.js';
import { markerColumn, markerMme, simulateMarkers } from '../helpers/markers.js';
import { tempDir } from '../helpers/cli.js';

for (const kernel of ['wasm', 'js'] as const) {
  describe(`BRR with fixed variances = SNP-BLUP (${kernel} kernel)`, async () => {
    const dir = tempDir();
    const sim = simulateMarkers(dir, 80, 12, 4, 0.5, 31);
    const spec = {
      data: sim.rows,
      id: 'id',
      formula: 'y ~ 1',
      kernel,
      markers: { file: sim.genoFile, prior: 'BRR' as const, saveEffects: 1 },
      fixedVariances: { markers: 0.3, residual: sim.varE },
      mcmc: { chains: 4, iterations: 8000, burnin: 500, thin: 1, seed: 5 },
    };
    const res = await fit(spec);
    const design = prepare(spec).design;
    const oracle = markerMme(design, 0.3, sim.varE);
    const p = design.markers[0].p;
    // effect draws per marker, from the saved draws (every kept draw)
    const effectChains = (j: number): Float64Array[] =>
      res.chains.map((c) => {
        const e = c.effects[0]!;
        return Float64Array.from({ length: e.rows }, (_, r) => e.values[r * e.size + j]);
      });

    it('posterior means of β equal the MME solution within 4·MCSE', () => {
      for (let j = 0; j < p; j++) {
        const x = effectChains(j);
        const m = mean(pooled(x));
        expect(Math.abs(m - oracle.mean[oracle.p + j]), `snp ${j}: ${m} vs ${oracle.mean[oracle.p + j]}`).toBeLessThan(4 * mcseMean(x));
      }
    });

    it('posterior SDs equal sqrt(diag(σ²e·LHS⁻¹)) within 4·MCSE', () => {
      for (let j = 0; j < p; j++) {
        const x = effectChains(j);
        const want = Math.sqrt(oracle.cov[(oracle.p + j) * oracle.dim + oracle.p + j]);
        // Float32 storage of saved draws rounds each draw by ~1e-7 relative: far below the MCSE
        expect(Math.abs(sd(pooled(x)) - want), `snp ${j}`).toBeLessThan(4 * mcseSd(x));
      }
    });

    it('the running moments of β (snp tracker) agree with the saved draws', () => {
      const snp = res.effects.markerSets[0].effects;
      for (let j = 0; j < p; j++) expect(snp.mean[j]).toBeCloseTo(mean(pooled(effectChains(j))), 5);
    });

    it('the intercept equals the MME solution within 4·MCSE', () => {
      const x = res.chains.map((c) => c.draws[res.params.indexOf('b[(Intercept)]')]);
      expect(Math.abs(mean(pooled(x)) - oracle.mean[0])).toBeLessThan(4 * mcseMean(x));
    });

    it("centred columns sum to 0, and x'x and G_j are those of the imputed, centred codes", () => {
      const md = prepare(spec).design.markers[0];
      const n = md.n;
      for (let j = 0; j < md.p; j++) {
        const x = markerColumn(md, j);
        let s = 0;
        let s2 = 0;
        for (let i = 0; i < n; i++) {
          s += x[i];
          s2 += x[i] ** 2;
        }
        // every individual has a record, so the centre is the mean over the records
        expect(Math.abs(s)).toBeLessThan(1e-9 * n);
        expect(md.xx[j]).toBeCloseTo(s2, 9);
        expect(md.sums[j]).toBeCloseTo(s + n * md.center[j], 9);
      }
    });
  });
}

describe("the SNP-BLUP example of López de Maturana & González-Recio's course notes: trait = μ + age + Diet + SNP1 + SNP2 + e, σ²e = 40, σ²snp = 3", async () => {
  const dir = tempDir();
  const rows = [
    [1, 93, 25, 1, 0, 0],
    [2, 90, 30, 1, 1, 0],
    [3, 115, 35, 2, 1, 2],
    [4, 110, 20, 2, 2, 2],
    [5, 87, 22, 3, 2, 1],
    [6, 70, 29, 1, 0, 1],
    [7, 100, 31, 3, 1, 2],
  ];
  const geno = join(dir, 'snps.csv');
  writeFileSync(geno, `ID,SNP1,SNP2\n${rows.map((r) => `${r[0]},${r[4]},${r[5]}`).join('\n')}\n`);
  const data = rows.map((r) => ({ ID: r[0], trait: r[1], Age: r[2], Diet: r[3] }));
  const res = await fit({
    data,
    id: 'ID',
    formula: 'trait ~ 1 + Age + Diet',
    factors: ['Diet'],
    // the lecture codes SNPs 0/1/2 without centring
    markers: { file: geno, prior: 'BRR' as const, center: false, saveEffects: 1 },
    fixedVariances: { markers: 3, residual: 40 },
    mcmc: { chains: 4, iterations: 30000, burnin: 1000, thin: 1, seed: 17 },
  });

  it('posterior means equal the Gauss–Seidel solution with residual updates', () => {
    // Gauss–Seidel with residual updates on the unknowns (μ, age, Diet2, Diet3, SNP1, SNP2)
    const X = rows.map((r) => [1, r[2], r[3] === 2 ? 1 : 0, r[3] === 3 ? 1 : 0, r[4], r[5]]);
    const lambda = [0, 0, 0, 0, 40 / 3, 40 / 3];
    const sol = new Array(6).fill(0);
    const e = rows.map((r) => r[1]);
    for (let iter = 0; iter < 200000; iter++) {
      let change = 0;
      for (let j = 0; j < 6; j++) {
        let xe = 0;
        let xx = 0;
        for (let i = 0; i < 7; i++) {
          xe += X[i][j] * e[i];
          xx += X[i][j] ** 2;
        }
        const next = (xe + xx * sol[j]) / (xx + lambda[j]);
        for (let i = 0; i < 7; i++) e[i] -= X[i][j] * (next - sol[j]);
        change = Math.max(change, Math.abs(next - sol[j]));
        sol[j] = next;
      }
      if (change < 1e-12) break;
    }
    const names = ['b[(Intercept)]', 'b[Age]', 'b[Diet:2]', 'b[Diet:3]'];
    names.forEach((name, k) => {
      const x = res.chains.map((c) => c.draws[res.params.indexOf(name)]);
      expect(Math.abs(mean(pooled(x)) - sol[k]), `${name}: ${mean(pooled(x))} vs ${sol[k]}`).toBeLessThan(4 * mcseMean(x));
    });
    for (let j = 0; j < 2; j++) {
      const x = res.chains.map((c) => Float64Array.from({ length: c.effects[0]!.rows }, (_, r) => c.effects[0]!.values[r * 2 + j]));
      expect(Math.abs(mean(pooled(x)) - sol[4 + j]), `SNP${j + 1}`).toBeLessThan(4 * mcseMean(x));
    }
  });
});
