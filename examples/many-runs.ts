/**
 * A batch of fits through one worker pool: the four wheat traits (y1..y4) with BayesCπ, two chains
 * each. The pool's threads are reused by every fit. Run: node dist/examples/many-runs.js [iterations]
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChainPool, fit } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const data = join(here, '..', '..', 'examples', 'data', 'wheat');
const iterations = Number(process.argv[2] ?? 2000);

const pool = new ChainPool(2);
try {
  const traits = ['y1', 'y2', 'y3', 'y4'];
  const fits = await Promise.all(
    traits.map((trait) =>
      fit(
        {
          data: join(data, 'pheno.csv'),
          id: 'id',
          formula: `${trait} ~ 1`,
          markers: { file: join(data, 'markers.csv'), prior: 'BayesCpi', saveEffects: 0 },
          mcmc: { chains: 2, iterations, burnin: Math.floor(iterations / 4), thin: 2, seed: 7 },
        },
        { pool },
      ),
    ),
  );
  fits.forEach((res, k) => {
    const h2 = res.summary.parameters.find((r) => r.variable === 'h2')!;
    console.log(`${traits[k]}: h2 ${h2.mean.toFixed(3)} [${h2.lower.toFixed(3)}, ${h2.upper.toFixed(3)}], R-hat ${h2.rhat.toFixed(3)}`);
  });
} finally {
  await pool.close();
}
