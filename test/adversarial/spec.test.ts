/**
 * Issue 12 C: the run spec is validated by one JSON Schema. Each case is a config with one thing wrong
 * and expects one error line naming the config file and the key, exit 2, nothing written. `mixmc
 * schema` prints the schema, which a second validator compiles and which accepts every shipped example.
 */
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import { AJV_OPTIONS, runSpecSchema } from '../../src/model/schema.js';
import { type AdversarialCase, dyestuffCase, runCase } from '../helpers/adversarial.js';
import { runCli } from '../helpers/cli.js';
import { fixturePath } from '../helpers/fixtures.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const EXAMPLES = join(ROOT, 'examples');

/** A config that is the dyestuff one with `spec` and `mcmc` merged in, fitted into dir/run. */
function specCase(name: string, spec: Record<string, unknown>, words: (string | RegExp)[], mcmc: Record<string, unknown> = {}): AdversarialCase {
  return {
    name,
    setup: (d) => void dyestuffCase(d, spec, mcmc),
    args: (d) => ['fit', join(d, 'c.json'), '--out', join(d, 'run'), '--quiet'],
    words: ['c.json', ...words],
  };
}

/** A config given as raw text. */
function rawCase(name: string, text: string, words: (string | RegExp)[]): AdversarialCase {
  return {
    name,
    setup: (d) => {
      copyFileSync(fixturePath('dyestuff.csv'), join(d, 'd.csv'));
      writeFileSync(join(d, 'c.json'), text);
    },
    args: (d) => ['fit', join(d, 'c.json'), '--out', join(d, 'run'), '--quiet'],
    words: ['c.json', ...words],
  };
}

const cases: AdversarialCase[] = [
  specCase('a near-miss key in mcmc', {}, ["'iteration'", "did you mean 'iterations'"], { iteration: 300 }),
  specCase('__proto__ in mcmc', {}, ["'__proto__'", 'mcmc'], JSON.parse('{"__proto__": {"iterations": 5}}')),
  specCase('constructor in mcmc', {}, ["'constructor'", 'mcmc'], { constructor: 1 }),
  specCase('iterations of 1e300', {}, ['mcmc.iterations', '1000000000'], { iterations: 1e300 }),
  specCase('iterations of 0', {}, ['mcmc.iterations', '>= '], { iterations: 0 }),
  specCase('negative iterations', {}, ['mcmc.iterations'], { iterations: -5 }),
  specCase('fractional iterations', {}, ['mcmc.iterations', 'whole number'], { iterations: 300.5 }),
  specCase('iterations as text', {}, ['mcmc.iterations'], { iterations: '300' }),
  specCase('burn-in as long as the run', {}, ['mcmc.burnin', 'less than mcmc.iterations'], { burnin: 300 }),
  specCase('negative burn-in', {}, ['mcmc.burnin'], { burnin: -1 }),
  specCase('thin of 0', {}, ['mcmc.thin'], { thin: 0 }),
  specCase('fractional thin', {}, ['mcmc.thin', 'whole number'], { thin: 1.5 }),
  specCase('no chains', {}, ['mcmc.chains', '>= 1'], { chains: 0 }),
  specCase('a million chains', {}, ['mcmc.chains'], { chains: 1e6 }),
  specCase('a seed as text', {}, ['mcmc.seed', 'whole number'], { seed: 'abc' }),
  specCase('a negative seed', {}, ['mcmc.seed'], { seed: -1 }),
  specCase('workers as text', {}, ['mcmc.workers'], { workers: 'all' }),
  specCase('traceLevels negative', {}, ['mcmc.traceLevels'], { traceLevels: -3 }),
  specCase('a near-miss top-level key', { formla: 'Yield ~ 1' }, ["'formla'", "did you mean 'formula'"]),
  specCase('an unknown top-level key', { colour: 'red' }, ["'colour'", 'unknown key']),
  specCase('a formula that is a number', { formula: 3 }, ['formula', 'string']),
  specCase('data that is a number', { data: 5 }, ['data']),
  specCase('id that is a list', { id: ['id'] }, ['id']),
  specCase('factors that is a string', { factors: 'Batch' }, ['factors']),
  specCase('a variance prior with negative df', { priors: { 'var[Batch]': { df: -1, scale: 1 } } }, ['priors.var[Batch].df', '> 0']),
  specCase('a variance prior with negative scale', { priors: { 'var[Batch]': { df: 4, scale: -1 } } }, ['priors.var[Batch].scale']),
  specCase('a variance prior with scale 1e300', { priors: { 'var[Batch]': { df: 4, scale: 1e300 } } }, ['priors.var[Batch].scale']),
  specCase('a variance prior with an unknown key', { priors: { 'var[Batch]': { df: 4, scal: 1 } } }, ["'scal'", "did you mean 'scale'"]),
  specCase('a fixed variance that is negative', { fixedVariances: { 'var[Batch]': -2 } }, ['fixedVariances']),
  specCase('a kernel that does not exist', { kernel: 'gpu' }, ['kernel', '"auto", "wasm", "js"']),
  specCase('a solver that does not exist', { solver: 'magic' }, ['solver']),
  specCase('an unknown marker prior', { markers: { file: 'm.csv', prior: 'BayesZ' } }, ['BayesZ', "did you mean 'BayesA'"]),
  specCase('a marker prior option of another prior', { markers: { file: 'm.csv', prior: 'BRR', pi: 0.1 } }, ["'pi'", 'markers']),
  specCase('a marker set without a file', { markers: { prior: 'BRR' } }, ['file']),
  specCase('BayesR classes out of [0, 1]', { markers: { file: 'm.csv', prior: 'BayesR', classes: [0, 2] } }, ['classes']),
  specCase('a pedigree that is a number', { pedigree: 4 }, ['pedigree']),
  specCase('mcmc that is a list', {}, ['mcmc']),
  rawCase('a config that is a list', '[1, 2]', ['JSON object']),
  rawCase('a config that is JSON with a trailing comma', '{"data": "d.csv",}', ['line 1, column 18', 'trailing comma']),
  rawCase('a config that is empty', '', ['line 1, column 1', 'empty']),
  rawCase('a config that is not JSON', 'data: d.csv\nformula: Yield ~ 1\n', ['line 1, column 1', 'double quotes']),
  rawCase('a config with a missing comma', '{"data": "d.csv"\n "formula": "Yield ~ 1"}', ['line 2, column 2', "','"]),
  rawCase('a config with a comment', '{// mine\n"data": "d.csv"}', ['line 1, column 2', 'comment']),
  rawCase('a config with two objects', '{"data": "d.csv"}\n{}', ['line 2, column 1', 'end of the file']),
];
// 'mcmc that is a list' needs mcmc replaced, not merged
cases.find((c) => c.name === 'mcmc that is a list')!.setup = (d) => {
  dyestuffCase(d);
  const c = JSON.parse(readFileSync(join(d, 'c.json'), 'utf8'));
  writeFileSync(join(d, 'c.json'), JSON.stringify({ ...c, mcmc: [1] }));
};

