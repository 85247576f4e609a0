/**
 * Faults injected into a real run (the built executable with worker threads): kill -9, SIGTERM, a
 * full disk, a read-only file system. After each, `--resume` either finishes with draws identical,
 * row for row and bit for bit, to an uninterrupted run of the same seed, or is refused with an error.
 * The disk faults mount a small tmpfs, which needs root; where the platform does not allow it they
 * are skipped.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBin } from '../helpers/bin.js';
import { tempDir } from '../helpers/cli.js';
import { fixturePath } from '../helpers/fixtures.js';

const MCMC = { chains: 2, iterations: 400_000, burnin: 100, thin: 10, seed: 11 };

function inputs(dir: string): string {
  copyFileSync(fixturePath('dyestuff.csv'), join(dir, 'd.csv'));
  const cfg = join(dir, 'c.json');
  writeFileSync(cfg, JSON.stringify({ data: join(dir, 'd.csv'), formula: 'Yield ~ 1 + (1|Batch)', mcmc: MCMC }));
  return cfg;
}

const draws = (run: string, k: number): string => readFileSync(join(run, 'draws', `chain-${k}.csv`), 'utf8');

/** The uninterrupted run every faulted run must reproduce (computed once). */
let reference: string[] = [];
beforeAll(async () => {
  const dir = tempDir();
  const r = await runBin(['fit', inputs(dir), '--out', join(dir, 'run'), '--quiet', '--workers', '2']);
  expect(r.code, r.stderr).toBe(0);
  reference = [draws(join(dir, 'run'), 1), draws(join(dir, 'run'), 2)];
  expect(reference[0].split('\n').length).toBeGreaterThan((MCMC.iterations - MCMC.burnin) / MCMC.thin);
});

const checkpointed = (run: string): boolean => existsSync(join(run, 'checkpoints', 'chain-1.json')) && existsSync(join(run, 'checkpoints', 'chain-2.json'));

async function expectResumesIdentically(run: string): Promise<void> {
  const resumed = await runBin(['fit', '--resume', run, '--quiet']);
  expect(resumed.stderr).toBe('');
  expect(resumed.code).toBe(0);
  expect(draws(run, 1)).toBe(reference[0]);
  expect(draws(run, 2)).toBe(reference[1]);
  expect(readdirSync(run).filter((f) => f.includes('.tmp-'))).toEqual([]);
  expect(existsSync(join(run, '.mixmc.lock'))).toBe(false);
}

describe('faults on a real run', () => {
  it('kill -9 after the first checkpoints: the stale lock is recognised and --resume gives the same draws', async () => {
    const dir = tempDir();
    const run = join(dir, 'run');
    const killed = await runBin(['fit', inputs(dir), '--out', run, '--workers', '2'], (child) => {
      if (child.exitCode === null && checkpointed(run)) child.kill('SIGKILL');
    });
    expect(killed.signal).toBe('SIGKILL');
    expect(existsSync(join(run, '.mixmc.lock'))).toBe(true);
    expect(JSON.parse(readFileSync(join(run, 'run.json'), 'utf8')).status).toBe('running');
    // a new fit into it is refused (it holds a run), the killed run's lock does not block the resume
    const again = await runBin(['fit', join(dir, 'c.json'), '--out', run, '--quiet']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/holds a run already/);
    await expectResumesIdentically(run);
  });

  it('SIGTERM: the chains stop and checkpoint, run.json says interrupted, --resume gives the same draws', async () => {
    const dir = tempDir();
    const run = join(dir, 'run');
    let sent = false;
    const stopped = await runBin(['fit', inputs(dir), '--out', run, '--workers', '2'], (child) => {
      if (!sent && checkpointed(run)) {
        sent = true;
        child.kill('SIGTERM');
      }
    });
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toMatch(/SIGTERM: stopping the chains/);
    expect(JSON.parse(readFileSync(join(run, 'run.json'), 'utf8')).status).toBe('interrupted');
    await expectResumesIdentically(run);
  });

  it('rows written after the last checkpoint are rolled back on resume', async () => {
    const dir = tempDir();
    const run = join(dir, 'run');
    let sent = false;
    await runBin(['fit', inputs(dir), '--out', run, '--workers', '2'], (child) => {
      if (!sent && checkpointed(run)) {
        sent = true;
        child.kill('SIGKILL');
      }
    });
    // what a kill between a flush of the draws and the checkpoint leaves: rows past the checkpoint, a cut last row
    const file = join(run, 'draws', 'chain-1.csv');
    writeFileSync(file, `${readFileSync(file, 'utf8')}999999990,1,2,3,4,5,6,7,8,9\n999999991,1,2,3`);
    await expectResumesIdentically(run);
  });
});

