/**
 * The JSON Schema (draft-07) of a run spec, and its validation with ajv: every level closed, bounds on
 * every number, each marker prior's own options, and one error line per problem, naming the key and
 * what was expected, with "did you mean" for a near miss. `mixmc schema` prints the schema, so that
 * editors can validate configs.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import { MixmcError } from '../errors.js';
import type { MarkerPriorName } from '../types.js';
import { canonicalPrior, MARKER_PRIORS, MARKER_SET_KEYS, PRIOR_ALIASES, PRIOR_OPTIONS } from './priors.js';

/** Numbers a spec may hold: large enough for any analysis, small enough that nothing overflows. */
const MAX_ITERATIONS = 1e9;
const MAX_SCALE = 1e100;
/** The most categories an ordinal trait may have. */
export const MAX_CATEGORIES = 50;

/** A case-insensitive pattern matching any of `names`. */
function anyCase(names: readonly string[]): string {
  const cls = (c: string): string =>
    c.toLowerCase() !== c.toUpperCase() ? `[${c.toUpperCase()}${c.toLowerCase()}]` : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return `^(${names.map((n) => [...n].map(cls).join('')).join('|')})$`;
}

const positive = (max: number): object => ({ type: 'number', exclusiveMinimum: 0, maximum: max });
const integer = (min: number, max: number): object => ({ type: 'integer', minimum: min, maximum: max });

/** The schema of a run spec. */
export function runSpecSchema(): Record<string, unknown> {
  const priorPattern = (p: MarkerPriorName): string => anyCase([p, ...(PRIOR_ALIASES[p] ?? [])]);
  const markerSet = {
    type: 'object',
    description: 'A marker set Mβ: its genotypes and prior (each prior takes only its own options)',
    required: ['file', 'prior'],
    additionalProperties: false,
    properties: {
      name: { type: 'string', pattern: '^[A-Za-z0-9_.-]+$', description: 'the set is the term markers:NAME' },
      file: { type: 'string', minLength: 1, description: 'a PLINK .bed (with .bim/.fam beside it) or a genotype CSV' },
      prior: { type: 'string', pattern: anyCase([...MARKER_PRIORS, ...Object.values(PRIOR_ALIASES).flat()]), description: MARKER_PRIORS.join(', ') },
      center: { type: 'boolean' },
      dropUngenotyped: { type: 'boolean' },
      saveEffects: integer(0, MAX_ITERATIONS),
      pi: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, description: 'prior probability of a zero effect' },
      estimatePi: { type: 'boolean' },
      piPrior: { type: 'object', additionalProperties: false, required: ['a', 'b'], properties: { a: positive(1e6), b: positive(1e6) } },
      shape: positive(1e6),
      lambda: positive(MAX_SCALE),
      lambdaPrior: {
        oneOf: [
          { const: 'fixed' },
          { type: 'object', additionalProperties: false, required: ['shape', 'rate'], properties: { shape: positive(1e6), rate: positive(MAX_SCALE) } },
        ],
      },
      classes: { type: 'array', minItems: 2, items: { type: 'number', minimum: 0, maximum: 1 } },
      dirichlet: { type: 'array', minItems: 2, items: positive(1e6) },
    },
    allOf: MARKER_PRIORS.map((p) => ({
      if: { properties: { prior: { pattern: priorPattern(p) } }, required: ['prior'] },
      // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword
      then: { propertyNames: { enum: [...MARKER_SET_KEYS, ...PRIOR_OPTIONS[p]] } },
    })),
  };
  const matrix = (entry: object): object => ({ type: 'array', minItems: 1, maxItems: 64, items: { type: 'array', minItems: 1, maxItems: 64, items: entry } });
  const variancePrior = {
    type: 'object',
    description:
      'σ² ~ Scaled-Inv-χ²(df, scale); for a term with several components, Σ ~ Inverse-Wishart(df, df·scale) with scale a matrix (or the variances of an uncorrelated term)',
    additionalProperties: false,
    required: ['df', 'scale'],
    properties: {
      df: positive(1e6),
      scale: {
        oneOf: [
          positive(MAX_SCALE),
          matrix({ type: 'number', minimum: -MAX_SCALE, maximum: MAX_SCALE }),
          { type: 'array', minItems: 1, maxItems: 64, items: positive(MAX_SCALE) },
        ],
      },
    },
  };
  const withBlend = (key: string): object => ({
    type: 'object',
    additionalProperties: false,
    required: [key],
    properties: { [key]: { type: 'string', minLength: 1 }, blend: { type: 'number', minimum: 0, exclusiveMaximum: 1 } },
  });
  const family = { enum: ['gaussian', 'binary', 'ordinal', 'censored'] };
  const categories = {
    type: 'array',
    minItems: 2,
    maxItems: MAX_CATEGORIES,
    uniqueItems: true,
    items: { type: ['string', 'number'] },
    description: 'the categories from low to high',
  };
  const bounds = {
    type: 'object',
    additionalProperties: false,
    required: ['lower', 'upper'],
    properties: { lower: { type: 'string', minLength: 1 }, upper: { type: 'string', minLength: 1 } },
    description: 'the columns of the lower and upper bounds of a censored response',
  };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'mixmc run spec',
    type: 'object',
    additionalProperties: false,
    required: ['data', 'formula'],
    properties: {
      $schema: { type: 'string' },
      description: { type: 'string' },
      data: {
        oneOf: [
          { type: 'string', minLength: 1, description: 'a phenotype CSV' },
          { type: 'array', minItems: 1, items: { type: 'object', additionalProperties: { type: ['string', 'number', 'null'] } } },
        ],
      },
      id: { type: 'string', minLength: 1 },
      formula: { type: 'string', minLength: 1, description: 'lme4 style, e.g. y ~ 1 + env + (1|sire), cbind(y1, y2) ~ 1 + (1|sire), y ~ 1 + x + (1 + x|g)' },
      factors: { type: 'array', uniqueItems: true, items: { type: 'string', minLength: 1 } },
      priors: { type: 'object', additionalProperties: variancePrior },
      fixedVariances: {
        type: 'object',
        additionalProperties: { oneOf: [positive(MAX_SCALE), matrix({ type: 'number', minimum: -MAX_SCALE, maximum: MAX_SCALE })] },
      },
      mcmc: {
        type: 'object',
        additionalProperties: false,
        properties: {
          chains: integer(1, 1000),
          iterations: integer(1, MAX_ITERATIONS),
          burnin: integer(0, MAX_ITERATIONS),
          thin: integer(1, MAX_ITERATIONS),
          seed: integer(0, Number.MAX_SAFE_INTEGER),
          workers: integer(0, 1024),
          traceLevels: integer(0, 1e8),
        },
      },
      markers: { oneOf: [markerSet, { type: 'array', minItems: 1, items: markerSet }] },
      covariance: { type: 'object', additionalProperties: { oneOf: [withBlend('pedigree'), withBlend('relationship'), withBlend('genomic')] } },
      pedigree: { type: 'string', minLength: 1 },
      relationship: { type: 'string', minLength: 1 },
      solver: { enum: ['auto', 'cholesky', 'pcg', 'gauss-seidel'] },
      kernel: { enum: ['auto', 'wasm', 'js'] },
      family: { oneOf: [family, { type: 'object', minProperties: 1, additionalProperties: family }] },
      categories: { oneOf: [categories, { type: 'object', minProperties: 1, additionalProperties: categories }] },
      bounds: {
        oneOf: [bounds, { type: 'object', minProperties: 1, propertyNames: { not: { enum: ['lower', 'upper'] } }, additionalProperties: bounds }],
      },
      thresholds: { enum: ['cowles', 'gibbs'] },
    },
  };
}

