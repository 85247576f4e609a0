/**
 * The argsort behind ranks, quantiles and HPD intervals: both of its paths (bucket sort for smoothly
 * spread draws, radix sort for heavy tails) and the radix sort of a crowded bucket inside the bucket
 * path must give exactly the order of Float64Array.prototype.sort, with a permutation that maps back.
 */
import { describe, expect, it } from 'vitest';
import { argsort, averageRanks } from '../../src/diagnostics/sort.js';
import { chainRng } from '../../src/rng/rng.js';
import { normal } from '../../src/rng/dist.js';

function check(x: Float64Array): void {
  const s = argsort(x);
  const ref = Float64Array.from(x, (v) => (v === 0 ? 0 : v)).sort();
  expect(Array.from(s.values)).toEqual(Array.from(ref));
  const seen = new Uint8Array(x.length);
  for (let j = 0; j < x.length; j++) {
    expect(s.values[j]).toBe(x[s.index[j]] === 0 ? 0 : x[s.index[j]]);
    seen[s.index[j]]++;
  }
  expect(seen.every((c) => c === 1)).toBe(true);
}

describe('argsort', () => {
  const rng = chainRng(11, 0);
  it('normal draws (bucket path)', () => check(Float64Array.from({ length: 40000 }, () => normal(rng))));
  it('Cauchy and log-normal draws (radix path)', () => {
    check(Float64Array.from({ length: 40000 }, () => normal(rng) / normal(rng)));
    check(Float64Array.from({ length: 40000 }, () => Math.exp(4 * normal(rng))));
  });
  it('a crowded bucket of ties among smooth draws, signed zeros, negatives and a short input', () => {
    const x = Float64Array.from({ length: 20000 }, (_, i) => (i % 200 === 0 ? 0.25 : normal(rng)));
    x[3] = -0;
    x[5] = 0;
    check(x);
    check(Float64Array.from([3, -1, 2, -0, 0, 2, -5]));
    check(new Float64Array(100).fill(1.5));
  });
  it('average ranks average ties as R does', () => {
    expect(Array.from(averageRanks(argsort([3, 1, 3, 2, 1])))).toEqual([4.5, 1.5, 4.5, 3, 1.5]);
  });
});