/** A tmpfs of `size` mounted at a new folder, or undefined where mounting is not allowed. */
function mountTmpfs(size: string): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const at = tempDir('mixmc-tmpfs-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', at], { stdio: 'ignore' });
    return at;
  } catch {
    return undefined;
  }
}

const mounts: string[] = [];
afterAll(() => {
  for (const m of mounts) execFileSync('umount', [m], { stdio: 'ignore' });
});
const small = mountTmpfs('512k');
const readOnly = mountTmpfs('1m');
if (small) mounts.push(small);
if (readOnly) {
  mounts.push(readOnly);
  mkdirSync(join(readOnly, 'sub'));
  execFileSync('mount', ['-o', 'remount,ro', readOnly], { stdio: 'ignore' });
}

describe.skipIf(!small)('a full disk (a 512 kB tmpfs)', () => {
  it('fails with exit 2 naming the file and the cause, leaves no temporary file, and resumes to the same draws once there is room', async () => {
    const dir = tempDir();
    const cfg = inputs(dir);
    const run = join(small!, 'run');
    const full = await runBin(['fit', cfg, '--out', run, '--quiet', '--workers', '2']);
    expect(full.code).toBe(2);
    const errors = full.stderr.trimEnd().split('\n');
    expect(errors.length).toBeGreaterThanOrEqual(1);
    for (const e of errors) expect(e).toMatch(/^error: .*no space left on the device \(ENOSPC\)/);
    expect(full.stderr).toMatch(new RegExp(`^error: ${run}/`));
    expect(full.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(run).filter((f) => f.includes('.tmp-'))).toEqual([]);
    expect(readdirSync(join(run, 'checkpoints')).filter((f) => f.includes('.tmp-'))).toEqual([]);
    execFileSync('mount', ['-o', 'remount,size=64m', small!], { stdio: 'ignore' });
    await expectResumesIdentically(run);
  });
});

describe.skipIf(!readOnly)('a read-only file system', () => {
  it('a run directory there is refused with exit 2, naming the path and the cause', async () => {
    const dir = tempDir();
    const r = await runBin(['fit', inputs(dir), '--out', join(readOnly!, 'sub', 'run'), '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(new RegExp(`^error: ${readOnly}/sub/run: .*read-only \\(EROFS\\)`));
  });
});

describe('two writers', () => {
  it('a second fit into a directory whose run is being written fails at once, naming the process; the first run is unharmed', async () => {
    const dir = tempDir();
    const run = join(dir, 'run');
    let second: Awaited<ReturnType<typeof runBin>> | undefined;
    let started = false;
    const first = await runBin(['fit', inputs(dir), '--out', run, '--workers', '2', '--quiet'], () => {
      if (started || !checkpointed(run)) return;
      started = true;
      void runBin(['fit', join(dir, 'c.json'), '--out', run, '--force', '--quiet']).then((r) => {
        second = r;
      });
    });
    expect(first.code, first.stderr).toBe(0);
    while (!second) await new Promise((r) => setTimeout(r, 20));
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(new RegExp(`^error: ${run}: the run directory is being written by process \\d+ on `));
    expect(draws(run, 1)).toBe(reference[0]);
    expect(draws(run, 2)).toBe(reference[1]);
  });
});