/** The options of the validator (verbose: each error carries its value and schema, for the messages below). */
export const AJV_OPTIONS = { allErrors: true, strict: false, verbose: true } as const;

let compiled: ValidateFunction | undefined;
/**
 * The validator: the standalone one that `npm run build` compiles from this schema beside this
 * module (buildValidator.mjs), else the schema compiled now (the sources run without a build, as in
 * the tests; ajv itself is loaded only then). Made on first use, so that a thread that never
 * validates a spec never pays for it.
 */
function validator(): ValidateFunction {
  if (compiled) return compiled;
  const prebuilt = new URL('./spec-validator.cjs', import.meta.url);
  const require = createRequire(import.meta.url);
  if (existsSync(prebuilt)) compiled = require(fileURLToPath(prebuilt)) as ValidateFunction;
  else {
    const { Ajv: Compiler } = require('ajv') as { Ajv: typeof Ajv };
    compiled = new Compiler(AJV_OPTIONS).compile(runSpecSchema());
  }
  return compiled;
}

/** Levenshtein distance (for "did you mean"). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  }
  return d[a.length][b.length];
}

/** "; did you mean 'x'?" for the closest of `choices` within two edits (or a shared prefix), or ''. */
export function didYouMean(word: string, choices: readonly string[]): string {
  const best = choices
    .map((c) => ({ c, d: distance(word.toLowerCase(), c.toLowerCase()) }))
    .filter((x) => x.d <= 2 || (word.length >= 4 && x.c.toLowerCase().startsWith(word.toLowerCase())))
    .sort((a, b) => a.d - b.d)[0];
  return best ? `; did you mean '${best.c}'?` : '';
}

/** A JSON pointer as the spec key path users write: /mcmc/iterations → mcmc.iterations, /markers/0 → markers[0]. */
function keyPath(pointer: string, extra?: string): string {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  return parts.reduce((s, p) => (/^\d+$/.test(p) ? `${s}[${p}]` : s === '' ? p : `${s}.${p}`), '');
}

