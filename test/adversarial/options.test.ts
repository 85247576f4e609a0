/**
 * Issue 12 G: option errors are input errors like any other — one `error:` line, exit code 2, nothing
 * written — whether commander or mixmc finds them; and --help shows the defaults.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type AdversarialCase, dyestuffCase, runCase } from '../helpers/adversarial.js';
import { runCli } from '../helpers/cli.js';

const fitWith = (name: string, flags: string[], words: (string | RegExp)[]): AdversarialCase => ({
  name,
  setup: (d) => void dyestuffCase(d),
  args: (d) => ['fit', join(d, 'c.json'), '--out', join(d, 'run'), '--quiet', ...flags],
  words,
});

/** A finished run to point summary and predict at. */
const withRun = (name: string, args: (d: string) => string[], words: (string | RegExp)[]): AdversarialCase => ({
  name,
  setup: async (d) => {
    const r = await runCli(['fit', dyestuffCase(d), '--out', join(d, 'run'), '--quiet', '--workers', '0']);
    expect(r.code).toBe(0);
  },
  args,
  words,
});

const cases: AdversarialCase[] = [
  fitWith('--iter that is not a number', ['--iter', 'abc'], ["'--iter <n>'", "'abc'", 'whole number']),
  fitWith('--chains negative', ['--chains', '-1'], ['--chains', 'whole number']),
  fitWith('--chains 0', ['--chains', '0'], ['mcmc.chains', '>= 1']),
  fitWith('--thin 0', ['--thin', '0'], ['mcmc.thin']),
  fitWith('--burnin beyond --iter', ['--iter', '100', '--burnin', '100'], ['mcmc.burnin', 'less than mcmc.iterations']),
  fitWith('--seed fractional', ['--seed', '1.5'], ['--seed', 'whole number']),
  fitWith('--workers text', ['--workers', 'many'], ['--workers']),
  fitWith('--digits text', ['--digits', 'x'], ['--digits']),
  fitWith('an unknown option', ['--iterations', '5'], ["unknown option '--iterations'"]),
  fitWith('a second config', ['other.json'], ['too many arguments']),
  {
    name: 'fit without --out',
    setup: (d) => void dyestuffCase(d),
    args: (d) => ['fit', join(d, 'c.json')],
    words: ['--out'],
  },
  { name: 'fit without a config', args: () => ['fit', '--quiet'], words: ['config'] },
  { name: 'an unknown command', args: () => ['fitt', 'c.json'], words: ["unknown command 'fitt'", 'did you mean fit'] },
  withRun('summary --prob 2', (d) => ['summary', join(d, 'run'), '--prob', '2'], ['--prob', 'between 0 and 1']),
  withRun('summary --vars that match nothing', (d) => ['summary', join(d, 'run'), '--vars', 'nothing*'], ['--vars', "no variable matches 'nothing*'"]),
  withRun('summary of a folder without draws', (d) => ['summary', d], ['draws']),
  withRun('predict of a model without markers', (d) => ['predict', join(d, 'run'), '--geno', join(d, 'd.csv')], ['marker model']),
  withRun('predict without --geno', (d) => ['predict', join(d, 'run')], ["'--geno <files...>'", 'not specified']),
  { name: 'summary without paths', args: () => ['summary'], words: ["missing required argument 'paths'"] },
  { name: 'reml without a config', args: () => ['reml'], words: ["missing required argument 'config'"] },
  {
    name: 'compare with --resume',
    setup: (d) => void dyestuffCase(d),
    args: (d) => ['compare', join(d, 'c.json'), '--out', join(d, 'run'), '--resume', join(d, 'run')],
    words: ["unknown option '--resume'"],
  },
];

describe('issue 12 G: option errors', () => {
  for (const c of cases) it(c.name, async () => void (await runCase(c)));
});

describe('--help', () => {
  it('shows the default of every chain setting', async () => {
    const r = await runCli(['fit', '--help']);
    expect(r.code).toBe(0);
    for (const re of [
      /--chains <n>.*else 4\)/s,
      /--iter <n>.*else 6000\)/s,
      /--burnin <n>.*else 1000\)/s,
      /--thin <n>.*else 5\)/s,
      /--seed <n>.*else 1\)/s,
      /--digits <n>.*\(default: 4\)/s,
    ]) {
      expect(r.stdout).toMatch(re);
    }
  });
});
