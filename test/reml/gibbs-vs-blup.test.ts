/**
 * With the variances fixed at the REML estimates, the Gibbs posterior means of b and u equal BLUE and
 * BLUP (the posterior of (b, u) is then Gaussian with the MME solution as its mean), within 4·MCSE:
 * an iid model (Dyestuff) and an animal model with a pedigree (the sparse single-site block).
 * Also checks the bad inputs of covariance structures.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fit } from '../../src/api/fit.js';
import { prepare } from '../../src/blocks/plan.js';
import { reml } from '../../src/reml/reml.js';
import { mcseMean, mean, pooled } from '../../src/diagnostics/kernels.js';
import { chainRng } from '../../src/rng/rng.js';
import { normal } from '../../src/rng/dist.js';
import { fixturePath } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/cli.js';

function check(res: Awaited<ReturnType<typeof fit>>, want: { variable: string; value: number }[]): void {
  for (const w of want) {
    const j = res.params.indexOf(w.variable);
    expect(j, w.variable).toBeGreaterThanOrEqual(0);
    const x = res.chains.map((c) => c.draws[j]);
    const m = mean(pooled(x));
    expect(Math.abs(m - w.value), `${w.variable}: ${m} vs ${w.value}`).toBeLessThan(4 * mcseMean(x));
  }
}

/** A 3-generation pedigree of 240 animals and one record each for the last 200. */
function animalModel(dir: string) {
  const rng = chainRng(77, 0);
  const ped: string[] = ['id,sire,dam'];
  const ids: string[] = [];
  for (let i = 0; i < 40; i++) {
    ped.push(`f${i},0,0`);
    ids.push(`f${i}`);
  }
  const bv = new Map<string, number>(ids.map((id) => [id, normal(rng)]));
  const rows: { animal: string; sex: string; y: number }[] = [];
  for (let gen = 1; gen <= 2; gen++) {
    for (let i = 0; i < 100; i++) {
      const sire = `${gen === 1 ? 'f' : 'a1_'}${gen === 1 ? 2 * (i % 20) + 1 : 2 * (i % 50) + 1}`;
      const dam = `${gen === 1 ? 'f' : 'a1_'}${gen === 1 ? 2 * (i % 20) : 2 * ((i + 7) % 50)}`;
      const id = `a${gen}_${i}`;
      ped.push(`${id},${sire},${dam}`);
      const a = 0.5 * (bv.get(sire)! + bv.get(dam)!) + Math.sqrt(0.5) * normal(rng);
      bv.set(id, a);
      rows.push({ animal: id, sex: i % 2 ? 'M' : 'F', y: 10 + (i % 2) + a + normal(rng) });
    }
  }
  const file = join(dir, 'ped.csv');
  writeFileSync(file, `${ped.join('\n')}\n`);
  return { rows, file };
}

describe('Gibbs at the REML estimates = BLUE/BLUP', () => {
  it('iid random term (Dyestuff)', async () => {
    const spec = { data: fixturePath('dyestuff.csv'), formula: 'Yield ~ 1 + (1|Batch)' };
    const r = reml(prepare(spec).design);
    const fixedVariances = Object.fromEntries(r.varianceComponents.map((v) => [v.term, v.estimate]));
    const res = await fit({ ...spec, fixedVariances, mcmc: { chains: 4, iterations: 12000, burnin: 500, thin: 1, seed: 8 } });
    check(res, [...r.fixed.map((f) => ({ variable: f.variable, value: f.estimate })), ...r.random.map((u) => ({ variable: u.variable, value: u.blup }))]);
  });

  it('animal model with a pedigree (A⁻¹, single-site over sparse neighbours)', async () => {
    const dir = tempDir();
    const { rows, file } = animalModel(dir);
    const spec = { data: rows, formula: 'y ~ 1 + sex + (1|animal)', pedigree: file };
    const model = prepare(spec);
    expect(model.design.random[0].q).toBe(240);
    const r = reml(model.design);
    expect(r.converged).toBe(true);
    const fixedVariances = Object.fromEntries(r.varianceComponents.map((v) => [v.term, v.estimate]));
    const res = await fit({ ...spec, fixedVariances, mcmc: { chains: 4, iterations: 4000, burnin: 300, thin: 1, seed: 9, traceLevels: 300 } });
    check(res, [
      ...r.fixed.map((f) => ({ variable: f.variable, value: f.estimate })),
      ...r.random.filter((_, k) => k % 6 === 0).map((u) => ({ variable: u.variable, value: u.blup })),
    ]);
    // h2 is derived per draw for a pedigree term
    expect(res.summary.parameters.some((s) => s.variable === 'h2')).toBe(true);
  });
});

