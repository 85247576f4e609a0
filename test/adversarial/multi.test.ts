/**
 * Issue 13: bad input to a multivariate model gets one clear line — a prior scale that is not
 * positive definite, df ≤ d − 1, a trait with no records, a slope on a factor, matrices of the wrong
 * size, a scalar where a matrix is needed and the reverse — exit 2, nothing written.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { type AdversarialCase, runCase } from '../helpers/adversarial.js';

const CSV = `sire,herd,x,y1,y2
${Array.from({ length: 40 }, (_, i) => `s${i % 8},h${i % 3},${(i % 5) - 2},${(10 + Math.sin(i)).toFixed(3)},${i % 6 === 0 ? 'NA' : (20 + Math.cos(i * 1.3)).toFixed(3)}`).join('\n')}
`;

function multiCase(name: string, spec: Record<string, unknown>, words: (string | RegExp)[], csv = CSV): AdversarialCase {
  return {
    name,
    setup: (d) => {
      writeFileSync(join(d, 'd.csv'), csv);
      writeFileSync(join(d, 'c.json'), JSON.stringify({ data: 'd.csv', mcmc: { chains: 1, iterations: 50, burnin: 10 }, ...spec }));
    },
    args: (d) => ['fit', join(d, 'c.json'), '--out', join(d, 'run'), '--quiet'],
    words,
  };
}

const F2 = 'cbind(y1, y2) ~ 1 + (1|sire)';
const cases: AdversarialCase[] = [
  multiCase(
    'a prior scale that is not positive definite',
    {
      formula: F2,
      priors: {
        sire: {
          df: 4,
          scale: [
            [1, 2],
            [2, 1],
          ],
        },
      },
    },
    ['priors.sire.scale', 'not positive definite'],
  ),
  multiCase(
    'df ≤ d − 1 for an inverse-Wishart',
    {
      formula: F2,
      priors: {
        residual: {
          df: 0.5,
          scale: [
            [1, 0],
            [0, 1],
          ],
        },
      },
    },
    ['priors.residual.df', 'greater than d − 1 = 1'],
  ),
  multiCase(
    'a prior scale of the wrong size',
    {
      formula: F2,
      priors: {
        sire: {
          df: 4,
          scale: [
            [1, 0, 0],
            [0, 1, 0],
            [0, 0, 1],
          ],
        },
      },
    },
    ['priors.sire.scale', '2 × 2'],
  ),
  multiCase(
    'an asymmetric prior scale',
    {
      formula: F2,
      priors: {
        sire: {
          df: 4,
          scale: [
            [1, 0.2],
            [0.3, 1],
          ],
        },
      },
    },
    ['priors.sire.scale', 'symmetric'],
  ),
  multiCase('a scalar prior for a matrix term', { formula: F2, priors: { sire: { df: 4, scale: 1 } } }, ["'sire' has 2 components (y1, y2)", '2 × 2 matrix']),
  multiCase('a matrix prior for a scalar term', { formula: 'y1 ~ 1 + (1|sire)', priors: { sire: { df: 4, scale: [[1]] } } }, ['priors.sire', "'sire' has one"]),
  multiCase(
    'a fixed matrix that is not positive definite',
    {
      formula: F2,
      fixedVariances: {
        residual: [
          [1, 3],
          [3, 1],
        ],
      },
    },
    ['fixedVariances.residual', 'not positive definite'],
  ),
  multiCase('a scalar fixed variance for a matrix term', { formula: F2, fixedVariances: { sire: 0.5 } }, ['fixedVariances.sire', '2 × 2 matrix']),
  multiCase('a slope on a factor', { formula: 'y1 ~ 1 + (1 + herd|sire)' }, ["'herd'", 'random slope needs a numeric covariate']),
  multiCase(
    'a trait with no records',
    { formula: 'cbind(y1, y3) ~ 1 + (1|sire)' },
    ["'y3'", 'no record'],
    CSV.replace('y2', 'y3').replace(/,(\d+\.\d+|NA)\n/g, ',NA\n'),
  ),
  multiCase('a response listed twice', { formula: 'cbind(y1, y1) ~ 1' }, ["'y1' is listed twice"]),
  multiCase(
    'an uncorrelated term given a full matrix',
    {
      formula: 'y1 ~ 1 + (1 + x || sire)',
      priors: {
        sire: {
          df: 4,
          scale: [
            [1, 0.1],
            [0.1, 1],
          ],
        },
      },
    },
    ['uncorrelated', 'diagonal'],
  ),
  multiCase('variances for an uncorrelated term of the wrong length', { formula: 'y1 ~ 1 + (1 + x || sire)', priors: { sire: { df: 4, scale: [1, 2, 3] } } }, [
    'must list 2 variances',
  ]),
  multiCase('a correlated term given a list of variances', { formula: 'y1 ~ 1 + (1 + x | sire)', priors: { sire: { df: 4, scale: [1, 2] } } }, [
    'correlated components',
    '2 × 2 matrix',
  ]),
];

describe('issue 13: bad input to multivariate models', () => {
  for (const c of cases) it(c.name, async () => void (await runCase(c)));
});
