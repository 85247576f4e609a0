/**
 * Issue 12 F: outputs a user takes straight to R. fitted.csv holds Xb + Zu + Mβ for every record,
 * observed or with a masked response (checked draw by draw against the linear predictor recomputed
 * from scratch); effects/TERM.csv per random term with PEV and reliability; derived quantities in the
 * draws files; summary of posterior's as_draws_df CSVs by their .chain column.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fitWithHooks } from '../../src/api/fit.js';
import { prepare } from '../../src/blocks/plan.js';
import { parseTable } from '../../src/io/csv.js';
import type { DataRow, RunSpec } from '../../src/types.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { fixturePath } from '../helpers/fixtures.js';
import { simulateMarkers } from '../helpers/markers.js';
import { correlation } from '../bench/util.js';

/** Significant digits of a decimal number's text (exponent ignored). */
function significantDigits(v: string): number {
  return v.replace(/e.*$/i, '').replace(/[-.]/g, '').replace(/^0+/, '').replace(/0+$/, '').length;
}

const readCsv = (file: string) => parseTable(file, readFileSync(file, 'utf8'));

describe('fitted.csv of a marker model with masked responses', () => {
  it('is Xb + Zu + Mβ for observed and masked records alike, draw by draw, and predicts the masked records', async () => {
    const dir = tempDir();
    const sim = simulateMarkers(dir, 240, 80, 8, 0.6, 17);
    const masked = new Set(Array.from({ length: 48 }, (_, k) => 5 * k));
    const rows: DataRow[] = sim.rows.map((r, i) => ({ ...r, g: `g${i % 4}`, y: masked.has(i) ? null : (r.y as number) + (i % 4) }));
    const mcmc = { chains: 1, iterations: 600, burnin: 100, thin: 2, seed: 9 };
    const spec: RunSpec = { data: rows, id: 'id', formula: 'y ~ 1 + (1|g)', markers: { file: sim.genoFile, prior: 'BRR' }, mcmc };
    const { design } = prepare(spec);
    const md = design.markers[0];
    const column = md.markers.map((m) => Number(m.id.slice(1)));
    const indexOf = new Map(sim.rows.map((r, i) => [String(r.id), i]));
    /** Linear predictor of data row i from scratch: x'b (intercept) + u[g] + Σ_j (code_ij − c_j) β_j. */
    const predictor = (i: number, b0: number, u: Float64Array, beta: Float64Array): number => {
      let s = b0 + u[design.random[0].levels.indexOf(`g${i % 4}`)];
      for (let j = 0; j < md.p; j++) s += (sim.codes[i][column[j]] - md.center[j]) * beta[j];
      return s;
    };
    const sumObserved = new Float64Array(design.n);
    const sumMasked = new Float64Array(design.predict.m);
    let kept = 0;
    const dirOut = join(dir, 'run');
    const res = await fitWithHooks(
      spec,
      { outDir: dirOut },
      {
        afterSweep: (state, it) => {
          if (!(it > mcmc.burnin && (it - mcmc.burnin) % mcmc.thin === 0)) return;
          kept++;
          design.ids.forEach((id, r) => {
            sumObserved[r] += predictor(indexOf.get(id)!, state.b[0], state.u[0], state.markers[0].beta);
          });
          design.predict.ids.forEach((id, r) => {
            sumMasked[r] += predictor(indexOf.get(id)!, state.b[0], state.u[0], state.markers[0].beta);
          });
        },
      },
    );
    expect(kept).toBe(250);
    expect(design.predict.m).toBe(48);
    const fitted = res.effects.fitted.mean;
    const predicted = res.effects.predicted!.mean;
    for (let r = 0; r < design.n; r++) expect(fitted[r]).toBeCloseTo(sumObserved[r] / kept, 9);
    for (let r = 0; r < design.predict.m; r++) expect(predicted[r]).toBeCloseTo(sumMasked[r] / kept, 9);
    // masking responses is cross-validation: the predictions of the masked records follow their true genetic values
    const truth = design.predict.ids.map((id) => sim.g[indexOf.get(id)!]);
    expect(correlation(predicted, truth)).toBeGreaterThan(0.5);
    // fitted.csv: the masked records' rows (observed NA) hold the same predictions, to 10 significant digits
    const t = readCsv(join(dirOut, 'fitted.csv'));
    expect(t.header).toEqual(['id', 'observed', 'mean', 'sd']);
    const maskedRows = t.rows.filter((r) => r[1] === 'NA');
    expect(maskedRows.map((r) => r[0])).toEqual(design.predict.ids);
    maskedRows.forEach((r, k) => expect(Number(r[2])).toBe(Number(predicted[k].toPrecision(10))));
  });
});

