/**
 * Issue 12 A and B: a run directory belongs to one run, and resume trusts nothing it has not checked.
 * Each case attacks a run directory (or the place one would go) and expects one error line, exit 2,
 * and every file that was there unchanged.
 */
import { appendFileSync, mkdirSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type AdversarialCase, dyestuffCase, runCase } from '../helpers/adversarial.js';
import { runCli, tempDir } from '../helpers/cli.js';

/** A finished 2-chain run in dir/run (with the inputs beside it). */
async function finishedRun(dir: string, spec: Record<string, unknown> = {}, mcmc: Record<string, unknown> = {}): Promise<void> {
  const r = await runCli(['fit', dyestuffCase(dir, spec, mcmc), '--out', join(dir, 'run'), '--quiet', '--workers', '0']);
  expect(r.code, r.stderr).toBe(0);
}

// biome-ignore lint/suspicious/noExplicitAny: edits of parsed JSON of any shape
function editJson(file: string, edit: (x: Record<string, any>) => void): void {
  const x = JSON.parse(readFileSync(file, 'utf8'));
  edit(x);
  writeFileSync(file, JSON.stringify(x));
}

/** Edit a checkpoint's content and give it a valid checksum (so that only the shape check can catch it). */
// biome-ignore lint/suspicious/noExplicitAny: edits of parsed JSON of any shape
function forgeCheckpoint(file: string, edit: (c: Record<string, any>) => void): void {
  editJson(file, (x) => {
    edit(x.checkpoint);
    x.sha256 = createHash('sha256').update(JSON.stringify(x.checkpoint)).digest('hex');
  });
}

const ck1 = (dir: string): string => join(dir, 'run', 'checkpoints', 'chain-1.json');
const draws1 = (dir: string): string => join(dir, 'run', 'draws', 'chain-1.csv');
const extend = (dir: string): string[] => ['fit', '--resume', join(dir, 'run'), '--extend', '50', '--quiet', '--workers', '0'];

const ownership: AdversarialCase[] = [
  {
    name: 'a second fit into a directory that holds a run',
    setup: (d) => finishedRun(d),
    args: (d) => ['fit', join(d, 'c.json'), '--out', join(d, 'run'), '--quiet'],
    words: ['holds a run already', '--force', '--resume'],
  },
  {
    name: '--out is a file',
    setup: (d) => void dyestuffCase(d),
    args: (d) => ['fit', join(d, 'c.json'), '--out', join(d, 'd.csv'), '--quiet'],
    words: ['d.csv', 'is a file'],
  },
  {
    name: '--out below a file',
    setup: (d) => void dyestuffCase(d),
    args: (d) => ['fit', join(d, 'c.json'), '--out', join(d, 'd.csv', 'run'), '--quiet'],
    words: ['d.csv', 'not a directory', 'ENOTDIR'],
  },
  {
    name: '--out holds files that are not a run',
    setup: (d) => {
      dyestuffCase(d);
      mkdirSync(join(d, 'mine'));
      writeFileSync(join(d, 'mine', 'thesis.tex'), 'chapter 1');
    },
    args: (d) => ['fit', join(d, 'c.json'), '--out', join(d, 'mine'), '--quiet', '--force'],
    words: ['thesis.tex', 'not a mixmc run'],
  },
  {
    name: 'a directory whose lock is held by a live process',
    setup: async (d) => {
      await finishedRun(d);
      writeFileSync(
        join(d, 'run', '.mixmc.lock'),
        JSON.stringify({ pid: process.pid, host: (await import('node:os')).hostname(), started: '2026-11-29T00:00:00Z' }),
      );
    },
    args: (d) => ['fit', join(d, 'c.json'), '--out', join(d, 'run'), '--quiet', '--force'],
    words: ['being written by', `process ${process.pid}`],
  },
  {
    name: 'a lock held by a process on another host',
    setup: async (d) => {
      await finishedRun(d);
      writeFileSync(join(d, 'run', '.mixmc.lock'), JSON.stringify({ pid: 1, host: 'elsewhere', started: '2026-11-29T00:00:00Z' }));
    },
    args: (d) => extend(d),
    words: ['being written by', 'elsewhere'],
  },
  {
    name: 'resume of a directory that does not exist',
    args: (d) => ['fit', '--resume', join(d, 'nothing'), '--quiet'],
    words: ['nothing', 'no run directory'],
  },
  {
    name: 'resume of a folder that is not a run',
    setup: (d) => {
      mkdirSync(join(d, 'other'));
      writeFileSync(join(d, 'other', 'notes.txt'), 'x');
    },
    args: (d) => ['fit', '--resume', join(d, 'other'), '--quiet'],
    words: ['not a mixmc run directory'],
  },
  {
    name: 'resume of a run whose run.json is not JSON',
    setup: async (d) => {
      await finishedRun(d);
      writeFileSync(join(d, 'run', 'run.json'), '{"version": "0.1');
    },
    args: (d) => extend(d),
    words: ['run.json', 'not a mixmc run directory'],
  },
];

