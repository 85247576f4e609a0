/**
 * SIGINT on the real executable: the chains stop within 2 s, the draws stay written, run.json records
 * `interrupted`, the summary of the partial run is printed, and `--resume` finishes the run.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBin } from '../helpers/bin.js';
import { tempDir } from '../helpers/cli.js';
import { fixturePath } from '../helpers/fixtures.js';

describe('mixmc fit: SIGINT and --resume', () => {
  it('stops within 2 s, keeps the draws, records interrupted, prints the partial summary; --resume finishes', async () => {
    const dir = tempDir();
    copyFileSync(fixturePath('dyestuff.csv'), join(dir, 'd.csv'));
    // long enough that it is still running when interrupted
    writeFileSync(
      join(dir, 'c.json'),
      JSON.stringify({ data: 'd.csv', formula: 'Yield ~ 1 + (1|Batch)', mcmc: { chains: 2, iterations: 3_000_000, burnin: 100, thin: 10, seed: 4 } }),
    );
    let sentAt = 0;
    const out = await runBin(['fit', join(dir, 'c.json'), '--out', join(dir, 'run'), '--workers', '2'], (child, text) => {
      if (sentAt === 0 && /progress \d+%/.test(text)) {
        sentAt = Date.now();
        child.kill('SIGINT');
      }
    });
    const exitedAt = Date.now();
    expect(sentAt).toBeGreaterThan(0);
    expect(exitedAt - sentAt).toBeLessThan(2000 + 1500); // 2 s to stop, plus writing the summary
    expect(out.code).toBe(130);
    expect(out.stdout).toMatch(/var\[Batch\]/);
    expect(out.stdout).toMatch(/interrupted: the chains stopped after/);
    const run = JSON.parse(readFileSync(join(dir, 'run', 'run.json'), 'utf8'));
    expect(run.status).toBe('interrupted');
    const ck = JSON.parse(readFileSync(join(dir, 'run', 'checkpoints', 'chain-1.json'), 'utf8')).checkpoint;
    expect(ck.status).toBe('interrupted');
    expect(ck.iteration).toBeGreaterThan(0);
    // shorten the run so that --resume finishes quickly: the checkpoint's iteration + 500
    run.mcmc.iterations = Math.max(ck.iteration, JSON.parse(readFileSync(join(dir, 'run', 'checkpoints', 'chain-2.json'), 'utf8')).checkpoint.iteration) + 500;
    writeFileSync(join(dir, 'run', 'run.json'), JSON.stringify(run));
    const resumed = await runBin(['fit', '--resume', join(dir, 'run'), '--quiet']);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'run', 'run.json'), 'utf8')).status).toBe('finished');
  });
});
