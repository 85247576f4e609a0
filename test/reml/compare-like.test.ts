/**
 * Issue 12 H: compare sets like beside like. Under BayesC the posterior var[markers] is the variance
 * of the included markers' effects, not SNP-BLUP's ridge variance: it is left out (with the reason)
 * and var[genetic] and h2 are compared with REML's σ²β·MSx and σ²g/(σ²g + σ²e) (delta-method SEs).
 * Under BRR var[markers] is the same quantity and stays. The Gibbs run's warnings travel with the
 * comparison and are printed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compare } from '../../src/api/compare.js';
import { prepare } from '../../src/blocks/plan.js';
import type { RunSpec } from '../../src/types.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { fixturePath } from '../helpers/fixtures.js';
import { simulateMarkers } from '../helpers/markers.js';

function markerSpec(dir: string, prior: 'BRR' | 'BayesC'): RunSpec {
  const sim = simulateMarkers(dir, 200, 60, 6, 0.5, 23);
  return { data: sim.rows, id: 'id', formula: 'y ~ 1', markers: { file: sim.genoFile, prior }, mcmc: { chains: 2, iterations: 1500, burnin: 300, seed: 4 } };
}

describe('compare: like with like', () => {
  it('BayesC: var[markers] not compared (with the reason); var[genetic] = σ²β·MSx and h2 from REML, with delta-method SEs', async () => {
    const dir = tempDir();
    const spec = markerSpec(dir, 'BayesC');
    const { reml: r, comparison: c } = await compare(spec, { workers: 0 });
    expect(c.notCompared.map((x) => x.variable)).toEqual(['var[markers]']);
    expect(c.notCompared[0].reason).toMatch(/BayesC.*compare var\[genetic\] and h2/);
    expect(c.varianceComponents.map((v) => v.variable)).toEqual(['var[residual]', 'var[genetic]', 'h2']);
    const { design } = prepare(spec);
    const k = r.varianceComponents.findIndex((v) => v.term === 'markers');
    const e = r.varianceComponents.findIndex((v) => v.term === 'residual');
    const sb = r.varianceComponents[k].estimate;
    const se2 = r.varianceComponents[e].estimate;
    const msx = design.markers[0].msx;
    const g = c.varianceComponents[1];
    expect(g.reml.estimate).toBeCloseTo(sb * msx, 12);
    expect(g.reml.se).toBeCloseTo(msx * Math.sqrt(r.covariance[k][k]), 12);
    const h2 = c.varianceComponents[2];
    const total = sb * msx + se2;
    expect(h2.reml.estimate).toBeCloseTo((sb * msx) / total, 12);
    // delta method: the gradient of h² in (σ²β, σ²e)
    const dB = (msx * se2) / total ** 2;
    const dE = -(sb * msx) / total ** 2;
    const v = dB * dB * r.covariance[k][k] + 2 * dB * dE * r.covariance[k][e] + dE * dE * r.covariance[e][e];
    expect(h2.reml.se).toBeCloseTo(Math.sqrt(v), 12);
    // the same quantity on both sides: the REML h2 lies inside the posterior's 95% interval
    expect(h2.reml.estimate).toBeGreaterThan(h2.posterior.lower);
    expect(h2.reml.estimate).toBeLessThan(h2.posterior.upper);
  });

  it('BRR: var[markers] is the ridge variance on both sides and is compared', async () => {
    const dir = tempDir();
    const { comparison: c } = await compare(markerSpec(dir, 'BRR'), { workers: 0 });
    expect(c.notCompared).toEqual([]);
    expect(c.varianceComponents.map((v) => v.variable)).toEqual(['var[markers]', 'var[residual]', 'var[genetic]', 'h2']);
  });

  it('an animal model compares h2 of its pedigree term; the CLI prints the Gibbs warnings', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'c.json'),
      JSON.stringify({
        data: fixturePath('reference', 'animal.csv'),
        id: 'animal',
        formula: 'y ~ 1 + (1|animal)',
        pedigree: fixturePath('reference', 'ped.csv'),
        mcmc: { chains: 2, iterations: 300, burnin: 100, seed: 8 },
      }),
    );
    const r = await runCli(['compare', join(dir, 'c.json'), '--out', join(dir, 'run'), '--quiet', '--workers', '0']);
    expect(r.code, r.stderr).toBe(0);
    const c = JSON.parse(readFileSync(join(dir, 'run', 'compare.json'), 'utf8'));
    expect(c.varianceComponents.map((v: { variable: string }) => v.variable)).toEqual(['var[animal]', 'var[residual]', 'h2']);
    // 2 × 200 draws: too few effective draws, which compare must say
    expect(c.warnings.length).toBeGreaterThan(0);
    expect(r.stdout).toMatch(/The Gibbs run \(read these before trusting the comparison\):\nWarnings:\n {2}\S+: /);
  });
});