describe('effects/TERM.csv and derived quantities in the draws', () => {
  it('an animal model writes effects/animal.csv (every level, PEV, reliability 1 − PEV/(σ²u·A_jj)) and h2, prop, ratio in the draws', async () => {
    const dir = tempDir();
    const spec: RunSpec = {
      data: fixturePath('reference', 'animal.csv'),
      id: 'animal',
      formula: 'y ~ 1 + (1|animal)',
      pedigree: fixturePath('reference', 'ped.csv'),
      mcmc: { chains: 2, iterations: 400, burnin: 100, seed: 3, traceLevels: 0 },
    } as RunSpec;
    writeFileSync(join(dir, 'c.json'), JSON.stringify(spec));
    const r = await runCli(['fit', join(dir, 'c.json'), '--out', join(dir, 'run'), '--quiet', '--workers', '0']);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(join(dir, 'run', 'summary.json'), 'utf8'));
    const row = (v: string) => summary.parameters.find((p: { variable: string }) => p.variable === v);
    const varA = row('var[animal]').mean;
    const t = readCsv(join(dir, 'run', 'effects', 'animal.csv'));
    expect(t.header).toEqual(['level', 'mean', 'sd', 'pev', 'reliability']);
    const { design } = prepare(spec);
    const levels = design.random[0].levels;
    expect(t.rows.map((x) => x[0])).toEqual([...levels]);
    const diag = design.random[0].cov!.diagK;
    t.rows.forEach((x, j) => {
      const [mean, sd, pev, rel] = x.slice(1).map(Number);
      expect(mean).toBeCloseTo(row(`u[animal:${levels[j]}]`).mean, 8);
      expect(pev).toBeCloseTo(sd * sd, 8);
      expect(rel).toBeCloseTo(Math.max(0, 1 - pev / (varA * diag[j])), 6);
      expect(rel).toBeGreaterThanOrEqual(0);
      expect(rel).toBeLessThanOrEqual(1);
    });
    // the derived quantities are columns of the draws, per draw
    const draws = readFileSync(join(dir, 'run', 'draws', 'chain-1.csv'), 'utf8')
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'));
    const header = draws[0].split(',');
    for (const name of ['prop[animal]', 'ratio[animal]', 'h2']) expect(header).toContain(name);
    const at = (name: string) => header.indexOf(name);
    for (const line of draws.slice(1, 20)) {
      const v = line.split(',').map(Number);
      const a = v[at('var[animal]')];
      const e = v[at('var[residual]')];
      expect(v[at('h2')]).toBe(a / (a + e));
      expect(v[at('prop[animal]')]).toBe(a / (e + a));
      expect(v[at('ratio[animal]')]).toBe(a / e);
    }
    // and summarised once
    expect(summary.parameters.filter((p: { variable: string }) => p.variable === 'h2')).toHaveLength(1);
    // result CSVs: at most 10 significant digits in every number
    for (const f of ['fitted.csv', join('effects', 'animal.csv')]) {
      for (const row of readCsv(join(dir, 'run', f)).rows) {
        for (const v of row.slice(1)) if (v !== 'NA') expect(significantDigits(v), `${f}: ${v}`).toBeLessThanOrEqual(10);
      }
    }
  });
});