/** The keys a schema node at `path` allows (for "did you mean"). */
function allowedKeys(err: ErrorObject): string[] {
  const props = (err.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties;
  return props ? Object.keys(props) : [];
}

/** One line for one ajv error (the schema was compiled verbose: e.data is the offending value). */
function message(err: ErrorObject): string {
  const where = keyPath(err.instancePath);
  const value: unknown = err.data;
  const shown = JSON.stringify(value);
  switch (err.keyword) {
    case 'additionalProperties': {
      const key = (err.params as { additionalProperty: string }).additionalProperty;
      const allowed = allowedKeys(err).filter((k) => !k.startsWith('$'));
      return `unknown key '${key}'${where ? ` in ${where}` : ' in the run spec'}${didYouMean(key, allowed)} (expected one of ${allowed.join(', ')})`;
    }
    case 'propertyNames': {
      const key = (err.params as { propertyName: string }).propertyName;
      const prior = (value as { prior?: string }).prior;
      const allowed =
        MARKER_PRIORS.map((p) => [p, [...MARKER_SET_KEYS, ...PRIOR_OPTIONS[p]]] as const).find(
          ([p]) => prior !== undefined && canonicalPrior(prior) === p,
        )?.[1] ?? MARKER_SET_KEYS;
      return `unknown key '${key}' for a ${prior} marker set${where ? ` (${where})` : ''}${didYouMean(key, allowed)}; a ${prior} set takes ${allowed.join(', ')}`;
    }
    case 'enum': {
      const allowed = (err.params as { allowedValues: unknown[] }).allowedValues;
      return `${where} must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')} (got ${shown})${typeof value === 'string' ? didYouMean(value, allowed.map(String)) : ''}`;
    }
    case 'required': {
      const missing = (err.params as { missingProperty: string }).missingProperty;
      return `${where ? `${where} needs` : 'the run spec needs'} '${missing}'`;
    }
    case 'type': {
      if (err.instancePath === '/data') return `data must be the path of a phenotype CSV or a list of row objects (got ${shown})`;
      const t = (err.params as { type: string }).type;
      return `${where} must be ${t === 'integer' ? 'a whole number' : t === 'array' ? 'a list' : `a ${t}`} (got ${shown})`;
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const { comparison, limit } = err.params as { comparison: string; limit: number };
      return `${where} must be ${comparison} ${limit} (got ${shown})`;
    }
    case 'pattern':
      if (err.instancePath.endsWith('/prior')) {
        return `unknown marker prior ${shown}; expected one of ${MARKER_PRIORS.join(', ')}${typeof value === 'string' ? didYouMean(value, MARKER_PRIORS) : ''}`;
      }
      return `${where} ${shown} must be a word of letters, digits, '_', '.' or '-'`;
    case 'minItems':
      return `${where} needs at least ${(err.params as { limit: number }).limit} item(s)`;
    case 'minLength':
      return `${where} must not be empty`;
    case 'uniqueItems':
      return `${where} lists an item twice`;
    case 'const':
      return `${where} must be ${JSON.stringify((err.params as { allowedValue: unknown }).allowedValue)} (got ${shown})`;
    default:
      return `${where || 'the run spec'} is not valid: ${err.message ?? err.keyword}`;
  }
}

/**
 * The error that explains the failure best: a prior's own keys before a generic unknown key; within a
 * oneOf, a branch's specific error before the other branches' type mismatches; the deepest first.
 */
function best(errors: ErrorObject[]): ErrorObject {
  const rank = (e: ErrorObject): number => {
    if (e.keyword === 'propertyNames') return 0;
    if (e.keyword === 'additionalProperties') return 0.5;
    if (e.keyword === 'oneOf' || e.keyword === 'if' || e.keyword === 'allOf' || e.keyword === 'anyOf') return 9;
    if (e.keyword === 'type' || e.keyword === 'const') {
      // a type mismatch of one oneOf branch, when another branch has a specific error at or below the same value
      const other = errors.some(
        (o) =>
          o !== e &&
          o.keyword !== 'type' &&
          o.keyword !== 'const' &&
          !['oneOf', 'if', 'allOf'].includes(o.keyword) &&
          o.instancePath.startsWith(e.instancePath),
      );
      return other ? 8 : 2;
    }
    return 1;
  };
  return [...errors].sort((a, b) => rank(a) - rank(b) || b.instancePath.length - a.instancePath.length)[0];
}

/**
 * Validate a spec against the schema.
 * @param file the config file, named in the error.
 * @throws MixmcError naming the key path and what was expected.
 */
export function validateSpec(spec: unknown, file?: string): void {
  const validate = validator();
  if (validate(spec)) return;
  throw new MixmcError(message(best(validate.errors ?? [])), file === undefined ? {} : { file });
}
