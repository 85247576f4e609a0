/**
 * Four chains of a marker model from a script, in parallel worker threads, with progress and
 * Ctrl-C handled through an AbortSignal. Run: node dist/examples/multi-chain.js [iterations]
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fit } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const data = join(here, '..', '..', 'examples', 'data', 'wheat');
const iterations = Number(process.argv[2] ?? 3000);

const controller = new AbortController();
process.once('SIGINT', () => controller.abort());

const res = await fit(
  {
    data: join(data, 'pheno.csv'),
    id: 'id',
    formula: 'y1 ~ 1',
    markers: { file: join(data, 'markers.csv'), prior: 'BRR' },
    mcmc: { chains: 4, iterations, burnin: Math.floor(iterations / 3), thin: 2, seed: 42 },
  },
  {
    workers: 4,
    signal: controller.signal,
    onProgress: (e) => {
      if (e.iteration === e.iterations) console.log(`chain ${e.chain + 1} done`);
    },
  },
);

for (const row of res.summary.parameters.filter((r) => ['var[markers]', 'var[genetic]', 'h2', 'var[residual]'].includes(r.variable))) {
  console.log(
    `${row.variable.padEnd(14)} mean ${row.mean.toPrecision(4)}  95% [${row.lower.toPrecision(4)}, ${row.upper.toPrecision(4)}]  R-hat ${row.rhat.toFixed(3)}  ESS ${row.essBulk.toFixed(0)}`,
  );
}
for (const w of res.summary.warnings) console.log(`warning: ${w.subject}: ${w.message}`);