const resumeChecks: AdversarialCase[] = [
  ...(['--iter 500', '--chains 3', '--seed 9', '--burnin 10', '--thin 2'] as const).map(
    (flag): AdversarialCase => ({
      name: `${flag.split(' ')[0]} with --resume`,
      setup: (d) => finishedRun(d),
      args: (d) => ['fit', '--resume', join(d, 'run'), ...flag.split(' '), '--quiet'],
      words: [flag.split(' ')[0], 'does not go with --resume', '--extend'],
    }),
  ),
  {
    name: 'a config with --resume',
    setup: (d) => finishedRun(d),
    args: (d) => ['fit', join(d, 'c.json'), '--resume', join(d, 'run'), '--quiet'],
    words: ['either a config or --resume'],
  },
  {
    name: '--extend without --resume',
    setup: (d) => void dyestuffCase(d),
    args: (d) => ['fit', join(d, 'c.json'), '--out', join(d, 'run'), '--extend', '10', '--quiet'],
    words: ['--extend goes with --resume'],
  },
  {
    name: '--force with --extend',
    setup: (d) => finishedRun(d),
    args: (d) => ['fit', '--resume', join(d, 'run'), '--force', '--extend', '10', '--quiet'],
    words: ['--force', '--extend'],
  },
  {
    name: 'a checkpoint that is not JSON',
    setup: async (d) => {
      await finishedRun(d);
      writeFileSync(ck1(d), '{"format":"mixmc-checkpoint-1","sha');
    },
    args: (d) => extend(d),
    words: ['chain-1.json', 'not valid JSON', '--force'],
  },
  {
    name: 'a checkpoint cut in the middle',
    setup: async (d) => {
      await finishedRun(d);
      truncateSync(ck1(d), Math.floor(readFileSync(ck1(d)).length / 2));
    },
    args: (d) => extend(d),
    words: ['chain-1.json', 'checkpoint cannot be used'],
  },
  {
    name: 'a checkpoint whose arrays were cut (checksum)',
    setup: async (d) => {
      await finishedRun(d);
      editJson(ck1(d), (x) => {
        x.checkpoint.state = x.checkpoint.state.map((a: number[]) => a.slice(0, 1));
      });
    },
    args: (d) => extend(d),
    words: ['chain-1.json', 'checksum'],
  },
  {
    name: 'a checkpoint with a changed value (checksum)',
    setup: async (d) => {
      await finishedRun(d);
      editJson(ck1(d), (x) => {
        x.checkpoint.state[0][0] += 1;
      });
    },
    args: (d) => extend(d),
    words: ['chain-1.json', 'checksum'],
  },
  {
    name: 'a checkpoint of another format',
    setup: async (d) => {
      await finishedRun(d);
      editJson(ck1(d), (x) => {
        x.format = 'mixmc-checkpoint-0';
      });
    },
    args: (d) => extend(d),
    words: ['chain-1.json', 'not a mixmc checkpoint'],
  },
  {
    name: 'a forged checkpoint with state arrays of length 1',
    setup: async (d) => {
      await finishedRun(d);
      forgeCheckpoint(ck1(d), (c) => {
        c.state = c.state.map((a: number[]) => a.slice(0, 1));
      });
    },
    args: (d) => extend(d),
    words: ['chain-1.json', 'state array', 'values'],
  },
  {
    name: 'a forged checkpoint with a missing state array',
    setup: async (d) => {
      await finishedRun(d);
      forgeCheckpoint(ck1(d), (c) => {
        c.state.pop();
      });
    },
    args: (d) => extend(d),
    words: ['chain-1.json', 'state arrays'],
  },
  {
    name: 'a forged checkpoint with a short RNG state',
    setup: async (d) => {
      await finishedRun(d);
      forgeCheckpoint(ck1(d), (c) => {
        c.rng = c.rng.slice(0, 4);
      });
    },
    args: (d) => extend(d),
    words: ['chain-1.json', 'RNG state'],
  },
  {
    name: 'a forged checkpoint past the run length',
    setup: async (d) => {
      await finishedRun(d);
      forgeCheckpoint(ck1(d), (c) => {
        c.iteration = 10_000;
      });
    },
    args: (d) => ['fit', '--resume', join(d, 'run'), '--quiet', '--workers', '0'],
    words: ['chain-1.json', 'iteration 10000'],
  },
  {
    name: 'a forged checkpoint with moments of the wrong size',
    setup: async (d) => {
      await finishedRun(d);
      forgeCheckpoint(ck1(d), (c) => {
        c.moments[0].mean = [0];
      });
    },
    args: (d) => extend(d),
    words: ['chain-1.json', 'tracker 1'],
  },
  {
    name: 'a forged checkpoint with a text value in the state',
    setup: async (d) => {
      await finishedRun(d);
      forgeCheckpoint(ck1(d), (c) => {
        c.state[0][0] = 'x';
      });
    },
    args: (d) => extend(d),
    words: ['chain-1.json', 'not a number'],
  },
  {
    name: 'a draws file cut shorter than its checkpoint',
    setup: async (d) => {
      await finishedRun(d);
      const text = readFileSync(draws1(d), 'utf8');
      writeFileSync(draws1(d), text.slice(0, Math.floor(text.length / 2)));
    },
    args: (d) => extend(d),
    words: ['chain-1.csv', 'cut', '--force'],
  },
  {
    name: 'a draws file removed',
    setup: async (d) => {
      await finishedRun(d);
      writeFileSync(draws1(d), '');
    },
    args: (d) => extend(d),
    words: ['chain-1.csv', 'rows'],
  },
  {
    name: "a draws file of another model's parameters",
    setup: async (d) => {
      await finishedRun(d);
      writeFileSync(draws1(d), readFileSync(draws1(d), 'utf8').replace('var[Batch]', 'var[Plate]'));
    },
    args: (d) => extend(d),
    words: ['chain-1.csv', 'header'],
  },
  {
    name: 'data edited since the run started',
    setup: async (d) => {
      await finishedRun(d);
      appendFileSync(join(d, 'd.csv'), '31,F,1500\n');
    },
    args: (d) => extend(d),
    words: ['d.csv', 'changed since the run started', '--force'],
  },
  {
    name: 'data removed since the run started',
    setup: async (d) => {
      await finishedRun(d);
      writeFileSync(join(d, 'd.csv'), '');
    },
    args: (d) => extend(d),
    words: ['d.csv', 'changed'],
  },
  {
    name: 'the spec in run.json edited',
    setup: async (d) => {
      await finishedRun(d);
      editJson(join(d, 'run', 'run.json'), (x) => {
        x.spec.formula = 'Yield ~ 1';
      });
    },
    args: (d) => extend(d),
    words: ['run.json', 'spec', 'changed'],
  },
  {
    name: 'a run.json without a fingerprint',
    setup: async (d) => {
      await finishedRun(d);
      editJson(join(d, 'run', 'run.json'), (x) => {
        delete x.fingerprint;
      });
    },
    args: (d) => extend(d),
    words: ['fingerprint', '--force'],
  },
];