/** Draws as posterior::as_draws_df writes them with write.csv(row.names = FALSE). */
function drawsDf(chains: number[][][], names: string[]): string {
  const lines = [[...names, '.chain', '.iteration', '.draw'].map((n) => `"${n}"`).join(',')];
  let draw = 0;
  chains.forEach((c, k) =>
    c.forEach((row, t) => {
      draw++;
      lines.push([...row, k + 1, t + 1, draw].join(','));
    }),
  );
  return `${lines.join('\n')}\n`;
}

describe('summary of draws written by R', () => {
  const chains = [0, 1, 2].map((k) => Array.from({ length: 100 }, (_, t) => [Math.sin(t * 0.7 + k) + k * 0.01, Math.cos(t * 1.3 + 2 * k)]));

  it('a posterior::as_draws_df CSV is split by its .chain column; .iteration and .draw are not parameters', async () => {
    const dir = tempDir();
    const f = join(dir, 'draws.csv');
    writeFileSync(f, drawsDf(chains, ['mu', 'tau']));
    const r = await runCli(['summary', f, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.meta.chains).toBe(3);
    expect(s.parameters.map((p: { variable: string }) => p.variable)).toEqual(['mu', 'tau']);
    // the same as the chains given one file each
    const files = chains.map((c, k) => {
      const g = join(dir, `c${k}.csv`);
      writeFileSync(g, `iteration,mu,tau\n${c.map((row, t) => `${t + 1},${row.join(',')}`).join('\n')}\n`);
      return g;
    });
    const each = JSON.parse((await runCli(['summary', ...files, '--json'])).stdout);
    expect(s.parameters).toEqual(each.parameters);
  });

  it('a first column of row names gets a hint (write.csv(row.names = FALSE))', async () => {
    const dir = tempDir();
    const f = join(dir, 'draws.csv');
    const text = drawsDf(chains, ['mu', 'tau'])
      .split('\n')
      .map((l, i) => (l === '' ? l : `${i === 0 ? '""' : `"${i}"`},${l}`))
      .join('\n');
    writeFileSync(f, text);
    const r = await runCli(['summary', f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: .*draws\.csv, line 1, column 1: .*row names .*row\.names = FALSE/);
  });
});

const hasR = (() => {
  try {
    execFileSync('Rscript', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasR)("the README's R recipe (runs where R is installed)", () => {
  it('reads draws with their names intact, and fitted.csv, summary and effects as documented', async () => {
    const dir = tempDir();
    const cfg = join(dir, 'c.json');
    writeFileSync(
      cfg,
      JSON.stringify({
        data: fixturePath('dyestuff.csv'),
        formula: 'Yield ~ 1 + (1|Batch)',
        mcmc: { chains: 2, iterations: 300, burnin: 50, thin: 1, seed: 1 },
      }),
    );
    const run = join(dir, 'run');
    expect((await runCli(['fit', cfg, '--out', run, '--quiet', '--workers', '0'])).code).toBe(0);
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    const block = /<!-- R recipe -->\s*```r\n([\s\S]*?)```/.exec(readme);
    expect(block, 'README has an R block marked <!-- R recipe -->').not.toBeNull();
    const script = `setwd(${JSON.stringify(run)})\n${block![1]}\ncat(names(draws)[1:3], sep = "|")\ncat("\\n")\ncat(nrow(draws), nrow(fitted), ncol(effects), "u[Batch:A]" %in% names(draws), "\\n")\n`;
    const out = execFileSync('Rscript', ['-e', script], { encoding: 'utf8' });
    expect(out).toContain('.chain|.iteration|b[(Intercept)]');
    expect(out).toMatch(/500 30 5 TRUE/);
  });
});
