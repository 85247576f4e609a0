/** summarizeParallel gives exactly summarize's rows and warnings (the statistics are computed in worker threads). */
import { describe, expect, it } from 'vitest';
import { summarize, summarizeParallel } from '../../src/api/summarize.js';
import { goldenDraws } from '../helpers/fixtures.js';

describe('summarizeParallel', () => {
  it('equals summarize on the golden draws', async () => {
    const g = goldenDraws();
    const names = [...g.keys()];
    const draws = { names, chains: [0, 1, 2, 3].map((c) => names.map((n) => g.get(n)![c])) };
    const one = summarize(draws);
    const two = await summarizeParallel(draws, { threads: 2 });
    expect(two).toEqual(one);
  });
});
