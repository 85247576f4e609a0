/**
 * The README's API section, run as it stands (test/integration/examples.test.ts checks that the README
 * shows this file's code). Run from the repository root: node dist/examples/api.js
 */
// README:begin
import { compare, fit, predict, prepare, reml, summarize } from '../src/index.js';

// A mixed model on lme4's Dyestuff data: 4 chains in worker threads
const dyestuff = { data: 'examples/data/dyestuff.csv', formula: 'Yield ~ 1 + (1|Batch)' };
const res = await fit(dyestuff, { chains: 4, iterations: 3000, burnin: 500, seed: 11 });
const batch = res.summary.parameters.find((r) => r.variable === 'var[Batch]')!; // mean, sd, intervals, rhat, essBulk, …
console.log(`var[Batch] ${batch.mean.toFixed(0)} [${batch.lower.toFixed(0)}, ${batch.upper.toFixed(0)}], R-hat ${batch.rhat.toFixed(3)}`);
console.log(`${res.summary.warnings.length} warning(s); chain 1 kept ${res.chains[0].draws[0].length} draws of ${res.params.length} parameters`);

// REML on the same model, and REML beside the posterior
const model = prepare(dyestuff);
const r = reml(model.design);
console.log(`REML var[Batch] ${r.varianceComponents[0].estimate.toFixed(0)} ± ${r.varianceComponents[0].se.toFixed(0)}`);
const { comparison } = await compare(dyestuff, { chains: 2, iterations: 2000, burnin: 500, seed: 3 });
console.log(comparison.interpretation.varianceComponents);

// A marker model on BGLR's wheat data, then GEBVs of (here: the same) genotyped lines
const wheat = {
  data: 'examples/data/wheat/pheno.csv',
  id: 'id',
  formula: 'y1 ~ 1',
  markers: { file: 'examples/data/wheat/markers.csv', prior: 'BayesC' as const, saveEffects: 10 },
};
const gs = await fit(wheat, { chains: 2, iterations: 600, burnin: 100, seed: 1 });
const h2 = gs.summary.parameters.find((p) => p.variable === 'h2')!;
const set = gs.effects.markerSets[0]; // markers, posterior mean/SD of every effect, PIPs
console.log(`h2 ${h2.mean.toFixed(2)}; ${set.markers.length} markers; largest PIP ${Math.max(...set.pip!.mean).toFixed(2)}`);
const gebv = predict(gs, 'examples/data/wheat/markers.csv');
console.log(`predicted ${gebv.ids.length} GEBVs from ${gebv.draws} saved draws`);

// Draws from anywhere: arrays (chains × draws), a run directory, or CSVs
const s = summarize({ mu: [Float64Array.from({ length: 200 }, (_, t) => Math.sin(t)), Float64Array.from({ length: 200 }, (_, t) => Math.cos(t))] });
console.log(`mu: R-hat ${s.parameters[0].rhat.toFixed(2)}`);
// README:end
