/**
 * Reference runs: short fits of the core mixed model, a pedigree term and every marker prior, whose
 * draws are stored in test/fixtures/reference/draws/ and must stay bit-identical while the code is
 * restructured (only a change of arithmetic, stated in its commit, may replace them).
 */
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MarkerPriorName, MarkerSpec, RunSpec } from '../../src/types.js';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, '..', 'fixtures', 'reference');
const wheat = join(here, '..', '..', 'examples', 'data', 'wheat');
const plink = join(here, '..', 'fixtures', 'plink-sample', 'sample.bed');

export const REFERENCE_DIR = join(fixtures, 'draws');

const short = { chains: 2, iterations: 40, burnin: 10, thin: 2 };

function wheatSpec(prior: MarkerPriorName, extra: Record<string, unknown> = {}, seed = 21): RunSpec {
  return {
    data: join(wheat, 'pheno.csv'),
    id: 'id',
    formula: 'y1 ~ 1',
    markers: { file: join(wheat, 'markers.csv'), prior, ...extra } as MarkerSpec,
    mcmc: { ...short, seed },
  };
}

export const REFERENCE_CASES: Record<string, RunSpec> = {
  lmm: {
    data: join(fixtures, 'lmm.csv'),
    id: 'id',
    formula: 'y ~ 1 + x + env + (1|herd) + (1|sire)',
    mcmc: { ...short, iterations: 60, seed: 11 },
  },
  'lmm-fixed-untraced': {
    data: join(fixtures, 'lmm.csv'),
    id: 'id',
    formula: 'y ~ 1 + x + env + (1|herd) + (1|sire)',
    fixedVariances: { herd: 1 },
    priors: { sire: { df: 4, scale: 0.5 }, residual: { df: 3, scale: 2 } },
    mcmc: { ...short, iterations: 60, seed: 12, traceLevels: 8 },
  },
  pedigree: {
    data: join(fixtures, 'animal.csv'),
    id: 'animal',
    formula: 'y ~ 1 + sex + (1|animal)',
    pedigree: join(fixtures, 'ped.csv'),
    mcmc: { ...short, iterations: 60, seed: 13 },
  },
  'wheat-BRR': wheatSpec('BRR'),
  'wheat-BayesA': wheatSpec('BayesA'),
  'wheat-BayesB': wheatSpec('BayesB', { pi: 0.9, estimatePi: true }),
  'wheat-BayesC': wheatSpec('BayesC', { pi: 0.8, saveEffects: 2 }),
  'wheat-BayesCpi': wheatSpec('BayesCpi'),
  'wheat-BL': wheatSpec('BL'),
  'wheat-BayesR': wheatSpec('BayesR'),
  'bed-BayesC': {
    data: join(fixtures, 'bedpheno.csv'),
    id: 'id',
    formula: 'y ~ 1',
    markers: { file: plink, prior: 'BayesC' as const, estimatePi: true },
    mcmc: { ...short, seed: 14 },
  },
};

/** What a reference run stores: every traced draw in full, and every tracker's moments by hash. */
export interface ReferenceRecord {
  params: string[];
  chains: { iterations: number[]; draws: number[][]; effects?: string }[];
  trackers: { name: string; labels: number; mean: string; sd: string; first: number[] }[];
}

/** sha256 of the bytes of a typed array: equal hashes mean bit-identical values. */
export function hashOf(a: Float64Array | Float32Array): string {
  return createHash('sha256')
    .update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength))
    .digest('hex');
}
