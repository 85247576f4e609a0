/**
 * REML/BLUP against exact references: Walsh & Lynch Examples 10.11/10.14/10.15 (BLUE, BLUP, C11 and
 * C22 scaled by σ²e), lme4's Dyestuff fits (test/fixtures/reml-dyestuff.json: `refined` values,
 * re-solved to ~1e-10), GBLUP = SNP-BLUP, and the solvers agreeing with each other.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepare } from '../../src/blocks/plan.js';
import { blup, reml } from '../../src/reml/reml.js';
import { invertSPD } from '../../src/linalg/dense.js';
import { vanRaden } from '../../src/model/covariance.js';
import { fixturePath, readJson } from '../helpers/fixtures.js';
import { markerColumn, simulateMarkers } from '../helpers/markers.js';
import { tempDir } from '../helpers/cli.js';
import { WALSH_SIRES } from '../helpers/data.js';

describe('Walsh & Lynch 10.11/10.14/10.15', () => {
  const design = prepare({ data: WALSH_SIRES, formula: 'y ~ 0 + env + (1|sire)', factors: ['env', 'sire'] }).design;
  const res = blup(design, { sire: 2, residual: 6 }, 'cholesky');
  // the MME with 1/6 factored out, A (Example 10.14); its inverse times σ²e = 6 is the covariance
  const A = Float64Array.from([4, 0, 1, 2, 1, 0, 2, 1, 0, 1, 1, 1, 5, 0, 0, 2, 0, 0, 5, 0, 1, 1, 0, 0, 5]);
  const Ainv = invertSPD(A, 5);

  it('BLUE and BLUP = (148, 235, −1, 2, −1)/18', () => {
    const got = [...res.fixed.map((f) => f.estimate), ...res.random.map((r) => r.blup)];
    [148, 235, -1, 2, -1].forEach((v, i) => expect(got[i]).toBeCloseTo(v / 18, 12));
  });

  it('SE of the BLUEs from C11 and PEV of the BLUPs from C22, scaled by σ²e = 6', () => {
    expect(res.fixed[0].se ** 2).toBeCloseTo(6 * Ainv[0], 12);
    expect(res.fixed[1].se ** 2).toBeCloseTo(6 * Ainv[6], 12);
    expect(6 * Ainv[0]).toBeCloseTo((6 * 100) / 270, 12);
    [12, 18, 24].forEach((d, k) => expect(res.random[k].pev).toBeCloseTo(6 * Ainv[d], 12));
    expect(res.random[1].pev).toBeCloseTo((6 * 70) / 270, 12);
    expect(res.random[1].reliability).toBeCloseTo(1 - (6 * 70) / 270 / 2, 12);
  });

  it('Jacobi-PCG and Gauss–Seidel give the same solutions', () => {
    for (const s of ['pcg', 'gauss-seidel'] as const) {
      const r = blup(design, { sire: 2, residual: 6 }, s);
      r.random.forEach((x, k) => expect(x.blup).toBeCloseTo(res.random[k].blup, 9));
      r.fixed.forEach((x, k) => expect(x.estimate).toBeCloseTo(res.fixed[k].estimate, 9));
      expect(r.solver).toBe(s);
    }
  });
});

interface RemlRef {
  reml: { refined: Block; lme4: { logLik: number } };
  ml: { refined: Block };
}
interface Block {
  var: Record<string, number>;
  logLik: number;
  fixed: Record<string, { estimate: number; se: number }>;
  random: Record<string, { blup: number; pev: number }>;
}

describe('Dyestuff against lme4', () => {
  const ref = readJson<RemlRef>('reml-dyestuff.json');
  const design = prepare({ data: fixturePath('dyestuff.csv'), formula: 'Yield ~ 1 + (1|Batch)' }).design;
  for (const method of ['REML', 'ML'] as const) {
    it(`${method}: variance components to 1e-4 relative, logLik to 1e-6 absolute, BLUE/BLUP/PEV`, () => {
      const r = reml(design, { method });
      const want = method === 'REML' ? ref.reml.refined : ref.ml.refined;
      expect(r.converged).toBe(true);
      const vc = Object.fromEntries(r.varianceComponents.map((v) => [`var[${v.term}]`, v.estimate]));
      for (const [k, v] of Object.entries(want.var)) expect(Math.abs(vc[k] - v) / v, k).toBeLessThan(1e-4);
      expect(Math.abs(r.logLik - want.logLik)).toBeLessThan(1e-6);
      expect(r.fixed[0].estimate).toBeCloseTo(want.fixed['b[(Intercept)]'].estimate, 6);
      expect(Math.abs(r.fixed[0].se - want.fixed['b[(Intercept)]'].se) / want.fixed['b[(Intercept)]'].se).toBeLessThan(1e-4);
      for (const u of r.random) {
        expect(Math.abs(u.blup - want.random[u.variable].blup)).toBeLessThan(1e-4 * Math.max(1, Math.abs(want.random[u.variable].blup)));
        expect(Math.abs(u.pev - want.random[u.variable].pev) / want.random[u.variable].pev).toBeLessThan(1e-4);
      }
      expect(r.varianceComponents.every((v) => v.se > 0)).toBe(true);
    });
  }
  it('the REML logLik is lme4 scale (lme4 reports −159.827138)', () => {
    expect(reml(design).logLik).toBeCloseTo(ref.reml.lme4.logLik, 6);
  });
});

describe('GBLUP = SNP-BLUP', () => {
  it('with the same variance ratio, GEBVs from G-BLUP equal Mβ̂ from SNP-BLUP to 1e-6', () => {
    // With V = σ²β MM' + σ²e I = σ²u K + σ²e I for K = MM'/k and σ²u = k·σ²β, the two models are the
    // same. Uncentred codes keep K = MM'/k of full rank for n < p (a centred G has rank n − 1 and no
    // inverse, which is why G-BLUP software blends it).
    const dir = tempDir();
    const sim = simulateMarkers(dir, 30, 80, 5, 0.5, 21);
    const snp = prepare({ data: sim.rows, id: 'id', formula: 'y ~ 1', markers: { file: sim.genoFile, prior: 'BRR' as const, center: false } });
    const md = snp.design.markers[0];
    const n = md.n;
    const k = 80;
    const varB = 0.05;
    const varE = 1.3;
    const rr = blup(snp.design, { markers: varB, residual: varE }, 'cholesky', { markers: true });
    const beta = rr.random.map((r) => r.blup);
    const ids = snp.design.ids;
    const X = Array.from({ length: md.p }, (_, j) => markerColumn(md, j));
    const K: number[][] = ids.map((_, a) =>
      ids.map((_, b) => {
        let s = 0;
        for (let j = 0; j < md.p; j++) s += X[j][a] * X[j][b];
        return s / k;
      }),
    );
    const file = join(dir, 'K.csv');
    writeFileSync(file, `${[`id,${ids.join(',')}`, ...ids.map((id, a) => `${id},${K[a].map((v) => v.toPrecision(17)).join(',')}`)].join('\n')}\n`);
    const g = prepare({
      data: sim.rows.map((r) => ({ ...r, animal: r.id })),
      id: 'id',
      formula: 'y ~ 1 + (1|animal)',
      covariance: { animal: { relationship: file } },
    });
    const gb = blup(g.design, { animal: varB * k, residual: varE }, 'cholesky');
    const levels = g.design.random[0].levels;
    for (let i = 0; i < n; i++) {
      let mb = 0;
      for (let j = 0; j < md.p; j++) mb += X[j][i] * beta[j];
      expect(Math.abs(gb.random[levels.indexOf(ids[i])].blup - mb)).toBeLessThan(1e-6);
    }
  });

  it("VanRaden's G: ZZ'/(2Σp(1 − p)) from the genotypes, and a singular G asks for a blend", () => {
    const dir = tempDir();
    const sim = simulateMarkers(dir, 20, 50, 3, 0.5, 22);
    const data = sim.rows.map((r) => ({ ...r, animal: r.id }));
    expect(() => prepare({ data, id: 'id', formula: 'y ~ 1 + (1|animal)', covariance: { animal: { genomic: sim.genoFile } } })).toThrowError(
      /the genomic matrix is not positive definite .* add a small ridge to its diagonal, or set "blend": 0\.01/,
    );
    const cov = prepare({ data, id: 'id', formula: 'y ~ 1 + (1|animal)', covariance: { animal: { genomic: sim.genoFile, blend: 0.05 } } }).design.random[0]
      .cov!;
    const p = sim.codes[0].map((_, j) => sim.codes.reduce((s, c) => s + c[j], 0) / (2 * sim.codes.length));
    const denom = p.reduce((s, f) => s + 2 * f * (1 - f), 0);
    const g00 = sim.codes[0].reduce((s, c, j) => s + (c - 2 * p[j]) ** 2, 0) / denom;
    expect(cov.diagK[0]).toBeCloseTo(0.95 * g00 + 0.05, 10);
  });

  it("VanRaden's G entry by entry (odd n, markers over several blocks of the accumulation)", () => {
    const dir = tempDir();
    const sim = simulateMarkers(dir, 21, 300, 3, 0.5, 23);
    const { ids, g } = vanRaden(sim.genoFile);
    const n = ids.length;
    const p = sim.codes[0].map((_, j) => sim.codes.reduce((s, c) => s + c[j], 0) / (2 * n));
    const used = p.map((f) => f > 0 && f < 1);
    const denom = p.reduce((s, f, j) => s + (used[j] ? 2 * f * (1 - f) : 0), 0);
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < n; b++) {
        let s = 0;
        for (let j = 0; j < p.length; j++) if (used[j]) s += (sim.codes[a][j] - 2 * p[j]) * (sim.codes[b][j] - 2 * p[j]);
        expect(Math.abs(g[a * n + b] - s / denom)).toBeLessThan(1e-12 * Math.max(1, Math.abs(s / denom)));
      }
    }
  });
});
