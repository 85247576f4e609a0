/**
 * Bad input for threshold and censored traits: one line naming the file, line, column or key, exit
 * code 2, nothing written — through the command line, as a user meets them.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { type AdversarialCase, runCase } from '../helpers/adversarial.js';

interface Case {
  name: string;
  csv: string;
  spec: Record<string, unknown>;
  words: (string | RegExp)[];
  command?: 'fit' | 'reml' | 'compare';
}

const table = (values: string[], extra: (i: number) => string = () => ','): string =>
  `id,g,x,y,lo,hi\n${values.map((v, i) => `${i + 1},${'abc'[i % 3]},${(i % 5) / 2},${v},${extra(i)}`).join('\n')}\n`;

const twelve = ['0', '1', '0', '1', '1', '0', '0', '1', '1', '0', '1', '0'];

const cases: Case[] = [
  { name: 'a binary trait with one category only', csv: table(twelve.map(() => '1')), spec: { family: 'binary' }, words: ["'y'", 'one category', "'1'"] },
  {
    name: 'an ordinal category with no record',
    csv: table(twelve),
    spec: { family: 'ordinal', categories: ['0', '1', '2'] },
    words: ["category '2'", 'no record', "'y'"],
  },
  {
    name: 'a non-integer code in a binary trait',
    csv: table([...twelve.slice(0, 5), '0.5', ...twelve.slice(6)]),
    spec: { family: 'binary' },
    words: ['line 7', "'0.5'", '0 and 1'],
  },
  {
    name: 'a code of 2 in a binary trait',
    csv: table([...twelve.slice(0, 3), '2', ...twelve.slice(4)]),
    spec: { family: 'binary' },
    words: ['line 5', "'2'", 'recode'],
  },
  {
    name: 'more than 50 categories',
    csv: table(Array.from({ length: 60 }, (_, i) => String(i))),
    spec: { family: 'ordinal' },
    words: ['60 categories', 'at most 50', 'gaussian'],
  },
  {
    name: 'a label not among the given categories',
    csv: table(['low', 'high', 'mid', 'low', 'hihg', 'mid']),
    spec: { family: 'ordinal', categories: ['low', 'mid', 'high'] },
    words: ['line 6', "'hihg'", "'low', 'mid', 'high'"],
  },
  {
    name: 'censoring bounds reversed',
    csv: table(['1.2', '', '0.3', '2', '', '1.1'], (i) => (i === 1 ? '3,1' : i === 4 ? '2,' : ',')),
    spec: { family: 'censored', bounds: { lower: 'lo', upper: 'hi' } },
    words: ['line 3', "'lo'", 'reversed', 'lower 3 > upper 1'],
  },
  { name: 'a censored trait without bounds', csv: table(twelve), spec: { family: 'censored' }, words: ['bounds', "'y'", 'lower'] },
  { name: 'an unknown family', csv: table(twelve), spec: { family: 'poisson' }, words: ['family', 'gaussian', 'binary'] },
  { name: 'categories for a Gaussian trait', csv: table(twelve), spec: { categories: ['0', '1'] }, words: ['categories', 'gaussian'] },
  { name: 'thresholds without an ordinal trait', csv: table(twelve), spec: { family: 'binary', thresholds: 'gibbs' }, words: ['thresholds', 'ordinal'] },
  {
    name: 'a residual prior for a binary trait',
    csv: table(twelve),
    spec: { family: 'binary', priors: { residual: { df: 4, scale: 1 } } },
    words: ['residual', 'fixed at 1', 'priors'],
  },
  {
    name: 'two non-Gaussian traits in a multi-trait model',
    csv: 'id,x,y,z\n1,0,0,1\n2,1,1,0\n3,2,0,1\n4,0,1,1\n5,1,1,0\n6,2,0,0\n',
    spec: { formula: 'cbind(y, z) ~ 1 + x', family: { y: 'binary', z: 'binary' } },
    words: ["'y' and 'z'", 'non-gaussian', 'one binary, ordinal or censored trait'],
  },
  {
    name: 'reml on a binary trait',
    csv: table(twelve),
    spec: { family: 'binary', formula: 'y ~ 1 + (1|g)' },
    words: ['reml is for gaussian', "'y' is binary"],
    command: 'reml',
  },
  {
    name: 'compare on an ordinal trait',
    csv: table(['0', '1', '2', '1', '0', '2', '1', '1', '0', '2', '2', '0']),
    spec: { family: 'ordinal', formula: 'y ~ 1 + (1|g)' },
    words: ['compare', 'gaussian', "'y' is ordinal"],
    command: 'compare',
  },
];

describe('threshold and censored traits: bad input', () => {
  for (const c of cases) {
    const adversarial: AdversarialCase = {
      name: c.name,
      setup: (d) => {
        writeFileSync(join(d, 'd.csv'), c.csv);
        writeFileSync(
          join(d, 'c.json'),
          JSON.stringify({ data: 'd.csv', formula: 'y ~ 1 + x', mcmc: { chains: 1, iterations: 50, burnin: 10, seed: 1 }, ...c.spec }),
        );
      },
      args: (d) => {
        const command = c.command ?? 'fit';
        return command === 'reml' ? ['reml', join(d, 'c.json')] : [command, join(d, 'c.json'), '--out', join(d, 'run'), '--quiet'];
      },
      words: c.words,
    };
    it(c.name, async () => void (await runCase(adversarial)));
  }
});