const checks: AdversarialCase[] = [
  {
    name: 'factors naming a column that does not exist',
    setup: (d) => void dyestuffCase(d, { factors: ['Plate'] }),
    args: (d) => ['fit', join(d, 'c.json'), '--out', join(d, 'run'), '--quiet'],
    words: ['factors', "'Plate'", 'not a column'],
  },
  {
    name: 'a data file that does not exist',
    setup: (d) => void dyestuffCase(d, { data: 'nothing.csv' }),
    args: (d) => ['fit', join(d, 'c.json'), '--out', join(d, 'run'), '--quiet'],
    words: ['nothing.csv'],
  },
  {
    name: 'a config file that does not exist',
    args: (d) => ['fit', join(d, 'nothing.json'), '--out', join(d, 'run'), '--quiet'],
    words: ['nothing.json'],
  },
];

describe('issue 12 C: the spec is validated by a schema', () => {
  for (const c of [...cases, ...checks]) it(c.name, async () => void (await runCase(c)));
});

describe('mixmc schema', () => {
  it('prints a schema that compiles, is closed at every level, and accepts every shipped config', async () => {
    const r = await runCli(['schema']);
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout);
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
    const configs = readdirSync(EXAMPLES).filter((f) => f.endsWith('.json'));
    expect(configs.length).toBeGreaterThan(0);
    for (const f of configs) expect(validate(JSON.parse(readFileSync(join(EXAMPLES, f), 'utf8'))), `${f}: ${JSON.stringify(validate.errors)}`).toBe(true);
    expect(validate({ data: 'd.csv', formula: 'y ~ 1', mcmc: { iteration: 3 } })).toBe(false);
    expect(validate({ data: 'd.csv', formula: 'y ~ 1', extra: 1 })).toBe(false);
    // every object in the schema says what else it allows
    const open: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (Array.isArray(node)) node.forEach((n, i) => walk(n, `${path}[${i}]`));
      else if (node && typeof node === 'object') {
        const o = node as Record<string, unknown>;
        if (o.type === 'object' && o.additionalProperties === undefined && o.propertyNames === undefined && o.unevaluatedProperties === undefined)
          open.push(path);
        for (const [k, v] of Object.entries(o)) walk(v, `${path}.${k}`);
      }
    };
    walk(schema, '$');
    expect(open).toEqual([]);
  });
});

describe('the validator compiled by npm run build', () => {
  it('gives the verdict and the errors of the schema compiled at run time', () => {
    const prebuilt = createRequire(import.meta.url)(join(ROOT, 'dist', 'src', 'model', 'spec-validator.cjs')) as ValidateFunction;
    const compiled = new Ajv(AJV_OPTIONS).compile(runSpecSchema());
    const specs: unknown[] = [
      ...readdirSync(EXAMPLES)
        .filter((f) => f.endsWith('.json'))
        .map((f) => JSON.parse(readFileSync(join(EXAMPLES, f), 'utf8'))),
      { data: 'd.csv', formula: 'y ~ 1', mcmc: { iteration: 3 } },
      { data: 'd.csv', formula: 'y ~ 1', mcmc: { iterations: -3, thin: 0.5 } },
      { data: 'd.csv', formula: 'y ~ 1', markers: { file: 'g.csv', prior: 'BayesQ' } },
      { data: 'd.csv', formula: 'y ~ 1', markers: { file: 'g.csv', prior: 'BayesB', pi: 2 } },
      { data: 'd.csv', formula: 'y ~ 1', priors: { residual: { df: 'four' } }, family: 'poisson' },
      { formula: 3 },
      [],
    ];
    let invalid = 0;
    for (const spec of specs) {
      const ok = prebuilt(spec);
      expect(compiled(spec)).toBe(ok);
      if (!ok) invalid++;
      expect(JSON.stringify(prebuilt.errors)).toBe(JSON.stringify(compiled.errors));
    }
    expect(invalid).toBe(7);
  });
});
