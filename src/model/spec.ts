/**
 * Validation of a user's run object: its structure by the JSON Schema (schema.ts), then what a schema
 * cannot say (the formula, terms that exist, columns that exist, burn-in below iterations), with
 * defaults filled in. The result is a {@link ResolvedSpec}, ready for the design and the sampler.
 */
import { isAbsolute, resolve } from 'node:path';
import { MixmcError } from '../errors.js';
import { parseTable, readTable, type Table } from '../io/csv.js';
import type { CovarianceSpec, DataRow, MarkerSpec, MatrixPrior, McmcConfig, ResolvedMcmc, RunSpec, VariancePrior } from '../types.js';
import { DEFAULT_MCMC } from './defaults.js';
import { parseFormula, type Formula } from './formula.js';
import { markerTerm } from './names.js';
import { canonicalPrior } from './priors.js';
import { didYouMean, validateSpec } from './schema.js';
import { type FamilySpec, resolveFamilies } from './family.js';

export interface ResolvedSpec {
  readonly spec: RunSpec;
  readonly formula: Formula;
  readonly table: Table;
  readonly mcmc: ResolvedMcmc;
  /** By term; a MatrixPrior only for a term with several components (checked where the design is known). */
  readonly priors: Record<string, VariancePrior | MatrixPrior>;
  readonly fixedVariances: Record<string, number | number[][]>;
  /** The marker sets, with canonical prior names, genotype paths resolved, and `name` '' for the one unnamed set. */
  readonly markers: readonly MarkerSpec[];
  /** Covariance structures by random term (paths relative to baseDir). */
  readonly covariance: Record<string, CovarianceSpec>;
  readonly baseDir: string;
  /** The family of every response. */
  readonly families: Record<string, FamilySpec>;
}

/**
 * Check a run object and load its data. `baseDir` resolves relative paths (the config file's folder
 * in the CLI, the working directory in the API); `overrides` are command-line flags; `file` is the
 * config file, named in errors.
 */
export function resolveSpec(raw: unknown, baseDir: string = process.cwd(), overrides: McmcConfig = {}, file?: string): ResolvedSpec {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new MixmcError('the run spec must be a JSON object', file === undefined ? {} : { file });
  const given = raw as RunSpec;
  const flags = stripUndefined(overrides);
  validateSpec(Object.keys(flags).length > 0 ? { ...given, mcmc: { ...(given.mcmc ?? {}), ...flags } } : given, file);
  const spec = given;
  const formula = parseFormula(spec.formula);
  const table = loadData(spec.data, baseDir);
  checkFactors(spec.factors ?? [], table);
  const markers = spec.markers === undefined ? [] : markerSets(spec.markers, baseDir);
  const varianceTerms = [...formula.random.map((r) => r.group), ...markers.map((m) => markerTerm(m.name ?? '')), 'residual'];
  const priors = checkTerms<VariancePrior | MatrixPrior>(spec.priors ?? {}, varianceTerms, 'priors');
  const fixedVariances = checkTerms<number | number[][]>(spec.fixedVariances ?? {}, varianceTerms, 'fixedVariances');
  const mcmc = resolveMcmc({ ...(spec.mcmc ?? {}), ...flags }, file);
  const covariance = checkCovariance(
    spec,
    formula.random.map((r) => r.group),
  );
  if (markers.length > 0 && spec.id === undefined) {
    throw new MixmcError("a model with markers needs 'id': the phenotype column that matches the genotype ids", { term: 'id' });
  }
  const families = resolveFamilies(spec, formula.responses);
  return { spec, formula, table, mcmc, priors, fixedVariances, markers, covariance, baseDir, families };
}

/** Every column named in `factors` exists in the data. */
function checkFactors(factors: readonly string[], table: Table): void {
  for (const f of factors) {
    if (!table.header.includes(f)) {
      throw new MixmcError(`factors names '${f}', which is not a column of the data${didYouMean(f, table.header)} (columns: ${table.header.join(', ')})`, {
        file: table.file,
        term: 'factors',
      });
    }
  }
}