describe('covariance input errors', () => {
  it('ids missing from a relationship matrix are listed', () => {
    const dir = tempDir();
    const f = join(dir, 'K.csv');
    writeFileSync(f, 'id,a,b\na,1,0.5\nb,0.5,1\n');
    expect(() =>
      prepare({
        data: [
          { g: 'a', y: 1 },
          { g: 'b', y: 2 },
          { g: 'c', y: 3 },
        ],
        formula: 'y ~ 1 + (1|g)',
        relationship: f,
      }),
    ).toThrowError(/K\.csv, term 'g': 1 level\(s\) of 'g' are not in the matrix, e\.g\. 'c'/);
  });

  it('a matrix that is not positive definite suggests a ridge or "blend": 0.01', () => {
    const dir = tempDir();
    const f = join(dir, 'K.csv');
    writeFileSync(f, 'id,a,b\na,1,1\nb,1,1\n');
    expect(() =>
      prepare({
        data: [
          { g: 'a', y: 1 },
          { g: 'b', y: 2 },
        ],
        formula: 'y ~ 1 + (1|g)',
        relationship: f,
      }),
    ).toThrowError(/not positive definite .* add a small ridge to its diagonal, or set "blend": 0\.01/);
    expect(() =>
      prepare({
        data: [
          { g: 'a', y: 1 },
          { g: 'b', y: 2 },
        ],
        formula: 'y ~ 1 + (1|g)',
        covariance: { g: { relationship: f, blend: 0.01 } },
      }),
    ).not.toThrow();
  });

  it('a covariance for a term that is not in the formula', () => {
    expect(() =>
      prepare({
        data: [
          { g: 'a', y: 1 },
          { g: 'b', y: 2 },
        ],
        formula: 'y ~ 1 + (1|g)',
        covariance: { h: { pedigree: 'x.csv' } },
      }),
    ).toThrowError(/covariance given for 'h', which is not a random term/);
  });
});

describe('sparse REML (minimum-degree Cholesky + selected inverse) = dense REML', () => {
  it('on the animal model and on Dyestuff, REML and ML', () => {
    const { rows, file } = animalModel(tempDir());
    for (const spec of [
      { data: rows, formula: 'y ~ 1 + sex + (1|animal)', pedigree: file },
      { data: fixturePath('dyestuff.csv'), formula: 'Yield ~ 1 + (1|Batch)' },
    ]) {
      const design = prepare(spec).design;
      for (const method of ['REML', 'ML'] as const) {
        const d = reml(design, { method, sparse: false });
        const s = reml(design, { method, sparse: true });
        // the automatic choice (sparse for the animal model, dense for Dyestuff) is one of the two
        expect(Math.abs(reml(design, { method }).logLik - d.logLik)).toBeLessThan(1e-8);
        expect(Math.abs(s.logLik - d.logLik)).toBeLessThan(1e-8);
        s.varianceComponents.forEach((v, k) =>
          expect(Math.abs(v.estimate - d.varianceComponents[k].estimate) / d.varianceComponents[k].estimate).toBeLessThan(1e-8),
        );
        s.random.forEach((u, k) => {
          expect(u.blup).toBeCloseTo(d.random[k].blup, 8);
          expect(u.pev).toBeCloseTo(d.random[k].pev, 8);
        });
      }
    }
  });
});
