/**
 * Issue 12 G: the progress display. With more chains than workers the total counts every chain from
 * the first event and never goes backwards; a queued chain's rate counts from its own start; the ETA
 * divides what remains by the throughput so far.
 */
import { describe, expect, it } from 'vitest';
import { duration, progressLine, ProgressState } from '../../src/cli/progress.js';

describe('ProgressState', () => {
  it('4 chains on 2 workers: the total never decreases, queued chains are shown as queued, rates are per chain', () => {
    const p = new ProgressState();
    const ev = (chain: number, iteration: number) => ({ chain, iteration, iterations: 1000, chains: 4 });
    const seen: number[] = [];
    let t = 0;
    // chains 1 and 2 run at 100 it/s for 10 s; chains 3 and 4 start then and run at 100 it/s
    p.update(ev(0, 0), t);
    p.update(ev(1, 0), t);
    for (t = 1000; t <= 10_000; t += 1000) {
      p.update(ev(0, t / 10), t);
      p.update(ev(1, t / 10), t);
      seen.push(p.view(t).percent);
    }
    const at10 = p.view(10_000);
    expect(at10.chains.map((c) => c.status)).toEqual(['done', 'done', 'queued', 'queued']);
    expect(at10.percent).toBe(50);
    expect(at10.total).toBe(4000);
    p.update(ev(2, 0), 10_000);
    p.update(ev(3, 0), 10_000);
    for (t = 11_000; t <= 15_000; t += 1000) {
      p.update(ev(2, (t - 10_000) / 10), t);
      p.update(ev(3, (t - 10_000) / 10), t);
      seen.push(p.view(t).percent);
    }
    for (let k = 1; k < seen.length; k++) expect(seen[k]).toBeGreaterThanOrEqual(seen[k - 1]);
    const v = p.view(15_000);
    expect(v.percent).toBe(75);
    // chain 3 has run 5 s at 100 it/s: its rate is 100, not 500 / 15 s
    expect(v.chains[2].rate).toBeCloseTo(100, 10);
    // 3000 of 4000 done in 15 s: 1000 left at 200 it/s
    expect(v.eta).toBeCloseTo(5, 10);
    expect(progressLine(v)).toBe(
      'progress 75% (chain 1: 1000/1000 done, chain 2: 1000/1000 done, chain 3: 500/1000 at 100 it/s, chain 4: 500/1000 at 100 it/s) after 15 s, ETA 5 s',
    );
  });

  it('a resumed chain counts its checkpoint as done and its rate from where it resumed', () => {
    const p = new ProgressState();
    p.update({ chain: 0, iteration: 600, iterations: 1000, chains: 1 }, 0);
    p.update({ chain: 0, iteration: 800, iterations: 1000, chains: 1 }, 2000);
    const v = p.view(2000);
    expect(v.percent).toBe(80);
    expect(v.chains[0].rate).toBeCloseTo(100, 10);
    expect(v.eta).toBeCloseTo(2, 10);
  });

  it('durations read as a person reads them', () => {
    expect(duration(42.4)).toBe('42 s');
    expect(duration(185)).toBe('3 min 05 s');
    expect(duration(7620)).toBe('2 h 07 min');
  });
});