/** Priors or fixed variances by term: every term a variance term of the model. */
function checkTerms<T>(given: Record<string, T>, terms: readonly string[], key: string): Record<string, T> {
  for (const term of Object.keys(given)) {
    if (!terms.includes(term)) {
      throw new MixmcError(`${key} names '${term}', which is not a variance term of the model${didYouMean(term, terms)} (terms: ${terms.join(', ')})`, {
        term: `${key}.${term}`,
      });
    }
  }
  return { ...given };
}

/**
 * Covariance structures by random term: `covariance: {term: {pedigree | relationship | genomic: file}}`,
 * or the shorthands `pedigree` / `relationship` for the term 'animal' (or the only random term).
 */
function checkCovariance(spec: RunSpec, terms: readonly string[]): Record<string, CovarianceSpec> {
  const out: Record<string, CovarianceSpec> = {};
  const shorthandTerm = (key: string): string => {
    if (terms.includes('animal')) return 'animal';
    if (terms.length === 1) return terms[0];
    throw new MixmcError(`'${key}' applies to one random term: name it with "covariance": {"TERM": {"${key}": file}}`, { term: key });
  };
  if (spec.pedigree !== undefined) out[shorthandTerm('pedigree')] = { pedigree: spec.pedigree };
  if (spec.relationship !== undefined) out[shorthandTerm('relationship')] = { relationship: spec.relationship };
  for (const [term, c] of Object.entries(spec.covariance ?? {})) {
    if (!terms.includes(term))
      throw new MixmcError(`covariance given for '${term}', which is not a random term of the formula (${terms.join(', ') || 'none'})`, {
        term: `covariance.${term}`,
      });
    out[term] = c;
  }
  return out;
}

/** The marker sets: canonical prior names, genotype paths resolved against baseDir, names given in a list and unique. */
function markerSets(m: MarkerSpec | MarkerSpec[], baseDir: string): MarkerSpec[] {
  const list = Array.isArray(m) ? m : [m];
  const seen = new Set<string>();
  return list.map((set, k) => {
    if (Array.isArray(m) && set.name === undefined)
      throw new MixmcError(`markers[${k}] needs a "name": every set of a list of marker sets is named`, { term: `markers[${k}].name` });
    const name = set.name ?? '';
    if (seen.has(name)) throw new MixmcError(`two marker sets are named '${name}'; every set needs its own name`, { term: 'markers' });
    seen.add(name);
    const prior = canonicalPrior(set.prior)!;
    const file = isAbsolute(set.file) ? set.file : resolve(baseDir, set.file);
    return { ...set, prior, file, name } as MarkerSpec;
  });
}

function stripUndefined(o: McmcConfig): McmcConfig {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as McmcConfig;
}

function loadData(data: RunSpec['data'], baseDir: string): Table {
  if (typeof data === 'string') return readTable(isAbsolute(data) ? data : resolve(baseDir, data));
  return rowsToTable(data);
}

/** Rows given in memory become a table of strings, as if read from a file called "data". */
export function rowsToTable(rows: readonly DataRow[]): Table {
  if (rows.length === 0) throw new MixmcError('the data has no rows', { term: 'data' });
  const header = Object.keys(rows[0]);
  const cell = (v: DataRow[string]): string => (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v)) ? '' : String(v));
  const body = rows.map((r, i) => {
    const keys = Object.keys(r);
    if (keys.length !== header.length || keys.some((k) => !header.includes(k))) {
      throw new MixmcError(`row ${i + 1} has columns [${keys.join(', ')}] but row 1 has [${header.join(', ')}]`, { file: 'data', line: i + 2 });
    }
    return header.map((h) => cell(r[h]));
  });
  const text = [header, ...body].map((r) => r.map(quote).join(',')).join('\n');
  return parseTable('data', text);
}

function quote(s: string): string {
  return /[",\n;\t]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Fill in chain defaults (the schema has checked the values) and check burn-in against the iterations. */
export function resolveMcmc(m: McmcConfig, file?: string): ResolvedMcmc {
  const r: ResolvedMcmc = { ...DEFAULT_MCMC, ...m };
  if (r.burnin >= r.iterations) {
    throw new MixmcError(`mcmc.burnin (${r.burnin}) must be less than mcmc.iterations (${r.iterations}); lower the burn-in or raise the iterations`, {
      file,
      term: 'mcmc.burnin',
    });
  }
  return r;
}