describe('issue 12 A: a run directory belongs to one run', () => {
  for (const c of ownership) it(c.name, async () => void (await runCase(c)));
});

describe('issue 12 B: resume trusts nothing it has not checked', () => {
  for (const c of resumeChecks) it(c.name, async () => void (await runCase(c)));
});

describe('issue 12 A: replacing and restarting a run', () => {
  it('--force replaces a 3-chain run with a 2-chain one: no chain file of the old run is left for summary to pool', async () => {
    const dir = tempDir();
    const cfg = dyestuffCase(dir, {}, { chains: 3 });
    const out = join(dir, 'run');
    expect((await runCli(['fit', cfg, '--out', out, '--quiet', '--workers', '0'])).code).toBe(0);
    const again = await runCli(['fit', cfg, '--out', out, '--quiet', '--chains', '2', '--workers', '0', '--force']);
    expect(again.code, again.stderr).toBe(0);
    expect(readdirSync(join(out, 'draws')).sort()).toEqual(['chain-1.csv', 'chain-2.csv']);
    expect(readdirSync(join(out, 'checkpoints')).sort()).toEqual(['chain-1.json', 'chain-2.json']);
    const s = await runCli(['summary', out, '--json']);
    expect(JSON.parse(s.stdout).meta.chains).toBe(2);
    expect(readdirSync(out).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('fit --resume DIR --force starts the run again from its spec and gives the draws of a fresh run', async () => {
    const dir = tempDir();
    await finishedRun(dir);
    const first = readFileSync(draws1(dir), 'utf8');
    writeFileSync(draws1(dir), 'damaged');
    const r = await runCli(['fit', '--resume', join(dir, 'run'), '--force', '--quiet', '--workers', '0']);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(draws1(dir), 'utf8')).toBe(first);
  });

  it('a finished run extended with --resume --extend records when it was resumed and keeps its fingerprint', async () => {
    const dir = tempDir();
    await finishedRun(dir);
    const before = JSON.parse(readFileSync(join(dir, 'run', 'run.json'), 'utf8'));
    const r = await runCli(extend(dir));
    expect(r.code, r.stderr).toBe(0);
    const after = JSON.parse(readFileSync(join(dir, 'run', 'run.json'), 'utf8'));
    expect(after.fingerprint).toEqual(before.fingerprint);
    expect(after.resumed).toHaveLength(1);
    expect(after.started).toBe(before.started);
    expect(after.status).toBe('finished');
    expect(Object.keys(after.fingerprint.files)).toEqual([join(dir, 'd.csv')]);
  });
});
